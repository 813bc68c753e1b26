package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// discoveryWidgets are four widgets another team might have made: two share a name across types,
// one is inactive.
const discoveryWidgets = `
resource "genesys_agent_widget" "dashboard" {
  name                = "Agent dashboard"
  description         = "Queue metrics"
  type                = "webapp"
  manifest_url        = "https://widgets.example.com/dashboard/index.html"
  permissions         = ["clipboard-write"]
  dimensions          = { width = 750, height = 500 }
  refresh_interval_ms = 5000
}
resource "genesys_agent_widget" "crm_app" {
  name         = "CRM"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/crm/app.html"
  status       = "inactive"
}
resource "genesys_agent_widget" "crm_panel" {
  name                = "CRM"
  type                = "integration"
  manifest_url        = "https://widgets.example.com/crm/panel.html"
  communication_types = ["call", "chat"]
}
resource "genesys_agent_widget" "notes" {
  name         = "Call notes"
  type         = "integration"
  manifest_url = "https://widgets.example.com/notes/"
}
`

func TestAccAgentWidgetDataSource(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	base := emu.providerBlock("a", "") + discoveryWidgets
	const byID, byName = "data.genesys_agent_widget.by_id", "data.genesys_agent_widget.by_name"

	// Every attribute the resource has must read back the same through the data source.
	same := func(resourceAddr, dataAddr string) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		for _, attr := range []string{"id", "name", "description", "type", "manifest_url", "status", "display_type",
			"sandbox", "permissions", "groups", "dimensions", "refresh_interval_ms", "communication_types", "queue_ids",
			"integration_type", "reported_state", "config_version"} {
			checks = append(checks, statecheck.CompareValuePairs(resourceAddr, tfjsonpath.New(attr), dataAddr, tfjsonpath.New(attr), compare.ValuesSame()))
		}
		return checks
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		Steps: []resource.TestStep{
			{Config: base},
			{
				Config: base + `
data "genesys_agent_widget" "by_id"   { id = genesys_agent_widget.dashboard.id }
data "genesys_agent_widget" "by_name" {
  name = "CRM"
  type = "integration"
  depends_on = [genesys_agent_widget.crm_app, genesys_agent_widget.crm_panel]
}
`,
				ConfigStateChecks: append(append(same("genesys_agent_widget.dashboard", byID),
					same("genesys_agent_widget.crm_panel", byName)...),
					statecheck.ExpectKnownValue(byID, tfjsonpath.New("refresh_interval_ms"), knownvalue.Int64Exact(5000)),
					statecheck.ExpectKnownValue(byName, tfjsonpath.New("communication_types"), knownvalue.SetSizeExact(2)),
				),
			},
			{
				// Two widgets are called CRM: the error lists both with their IDs and says how to choose.
				Config:      base + `data "genesys_agent_widget" "x" { name = "CRM" }`,
				ExpectError: regexp.MustCompile(`(?s)Several widgets have this name.*2 widgets are named "CRM":.*(type webapp, INACTIVE.*type integration, ACTIVE|type integration, ACTIVE.*type webapp, INACTIVE).*Set id to the one you mean`),
			},
			{
				// No widget has the name: the error lists the names that come close, or, when none
				// does, the names the org's widgets (of that type) have, and says what to write.
				Config: base + `data "genesys_agent_widget" "x" { name = "agent dashboard" }`,
				ExpectError: messageRE("No widget has this name", `The org has no widget named "agent dashboard"`,
					`Similar names: "Agent dashboard".`, "Set name to one of them exactly as it is written, or find the widget by id instead"),
			},
			{
				Config: base + `data "genesys_agent_widget" "x" {
  name = "Wallboard"
  type = "integration"
}`,
				ExpectError: messageRE("No widget has this name", `The org has no integration widget named "Wallboard"`,
					`Its integration widgets are named "CRM", "Call notes".`, "Set name to one of them"),
			},
			{
				Config:      base + `data "genesys_agent_widget" "x" { id = "00000000-0000-0000-0000-000000000000" }`,
				ExpectError: regexp.MustCompile(`(?s)No such widget.*00000000-0000-0000-0000-000000000000`),
			},
			{
				// Refused at plan, before any request: neither or both of id and name.
				Config:      base + `data "genesys_agent_widget" "x" { type = "webapp" }`,
				ExpectError: regexp.MustCompile(`(?s)Exactly one of these attributes must be configured: \[id,name\]`),
				PlanOnly:    true,
			},
			{Config: base},
		},
	})
}

func TestAccAgentWidgetsDataSource(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	base := emu.providerBlock("a", "") + discoveryWidgets
	names := func(addr string, want ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, len(want))
		for i, n := range want {
			checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)})
		}
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("widgets"), knownvalue.ListExact(checks))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		Steps: []resource.TestStep{
			{Config: base},
			{
				PreConfig: emu.ResetJournal,
				Config: base + `
data "genesys_agent_widgets" "all"          {}
data "genesys_agent_widgets" "interaction"  { type = "integration" }
data "genesys_agent_widgets" "inactive"     { reported_state = "INACTIVE" }
data "genesys_agent_widgets" "crm"          { name = "CRM" }
data "genesys_agent_widgets" "prefix"       { name_prefix = "C" }
data "genesys_agent_widgets" "regex"        { name_regex = "^(Agent|Call) " }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					// Ordered by name, then by ID; the two CRM widgets' order follows their IDs.
					statecheck.ExpectKnownValue("data.genesys_agent_widgets.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(4)),
					names("data.genesys_agent_widgets.interaction", "CRM", "Call notes"),
					names("data.genesys_agent_widgets.inactive", "CRM"),
					statecheck.ExpectKnownValue("data.genesys_agent_widgets.inactive", tfjsonpath.New("widgets"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":               knownvalue.NotNull(),
							"name":             knownvalue.StringExact("CRM"),
							"type":             knownvalue.StringExact("webapp"),
							"integration_type": knownvalue.StringExact("embedded-client-app"),
							"status":           knownvalue.StringExact("inactive"),
							"reported_state":   knownvalue.StringExact("INACTIVE"),
						}),
					})),
					statecheck.ExpectKnownValue("data.genesys_agent_widgets.crm", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
					names("data.genesys_agent_widgets.prefix", "CRM", "CRM", "Call notes"),
					names("data.genesys_agent_widgets.regex", "Agent dashboard", "Call notes"),
					statecheck.CompareValuePairs("data.genesys_agent_widgets.inactive", tfjsonpath.New("ids").AtSliceIndex(0),
						"genesys_agent_widget.crm_app", tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: func(s *terraform.State) error {
					// Widgets of one name are ordered by ID, so the order is the same on every read.
					ids := s.RootModule().Resources["data.genesys_agent_widgets.crm"].Primary.Attributes
					if ids["ids.0"] == "" || ids["ids.0"] >= ids["ids.1"] {
						return fmt.Errorf("the two CRM widgets are listed as %q, %q: not in the order of their IDs", ids["ids.0"], ids["ids.1"])
					}
					return nil
				},
			},
			{
				Config:      base + `data "genesys_agent_widgets" "x" { name_regex = "(unclosed" }`,
				ExpectError: regexp.MustCompile(`(?s)Invalid regular expression.*name_regex is not a regular expression`),
				PlanOnly:    true,
			},
			{
				Config: base + `data "genesys_agent_widgets" "x" {
  name        = "CRM"
  name_prefix = "C"
}`,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
				PlanOnly:    true,
			},
			// The refused configurations above would stop the destroy that ends the test.
			{Config: base},
		},
	})
}

// TestAccAgentWidgetDataSources_requests: reading widgets costs the list pages of the org's
// integrations, asked with the API's own filters (integrationType, reportedState) in pages of 100,
// and nothing per widget but the one configuration a by-name read returns. The org's widgets fit
// one page here, so each read lists one page: any further page would ask for another pageNumber.
func TestAccAgentWidgetDataSources_requests(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	if err := emu.seedDiscoveryExample(); err != nil {
		t.Fatal(err)
	}
	base := emu.providerBlock("a", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: emu.ResetJournal,
				Config: base + `data "genesys_agent_widget" "notes" {
  name = "staging-notes"
  type = "webapp"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.genesys_agent_widget.notes", tfjsonpath.New("manifest_url"),
						knownvalue.StringExact("https://widgets.example.com/staging/notes/")),
				},
				Check: emu.checkWidgetReads(url.Values{"integrationType": {client.TypeEmbeddedClientApp}}, true),
			},
			{
				PreConfig: emu.ResetJournal,
				Config: base + `data "genesys_agent_widgets" "staging" {
  type           = "webapp"
  reported_state = "ACTIVE"
  name_prefix    = "staging-"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.genesys_agent_widgets.staging", tfjsonpath.New("widgets"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("staging-dashboard")}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("staging-notes")}),
					})),
				},
				Check: emu.checkWidgetReads(url.Values{"integrationType": {client.TypeEmbeddedClientApp}, "reportedState": {"ACTIVE"}}, false),
			},
		},
	})
}

// checkWidgetReads checks the API requests of the data source reads since the journal was reset:
// every listing asks for the first page of 100 with the filters given, and, besides them, there is
// one configuration read per listing when withConfig (a by-name read) and nothing else.
func (e *testEmulator) checkWidgetReads(filters url.Values, withConfig bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		lists, configs := 0, 0
		for _, r := range e.Journal() {
			switch {
			case r.Path == "/oauth/token":
			case r.Method == "GET" && r.Path == "/api/v2/integrations":
				lists++
				q, _ := url.ParseQuery(r.Query)
				if q.Get("pageSize") != "100" || q.Get("pageNumber") != "1" {
					return fmt.Errorf("listing %s asks for another page than the first of 100", r.Query)
				}
				for k := range filters {
					if q.Get(k) != filters.Get(k) {
						return fmt.Errorf("listing %s does not pass %s=%s to the API", r.Query, k, filters.Get(k))
					}
				}
			case withConfig && r.Method == "GET" && strings.HasSuffix(r.Path, "/config/current"):
				configs++
			default:
				return fmt.Errorf("a data source read sent %s %s", r.Method, r.Path)
			}
		}
		switch {
		case lists == 0:
			return fmt.Errorf("no listing was read: the test proves nothing")
		case withConfig && configs != lists:
			return fmt.Errorf("%d configuration reads for %d listings, want one each", configs, lists)
		}
		return nil
	}
}

// seedDiscoveryExample gives org-a what the discovery examples look for: three staging widgets
// (one of them never enabled) and one production widget, made through the API as another team's
// configuration would have made them.
func (e *testEmulator) seedDiscoveryExample() error {
	ctx := context.Background()
	c, err := client.New(client.Config{ClientID: "org-a-client", ClientSecret: "org-a-secret", APIURL: e.URL, LoginURL: e.URL})
	if err != nil {
		return err
	}
	for _, w := range []struct {
		name, path string
		enable     bool
	}{{"staging-dashboard", "staging/dashboard/", true}, {"staging-notes", "staging/notes/", true},
		{"staging-old", "staging/old/", false}, {"prod-dashboard", "dashboard/", true}} {
		in, err := c.CreateIntegration(ctx, w.name, client.TypeEmbeddedClientApp)
		if err != nil {
			return fmt.Errorf("seeding %s: %w", w.name, err)
		}
		cfg := client.WidgetConfig{Name: w.name, Version: 1, URL: "https://widgets.example.com/" + w.path,
			DisplayType: "widget", Sandbox: []string{"allow-scripts"}}
		if _, err := c.PutIntegrationConfig(ctx, in.ID, cfg.IntegrationConfig()); err != nil {
			return fmt.Errorf("seeding %s: %w", w.name, err)
		}
		if !w.enable {
			continue
		}
		if in, err = c.SetIntendedState(ctx, in.ID, true); err != nil {
			return fmt.Errorf("seeding %s: %w", w.name, err)
		}
		if _, err := c.WaitForReportedState(ctx, in, client.ReportedActive); err != nil {
			return fmt.Errorf("seeding %s: %w", w.name, err)
		}
	}
	return nil
}
