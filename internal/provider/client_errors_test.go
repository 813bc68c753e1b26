package provider

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// TestAccClientErrors_sayWhatHappened: failures of the network and refusals of the services are
// named as what they are, with the attribute to change, never as a timeout that did not happen.
func TestAccClientErrors_sayWhatHappened(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := "http://" + l.Addr().String()
	l.Close()
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"connection refused": {fmt.Sprintf(`provider "genesys" {
  client_id     = "org-a-client"
  client_secret = "org-a-secret"
  api_url       = %q
  max_retries   = 1
}`, closedPort), messageRE("connection refused", "Nothing accepts connections at that address: check login_url")},
		"wrong client secret": {fmt.Sprintf(`provider "genesys" {
  client_id     = "org-a-client"
  client_secret = "not-the-secret"
  api_url       = %q
}`, emu.URL), messageRE("401", "refused the client credentials: check client_id and client_secret")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config + "\ndata \"genesys_organization\" \"this\" {}\n",
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}

// TestAccScreenPop_serviceRefusalsNameTheAttribute: what the screen pop service refuses is
// reported against the setting that caused it.
func TestAccScreenPop_serviceRefusalsNameTheAttribute(t *testing.T) {
	t.Run("refused signature", func(t *testing.T) {
		emu := newTestEmulator(t, emulator.Config{SigningSecret: "the-service-knows-another-secret"})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      emu.screenPopConfig("", popResource("v1")),
				ExpectError: messageRE("Screen pop signature refused", "screenpop.signing_secret (or GENESYS_SCREENPOP_SIGNING_SECRET) is not the secret the service holds", "Nothing was delivered"),
			}},
		})
		mustCheck(t, emu.checkPops(0))
	})
	t.Run("unknown agent", func(t *testing.T) {
		emu := newPopEmulator(t)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      emu.screenPopConfig("", strings.Replace(popResource("v1"), `"agent-1"`, `"agent-404"`, 1)),
				ExpectError: messageRE("Screen pop user not found", `knows no user "agent-404"`, "set user_id to the ID of a user of the org"),
			}},
		})
		mustCheck(t, emu.checkPops(0))
	})
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
