package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

func TestAccAgentWidgetList_findsTheOrgsWidgets(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	// Two widgets and an integration that is not a widget, made outside Terraform.
	emu.apiCall(t, "a", "POST", "/api/v2/integrations", `{"name":"Sales board","integrationType":{"id":"embedded-client-app"}}`)
	emu.apiCall(t, "a", "POST", "/api/v2/integrations", `{"name":"Sales 360","integrationType":{"id":"embedded-client-app-interaction-widget"}}`)
	emu.apiCall(t, "a", "POST", "/api/v2/integrations", `{"name":"Support board","integrationType":{"id":"embedded-client-app"}}`)
	ids := map[string]string{}
	for _, in := range emu.Integrations("org-a") {
		ids[in.Name] = in.ID
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{Config: emu.providerBlock("a", "") + `data "genesys_organization" "this" {}`},
			{
				Query: true,
				// The query runs with the provider block of the configuration above.
				Config: `
list "genesys_agent_widget" "sales" {
  provider = genesys
  config {
    name_prefix = "Sales"
  }
}

list "genesys_agent_widget" "webapps" {
  provider = genesys
  config {
    type = "webapp"
  }
}
` + readQueryExample(t),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("genesys_agent_widget.sales", 2),
					querycheck.ExpectLength("genesys_agent_widget.webapps", 2),
					querycheck.ExpectIdentity("genesys_agent_widget.sales", map[string]knownvalue.Check{
						"id": knownvalue.StringExact(ids["Sales 360"]),
					}),
					querycheck.ExpectIdentity("genesys_agent_widget.webapps", map[string]knownvalue.Check{
						"id": knownvalue.StringExact(ids["Support board"]),
					}),
					// The documentation's example: webapps whose name starts with "Sales".
					querycheck.ExpectLength("genesys_agent_widget.example", 1),
					querycheck.ExpectIdentity("genesys_agent_widget.example", map[string]knownvalue.Check{
						"id": knownvalue.StringExact(ids["Sales board"]),
					}),
				},
			},
		},
	})
}

// readQueryExample is the list resource's documentation example, renamed so it can stand beside
// the test's own list blocks.
func readQueryExample(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(examplesDir, "list-resources", "genesys_agent_widget", "list-resource.tfquery.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(raw), `list "genesys_agent_widget" "sales"`, `list "genesys_agent_widget" "example"`, 1)
}
