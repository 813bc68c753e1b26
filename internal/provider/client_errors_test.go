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
	cases := map[string]struct{ config, want string }{
		"connection refused": {fmt.Sprintf(`provider "genesys" {
  client_id     = "org-a-client"
  client_secret = "org-a-secret"
  api_url       = %q
  max_retries   = 1
}`, closedPort), `(?s)connection refused.*Nothing accepts connections at that address: check\s+login_url`},
		"wrong client secret": {fmt.Sprintf(`provider "genesys" {
  client_id     = "org-a-client"
  client_secret = "not-the-secret"
  api_url       = %q
}`, emu.URL), `(?s)401.*refused the client credentials: check client_id and\s+client_secret`},
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

// TestAccScreenPop_serviceRefusalsNameTheAttribute: what the screen pop service refuses is
// reported against the setting that caused it.
func TestAccScreenPop_serviceRefusalsNameTheAttribute(t *testing.T) {
	t.Run("refused signature", func(t *testing.T) {
		emu := newTestEmulator(t, emulator.Config{SigningSecret: "the-service-knows-another-secret"})
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      emu.screenPopConfig("", popResource("v1")),
				ExpectError: regexp.MustCompile(`(?s)Screen pop signature refused.*screenpop.signing_secret.*GENESYS_SCREENPOP_SIGNING_SECRET`),
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
				ExpectError: regexp.MustCompile(`(?s)Screen pop user not found.*user_id.*agent-404.*set user_id to the ID of a user`),
			}},
		})
		mustCheck(t, emu.checkPops(0))
	})
}
