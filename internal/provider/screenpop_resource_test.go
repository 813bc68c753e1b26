package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hooktest"
)

const (
	popAddr          = "genesys_screenpop.test"
	testSigningKey   = "test-signing-secret-0123456789"
	testSessionToken = "sess-9f2c41d7e0b84b55a1c3"
)

// screenPopConfig is a provider block for org-a that signs with testSigningKey, plus body.
func (e *testEmulator) screenPopConfig(extraProvider, body string) string {
	return e.providerBlock("a", fmt.Sprintf(`
  max_retries = 2
  screenpop {
    signing_secret  = %q
    allowed_domains = ["crm.example.com", "*.example.net"]
  }
%s`, testSigningKey, extraProvider)) + body
}

func popResource(triggers string) string {
	return fmt.Sprintf(`
resource "genesys_screenpop" "test" {
  user_id        = "agent-1"
  application_id = "com.example.crm"
  target_url     = "https://crm.example.com/agent-view"
  customer_data  = { customer_id = "C-1042", tier = "gold" }
  state          = { uiMode = "focused" }
  triggers       = { campaign = %q }
}
`, triggers)
}

func newPopEmulator(t *testing.T) *testEmulator {
	return newTestEmulator(t, emulator.Config{SigningSecret: testSigningKey})
}

func (e *testEmulator) checkPops(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(e.ScreenPops("org-a")); got != want {
			return fmt.Errorf("%d screen pops delivered, want %d", got, want)
		}
		return nil
	}
}

func TestAccScreenPop_popsOncePerTrigger(t *testing.T) {
	emu := newPopEmulator(t)
	// The key is the same while the triggers are, and new when they change.
	sameKey, newKey := statecheck.CompareValue(compare.ValuesSame()), statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.screenPopConfig("", popResource("v1")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(popAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
					statecheck.ExpectKnownValue(popAddr, tfjsonpath.New("pop_id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(popAddr, tfjsonpath.New("window_focused"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(popAddr, tfjsonpath.New("signature"), knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9+/]{43}=$`))),
					sameKey.AddStateValue(popAddr, tfjsonpath.New("idempotency_key")),
					newKey.AddStateValue(popAddr, tfjsonpath.New("idempotency_key")),
				},
				Check: emu.checkPops(1),
			},
			{
				// Re-applying the same configuration pops no more.
				Config: emu.screenPopConfig("", popResource("v1")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameKey.AddStateValue(popAddr, tfjsonpath.New("idempotency_key"))},
				Check:             emu.checkPops(1),
			},
			{
				// A new trigger replaces the resource and pops exactly once more, under a new key.
				Config: emu.screenPopConfig("", popResource("v2")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(popAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{newKey.AddStateValue(popAddr, tfjsonpath.New("idempotency_key"))},
				Check:             emu.checkPops(2),
			},
		},
	})
}

// TestAccScreenPop_failedApplyRunAgainPopsOnce: the pop lands but every answer is lost, so the apply
// fails (the plan, which sends no pop, is clean) saying the pop may have been delivered and that
// running apply again is safe; running it again reuses the key, the service answers 409, and the
// agent saw one pop.
func TestAccScreenPop_failedApplyRunAgainPopsOnce(t *testing.T) {
	emu := newPopEmulator(t)
	emu.SetFaults([]emulator.Fault{{
		Kind: emulator.KindResetAfterCommit, Method: "POST", PathPrefix: "/api/v2/users/", Pattern: "xxxxxxxxxxxx",
	}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: emu.screenPopConfig("", popResource("v1")), PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				PreConfig:   func() { mustCheck(t, emu.checkPops(0)) },
				Config:      emu.screenPopConfig("", popResource("v1")),
				ExpectError: messageRE("Screen pop may have been delivered", "may have been delivered", "Running terraform apply again is safe", "same idempotency key"),
			},
			{
				// The failed apply did deliver (a step that ends in its expected error runs no Check).
				PreConfig: func() {
					mustCheck(t, emu.checkPops(1))
					emu.SetFaults(nil)
				},
				Config: emu.screenPopConfig("", popResource("v1")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(popAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					emu.checkPops(1),
					emu.checkRequestStatus("/api/v2/users/agent-1/screenpops", http.StatusConflict),
				),
			},
		},
	})
}

func (e *testEmulator) checkRequestStatus(path string, status int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, r := range e.Journal() {
			if r.Path == path && r.Status == status {
				return nil
			}
		}
		return fmt.Errorf("no request to %s answered %d", path, status)
	}
}

// TestAccScreenPop_planTimeErrors: a pop that cannot be sent is refused at plan, naming the
// attribute, and nothing is sent. The whole text of each message is pinned once, in
// plan_messages_test.go.
func TestAccScreenPop_planTimeErrors(t *testing.T) {
	emu := newPopEmulator(t)
	noSecret := emu.providerBlock("a", "")
	cases := map[string]struct{ config, want string }{
		"domain not allowed": {emu.screenPopConfig("", strings.Replace(popResource("v1"), "crm.example.com", "crm.example.com.evil.net", 1)),
			`(?s)Screen pop target not allowed.*target_url.*crm\.example\.com\.evil\.net`},
		"prefix trick": {emu.screenPopConfig("", strings.Replace(popResource("v1"), "crm.example.com", "crm.example.comevil.net", 1)),
			`Screen pop target not allowed`},
		"http target": {emu.screenPopConfig("", strings.Replace(popResource("v1"), "https://", "http://", 1)),
			`(?s)Invalid target_url.*https://`},
		"not a URL": {emu.screenPopConfig("", strings.Replace(popResource("v1"), "https://crm.example.com/agent-view", "crm", 1)),
			`Invalid target_url`},
		"missing signing secret": {noSecret + popResource("v1"),
			`(?s)Missing screen pop signing secret.*GENESYS_SCREENPOP_SIGNING_SECRET`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			emu.ResetJournal()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)}},
			})
			if n := emu.countRequests("/api/v2/users/"); n != 0 {
				t.Errorf("a plan that fails validation sent %d screen pop requests", n)
			}
		})
	}
}

// webhookReceiver is a productivity platform's receiver for screenpop_activated events.
type webhookReceiver struct {
	*hooktest.Receiver
	URL string
}

func newWebhookReceiver(t *testing.T) *webhookReceiver {
	rc, u := hooktest.Serve(t)
	return &webhookReceiver{Receiver: rc, URL: u}
}

// check wants want events, each signed with the signing key and carrying what a
// screenpop_activated event carries.
func (w *webhookReceiver) check(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		heard := w.Requests()
		if len(heard) != want {
			return fmt.Errorf("%d webhook events, want %d", len(heard), want)
		}
		for _, r := range heard {
			if !r.SignedWith([]byte(testSigningKey)) {
				return fmt.Errorf("webhook event %s has a bad signature", r.Body)
			}
			ev, err := r.Event()
			if err != nil {
				return fmt.Errorf("webhook event %q: %w", r.Body, err)
			}
			for _, k := range []string{"userId", "latencyMs", "windowFocus", "timestamp", "idempotencyKey"} {
				if _, ok := ev[k]; !ok {
					return fmt.Errorf("webhook event %v has no %s", ev, k)
				}
			}
			if ev["event"] != "screenpop_activated" {
				return fmt.Errorf("webhook event is %v", ev["event"])
			}
		}
		return nil
	}
}

func TestAccScreenPop_webhookAndNoSecretsAnywhere(t *testing.T) {
	emu := newPopEmulator(t)
	hook := newWebhookReceiver(t)
	logPath := filepath.Join(t.TempDir(), "tf.log")
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	// The secrets come the way a careful user passes them: the signing secret from the environment,
	// the session token from an ephemeral variable. Neither may then show up anywhere.
	t.Setenv(envSigningSecret, testSigningKey)
	t.Setenv(envClientID, "org-a-client")
	t.Setenv(envClientSecret, "org-a-secret")
	t.Setenv("TF_VAR_session_token", testSessionToken)
	body := fmt.Sprintf(`
variable "session_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "genesys_screenpop" "test" {
  user_id               = "agent-1"
  application_id        = "com.example.crm"
  target_url            = "https://crm.example.com/agent-view"
  customer_data         = { customer_id = "C-1042" }
  session_token         = var.session_token
  session_token_version = 1
  webhook_url           = %q
}
`, hook.URL)
	provider := fmt.Sprintf(`
provider "genesys" {
  api_url        = %q
  audit_log_path = %q
  screenpop {
    allowed_domains = ["crm.example.com"]
  }
}
`, emu.URL, auditPath)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// session_token is write-only, which Terraform supports from 1.11.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: provider + body,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(popAddr, tfjsonpath.New("session_token"), knownvalue.Null()),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				emu.checkPops(1),
				hook.check(1),
				checkStateHasNo(testSigningKey, testSessionToken),
				checkFileHasNo(auditPath, testSigningKey, testSessionToken, "C-1042"),
				emu.checkDeliveredURIHas(testSessionToken),
			),
		}},
	})
	raw, _ := os.ReadFile(logPath)
	if !strings.Contains(string(raw), "screenpops") {
		t.Fatalf("the trace log %s has no record of the screen pop request: the secret check above proves nothing", logPath)
	}
	if err := checkFileHasNo(logPath, testSigningKey, testSessionToken, "org-a-secret")(nil); err != nil {
		t.Fatal(err)
	}
}

// checkDeliveredURIHas proves the session token did reach the service (in the URL fragment), so
// the absence checks are about redaction, not about a token that was never used.
func (e *testEmulator) checkDeliveredURIHas(s string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, p := range e.ScreenPops("org-a") {
			if strings.Contains(p.URI, s) {
				return nil
			}
		}
		return fmt.Errorf("no delivered pop carries the session token")
	}
}

// mustCheck runs a check outside a test step: a step that ends in its expected error runs no
// Check of its own.
func mustCheck(t *testing.T, check resource.TestCheckFunc) {
	t.Helper()
	if err := check(nil); err != nil {
		t.Fatal(err)
	}
}

func checkStateHasNo(secrets ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for addr, rs := range s.RootModule().Resources {
			for k, v := range rs.Primary.Attributes {
				for _, secret := range secrets {
					if strings.Contains(v, secret) {
						return fmt.Errorf("state of %s has a secret in %s", addr, k)
					}
				}
			}
		}
		return nil
	}
}

func checkFileHasNo(path string, secrets ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, secret := range secrets {
			if i := strings.Index(string(raw), secret); i >= 0 {
				// Show where, with the secret itself masked, so the failure does not leak it either.
				context := string(raw[max(0, i-300):min(len(raw), i+len(secret)+100)])
				return fmt.Errorf("%s contains a secret (%d chars) here: %s", filepath.Base(path), len(secret),
					strings.ReplaceAll(context, secret, "<SECRET>"))
			}
		}
		return nil
	}
}

// TestAccScreenPop_webhookFailureIsAWarning: a webhook that keeps failing is retried, and the
// apply still succeeds (the pop was delivered) with a warning the user sees. The CLI is run by
// hand because terraform-plugin-testing does not show warnings.
func TestAccScreenPop_webhookFailureIsAWarning(t *testing.T) {
	emu := newPopEmulator(t)
	var mu sync.Mutex
	attempts := 0
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		attempts++
		mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer down.Close()
	cli := newTerraformCLI(t, requiredProviders+emu.screenPopConfig("", strings.Replace(popResource("v1"),
		`triggers       = { campaign = "v1" }`,
		fmt.Sprintf("triggers       = { campaign = \"v1\" }\n  webhook_url    = %q", down.URL), 1)))

	out, err := cli.run("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Warning: Screen pop webhook not delivered") || !strings.Contains(out, "127.0.0.1") {
		t.Errorf("the apply shows no warning naming the webhook:\n%s", out)
	}
	if strings.Contains(out, testSigningKey) || strings.Contains(out, "org-a-secret") {
		t.Errorf("the apply output carries a secret:\n%s", out)
	}
	mustCheck(t, emu.checkPops(1))
	mu.Lock()
	if attempts < 2 {
		t.Errorf("the webhook was tried %d times; a 503 should be retried", attempts)
	}
	mu.Unlock()
	if out, err := cli.run("state", "show", "-no-color", popAddr); err != nil || !regexp.MustCompile(`(?m)^\s*status\s+=\s+"delivered"$`).MatchString(out) {
		t.Errorf("state of %s (%v):\n%s", popAddr, err, out)
	}
	if out, err := cli.run("destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Errorf("terraform destroy: %v\n%s", err, out)
	}
}

// hangingPops makes the emulator hold every screen pop until the caller gives up: only the
// provider's timeout can end the delivery, so the test does not race a clock.
func (e *testEmulator) hangingPops() {
	e.SetFaults([]emulator.Fault{{
		Kind: emulator.KindLatency, Method: "POST", PathPrefix: "/api/v2/users/", Probability: 1, Latency: time.Hour,
	}})
}

// TestAccScreenPop_timeoutNamesTheSetting: a pop that outlasts timeouts.create fails with a message
// naming that setting and its value, and running the apply again (without the delay, under a
// limit no slow machine reaches) pops once.
func TestAccScreenPop_timeoutNamesTheSetting(t *testing.T) {
	emu := newPopEmulator(t)
	emu.hangingPops()
	withTimeout := func(limit string) string {
		return strings.Replace(popResource("v1"), `triggers       = { campaign = "v1" }`,
			"triggers       = { campaign = \"v1\" }\n  timeouts {\n    create = \""+limit+"\"\n  }", 1)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      emu.screenPopConfig("", withTimeout("1s")),
				ExpectError: messageRE("did not finish within its time limit, timeouts.create (1s)", `timeouts { create = "2s" }`),
			},
			{
				PreConfig: func() { emu.SetFaults(nil) },
				Config:    emu.screenPopConfig("", withTimeout("10m")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(popAddr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
					statecheck.ExpectKnownValue(popAddr, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("10m")),
				},
				Check: emu.checkPops(1),
			},
		},
	})
}
