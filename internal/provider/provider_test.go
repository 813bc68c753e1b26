package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator/contract"
)

// testAccProtoV6ProviderFactories runs the provider in the test process, so the CLI under test
// talks to this build of it and the tests can share an emulator with it. Each call makes a new
// provider, as Terraform starts a plugin per provider block: aliased blocks (two orgs) must not
// share one configuration.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"genesys": func() (tfprotov6.ProviderServer, error) {
		return providerserver.NewProtocol6WithError(New("test")())()
	},
}

// providerEnvVars are cleared for every acceptance test so a developer's own credentials never
// leak into a test (or a test into their org).
var providerEnvVars = []string{
	envClientID, envClientSecret, envEnvironment, envAPIURL, envLoginURL, envSigningSecret, envAuditLog,
}

// testEmulator is an in-process Genesys Cloud org pair (org-a and org-b) for one test.
type testEmulator struct {
	*emulator.Server
	URL string
}

func newTestEmulator(t *testing.T, cfg emulator.Config) *testEmulator {
	t.Helper()
	return newTestEmulatorBehind(t, cfg, nil)
}

// newTestEmulatorBehind is newTestEmulator with front, if not nil, in front of the emulator: a
// test's stand-in for what the emulator does not do itself.
func newTestEmulatorBehind(t *testing.T, cfg emulator.Config, front func(http.Handler) http.Handler) *testEmulator {
	t.Helper()
	for _, name := range providerEnvVars {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	// Every request body the provider sends and every answer it gets is held to the published
	// Genesys models (internal/emulator/contract).
	h := contract.Checking(srv, true, func(p string) { t.Errorf("contract: %s", p) })
	if front != nil {
		h = front(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Close()
	})
	return &testEmulator{Server: srv, URL: ts.URL}
}

// providerBlock is a provider block for one of the emulator's orgs ("a" or "b"), with extra
// attributes and blocks appended inside it.
func (e *testEmulator) providerBlock(org string, extra string) string {
	return fmt.Sprintf(`
provider "genesys" {
  client_id     = "org-%[2]s-client"
  client_secret = "org-%[2]s-secret"
  api_url       = %[1]q
%[3]s
}
`, e.URL, org, extra)
}

func TestAccProvider_goodConfigurationReadsTheOrganization(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: emu.providerBlock("a", "") + `data "genesys_organization" "this" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.genesys_organization.this", tfjsonpath.New("id"), knownvalue.StringExact("org-a")),
					statecheck.ExpectKnownValue("data.genesys_organization.this", tfjsonpath.New("name"), knownvalue.StringExact("Org A")),
				},
			},
			{
				// The second org, through the same provider address: what a promotion pipeline's aliases do.
				Config: emu.providerBlock("b", "") + `data "genesys_organization" "this" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.genesys_organization.this", tfjsonpath.New("id"), knownvalue.StringExact("org-b")),
				},
			},
		},
	})
}

func TestAccProvider_credentialsFromEnvironment(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	t.Setenv(envClientID, "org-b-client")
	t.Setenv(envClientSecret, "org-b-secret")
	t.Setenv(envAPIURL, emu.URL)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "genesys" {}
data "genesys_organization" "this" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.genesys_organization.this", tfjsonpath.New("id"), knownvalue.StringExact("org-b")),
			},
		}},
	})
}

// TestAccProvider_badConfiguration: a provider block that cannot work fails at plan, naming the
// attribute to change.
func TestAccProvider_badConfiguration(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	cases := map[string]struct {
		config string
		want   string
	}{
		"unknown environment": {
			config: `provider "genesys" {
  client_id     = "x"
  client_secret = "y"
  environment   = "mypurecloud.con"
}`,
			want: `"mypurecloud.con" is not a Genesys Cloud region domain`,
		},
		"missing client id": {
			config: fmt.Sprintf(`provider "genesys" {
  client_secret = "y"
  api_url       = %q
}`, emu.URL),
			want: `(?s)Missing Genesys Cloud client ID.*GENESYS_CLIENT_ID`,
		},
		"missing client secret": {
			config: fmt.Sprintf(`provider "genesys" {
  client_id = "org-a-client"
  api_url   = %q
}`, emu.URL),
			want: `(?s)Missing Genesys Cloud client secret.*GENESYS_CLIENT_SECRET`,
		},
		"missing environment and api_url": {
			config: `provider "genesys" {
  client_id     = "x"
  client_secret = "y"
}`,
			want: `(?s)Missing Genesys Cloud environment.*GENESYS_ENVIRONMENT`,
		},
		"api_url without scheme": {
			config: `provider "genesys" {
  client_id     = "x"
  client_secret = "y"
  api_url       = "api.mypurecloud.com"
}`,
			want: `(?s)Invalid URL.*api_url.*must use scheme "https" or "http"`,
		},
		"api_url with credentials": {
			config: `provider "genesys" {
  client_id     = "x"
  client_secret = "y"
  api_url       = "https://me:pw@api.mypurecloud.com"
}`,
			want: `carries user info`,
		},
		"plain http to a remote api_url": {
			config: `provider "genesys" {
  client_id     = "x"
  client_secret = "y"
  api_url       = "http://api.example.com"
}`,
			want: `(?s)Unable to configure the genesys provider.*API URL \(host "api.example.com"\) must use https.*Write\s+api_url,\s+login_url.*plain\s+http\s+is\s+accepted\s+only\s+for\s+a\s+loopback\s+host`,
		},
		"audit log in a missing directory": {
			config: emu.providerBlock("a", `  audit_log_path = "/nonexistent-dir/audit.jsonl"`),
			want:   `(?s)opening\s+audit_log_path\s+\(or\s+GENESYS_AUDIT_LOG\).*Set\s+it\s+to\s+a\s+regular\s+file`,
		},
		"allowed origin with a path": {
			config: emu.providerBlock("a", `
  widget_constraints {
    allowed_origins = ["cdn.example.com/widgets"]
  }`),
			want: `Invalid host pattern`,
		},
		"max_width of zero": {
			config: emu.providerBlock("a", `
  widget_constraints {
    max_width = 0
  }`),
			want: `(?s)widget_constraints.max_width.*at\s+least\s+1`,
		},
		"short signing secret": {
			config: emu.providerBlock("a", `
  screenpop {
    signing_secret = "short"
  }`),
			want: `(?s)screenpop.signing_secret.*at least 16`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config + "\ndata \"genesys_organization\" \"this\" {}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// providerKnownAtApply is a provider block for org-a whose client_secret (secret) another
// resource outputs, so it is unknown until apply.
func (e *testEmulator) providerKnownAtApply(secret string) string {
	return fmt.Sprintf(`
resource "terraform_data" "secret" {
  input = %q
}

provider "genesys" {
  client_id     = "org-a-client"
  client_secret = terraform_data.secret.output
  api_url       = %q
}
`, secret, e.URL)
}
