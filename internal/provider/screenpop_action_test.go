package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

func popAction(extra string) string {
	return fmt.Sprintf(`
action "genesys_screenpop" "announce" {
  config {
    user_id        = "agent-1"
    application_id = "com.example.crm"
    target_url     = "https://crm.example.com/agent-view"
    customer_data  = { note = "release" }
%s
  }
}

resource "terraform_data" "release" {
  input = "v1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.genesys_screenpop.announce]
    }
  }
}
`, extra)
}

func TestAccScreenPopAction_firesFromActionTrigger(t *testing.T) {
	emu := newPopEmulator(t)
	hook := newWebhookReceiver(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			{
				Config: emu.screenPopConfig("", popAction(fmt.Sprintf("    webhook_url = %q", hook.URL))),
				Check:  resource.ComposeAggregateTestCheckFunc(emu.checkPops(1), hook.check(1)),
			},
			{
				// The trigger fires on create only: applying again pops no more.
				Config: emu.screenPopConfig("", popAction(fmt.Sprintf("    webhook_url = %q", hook.URL))),
				Check:  emu.checkPops(1),
			},
		},
	})
}

func TestAccScreenPopAction_badTargetFailsAtPlan(t *testing.T) {
	emu := newPopEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			Config: emu.screenPopConfig("", popAction(`    idempotency_key = "fixed-key-0001"`)+`
action "genesys_screenpop" "bad" {
  config {
    user_id        = "agent-1"
    application_id = "com.example.crm"
    target_url     = "https://app.mydashboard.com.evil.net/x"
  }
}

resource "terraform_data" "bad" {
  input = "v1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.genesys_screenpop.bad]
    }
  }
}
`),
			ExpectError: regexp.MustCompile(`Screen pop target not allowed`),
		}},
	})
	mustCheck(t, emu.checkPops(0))
}

// TestAccScreenPopAction_timeoutNamesTheSetting: an invocation that outlasts timeouts.invoke
// fails with a message naming that setting and its value.
func TestAccScreenPopAction_timeoutNamesTheSetting(t *testing.T) {
	emu := newPopEmulator(t)
	emu.hangingPops()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			Config:      emu.screenPopConfig("", popAction("    timeouts {\n      invoke = \"1s\"\n    }")),
			ExpectError: messageRE("did not finish within its time limit, timeouts.invoke (1s)", `timeouts { invoke = "2s" }`),
		}},
	})
}
