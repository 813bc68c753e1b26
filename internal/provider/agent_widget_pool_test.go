package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// poolWidgets is a configuration of n widgets named pool-0000 on.
func poolWidgets(emu *testEmulator, providerExtra string, n int) string {
	return emu.providerBlock("a", providerExtra) + fmt.Sprintf(`
resource "genesys_agent_widget" "pool" {
  count        = %d
  name         = format("pool-%%04d", count.index)
  type         = "webapp"
  manifest_url = "https://widgets.example.com/pool/${count.index}/"
}
`, n)
}

func poolNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("pool-%04d", i)
	}
	return names
}

// tokenTrouble stands in front of the emulator with what goes wrong with tokens that the
// emulator cannot be told to do at a given moment: every k-th API request revokes a token that
// has been in use for a few requests (that request and every later one with that token answer
// 401, as Genesys answers a revoked or expired token), and the grants refuseGrant names are refused as the login service
// refuses a client that creates tokens too fast. The emulator's own token-creation limit refuses
// by the clock; these refusals fall on chosen grants, so every run meets them. Tokens stay in
// this memory and are never printed.
type tokenTrouble struct {
	revokeEvery int
	refuseGrant func(n int) bool

	mu       sync.Mutex
	seen     int
	pending  bool           // a revocation is due
	carried  map[string]int // API requests per token
	grants   int
	revoked  map[string]bool
	unauthz  int // API requests answered 401
	refusals int // grants refused
}

func newTokenTrouble(revokeEvery int, refuseGrant func(n int) bool) *tokenTrouble {
	return &tokenTrouble{revokeEvery: revokeEvery, refuseGrant: refuseGrant, revoked: map[string]bool{}, carried: map[string]int{}}
}

func (r *tokenTrouble) front(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/oauth/token" {
			r.mu.Lock()
			r.grants++
			refuse := r.refuseGrant(r.grants)
			if refuse {
				r.refusals++
			}
			r.mu.Unlock()
			if refuse {
				writeTestJSON(w, http.StatusBadRequest, map[string]any{
					"error": "invalid_request", "description": "rate limit exceeded; too many tokens created",
				})
				return
			}
		}
		tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		if ok && strings.HasPrefix(req.URL.Path, "/api/v2/") {
			r.mu.Lock()
			r.seen++
			r.carried[tok]++
			if r.seen%r.revokeEvery == 0 {
				r.pending = true
			}
			// A token is revoked once it has been in use a while, never on its first requests
			// (the retry after a 401 goes out on a new token, once).
			if r.pending && r.carried[tok] > 3 && !r.revoked[tok] {
				r.revoked[tok], r.pending = true, false
			}
			refuse := r.revoked[tok]
			if refuse {
				r.unauthz++
			}
			r.mu.Unlock()
			if refuse {
				writeTestJSON(w, http.StatusUnauthorized, map[string]any{
					"message": "Invalid login credentials.", "code": "bad.credentials", "status": 401,
					"contextId": "revoked", "details": []any{}, "errors": []any{},
				})
				return
			}
		}
		next.ServeHTTP(w, req)
	})
}

func writeTestJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ININ-Correlation-Id", "token-trouble")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// counts returns the 401s answered and the grants refused so far.
func (r *tokenTrouble) counts() (unauthorized, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unauthz, r.refusals
}

// tokensCarrying is how many distinct tokens carried the journal's requests of one method and
// route.
func (e *testEmulator) tokensCarrying(method, route string) int {
	tokens := map[string]bool{}
	for _, j := range e.Journal() {
		if j.Method == method && j.Route == route && j.Token != "" {
			tokens[j.Token] = true
		}
	}
	return len(tokens)
}

// refreshLatency is how long each API request takes in the refresh that is measured. The
// emulator in the test process answers in about 0.1 ms while Terraform spends tens of
// milliseconds on each resource, so without it no two reads would ever be under way together;
// Genesys Cloud answers in tens to hundreds of milliseconds, and 50 ms is at the quick end.
const refreshLatency = 50 * time.Millisecond

func (e *testEmulator) countWhere(f emulator.JournalFilter) int { return len(e.JournalWhere(f)) }

// TestAccAgentWidget_poolGrowsWithoutA429 applies enough widgets that one token's allowance
// (300 requests a minute) cannot carry the apply at once, against the emulator's three limits at
// their defaults (300 a minute per token, 3000 per OAuth client, 60 token creations a minute):
// the apply spreads its creates over more than one token and no request is refused with 429.
// Then a refresh of every widget costs at most 1.2 requests per widget: its configuration, and a
// share of the lists that read the widgets together.
func TestAccAgentWidget_poolGrowsWithoutA429(t *testing.T) {
	const n = 120 // 360 requests to create: more than one token's 300 at once
	emu := newTestEmulator(t, emulator.Config{})
	throttled := emulator.JournalFilter{Status: http.StatusTooManyRequests}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkOrgByName("org-a", nil),
		Steps: []resource.TestStep{
			{
				PreConfig: emu.ResetJournal,
				Config:    poolWidgets(emu, "  max_access_tokens = 10", n),
				Check: resource.ComposeAggregateTestCheckFunc(
					emu.checkOrgByName("org-a", poolNames(n)),
					emu.checkCommittedCreates(n),
					func(*terraform.State) error {
						tokens := emu.tokensCarrying(http.MethodPost, "/api/v2/integrations")
						t.Logf("pool: %d creates carried by %d tokens; %d token grants in all; %d 429s",
							n, tokens, emu.countWhere(emulator.JournalFilter{PathPrefix: "/oauth/token"}), emu.countWhere(throttled))
						if tokens < 2 {
							return fmt.Errorf("the creates went out on %d token; the pool should have grown past one", tokens)
						}
						if got := emu.countWhere(throttled); got != 0 {
							return fmt.Errorf("%d requests were refused with 429; pacing per token and per client should avoid every one", got)
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() {
					emu.ResetJournal()
					emu.SetFaults([]emulator.Fault{{Kind: emulator.KindLatency, PathPrefix: "/api/v2/", Probability: 1, Latency: refreshLatency}})
				},
				RefreshState: true,
				Check: func(*terraform.State) error {
					api := emu.countWhere(emulator.JournalFilter{PathPrefix: "/api/v2/"})
					lists := emu.countWhere(emulator.JournalFilter{Method: http.MethodGet, Route: "/api/v2/integrations"})
					configs := emu.countWhere(emulator.JournalFilter{Method: http.MethodGet, Route: "/api/v2/integrations/{id}/config/current"})
					single := emu.countWhere(emulator.JournalFilter{Method: http.MethodGet, Route: "/api/v2/integrations/{id}"})
					perWidget := float64(api) / n
					t.Logf("refresh of %d widgets: %d API requests (%.2f per widget): %d configurations, %d lists, %d single reads; %d 429s",
						n, api, perWidget, configs, lists, single, emu.countWhere(throttled))
					if configs != n || lists == 0 {
						return fmt.Errorf("%d configuration reads and %d lists for %d widgets; want one configuration each and lists", configs, lists, n)
					}
					if perWidget > 1.2 {
						return fmt.Errorf("a refresh cost %.2f requests per widget, want at most 1.2", perWidget)
					}
					return nil
				},
			},
		},
	})
}

// TestAccAgentWidget_poolUnderFaults applies widgets with a pool of tokens through everything
// that can go wrong with tokens: 429 storms, a login service that answers 503 now and then and
// refuses grants for creating tokens too fast (the very first, when there is no token to carry on
// with, the fourth and fifth, and every sixth), and
// tokens revoked mid-run (every 29th API request revokes its token). The org ends with exactly
// one widget per resource, none lost and none created twice, and destroy leaves nothing.
func TestAccAgentWidget_poolUnderFaults(t *testing.T) {
	const n = 30
	trouble := newTokenTrouble(29, func(g int) bool { return g == 1 || g == 4 || g == 5 || g%6 == 0 })
	emu := newTestEmulatorBehind(t, emulator.Config{
		RateLimit: 40, // tokens run dry quickly, so the pool grows
	}, trouble.front)
	storm := strings.Repeat(".", 60) + strings.Repeat("x", 15)
	emu.SetFaults([]emulator.Fault{
		{Kind: emulator.Kind429, PathPrefix: "/api/v2/", Probability: 0.05, Seed: 31, RetryAfter: 1},
		{Kind: emulator.Kind429, PathPrefix: "/api/v2/", Pattern: storm, RetryAfter: 1},
		{Kind: emulator.Kind503, PathPrefix: "/oauth/token", Probability: 0.2, Seed: 32},
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             emu.checkOrgByName("org-a", nil),
		Steps: []resource.TestStep{{
			Config: poolWidgets(emu, "  max_access_tokens = 5", n),
			Check: resource.ComposeAggregateTestCheckFunc(
				emu.checkOrgByName("org-a", poolNames(n)),
				emu.checkCommittedCreates(n),
				func(*terraform.State) error {
					unauthorized, refused := trouble.counts()
					grants := emu.countWhere(emulator.JournalFilter{PathPrefix: "/oauth/token", Status: http.StatusOK})
					throttled := emu.countWhere(emulator.JournalFilter{Status: http.StatusTooManyRequests})
					tokens := emu.tokensCarrying(http.MethodPost, "/api/v2/integrations")
					t.Logf("pool under faults: %d tokens granted, %d grants refused, %d 401s, %d 429s; creates on %d tokens",
						grants, refused, unauthorized, throttled, tokens)
					switch {
					case refused == 0:
						return fmt.Errorf("no token grant was refused; the test proves too little")
					case unauthorized == 0:
						return fmt.Errorf("no request met a revoked token; the test proves too little")
					case throttled == 0:
						return fmt.Errorf("no 429 was injected; the test proves too little")
					case tokens < 2:
						return fmt.Errorf("the creates went out on %d token; the pool should have grown", tokens)
					}
					return nil
				},
			),
		}},
	})
}

// TestAccAgentWidget_poolNoTokenSaysWhy: when the login service refuses every grant for creating
// tokens too fast, the provider's sign-in gives up after its retries and says what happened and
// what to do.
func TestAccAgentWidget_poolNoTokenSaysWhy(t *testing.T) {
	trouble := newTokenTrouble(1<<30, func(int) bool { return true })
	emu := newTestEmulatorBehind(t, emulator.Config{}, trouble.front)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:   emu.providerBlock("a", "  max_retries = 1") + `data "genesys_organization" "this" {}`,
			PlanOnly: true,
			ExpectError: messageRE("Unable to sign in to Genesys Cloud", "400 invalid_request", "rate limit exceeded",
				"refused 2 times in a row", "wait a minute and run the command again", "lower max_access_tokens"),
		}},
	})
}
