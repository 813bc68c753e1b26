package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// The reliability suite's knobs. `make test` runs the small seeded version (chaosDefaultWidgets,
// no rate limit); `make chaos` sets them for the full one (see README).
const (
	envChaosWidgets   = "GENESYS_CHAOS_WIDGETS"    // how many widgets; default chaosDefaultWidgets
	envChaosRateLimit = "GENESYS_CHAOS_RATE_LIMIT" // the emulator's requests per minute per token; default none
	envChaosSeed      = "GENESYS_CHAOS_SEED"       // shifts every fault's seed; default 0 (issue 17's seeds)

	chaosDefaultWidgets = 100
)

// chaosFaults is the fault profile of issue 17's 500-widget storm: seeded so a run repeats,
// shifted by seed for another draw. Two runs of consecutive 429s land part-way through, placed
// by the number of requests a run of n widgets makes.
func chaosFaults(n int, seed int64) []emulator.Fault {
	s := func(base int64) int64 { return base + 100*seed }
	storm := strings.Repeat(".", 3*n/2) + strings.Repeat("x", 40) + strings.Repeat(".", 3*n/2) + strings.Repeat("x", 30)
	return []emulator.Fault{
		{Kind: emulator.Kind429, PathPrefix: "/api/v2/", Probability: 0.08, Seed: s(11), RetryAfter: 1},
		{Kind: emulator.Kind503, PathPrefix: "/api/v2/", Probability: 0.05, Seed: s(12)},
		{Kind: emulator.Kind500, PathPrefix: "/api/v2/", Probability: 0.03, Seed: s(13)},
		{Kind: emulator.Kind502, PathPrefix: "/api/v2/", Probability: 0.03, Seed: s(14)},
		{Kind: emulator.KindResetAfterCommit, Method: "POST", PathPrefix: "/api/v2/integrations", Probability: 0.1, Seed: s(15)},
		{Kind: emulator.KindResetAfterCommit, Method: "PUT", PathPrefix: "/api/v2/integrations", Probability: 0.05, Seed: s(16)},
		{Kind: emulator.KindResetAfterCommit, Method: "PATCH", PathPrefix: "/api/v2/integrations", Probability: 0.05, Seed: s(17)},
		{Kind: emulator.KindResetBeforeHandling, PathPrefix: "/api/v2/", Probability: 0.02, Seed: s(19)},
		{Kind: emulator.KindReadNotFoundAfterCreate, Probability: 0.3, Seed: s(20), For: 3 * time.Second},
		{Kind: emulator.KindLatency, PathPrefix: "/api/v2/", Probability: 0.1, Seed: s(21), Latency: 150 * time.Millisecond},
		{Kind: emulator.Kind503, PathPrefix: "/oauth/token", Probability: 0.2, Seed: s(22)},
		{Kind: emulator.Kind429, PathPrefix: "/api/v2/", Pattern: storm, RetryAfter: 1},
	}
}

// chaosFillers is how many integrations of another type the org holds before the run, so that
// a search of the whole org takes several pages, as in any real org.
const chaosFillers = 250

// chaosSlowFaults stand in, in a run without a rate limit, for what makes lists slow at scale
// when the rate limit paces every request: GETs take 300 ms and reads lag creates by up to 4.5 s
// (within the client's 5 s read-lag window). A search for a lost create then reads the page that
// would hold it while reads still lag, and finishes only after the window: issue 17's duplicate.
// A slow machine cannot push the lag past the window: the emulator times the lag from the
// create's commit, the client its window from the attempt's failure, which comes after it.
func chaosSlowFaults(seed int64) []emulator.Fault {
	return []emulator.Fault{
		{Kind: emulator.KindLatency, Method: "GET", PathPrefix: "/api/v2/integrations", Probability: 1, Latency: 300 * time.Millisecond},
		{Kind: emulator.KindReadNotFoundAfterCreate, Probability: 0.3, Seed: 23 + 100*seed, For: 4500 * time.Millisecond},
	}
}

func chaosEnvInt(t *testing.T, name string, def int) int {
	t.Helper()
	raw := os.Getenv(name)
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, raw)
	}
	return n
}

// TestAccAgentWidget_chaos is the reliability suite: n widgets applied by the real Terraform CLI
// through a fault storm (lost answers, 5xx, 429 runs, resets, reads that lag creates). Then the
// org, counted by name through the API, holds exactly one integration per widget, each enabled
// and active; the emulator's journal shows exactly n committed creates; the plans after the apply
// are empty (terraform-plugin-testing plans twice after every apply step and fails on a diff);
// and destroy leaves nothing.
func TestAccAgentWidget_chaos(t *testing.T) {
	n := chaosEnvInt(t, envChaosWidgets, chaosDefaultWidgets)
	rate := chaosEnvInt(t, envChaosRateLimit, 0)
	seed := int64(chaosEnvInt(t, envChaosSeed, 0))
	faults := chaosFaults(n, seed)
	cfg := emulator.Config{RateLimit: -1, ActivationDelay: 500 * time.Millisecond}
	if rate > 0 {
		cfg.RateLimit = rate
	} else {
		// Handler-decided faults: the first that fires wins, so the longer lag goes first.
		faults = append(chaosSlowFaults(seed), faults...)
	}
	emu := newTestEmulator(t, cfg)
	emu.fillOrg(t, "org-a", chaosFillers)
	emu.ResetJournal()
	emu.SetFaults(faults)
	t.Logf("chaos: %d widgets, rate limit %d/min (0: none), fault seed shift %d", n, rate, seed)
	start := time.Now()

	config := emu.providerBlock("a", "") + fmt.Sprintf(`
resource "genesys_agent_widget" "storm" {
  count        = %d
  name         = format("storm-%%04d", count.index)
  type         = "webapp"
  manifest_url = "https://widgets.example.com/storm/${count.index}/"
}
`, n)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkOrgByName("org-a", nil),
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				emu.checkOrgByName("org-a", chaosNames(n)),
				emu.checkCommittedCreates(n),
				emu.checkFaultsInjected(),
			),
		}},
	})
	t.Logf("chaos: %d widgets converged in %s", n, time.Since(start).Round(time.Second))
	emu.logChaosFigures(t, n)
}

// logChaosFigures reports what the run cost and met: requests per widget, how many creates lost
// their answer, and how many list pages were read (the search for those creates, and the checks).
func (e *testEmulator) logChaosFigures(t *testing.T, n int) {
	var requests, lists, lostCreates, faults, posts, failedPosts int
	for _, j := range e.Journal() {
		if !strings.HasPrefix(j.Path, "/api/v2/") {
			continue
		}
		requests++
		if j.Method == "POST" && j.Route == "/api/v2/integrations" {
			posts++
			if j.Status == 0 || j.Status >= 500 {
				failedPosts++
			}
		}
		if j.Fault != "" {
			faults++
		}
		if j.Method == "GET" && j.Route == "/api/v2/integrations" {
			lists++
		}
		if j.CreatedID != "" && strings.Contains(j.Fault, string(emulator.KindResetAfterCommit)) {
			lostCreates++
		}
	}
	t.Logf("chaos: %d API requests (%.2f per widget, %d faulted), %d list pages, %d creates whose answer was lost, %d of %d POSTs failed without landing",
		requests, float64(requests)/float64(n), faults, lists, lostCreates, failedPosts, posts)
}

// fillOrg creates n interaction widgets named "zz-other-..." through the API, as an org's other
// integrations.
func (e *testEmulator) fillOrg(t *testing.T, org string, n int) {
	t.Helper()
	c, err := client.New(client.Config{ClientID: org + "-client", ClientSecret: org + "-secret", APIURL: e.URL, LoginURL: e.URL})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := c.CreateIntegration(context.Background(), fmt.Sprintf("zz-other-%03d", i), client.TypeInteractionWidget); err != nil {
			t.Fatalf("filling the org: %v", err)
		}
	}
}

func chaosNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("storm-%04d", i)
	}
	return names
}

// checkOrgByName counts the org's integrations by name through the API, as an administrator
// would: exactly one per wanted name, each enabled, active and configured, and nothing else.
func (e *testEmulator) checkOrgByName(org string, want []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := client.New(client.Config{
			ClientID: org + "-client", ClientSecret: org + "-secret", APIURL: e.URL, LoginURL: e.URL,
		})
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		all, err := c.ListIntegrations(ctx)
		if err != nil {
			return fmt.Errorf("counting the org: %w", err)
		}
		byName := map[string][]client.Integration{}
		for _, in := range all {
			byName[in.Name] = append(byName[in.Name], in)
		}
		var problems []string
		for _, name := range want {
			got := byName[name]
			delete(byName, name)
			switch {
			case len(got) == 0:
				problems = append(problems, fmt.Sprintf("%s: missing", name))
			case len(got) > 1:
				problems = append(problems, fmt.Sprintf("%s: %d integrations %s", name, len(got), e.describe(got)))
			case got[0].IntendedState != client.StateEnabled || got[0].ReportedState.Code != client.ReportedActive || got[0].Config.Current.Version < 2:
				problems = append(problems, fmt.Sprintf("%s: not in the intended state %s", name, e.describe(got)))
			}
		}
		for name, got := range byName {
			if strings.HasPrefix(name, "zz-other-") && len(got) == 1 {
				continue // the org's other integrations
			}
			problems = append(problems, fmt.Sprintf("%s: not wanted, %d integrations %s", name, len(got), e.describe(got)))
		}
		if len(problems) > 0 {
			slices.Sort(problems)
			return fmt.Errorf("the org does not hold exactly one integration per widget (%d problems):\n%s",
				len(problems), strings.Join(problems, "\n"))
		}
		return nil
	}
}

// describe shows integrations with what the journal knows of their making, so a failed run can be
// diagnosed from its output alone.
func (e *testEmulator) describe(ins []client.Integration) string {
	var parts []string
	for _, in := range ins {
		made := "no create journaled"
		for _, j := range e.Journal() {
			if j.CreatedID == in.ID {
				made = fmt.Sprintf("created at %s (status %d, fault %q)", j.Time.Format("15:04:05.000"), j.Status, j.Fault)
				break
			}
		}
		parts = append(parts, fmt.Sprintf("[%s %s/%s v%d, %s]", in.ID, in.IntendedState, in.ReportedState.Code, in.Config.Current.Version, made))
	}
	return strings.Join(parts, " ")
}

// checkCommittedCreates counts the creates the emulator committed, answered or not: one per
// widget, so no create was ever duplicated, even one later cleaned up.
func (e *testEmulator) checkCommittedCreates(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := 0
		for _, j := range e.Journal() {
			if j.CreatedID != "" {
				got++
			}
		}
		if got != want {
			return fmt.Errorf("the emulator committed %d creates for %d widgets", got, want)
		}
		return nil
	}
}
