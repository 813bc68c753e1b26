package widget

import (
	"slices"
	"testing"
)

func TestIntegrationTypeMapping(t *testing.T) {
	tests := []struct{ typ, id string }{
		{"webapp", "embedded-client-app"},
		{"integration", "embedded-client-app-interaction-widget"},
	}
	for _, tt := range tests {
		id, ok := IntegrationTypeFor(tt.typ)
		if !ok || id != tt.id {
			t.Errorf("IntegrationTypeFor(%q) = %q, %v; want %q", tt.typ, id, ok, tt.id)
		}
		typ, ok := TypeForIntegration(tt.id)
		if !ok || typ != tt.typ {
			t.Errorf("TypeForIntegration(%q) = %q, %v; want %q", tt.id, typ, ok, tt.typ)
		}
	}
	for _, bad := range []string{"", "Webapp", "widget", "embedded-client-app"} {
		if id, ok := IntegrationTypeFor(bad); ok {
			t.Errorf("IntegrationTypeFor(%q) = %q; want no mapping", bad, id)
		}
	}
	for _, bad := range []string{"", "webapp", "purecloud-data-actions", "Embedded-Client-App"} {
		if typ, ok := TypeForIntegration(bad); ok {
			t.Errorf("TypeForIntegration(%q) = %q; want no mapping", bad, typ)
		}
	}
	for _, typ := range Types {
		if _, ok := IntegrationTypeFor(typ); !ok {
			t.Errorf("Types lists %q, which has no integration type", typ)
		}
	}
}

func TestVocabulariesAreSortedAndUnique(t *testing.T) {
	for name, v := range map[string][]string{
		"Types": Types, "DisplayTypes": DisplayTypes, "Statuses": Statuses,
		"SandboxTokens": SandboxTokens, "DefaultSandbox": DefaultSandbox, "Permissions": Permissions,
		"CommunicationTypes": CommunicationTypes,
	} {
		if len(v) == 0 || !slices.IsSorted(v) || len(slices.Compact(slices.Clone(v))) != len(v) {
			t.Errorf("%s = %q; want a non-empty sorted list without repeats", name, v)
		}
	}
	if len(SandboxTokens) != 13 || len(Permissions) != 6 {
		t.Errorf("got %d sandbox tokens and %d permissions; want 13 and 6", len(SandboxTokens), len(Permissions))
	}
	for _, tok := range DefaultSandbox {
		if !slices.Contains(SandboxTokens, tok) {
			t.Errorf("the default sandbox token %q is not a known token", tok)
		}
	}
}
