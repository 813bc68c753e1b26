package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// Environment variables that point the portable acceptance tests at a real sandbox org. Without
// them the same tests run against the in-process emulator.
const (
	envSandboxClientID     = "GENESYS_SANDBOX_CLIENT_ID"
	envSandboxClientSecret = "GENESYS_SANDBOX_CLIENT_SECRET"
	envSandboxEnvironment  = "GENESYS_SANDBOX_ENVIRONMENT"
	envSandboxManifestHost = "GENESYS_SANDBOX_MANIFEST_HOST" // an origin the org's widgets may load from
	// envSandboxAPIURL, when set, replaces the region's API and login URLs: a rehearsal of the
	// sandbox path against a genesys-emulator started by hand.
	envSandboxAPIURL = "GENESYS_SANDBOX_API_URL"
)

// testOrg is where a portable acceptance test runs: a real sandbox org when its credentials are in
// the environment, the emulator otherwise. Either way the provider takes its credentials from the
// environment, as a CI pipeline's would, and the test checks the org through the API client.
type testOrg struct {
	providerBlock string
	manifestHost  string
	client        *client.Client
	sandbox       bool
	emu           *testEmulator // nil against a real org
}

func newTestOrg(t *testing.T) *testOrg {
	t.Helper()
	id, secret, env := os.Getenv(envSandboxClientID), os.Getenv(envSandboxClientSecret), os.Getenv(envSandboxEnvironment)
	sandbox := id != "" && secret != "" && env != ""
	var apiURL, loginURL, host string
	if sandbox {
		// The provider resolves its endpoints the same way, so the test's client checks the org
		// the provider changes. The override, when set, stands for both URLs.
		u := os.Getenv(envSandboxAPIURL)
		ep := client.ResolveEndpoints(env, u, u)
		apiURL, loginURL, host = ep.APIURL, ep.LoginURL, os.Getenv(envSandboxManifestHost)
		if host == "" {
			host = "widgets.example.com"
		}
	}
	emu := newTestEmulator(t, emulator.Config{}) // also clears the developer's own GENESYS_* variables
	if !sandbox {
		id, secret, apiURL, loginURL, host = "org-a-client", "org-a-secret", emu.URL, emu.URL, "widgets.example.com"
	}
	t.Setenv(envClientID, id)
	t.Setenv(envClientSecret, secret)
	c, err := client.New(client.Config{ClientID: id, ClientSecret: secret, APIURL: apiURL, LoginURL: loginURL})
	if err != nil {
		t.Fatal(err)
	}
	block := fmt.Sprintf("provider \"genesys\" {\n  api_url   = %q\n  login_url = %q\n}\n", apiURL, loginURL)
	if sandbox && os.Getenv(envSandboxAPIURL) == "" {
		block = fmt.Sprintf("provider \"genesys\" {\n  environment = %q\n}\n", env)
	}
	o := &testOrg{providerBlock: block, manifestHost: host, client: c, sandbox: sandbox}
	if !sandbox {
		o.emu = emu
	}
	return o
}

// checkGone fails while any widget of the state still exists in the org.
func (o *testOrg) checkGone(s *terraform.State) error {
	for addr, rs := range s.RootModule().Resources {
		if rs.Type != "genesys_agent_widget" {
			continue
		}
		_, err := o.client.GetIntegration(context.Background(), rs.Primary.ID)
		if err == nil {
			return fmt.Errorf("%s (%s) still exists after destroy", addr, rs.Primary.ID)
		}
		if !client.IsNotFound(err) {
			return fmt.Errorf("checking %s: %w", addr, err)
		}
	}
	return nil
}

func uniqueName(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "tf-acc-" + hex.EncodeToString(b)
}

// TestAccPortable_widgetLifecycle is the widget's whole life cycle, the one a sandbox org can run
// too: create, import, update in place, disable, enable again, destroy, each checked in state and
// through the API. Against the emulator it also checks the cost of a create (three requests) and
// the audit trail. The widget keeps one id throughout (statecheck.CompareValue), so no step
// replaced it.
func TestAccPortable_widgetLifecycle(t *testing.T) {
	org := newTestOrg(t)
	name := uniqueName(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	t.Setenv(envAuditLog, auditPath)
	config := func(description, status string, width int) string {
		return org.providerBlock + fmt.Sprintf(`
resource "genesys_agent_widget" "test" {
  name         = %q
  description  = %q
  type         = "webapp"
  status       = %q
  manifest_url = "https://%s/tf-acc/index.html"
  dimensions   = { width = %d, height = 480 }
}
`, name, description, status, org.manifestHost, width)
	}
	checkRemote := func(wantNotes, wantIntended string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			id := s.RootModule().Resources[widgetAddr].Primary.ID
			in, err := org.client.GetIntegration(context.Background(), id)
			if err != nil {
				return err
			}
			cfg, err := org.client.GetIntegrationConfig(context.Background(), id)
			if err != nil {
				return err
			}
			if in.IntendedState != wantIntended || cfg.Notes != wantNotes || cfg.Name != name {
				return fmt.Errorf("the org has %s %q %q; want %s %q %q", in.IntendedState, cfg.Name, cfg.Notes,
					wantIntended, name, wantNotes)
			}
			return nil
		}
	}
	// onEmulator runs checks that need the emulator's journal; a real org has none.
	onEmulator := func(checks ...resource.TestCheckFunc) resource.TestCheckFunc {
		if org.emu == nil {
			return func(*terraform.State) error { return nil }
		}
		return resource.ComposeAggregateTestCheckFunc(checks...)
	}
	resetJournal := func() {
		if org.emu != nil {
			org.emu.ResetJournal()
		}
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             org.checkGone,
		Steps: []resource.TestStep{
			{
				PreConfig: resetJournal,
				Config:    config("first", "active", 640),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(widgetAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("reported_state"), knownvalue.StringExact("ACTIVE")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("integration_type"), knownvalue.StringExact("embedded-client-app")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("display_type"), knownvalue.StringExact("widget")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("sandbox"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("allow-forms"), knownvalue.StringExact("allow-modals"),
						knownvalue.StringExact("allow-popups"), knownvalue.StringExact("allow-same-origin"),
						knownvalue.StringExact("allow-scripts"),
					})),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("dimensions").AtMapKey("width"), knownvalue.Int64Exact(640)),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("config_version"), knownvalue.Int64Exact(2)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					// Before checkRemote, whose own requests the journal would count.
					onEmulator(
						// The cost target: create and activate in three requests (POST, PUT config, PATCH).
						org.emu.checkRequests("/api/v2/integrations", 3),
						org.emu.checkIntegrationCount("org-a", 1),
					),
					checkRemote("first", "ENABLED"),
				),
			},
			{
				ResourceName:            widgetAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// An in-place update: same widget, new configuration version.
				Config: config("second", "active", 600),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(widgetAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(widgetAddr, tfjsonpath.New("config_version")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(widgetAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("description"), knownvalue.StringExact("second")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("dimensions").AtMapKey("width"), knownvalue.Int64Exact(600)),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("config_version"), knownvalue.Int64Exact(3)),
				},
				Check: checkRemote("second", "ENABLED"),
			},
			{
				// Disable: one PATCH, the configuration is untouched, and the reported state is
				// known at plan.
				Config: config("second", "inactive", 600),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(widgetAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("reported_state"), knownvalue.StringExact("INACTIVE")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(widgetAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("status"), knownvalue.StringExact("inactive")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("reported_state"), knownvalue.StringExact("INACTIVE")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("config_version"), knownvalue.Int64Exact(3)),
				},
				Check: checkRemote("second", "DISABLED"),
			},
			{
				Config: config("second", "active", 600),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(widgetAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("reported_state"), knownvalue.StringExact("ACTIVE")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRemote("second", "ENABLED"),
					checkAuditLog(auditPath, []string{"create", "activate", "update", "deactivate", "activate"}, os.Getenv(envClientSecret)),
				),
			},
		},
	})
}
