package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
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
				Config:      base + `data "genesys_agent_widget" "x" { name = "agent dashboard" }`,
				ExpectError: regexp.MustCompile(`(?s)No widget has this name.*Similar names: "Agent dashboard"`),
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
