package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/loopdns"
)

// signInPlan is a provider block with the given attributes and a widget to create. Planning a
// new widget reads nothing, so the only request such a plan sends is the provider's sign-in.
func signInPlan(providerAttrs string) string {
	return fmt.Sprintf("provider \"genesys\" {\n%s\n}\n\nresource \"genesys_agent_widget\" \"test\" {%s}\n", providerAttrs, widgetBody)
}

const orgACredentials = `  client_id     = "org-a-client"
  client_secret = "org-a-secret"
  max_retries   = 1
`

// TestAccSignIn_failuresStopThePlan: configuring the provider signs in, so bad credentials and a
// login service that cannot be reached fail `terraform plan` (a plan that would otherwise send
// nothing), and the message says what happened, which setting to change, and how. A network
// failure is named as what it is, never as a timeout that did not happen.
func TestAccSignIn_failuresStopThePlan(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	dns := loopdns.Use(t)
	signInFailed := "Unable to sign in to Genesys Cloud"
	defaultRetries := strings.Replace(orgACredentials, "  max_retries   = 1\n", "", 1)
	if defaultRetries == orgACredentials {
		t.Fatal("orgACredentials no longer sets max_retries = 1 as this test expects")
	}
	cases := map[string]struct {
		attrs string
		env   map[string]string
		want  *regexp.Regexp
	}{
		"connection refused": {
			attrs: orgACredentials + fmt.Sprintf("  api_url = %q", closedPortURL(t)),
			want:  messageRE(signInFailed, "connection refused", "Nothing accepts connections at that address: check api_url, and that the service is running"),
		},
		"connection reset": {
			attrs: orgACredentials + fmt.Sprintf("  api_url = %q", resettingURL(t)),
			want:  messageRE(signInFailed, "connection reset", "The connection broke before the answer came", "run the command again", "check api_url"),
		},
		// A wrong host name and a failed handshake are the same on every attempt: the sign-in
		// meets them once ("no answer:", not "no answer after N attempts:") with every retry the
		// default max_retries allows, and the plan fails at once.
		"no such host": {
			attrs: defaultRetries + `  api_url = "https://api.genesys.invalid"`,
			want:  messageRE(signInFailed, "/oauth/token: no answer:", "no such host", "The host name does not exist: check api_url", "for a typo"),
		},
		"untrusted certificate": {
			attrs: defaultRetries + fmt.Sprintf("  api_url = %q", untrustedTLSURL(t)),
			want:  messageRE(signInFailed, "/oauth/token: no answer:", "TLS handshake failed", "certificate signed by unknown authority", "not trusted by this machine", "Check api_url", "SSL_CERT_FILE"),
		},
		"plain HTTP at an https URL": {
			attrs: defaultRetries + fmt.Sprintf("  api_url = %q", plainHTTPAsHTTPSURL(t)),
			want:  messageRE(signInFailed, "/oauth/token: no answer:", "TLS handshake failed", "server gave HTTP response to HTTPS client", "does not speak TLS", "Check api_url", "a local emulator is written with http://"),
		},
		"login_url refused while api_url answers": {
			attrs: orgACredentials + fmt.Sprintf("  api_url   = %q\n  login_url = %q", emu.URL, closedPortURL(t)),
			want:  messageRE(signInFailed, "signs in to Genesys Cloud when it is configured, at login_url, and could not", "connection refused", "check login_url, and"),
		},
		"api_url from the environment": {
			attrs: orgACredentials,
			env:   map[string]string{envAPIURL: closedPortURL(t)},
			want:  messageRE(signInFailed, "signs in to Genesys Cloud when it is configured, at GENESYS_API_URL (api_url is unset), as login_url and environment are unset", "connection refused", "check GENESYS_API_URL (api_url is unset), and"),
		},
		"wrong client secret": {
			attrs: fmt.Sprintf("  client_id     = \"org-a-client\"\n  client_secret = \"not-the-secret\"\n  api_url       = %q", emu.URL),
			want:  messageRE("Genesys Cloud refused the client credentials", "401", "check client_id and client_secret", envClientID),
		},
		"unknown client": {
			attrs: fmt.Sprintf("  client_id     = \"no-such-client\"\n  client_secret = \"org-a-secret\"\n  api_url       = %q", emu.URL),
			want:  messageRE("Genesys Cloud refused the client credentials", "check client_id and client_secret"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			emu.ResetJournal()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: signInPlan(tc.attrs), PlanOnly: true, ExpectError: tc.want}},
			})
			for _, r := range emu.Journal() {
				if r.Path != "/oauth/token" {
					t.Errorf("a plan that could not sign in sent %s %s", r.Method, r.Path)
				}
			}
			if t.Failed() {
				return
			}
			switch {
			case strings.Contains(name, "client") && emu.countRequests("/oauth/token") == 0:
				t.Error("the emulator saw no sign-in")
			case name == "no such host" && dns.NoSuchHost() == 0:
				t.Error("the test's DNS server answered nothing: the answer came from elsewhere")
			}
		})
	}
}

// TestAccSignIn_goodConfigurationPlans: with good credentials the plan signs in once per
// configured provider and sends nothing else.
func TestAccSignIn_goodConfigurationPlans(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	var configured atomic.Int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: countingProviderFactories(&configured),
		Steps: []resource.TestStep{{
			Config:             signInPlan(orgACredentials + fmt.Sprintf("  api_url = %q", emu.URL)),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	n := configured.Load()
	if n == 0 {
		t.Fatal("the provider was never configured")
	}
	if got := emu.countRequests("/oauth/token"); int64(got) != n {
		t.Errorf("%d token requests for %d configured providers, want one each", got, n)
	}
	if got := emu.countRequests("/api/"); got != 0 {
		t.Errorf("planning a new widget sent %d API requests, want none", got)
	}
}

// TestAccSignIn_tokenIsReusedByTheWalk: the token obtained when the provider is configured is the
// one every call of that provider then uses: one token request per configured provider, each
// followed only by calls that carry it.
func TestAccSignIn_tokenIsReusedByTheWalk(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	var configured atomic.Int64
	config := emu.widgetConfig("", widgetBody) + `data "genesys_organization" "this" {}` + "\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: countingProviderFactories(&configured),
		Steps: []resource.TestStep{
			{Config: config},
			{Config: strings.Replace(config, "Queue metrics", "Queue metrics, live", 1)},
		},
	})
	if err := emu.checkOneTokenPerConfigure(configured.Load())(nil); err != nil {
		t.Error(err)
	}
}

// TestAccSignIn_waitsForUnknownValues: a provider value unknown until apply (here a wrong secret
// that another resource outputs) cannot be checked at plan, so the plan signs in nowhere and
// succeeds; the apply, where the value is known, fails at the sign-in before anything is created.
func TestAccSignIn_waitsForUnknownValues(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	config := emu.providerKnownAtApply("not-the-secret") + fmt.Sprintf(`
resource "genesys_agent_widget" "test" {%s}
`, widgetBody)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				PreConfig: func() {
					if n := len(emu.Journal()); n != 0 {
						t.Errorf("a plan with an unknown secret sent %d requests, want none", n)
					}
				},
				Config:      config,
				ExpectError: messageRE("Genesys Cloud refused the client credentials", "check client_id and client_secret"),
			},
		},
	})
	mustCheck(t, emu.checkNoIntegrations("org-a"))
}

// TestAccSignIn_tokenCreationLimit: a client that has created too many tokens this minute is
// refused a new one; the plan fails saying so, not as a misdirected URL.
func TestAccSignIn_tokenCreationLimit(t *testing.T) {
	// The emulator's clock stands still, so the spent allowance never refills during the test.
	frozen := time.Now()
	emu := newTestEmulator(t, emulator.Config{TokenCreationLimit: 1, Now: func() time.Time { return frozen }})
	emu.apiCall(t, "a", "GET", "/api/v2/organizations/me", "") // spends the minute's one token
	emu.ResetJournal()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      signInPlan(orgACredentials + fmt.Sprintf("  api_url = %q", emu.URL)),
			PlanOnly:    true,
			ExpectError: messageRE("Unable to sign in to Genesys Cloud", "400 invalid_request", "rate limit exceeded", "refuses this OAuth client new tokens for now", "wait a minute and run the command again"),
		}},
	})
}

// TestAccProviderNotConfigured_saysHowToProceed: a data source read at plan while a provider value
// is still unknown cannot reach the API; the error says why and what to do.
func TestAccProviderNotConfigured_saysHowToProceed(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.providerKnownAtApply("org-a-secret") + `
data "genesys_organization" "this" {}
`,
			PlanOnly:    true,
			ExpectError: messageRE("Provider not configured", "values that are unknown until apply", "genesys_organization cannot be read now", "Create those resources first (terraform apply -target=ADDRESS)", "values known at plan"),
		}},
	})
}

// checkOneTokenPerConfigure reads the journal in order: Terraform runs one provider at a time, so
// after each token grant every API request up to the next grant must carry that grant's token.
func (e *testEmulator) checkOneTokenPerConfigure(configured int64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		grants, calls, current := 0, 0, ""
		for _, r := range e.Journal() {
			if r.Path == "/oauth/token" {
				grants++
				current = r.Token
				continue
			}
			calls++
			if current == "" || r.Token != current {
				return fmt.Errorf("%s %s carried token %q, not %q, the one granted last", r.Method, r.Path, r.Token, current)
			}
		}
		switch {
		case configured == 0 || calls == 0:
			return fmt.Errorf("%d configured providers made %d API calls; the test proves nothing", configured, calls)
		case int64(grants) != configured:
			return fmt.Errorf("%d token requests for %d configured providers, want one each", grants, configured)
		}
		return nil
	}
}

// countingProvider is the provider, counting the configurations that succeeded (those that hand
// resources a client).
type countingProvider struct {
	*GenesysProvider
	configured *atomic.Int64
}

func (p countingProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	p.GenesysProvider.Configure(ctx, req, resp)
	if !resp.Diagnostics.HasError() && resp.ResourceData != nil {
		p.configured.Add(1)
	}
}

func countingProviderFactories(configured *atomic.Int64) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"genesys": func() (tfprotov6.ProviderServer, error) {
			p := countingProvider{GenesysProvider: New("test")().(*GenesysProvider), configured: configured}
			return providerserver.NewProtocol6WithError(p)()
		},
	}
}

// TestAccScreenPop_serviceRefusalsNameTheAttribute: what the screen pop service refuses is
// reported against the setting that caused it. Only the service can tell (the signing secret and
// the org's users are its own), so these are apply-time errors: the plan is clean and sends no pop,
// the apply fails with the message and delivers nothing.
func TestAccScreenPop_serviceRefusalsNameTheAttribute(t *testing.T) {
	cases := map[string]struct {
		emu    func(*testing.T) *testEmulator
		config func(*testEmulator) string
		want   *regexp.Regexp
	}{
		"refused signature": {
			emu: func(t *testing.T) *testEmulator {
				return newTestEmulator(t, emulator.Config{SigningSecret: "the-service-knows-another-secret"})
			},
			config: func(e *testEmulator) string { return e.screenPopConfig("", popResource("v1")) },
			want: messageRE("Screen pop signature refused", "screenpop.signing_secret (or GENESYS_SCREENPOP_SIGNING_SECRET) is not the secret the service holds",
				"Set it to the secret shared with the screen pop service", "Nothing was delivered"),
		},
		"unknown agent": {
			emu: newPopEmulator,
			config: func(e *testEmulator) string {
				return e.screenPopConfig("", strings.Replace(popResource("v1"), `"agent-1"`, `"agent-404"`, 1))
			},
			want: messageRE("Screen pop user not found", `knows no user "agent-404"`, "set user_id to the ID of a user of the org", "Nothing was delivered"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			emu := tc.emu(t)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: tc.config(emu), PlanOnly: true, ExpectNonEmptyPlan: true},
					{
						PreConfig: func() {
							if n := emu.countRequests("/api/v2/users/"); n != 0 {
								t.Errorf("the plan sent %d screen pop requests", n)
							}
						},
						Config:      tc.config(emu),
						ExpectError: tc.want,
					},
				},
			})
			if n := emu.countRequests("/api/v2/users/"); n == 0 {
				t.Error("the apply sent no screen pop: the refusal came from elsewhere")
			}
			mustCheck(t, emu.checkPops(0))
		})
	}
}

// messageRE matches a diagnostic that contains each phrase, in order, however Terraform wraps its
// lines: a space in a phrase matches any run of white space.
func messageRE(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// TestClientErrorHint_reportedStateError: an integration stuck in ERROR says what to change. The
// emulator ends in ERROR only for a configuration without a url, which the provider never sends,
// so this is checked on the hint itself.
func TestClientErrorHint_reportedStateError(t *testing.T) {
	err := fmt.Errorf("waiting: %w", &client.ReportedStateError{ID: "i-1", Want: "ACTIVE",
		State: client.ReportedState{Code: "ERROR"}})
	got := clientErrorDetail(err, serviceAPI)
	if !messageRE("integration i-1 reports ERROR", "correct what its message names", "manifest_url", `set status to "inactive"`).MatchString(got) {
		t.Errorf("detail = %q", got)
	}
}

// TestAccClientErrors_rateLimitRetriesAreBounded: max_rate_limit_retries bounds the 429s one
// request rides out (0: none), and the error names the setting.
func TestAccClientErrors_rateLimitRetriesAreBounded(t *testing.T) {
	for _, tc := range []struct{ retries, wantRequests int }{{0, 1}, {1, 2}} {
		t.Run(fmt.Sprintf("max_rate_limit_retries = %d", tc.retries), func(t *testing.T) {
			emu := newTestEmulator(t, emulator.Config{})
			emu.SetFaults([]emulator.Fault{{
				Kind: emulator.Kind429, Method: "GET", PathPrefix: "/api/v2/organizations/", Probability: 1, RetryAfter: 1,
			}})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: emu.providerBlock("a", fmt.Sprintf("  max_rate_limit_retries = %d", tc.retries)) +
						"\ndata \"genesys_organization\" \"this\" {}\n",
					PlanOnly:    true,
					ExpectError: messageRE("429", "refused the request every time the provider may retry it (max_rate_limit_retries)"),
				}},
			})
			mustCheck(t, emu.checkRequests("/api/v2/organizations/", tc.wantRequests))
		})
	}
}
