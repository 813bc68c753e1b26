package widget

import (
	"errors"
	"slices"
	"strings"
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
	if err := CheckSandbox(DefaultSandbox); err != nil {
		t.Errorf("the default sandbox is refused: %v", err)
	}
}

func TestCheckSandboxAndPermissions(t *testing.T) {
	if err := CheckSandbox(SandboxTokens); err != nil {
		t.Errorf("CheckSandbox(all tokens) = %v", err)
	}
	if err := CheckSandbox(nil); err != nil {
		t.Errorf("CheckSandbox(nil) = %v", err)
	}
	if err := CheckPermissions(Permissions); err != nil {
		t.Errorf("CheckPermissions(all) = %v", err)
	}

	err := CheckSandbox([]string{"allow-scripts", "allow-everything", "Allow-Forms", "allow-scripts", "allow-everything"})
	var te *TokenError
	if !errors.As(err, &te) {
		t.Fatalf("CheckSandbox = %v; want a *TokenError", err)
	}
	if !slices.Equal(te.Unknown, []string{"allow-everything", "Allow-Forms"}) || !slices.Equal(te.Repeated, []string{"allow-scripts", "allow-everything"}) {
		t.Errorf("Unknown = %q, Repeated = %q", te.Unknown, te.Repeated)
	}
	for _, want := range []string{"sandbox:", `"allow-everything", "Allow-Forms" not accepted`, "allow-top-navigation-by-user-activation", `"allow-scripts", "allow-everything" listed more than once`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	err = CheckPermissions([]string{"camera", "usb"})
	if err == nil || !strings.Contains(err.Error(), `permissions: "usb" not accepted`) {
		t.Errorf("CheckPermissions(usb) = %v", err)
	}
}
