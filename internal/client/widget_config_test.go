package client

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// viaWire encodes w as the PUT sends it and decodes the bytes as a GET answer would arrive.
func viaWire(t *testing.T, w WidgetConfig, integrationType string) WidgetConfig {
	t.Helper()
	body, err := EncodeIntegrationConfig(w.IntegrationConfig())
	if err != nil {
		t.Fatalf("EncodeIntegrationConfig: %v", err)
	}
	var back IntegrationConfig
	if err := json.Unmarshal(body, &back); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return DecodeWidgetConfig(back, integrationType)
}

func TestWidgetConfigRoundTrip(t *testing.T) {
	tests := []struct {
		name            string
		integrationType string
		in              WidgetConfig
	}{
		{"webapp, everything set", TypeEmbeddedClientApp, WidgetConfig{
			Name: "Orders", Notes: "for the <support> & sales teams", Version: 3,
			URL: "https://apps.example.com/orders?x=1&y=2#/agent", DisplayType: "standalone",
			Sandbox: []string{"allow-forms", "allow-scripts"}, Permissions: []string{"camera", "microphone"},
			Groups: []string{"g-1", "g 2"}, CommunicationTypes: []string{}, QueueIDs: []string{},
			Dimensions: &Dimensions{Width: 800, Height: 600}, RefreshIntervalMs: 86_400_000,
		}},
		{"webapp, nothing optional", TypeEmbeddedClientApp, WidgetConfig{
			Name: "Bare", Version: 1, URL: "https://a.example", DisplayType: "widget",
			Sandbox: []string{}, Permissions: []string{}, Groups: []string{}, CommunicationTypes: []string{}, QueueIDs: []string{},
		}},
		{"interaction widget", TypeInteractionWidget, WidgetConfig{
			Name: "Beside calls", Version: 7, Interaction: true, URL: "https://i.example/w",
			Sandbox: []string{"allow-scripts"}, Permissions: []string{}, Groups: []string{},
			CommunicationTypes: []string{"call", "chat"}, QueueIDs: []string{"q-1", "q-2"},
			Dimensions: &Dimensions{Width: 1, Height: 1}, RefreshIntervalMs: 1000,
		}},
		{"zero-sized dimensions survive", TypeEmbeddedClientApp, WidgetConfig{
			Name: "Z", URL: "https://z.example", DisplayType: "widget", Sandbox: []string{}, Permissions: []string{},
			Groups: []string{}, CommunicationTypes: []string{}, QueueIDs: []string{}, Dimensions: &Dimensions{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := viaWire(t, tt.in, tt.integrationType); !reflect.DeepEqual(got, tt.in) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, tt.in)
			}
		})
	}
}

// TestWidgetConfigWireForm pins the names and forms the API expects: a change here is a change of
// the contract with Genesys Cloud, not a refactoring.
func TestWidgetConfigWireForm(t *testing.T) {
	webapp := WidgetConfig{
		Name: "W", Notes: "n", Version: 2, URL: "https://a.example/?a=1&b=2", DisplayType: "widget",
		Sandbox: []string{"allow-forms", "allow-scripts"}, Permissions: nil, Groups: nil,
		CommunicationTypes: []string{"call"}, QueueIDs: []string{"ignored for a webapp"},
		Dimensions: &Dimensions{Width: 300, Height: 200}, RefreshIntervalMs: 5000,
	}
	body, err := EncodeIntegrationConfig(webapp.IntegrationConfig())
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"name":"W","notes":"n","version":2,` +
		`"properties":{"displayType":"widget","groups":[],"permissions":"","sandbox":"allow-forms,allow-scripts","url":"https://a.example/?a=1&b=2"},` +
		`"advanced":{"dimensions":{"height":200,"width":300},"refreshIntervalMs":5000},"credentials":{}}`
	if string(body) != want {
		t.Errorf("webapp body\n got %s\nwant %s", body, want)
	}

	interaction := WidgetConfig{Name: "I", Version: 1, Interaction: true, URL: "https://i.example", DisplayType: "standalone"}
	body, err = EncodeIntegrationConfig(interaction.IntegrationConfig())
	if err != nil {
		t.Fatal(err)
	}
	const wantInteraction = `{"name":"I","notes":"","version":1,` +
		`"properties":{"communicationTypeFilter":"","groups":[],"permissions":"","queueIdFilterList":[],"sandbox":"","url":"https://i.example"},` +
		`"advanced":{},"credentials":{}}`
	if string(body) != wantInteraction {
		t.Errorf("interaction body\n got %s\nwant %s", body, wantInteraction)
	}
}

func TestWidgetConfigEncodeDoesNotAlias(t *testing.T) {
	groups := []string{"a"}
	cfg := WidgetConfig{Groups: groups}.IntegrationConfig()
	cfg.Properties[propGroups].([]string)[0] = "changed"
	if groups[0] != "a" {
		t.Error("changing the encoded groups changed the caller's slice")
	}
}

// TestDecodeWidgetConfigLenient reads configurations written by other tools and by hand.
func TestDecodeWidgetConfigLenient(t *testing.T) {
	raw := `{"name":"Hand made","notes":"","version":4,
		"properties":{"url":"https://h.example","displayType":"standalone",
			"sandbox":" allow-scripts , allow-forms,,","permissions":["camera"],
			"groups":"g-1, g-2","queueIdFilterList":["q-1", 7, null, "q-2"],
			"communicationTypeFilter":"call"},
		"advanced":{"dimensions":{"width":"640","height":480.0},"refreshIntervalMs":"2000","unrelated":true}}`
	var cfg IntegrationConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	got := DecodeWidgetConfig(cfg, TypeEmbeddedClientApp)
	want := WidgetConfig{
		Name: "Hand made", Version: 4, URL: "https://h.example", DisplayType: "standalone",
		Sandbox: []string{"allow-scripts", "allow-forms"}, Permissions: []string{"camera"},
		Groups: []string{"g-1", "g-2"}, QueueIDs: []string{"q-1", "q-2"}, CommunicationTypes: []string{"call"},
		Dimensions: &Dimensions{Width: 640, Height: 480}, RefreshIntervalMs: 2000,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lenient decode:\n got %#v\nwant %#v", got, want)
	}

	// An interaction widget has no display type, whatever the properties say.
	if got := DecodeWidgetConfig(cfg, TypeInteractionWidget); got.DisplayType != "" || !got.Interaction {
		t.Errorf("interaction decode: DisplayType %q, Interaction %v; want \"\" and true", got.DisplayType, got.Interaction)
	}
}

func TestDecodeWidgetConfigEmptyAndWrongTypes(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  IntegrationConfig
	}{
		{"nil maps", IntegrationConfig{}},
		{"wrong JSON types", IntegrationConfig{
			Properties: map[string]any{"url": 42, "displayType": []any{"widget"}, "sandbox": 1.0, "groups": map[string]any{}},
			Advanced:   map[string]any{"dimensions": "800x600", "refreshIntervalMs": 1.5},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := DecodeWidgetConfig(tt.cfg, TypeEmbeddedClientApp)
			if got.URL != "" || got.DisplayType != "" || got.Dimensions != nil || got.RefreshIntervalMs != 0 {
				t.Errorf("got %#v; want empty values", got)
			}
			for name, l := range map[string][]string{"Sandbox": got.Sandbox, "Permissions": got.Permissions,
				"Groups": got.Groups, "CommunicationTypes": got.CommunicationTypes, "QueueIDs": got.QueueIDs} {
				if l == nil || len(l) != 0 {
					t.Errorf("%s = %#v; want an empty, non-nil list", name, l)
				}
			}
		})
	}
}

func TestListFormRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{",", []string{}},
		{"allow-forms", []string{"allow-forms"}},
		{"allow-forms,allow-modals,allow-popups", []string{"allow-forms", "allow-modals", "allow-popups"}},
		{" allow-scripts , allow-forms,,", []string{"allow-scripts", "allow-forms"}},
	}
	for _, tt := range tests {
		got := ParseList(tt.in)
		if got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseList(%q) = %#v; want %q", tt.in, got, tt.want)
		}
		if back := ParseList(FormatList(got)); !slices.Equal(back, got) {
			t.Errorf("round trip of %q gave %q", got, back)
		}
	}
	if got := FormatList([]string{"camera", "microphone"}); got != "camera,microphone" {
		t.Errorf("FormatList = %q", got)
	}
}

func TestInt64Of(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want int64
	}{
		{float64(800), 800}, {int64(-3), -3}, {7, 7}, {"1234", 1234}, {" 12 ", 12},
		{1.5, 0}, {1e300, 0}, {"12px", 0}, {"", 0}, {nil, 0}, {true, 0},
	} {
		if got := int64Of(tt.in); got != tt.want {
			t.Errorf("int64Of(%#v) = %d; want %d", tt.in, got, tt.want)
		}
	}
}
