package provider

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/loopdns"
)

// Servers that fail as networks do, on loopback, for the tests of what the provider says about
// them. The provider under test runs in the test process and meets them through the same
// net/http transport and resolver it uses in production. Names that do not resolve come from
// package loopdns.

// closedPortURL is an http URL at which nothing listens: a connection to it is refused.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// resettingURL is an http URL whose server accepts every connection, reads the request, and
// resets the connection (a TCP RST, as a crashing server or a middlebox sends) instead of answering.
func resettingURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				buf := make([]byte, 4096)
				_, _ = conn.Read(buf)
				// Linger 0: Close sends a reset rather than an orderly end of stream.
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// untrustedTLSURL is an https URL whose server presents a certificate of its own authority,
// which this machine does not trust.
func untrustedTLSURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// plainHTTPAsHTTPSURL is an https URL whose server speaks plain HTTP.
func plainHTTPAsHTTPSURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	return "https://" + srv.Listener.Addr().String()
}

// TestAccNetworkFailures_afterSignIn: a call that fails on the network after the sign-in worked is
// reported as what happened, against the setting that points at the service called: the API's
// api_url for a data source read at plan, screenpop.endpoint_url for a pop at apply.
func TestAccNetworkFailures_afterSignIn(t *testing.T) {
	emu := newPopEmulator(t)
	dns := loopdns.Use(t)
	org := func(apiURL string) string {
		return fmt.Sprintf(`
provider "genesys" {
  client_id     = "org-a-client"
  client_secret = "org-a-secret"
  login_url     = %q
  api_url       = %q
  max_retries   = 1
}

data "genesys_organization" "this" {}
`, emu.URL, apiURL)
	}
	pop := func(endpoint string) string {
		return emu.providerBlock("a", fmt.Sprintf(`
  max_retries = 1
  screenpop {
    signing_secret = %q
    endpoint_url   = %q
  }`, testSigningKey, endpoint)) + popResource("v1")
	}
	cases := map[string]struct {
		config string
		apply  bool
		want   *regexp.Regexp
	}{
		"api_url refuses connections": {config: org(closedPortURL(t)), want: messageRE("Unable to read the Genesys Cloud organization",
			"GET /api/v2/organizations/me", "connection refused", "Nothing accepts connections at that address: check api_url (or GENESYS_API_URL)")},
		"api_url resets connections": {config: org(resettingURL(t)), want: messageRE("Unable to read the Genesys Cloud organization",
			"connection reset", "The connection broke before the answer came", "run the command again", "check api_url")},
		"api_url host does not exist": {config: org("https://api.genesys.invalid"), want: messageRE("Unable to read the Genesys Cloud organization",
			"GET /api/v2/organizations/me: no answer:", "no such host", "The host name does not exist: check api_url")},
		// A pop is sent at apply: the plan is clean, the apply fails and nothing was delivered.
		"screenpop.endpoint_url refuses connections": {config: pop(closedPortURL(t)), apply: true, want: messageRE("Unable to deliver the screen pop",
			"POST /api/v2/users/agent-1/screenpops", "connection refused", "Nothing accepts connections at that address: check screenpop.endpoint_url")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			emu.ResetJournal()
			steps := []resource.TestStep{{Config: tc.config, PlanOnly: true, ExpectError: tc.want}}
			if tc.apply {
				steps = []resource.TestStep{
					{Config: tc.config, PlanOnly: true, ExpectNonEmptyPlan: true},
					{Config: tc.config, ExpectError: tc.want},
				}
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
			if emu.countRequests("/oauth/token") == 0 {
				t.Error("the provider never signed in: the failure came before the call under test")
			}
			if strings.Contains(name, "does not exist") && dns.NoSuchHost() == 0 {
				t.Error("the test's DNS server answered nothing: the answer came from elsewhere")
			}
		})
	}
}
