package provider

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

const widgetAddr = "genesys_agent_widget.test"

// widgetConfig is a provider block for org-a with the given constraints plus one widget whose
// body is given.
func (e *testEmulator) widgetConfig(constraints, body string) string {
	return e.providerBlock("a", constraints) + fmt.Sprintf(`
resource "genesys_agent_widget" "test" {
%s
}
`, body)
}

const widgetBody = `
  name         = "Agent dashboard"
  description  = "Queue metrics"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/dashboard/index.html"
  dimensions = {
    width  = 750
    height = 500
  }
  refresh_interval_ms = 5000
`

func TestAccAgentWidget_importByIdentity(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{Config: emu.widgetConfig("", widgetBody)},
			{
				ResourceName:    widgetAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

func TestAccAgentWidget_interactionWidgetTypeChangeReplaces(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		Steps: []resource.TestStep{
			{
				Config: emu.widgetConfig("", widgetBody),
			},
			{
				Config: emu.widgetConfig("", strings.Replace(widgetBody, `"webapp"`, `"integration"`, 1)+`
  permissions         = ["microphone", "camera"]
  groups              = ["group-sales"]
  sandbox             = ["allow-scripts", "allow-same-origin"]
  communication_types = ["call", "chat"]
  queue_ids           = ["queue-support", "queue-sales"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(widgetAddr, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("integration_type"),
						knownvalue.StringExact("embedded-client-app-interaction-widget")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("permissions"), knownvalue.SetSizeExact(2)),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("communication_types"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("call"), knownvalue.StringExact("chat"),
					})),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("queue_ids"), knownvalue.SetSizeExact(2)),
				},
				Check: emu.checkIntegrationCount("org-a", 1),
			},
		},
	})
}

func TestAccAgentWidget_driftDeletedOutOfBand(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	otherID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            emu.widgetConfig("", widgetBody),
				ConfigStateChecks: []statecheck.StateCheck{otherID.AddStateValue(widgetAddr, tfjsonpath.New("id"))},
			},
			{
				PreConfig: func() {
					if id := emu.onlyIntegrationID(t, "org-a"); !emu.DeleteIntegrationOutOfBand("org-a", id) {
						t.Fatalf("integration %s was not there to delete", id)
					}
				},
				Config: emu.widgetConfig("", widgetBody),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(widgetAddr, plancheck.ResourceActionCreate)},
				},
				// Recreated: a new id.
				ConfigStateChecks: []statecheck.StateCheck{otherID.AddStateValue(widgetAddr, tfjsonpath.New("id"))},
				Check:             emu.checkIntegrationCount("org-a", 1),
			},
		},
	})
}

func TestAccAgentWidget_driftChangedOutOfBand(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.widgetConfig("", widgetBody),
			},
			{
				PreConfig: func() {
					id := emu.onlyIntegrationID(t, "org-a")
					ok := emu.UpdateIntegrationOutOfBand("org-a", id, func(c *emulator.IntegrationConfig) {
						c.Properties["url"] = "https://widgets.example.com/hijacked/"
						c.Notes = "edited in the admin UI"
					})
					if !ok {
						t.Fatalf("integration %s was not there to change", id)
					}
				},
				Config: emu.widgetConfig("", widgetBody),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(widgetAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("manifest_url"),
							knownvalue.StringExact("https://widgets.example.com/dashboard/index.html")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("description"), knownvalue.StringExact("Queue metrics")),
				},
			},
			{
				// Disabled in the admin UI: the plan puts it back.
				PreConfig: func() {
					emu.apiCall(t, "a", "PATCH", "/api/v2/integrations/"+emu.onlyIntegrationID(t, "org-a"), `{"intendedState":"DISABLED"}`)
				},
				Config: emu.widgetConfig("", widgetBody),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(widgetAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("reported_state"), knownvalue.StringExact("ACTIVE")),
				},
			},
		},
	})
}

// TestAccAgentWidget_planTimeValidation: every constraint of the seed fails at plan, names its
// attribute and sends no request. The whole text of each message is pinned once, in
// plan_messages_test.go.
func TestAccAgentWidget_planTimeValidation(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	strict := `
  widget_constraints {
    allowed_origins   = ["widgets.example.com", "*.cloudfront.net"]
    max_width         = 640
    max_height        = 480
  }`
	long := strings.Repeat("x", 1900)
	cases := map[string]struct {
		constraints, body, want string
	}{
		"http manifest":             {"", `manifest_url = "http://widgets.example.com/w/"`, `(?s)manifest_url.*https`},
		"manifest with credentials": {"", `manifest_url = "https://user:pw@widgets.example.com/w/"`, `(?s)manifest_url.*user info`},
		"relative manifest":         {"", `manifest_url = "/widgets/index.html"`, `(?s)Invalid manifest_url`},
		"manifest without host":     {"", `manifest_url = "https:///index.html"`, `(?s)Invalid manifest_url`},
		"origin not allowed": {strict, `manifest_url = "https://evil.example.net/w/"`,
			`(?s)Manifest origin not allowed.*manifest_url.*evil\.example\.net`},
		"suffix look-alike":  {strict, `manifest_url = "https://d1.cloudfront.net.evil.com/w/"`, `(?s)Manifest origin not allowed`},
		"prefix look-alike":  {strict, `manifest_url = "https://evilcloudfront.net/w/"`, `(?s)Manifest origin not allowed`},
		"wrong port":         {strict, `manifest_url = "https://widgets.example.com:8443/w/"`, `(?s)Manifest origin not allowed`},
		"apex of a wildcard": {strict, `manifest_url = "https://cloudfront.net/w/"`, `(?s)Manifest origin not allowed`},
		"too wide": {strict, `dimensions = { width = 641, height = 400 }`,
			`(?s)Widget exceeds the render frame.*dimensions\.width.*641`},
		"too tall":                 {strict, `dimensions = { width = 600, height = 481 }`, `(?s)dimensions.*481`},
		"too wide for the default": {"", `dimensions = { width = 801, height = 400 }`, `(?s)dimensions.*801`},
		"zero width":               {"", `dimensions = { width = 0, height = 400 }`, `(?s)dimensions.width.*at\s+least\s+1`},
		"negative height":          {"", `dimensions = { width = 100, height = -5 }`, `(?s)dimensions.height.*at\s+least\s+1`},
		"unknown sandbox token":    {"", `sandbox = ["allow-scripts", "allow-everything"]`, `(?s)sandbox.*allow-everything`},
		"unknown permission":       {"", `permissions = ["camera", "telepathy"]`, `(?s)permissions.*telepathy`},
		"unknown type":             {"", `type = "plugin"`, `(?s)type.*value must be one of`},
		"unknown status":           {"", `status = "enabled"`, `(?s)status.*value must be one of`},
		"unknown display type":     {"", `display_type = "popup"`, `(?s)display_type.*value must be one of`},
		"refresh too often":        {"", `refresh_interval_ms = 10`, `(?s)refresh_interval_ms.*from\s+1000\s+to\s+86400000`},
		"refresh too rarely":       {"", `refresh_interval_ms = 90000000`, `(?s)refresh_interval_ms.*from\s+1000\s+to\s+86400000`},
		"empty name":               {"", `name = ""`, `(?s)Invalid name.*name is empty; write at least 1 byte`},
		"standalone interaction widget": {"", `type = "integration"
  display_type = "standalone"`, `(?s)display_type.*only to type = "webapp"`},
		"payload over the limit": {`
  widget_constraints {
    max_payload_bytes = 1024
  }`, `description = "` + long + `"`, `(?s)Widget configuration too large.*1024`},
		"empty group id":           {"", `groups = [""]`, `(?s)Invalid groups.*is empty`},
		"queue filter on a webapp": {"", `queue_ids = ["queue-support"]`, `(?s)queue_ids.*only to\s+type = "integration"`},
		"unknown communication type": {"", `type = "integration"
  communication_types = ["fax"]`, `(?s)communication_types.*fax`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			emu.ResetJournal()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      emu.widgetConfig(tc.constraints, overrideBody(widgetBody, tc.body)),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if n := emu.countRequests("/api/v2/integrations"); n != 0 {
				t.Errorf("a plan that fails validation sent %d integration requests; want none", n)
			}
		})
	}
}

// TestAccAgentWidget_unknownUntilApply: values that come from other resources are not reported at
// plan, and are checked at apply before any request is sent.
func TestAccAgentWidget_unknownUntilApply(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	constraints := `
  widget_constraints {
    allowed_origins = ["widgets.example.com"]
  }`
	config := func(url string) string {
		return fmt.Sprintf(`
resource "terraform_data" "manifest" {
  input = %q
}
`, url) + emu.widgetConfig(constraints, overrideBody(widgetBody, `manifest_url = terraform_data.manifest.output`))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Plans (the origin is unknown), then fails at apply before the widget is created.
				Config:      config("https://elsewhere.example.org/w/"),
				ExpectError: regexp.MustCompile(`(?s)Manifest origin not allowed.*elsewhere.example.org`),
			},
			{
				// A step that ends in its expected error runs no Check, so the failed apply's
				// promise (nothing was created) is checked before the next step.
				PreConfig: func() { mustCheck(t, emu.checkIntegrationCount("org-a", 0)) },
				Config:    config("https://widgets.example.com/w/"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("manifest_url"), knownvalue.StringExact("https://widgets.example.com/w/")),
				},
				Check: emu.checkIntegrationCount("org-a", 1),
			},
		},
	})
}

// TestAccAgentWidget_unknownProviderConfiguration: a provider block fed by another resource plans.
func TestAccAgentWidget_unknownProviderConfiguration(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerKnownAtApply("org-a-secret") + fmt.Sprintf(`
resource "genesys_agent_widget" "test" {
%s
}
`, widgetBody),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("reported_state"), knownvalue.StringExact("ACTIVE")),
			},
		}},
	})
}

// TestAccAgentWidget_convergesUnderFaults: a life cycle under 429 storms, 5xx bursts, resets and
// eventually consistent reads still converges, with exactly one integration per widget.
func TestAccAgentWidget_convergesUnderFaults(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{
		Faults: []emulator.Fault{
			{Kind: emulator.Kind429, PathPrefix: "/api/v2/integrations", Pattern: "x.xx..x...xx", RetryAfter: 1},
			{Kind: emulator.Kind503, PathPrefix: "/api/v2/integrations", Pattern: ".x...x..x"},
			{Kind: emulator.Kind502, Method: "PUT", Pattern: "x..x"},
			{Kind: emulator.Kind500, Method: "PATCH", Pattern: "x"},
			{Kind: emulator.KindResetAfterCommit, Method: "POST", PathPrefix: "/api/v2/integrations", Pattern: "x..x"},
			{Kind: emulator.KindReadNotFoundAfterCreate, Pattern: "x.x.x", For: 300 * time.Millisecond},
		},
	})
	config := func(description string) string {
		return emu.providerBlock("a", "") + fmt.Sprintf(`
resource "genesys_agent_widget" "fleet" {
  count        = 5
  name         = "Fleet widget ${count.index}"
  description  = %q
  type         = "webapp"
  manifest_url = "https://widgets.example.com/fleet/${count.index}/"
}
`, description)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		Steps: []resource.TestStep{
			{
				Config: config("first"),
				Check: resource.ComposeAggregateTestCheckFunc(
					emu.checkIntegrationCount("org-a", 5),
					emu.checkUniqueNames("org-a"),
				),
			},
			{
				Config: config("second"),
				Check: resource.ComposeAggregateTestCheckFunc(
					emu.checkIntegrationCount("org-a", 5),
					emu.checkUniqueNames("org-a"),
					emu.checkFaultsInjected(),
				),
			},
		},
	})
}

// overrideBody replaces the attributes set in override within body, and adds the rest.
func overrideBody(body, override string) string {
	lines := strings.Split(body, "\n")
	for _, o := range strings.Split(override, "\n") {
		name, _, ok := strings.Cut(strings.TrimSpace(o), "=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), name+" ") || strings.HasPrefix(strings.TrimSpace(l), name+"=") {
				lines[i] = ""
				// Drop a multi-line block value as well.
				if strings.HasSuffix(strings.TrimSpace(l), "{") {
					for j := i + 1; j < len(lines); j++ {
						closing := strings.TrimSpace(lines[j]) == "}"
						lines[j] = ""
						if closing {
							break
						}
					}
				}
			}
		}
	}
	return strings.Join(lines, "\n") + "\n  " + override + "\n"
}

// checkAuditLog checks the audit trail has the operations in order, all successful, with mode
// 0600 and no trace of secret.
func checkAuditLog(path string, wantOps []string, secret string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			return fmt.Errorf("audit log mode is %o, want 600", mode)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(raw), secret) {
			return fmt.Errorf("audit log contains the client secret")
		}
		var ops []string
		sc := bufio.NewScanner(strings.NewReader(string(raw)))
		for sc.Scan() {
			var e map[string]any
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				return fmt.Errorf("audit line %q is not JSON: %w", sc.Text(), err)
			}
			if e["status"] != "success" {
				return fmt.Errorf("audit line %q is not a success", sc.Text())
			}
			for _, field := range []string{"timestamp", "widget_id", "widget_name", "environment", "latency_ms", "success_rate", "avg_latency_ms"} {
				if _, ok := e[field]; !ok {
					return fmt.Errorf("audit line %q has no %s", sc.Text(), field)
				}
			}
			op, _ := e["operation"].(string)
			ops = append(ops, op)
		}
		if strings.Join(ops, ",") != strings.Join(wantOps, ",") {
			return fmt.Errorf("audit operations are %v, want %v", ops, wantOps)
		}
		return nil
	}
}

// TestAccAgentWidget_failedUpdateSavesWhatTheAPIHolds: an update whose configuration landed but
// whose status change failed part-way (the PATCH took effect, every answer was lost) saves the
// widget as the API now holds it, not as planned: the next refresh finds nothing that changed
// behind Terraform's back.
func TestAccAgentWidget_failedUpdateSavesWhatTheAPIHolds(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	// One retry, so the failing step is short.
	config := func(description, status string) string {
		return emu.providerBlock("a", "  max_retries = 1") + fmt.Sprintf(`
resource "genesys_agent_widget" "test" {
  name         = "Agent dashboard"
  description  = %q
  type         = "webapp"
  manifest_url = "https://widgets.example.com/dashboard/index.html"
  status       = %q
}
`, description, status)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("first", "active")},
			{
				PreConfig: func() {
					emu.SetFaults([]emulator.Fault{{Kind: emulator.KindResetAfterCommit, Method: "PATCH", Probability: 1}})
				},
				Config:      config("second", "inactive"),
				ExpectError: regexp.MustCompile(`Unable to deactivate the widget`),
			},
			{
				PreConfig: func() { emu.SetFaults(nil) },
				Config:    config("second", "inactive"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectNoDrift(widgetAddr), plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("reported_state"), knownvalue.StringExact("INACTIVE")),
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("config_version"), knownvalue.Int64Exact(3)),
				},
			},
		},
	})
}

// TestAccAgentWidget_activationCutShortSavesWhatTheServiceReports: the PATCH that enables a new
// widget lands, but the wait for ACTIVE fails (the emulator stays in ACTIVATING for an hour and
// answers every poll 500, past max_retries). The state saved with the error holds what the
// service reported last, ACTIVATING, not the INACTIVE the create answered: it is read here
// before any refresh could correct it. Nothing here waits on a clock.
func TestAccAgentWidget_activationCutShortSavesWhatTheServiceReports(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{ActivationDelay: time.Hour})
	emu.SetFaults([]emulator.Fault{{Kind: emulator.Kind500, Method: "GET", PathPrefix: "/api/v2/integrations/", Probability: 1}})
	config := emu.widgetConfig("  max_retries = 1", widgetBody)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: messageRE("Unable to activate the widget", "it last reported ACTIVATING"),
			},
			{
				PreConfig:          func() { emu.SetFaults(nil) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true, // the widget is tainted: the next apply replaces it
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{savedValue(widgetAddr, tfjsonpath.New("reported_state"), knownvalue.StringExact("ACTIVATING"))},
				},
			},
		},
	})
}

// savedValue checks a value of addr in the state a plan started from, as statecheck.
// ExpectKnownValue checks the state after an apply; in a plan made without refreshing, that is
// the state the last apply saved, errors and all.
func savedValue(addr string, attr tfjsonpath.Path, want knownvalue.Check) plancheck.PlanCheck {
	return savedValueCheck{addr: addr, attr: attr, want: want}
}

type savedValueCheck struct {
	addr string
	attr tfjsonpath.Path
	want knownvalue.Check
}

func (c savedValueCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan.PriorState == nil || req.Plan.PriorState.Values == nil {
		resp.Error = fmt.Errorf("the plan carries no prior state")
		return
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address != c.addr {
			continue
		}
		got, err := tfjsonpath.Traverse(r.AttributeValues, c.attr)
		if err == nil {
			err = c.want.CheckValue(got)
		}
		if err != nil {
			resp.Error = fmt.Errorf("%s.%s as saved: %w", c.addr, c.attr, err)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the saved state", c.addr)
}

// expectNoDrift fails when refreshing addr found it changed outside Terraform: the state saved
// before did not hold what the API held.
func expectNoDrift(addr string) plancheck.PlanCheck { return noDriftCheck{addr: addr} }

type noDriftCheck struct{ addr string }

func (c noDriftCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, d := range req.Plan.ResourceDrift {
		if d.Address == c.addr {
			resp.Error = fmt.Errorf("%s changed between the saved state and the API: before %v, after %v",
				c.addr, d.Change.Before, d.Change.After)
		}
	}
}

// TestAccAgentWidget_timeoutNamesTheSetting: an activation that outlasts timeouts.create (the
// emulator holds every PATCH until the caller gives up) fails naming that setting and its value,
// and the widget it made is kept in state to be destroyed, not orphaned. The limit covers the
// OAuth grant, the create and the configuration PUT before the held PATCH too: 5 s leaves those
// three loopback requests ample room on a loaded machine, and only the PATCH, which never
// answers, can use it up.
func TestAccAgentWidget_timeoutNamesTheSetting(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	emu.SetFaults([]emulator.Fault{{
		Kind: emulator.KindLatency, Method: "PATCH", PathPrefix: "/api/v2/integrations/", Probability: 1, Latency: time.Hour,
	}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		Steps: []resource.TestStep{{
			Config:      emu.widgetConfig("", widgetBody+"  timeouts {\n    create = \"5s\"\n  }\n"),
			ExpectError: messageRE("Unable to activate the widget", "did not finish within its time limit, timeouts.create (5s)"),
		}},
	})
}
