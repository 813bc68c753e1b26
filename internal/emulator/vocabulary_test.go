package emulator

import (
	"slices"
	"testing"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

// TestVocabulariesAgreeWithTheWidgetPackage: the emulator keeps its own copy of the Genesys
// vocabularies, so that it checks the provider independently; this test keeps the two copies
// from drifting apart. A word the provider accepts at plan and the emulator refuses would fail
// only at apply; one the emulator accepts and the provider refuses would never be tested.
func TestVocabulariesAgreeWithTheWidgetPackage(t *testing.T) {
	sameSet := func(what string, emu, prov []string) {
		t.Helper()
		e, p := slices.Sorted(slices.Values(emu)), slices.Sorted(slices.Values(prov))
		if !slices.Equal(e, p) {
			t.Errorf("%s: the emulator has %q, the widget package %q", what, e, p)
		}
	}
	sameSet("sandbox tokens", sandboxTokens, widget.SandboxTokens)
	sameSet("permissions", permissionNames, widget.Permissions)
	sameSet("display types", displayTypes, widget.DisplayTypes)
	// The desktop's conversations are what an interaction widget's communicationTypeFilter is
	// matched against: a type the provider accepts and the desktop cannot start could never show.
	sameSet("communication types", desktopCommunicationTypes, widget.CommunicationTypes)

	var providerTypes []string
	for _, typ := range widget.Types {
		id, ok := widget.IntegrationTypeFor(typ)
		if !ok {
			t.Errorf("widget type %q has no integration type", typ)
		}
		providerTypes = append(providerTypes, id)
	}
	var emulatorTypes []string
	for id := range integrationTypes {
		emulatorTypes = append(emulatorTypes, id)
		if _, ok := propertySchemas[id]; !ok {
			t.Errorf("integration type %q has no property schema in the emulator", id)
		}
	}
	sameSet("integration types", emulatorTypes, providerTypes)

	for _, tok := range widget.DefaultSandbox {
		if !slices.Contains(sandboxTokens, tok) {
			t.Errorf("the provider's default sandbox has %q, which the emulator refuses", tok)
		}
	}
}
