package provider

import (
	"fmt"
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

// TestAccAgentWidgetList_generatesConfig follows the migration guide's last section with the real
// CLI: `terraform query -generate-config-out` writes a resource and an import block for every
// widget of the org, and the plan of what it wrote imports them all without changing anything;
// the apply sends only reads, and the plan after it is empty. The query file and the command are
// read from the guide, so the guide stays what works.
func TestAccAgentWidgetList_generatesConfig(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guides", "migrating-from-genesyscloud.md"))
	if err != nil {
		t.Fatal(err)
	}
	query := between(string(guide), "# widgets.tfquery.hcl\n", "```")
	command := strings.Fields(between(string(guide), "```shell\n", "\n```"))
	if !strings.Contains(query, `list "genesys_agent_widget"`) || len(command) != 3 || command[1] != "query" {
		t.Fatalf("the guide no longer shows a query file and a terraform query command: %q, %q", query, command)
	}

	emu := newTestEmulator(t, emulator.Config{})
	if err := emu.seedDiscoveryExample(); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envClientID, "org-a-client")
	t.Setenv(envClientSecret, "org-a-secret")
	t.Setenv(envAPIURL, emu.URL)
	cli := newTerraformCLI(t, requiredProviders+"\nprovider \"genesys\" {}\n")
	if v := cli.version(t); !v.atLeast(1, 14) {
		t.Skipf("terraform query needs Terraform 1.14; this CLI is %s", v)
	}
	if err := os.WriteFile(filepath.Join(cli.dir, "widgets.tfquery.hcl"), []byte(query), 0o644); err != nil {
		t.Fatal(err)
	}

	if out, err := cli.run(append(command[1:], "-no-color")...); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(command, " "), err, out)
	}
	generated, err := os.ReadFile(filepath.Join(cli.dir, strings.TrimPrefix(command[2], "-generate-config-out=")))
	if err != nil {
		t.Fatal(err)
	}
	ins := emu.Integrations("org-a")
	for _, in := range ins {
		if !strings.Contains(string(generated), in.ID) || !strings.Contains(string(generated), fmt.Sprintf("%q", in.Name)) {
			t.Errorf("the generated configuration has no import and resource for %s %q:\n%s", in.ID, in.Name, generated)
		}
	}
	if t.Failed() {
		return
	}

	emu.ResetJournal()
	out, err := cli.run("plan", "-no-color", "-input=false")
	if err != nil || !strings.Contains(out, fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", len(ins))) {
		t.Fatalf("the plan of the generated configuration does not import every widget unchanged (%v):\n%s", err, out)
	}
	if out, err := cli.run("apply", "-auto-approve", "-no-color", "-input=false"); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	for _, r := range emu.Journal() {
		if r.Method != "GET" && r.Path != "/oauth/token" {
			t.Errorf("bringing the org under management sent %s %s", r.Method, r.Path)
		}
	}
	if out, err := cli.run("plan", "-detailed-exitcode", "-no-color", "-input=false"); err != nil {
		t.Errorf("the plan after the import is not empty (%v):\n%s", err, out)
	}
	if n := len(emu.Integrations("org-a")); n != len(ins) {
		t.Errorf("org-a has %d integrations, want the %d it had", n, len(ins))
	}
}
