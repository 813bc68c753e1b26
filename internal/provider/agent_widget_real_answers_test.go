package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// Answers the real service gives that a client written from the documentation alone would
// trip on, driven through a real Terraform CLI.

const widgetBodyWithoutDescription = `
  name         = "Quiet widget"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/quiet/index.html"
`

// TestAccAgentWidget_emptyNotesPlaceholderNoDiff: the service answers a configuration's empty
// notes as node_dynamodb_empty_string. The widget's description reads back as "", and plans
// after apply and after refresh are empty (the testing framework fails any step whose
// follow-up plan is not).
func TestAccAgentWidget_emptyNotesPlaceholderNoDiff(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	wireNotes := func(s *terraform.State) error {
		var cfg struct {
			Notes *string `json:"notes"`
		}
		id := s.RootModule().Resources[widgetAddr].Primary.ID
		raw := emu.apiCallBody(t, "a", http.MethodGet, "/api/v2/integrations/"+id+"/config/current", "")
		if err := json.Unmarshal(raw, &cfg); err != nil || cfg.Notes == nil || *cfg.Notes != emulator.EmptyNotesPlaceholder {
			return fmt.Errorf("the service answered notes %s, want the placeholder (%w)", raw, err)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		Steps: []resource.TestStep{
			{
				Config: emu.widgetConfig("", widgetBodyWithoutDescription),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("description"), knownvalue.StringExact("")),
				},
				Check: wireNotes,
			},
			{
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(widgetAddr, "description", ""),
			},
			{
				// An explicit empty description is the same thing: no change.
				Config: emu.widgetConfig("", widgetBodyWithoutDescription+`  description = ""`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Import reads the placeholder too, and finds nothing to change.
				ResourceName:            widgetAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

// TestAccAgentWidget_staleVersionEitherAnswer: another write lands just before the provider's
// configuration PUT, on create and on update. The service refuses the now stale version with
// a 409 or, as some Genesys services do, a 400 saying it "does not match the current
// version"; either way the provider re-reads the version, writes again and the apply succeeds.
func TestAccAgentWidget_staleVersionEitherAnswer(t *testing.T) {
	for _, status := range []int{http.StatusConflict, http.StatusBadRequest} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			concurrentWrite := []emulator.Fault{{Kind: emulator.KindConcurrentConfigWrite, Pattern: "x"}}
			emu := newTestEmulator(t, emulator.Config{StaleVersionStatus: status, Faults: concurrentWrite})
			rewritten := fmt.Sprintf("PUT %d,GET 200,PUT 200", status)
			updated := strings.Replace(widgetBody, `"Queue metrics"`, `"Queue metrics, contended"`, 1)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             emu.checkNoIntegrations("org-a"),
				Steps: []resource.TestStep{
					{
						PreConfig: emu.ResetJournal,
						Config:    emu.widgetConfig("", widgetBody),
						ConfigStateChecks: []statecheck.StateCheck{
							// 1 at create, 2 by the other writer, 3 ours.
							statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("config_version"), knownvalue.Int64Exact(3)),
							statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("description"), knownvalue.StringExact("Queue metrics")),
						},
						Check: emu.checkConfigWrites(rewritten),
					},
					{
						PreConfig: func() {
							emu.ResetJournal()
							emu.SetFaults(concurrentWrite)
						},
						Config: emu.widgetConfig("", updated),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("config_version"), knownvalue.Int64Exact(5)),
							statecheck.ExpectKnownValue(widgetAddr, tfjsonpath.New("description"), knownvalue.StringExact("Queue metrics, contended")),
						},
						Check: emu.checkConfigWrites(rewritten),
					},
				},
			})
		})
	}
}

// checkConfigWrites compares the journal's configuration requests (method and status, in
// order, reads during refresh left out) with want.
func (e *testEmulator) checkConfigWrites(want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var got []string
		writing := false
		for _, r := range e.Journal() {
			if !strings.HasSuffix(r.Path, "/config/current") {
				continue
			}
			// Reads before the first PUT are the plan's refresh, not the retry.
			if r.Method == http.MethodPut {
				writing = true
			}
			if writing {
				got = append(got, fmt.Sprintf("%s %d", r.Method, r.Status))
			}
		}
		if strings.Join(got, ",") != want {
			return fmt.Errorf("configuration requests %v, want %s", got, want)
		}
		return nil
	}
}
