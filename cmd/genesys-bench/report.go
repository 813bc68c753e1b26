package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Phases, in the order each run goes through them.
const (
	PhaseCreate  = "create"  // terraform apply of N new widgets: create, configure, activate
	PhaseRefresh = "refresh" // terraform plan (refreshing) that finds nothing to change
	PhaseRead    = "read"    // terraform apply of a configuration that reads the widgets through the data sources
	PhaseUpdate  = "update"  // terraform apply changing every widget's description
	PhaseDestroy = "destroy" // terraform destroy
	phaseCleanup = "cleanup" // the destroy after a failed phase; not measured
)

var phases = []string{PhaseCreate, PhaseRefresh, PhaseRead, PhaseUpdate, PhaseDestroy}

// Targets of issue 12 (and of issue 7 for one access token, which still hold).
const (
	targetWidgets            = 500       // where the wall-time, CPU and 429 targets are judged
	targetCreatePerWidget    = 3.0       // requests to create, configure and activate one widget
	targetRefreshPerWidget   = 1.2       // with reads batched through GET /api/v2/integrations?ids=
	targetRatio              = 1.15      // wall time / floor, the pool at its default
	targetRatioOneToken      = 1.10      // wall time / floor with one token (issue 7's target)
	targetCreateSeconds      = 245.0 / 6 // at least 6x faster than 245 s, one token's create of 500
	targetCPUPerWidgetMs     = 8.0       // provider CPU per widget per phase
	targetTokensPerProcessP1 = 1         // with one token: one grant per provider process that calls the API
)

// Result is one benchmark run: what was measured and how.
type Result struct {
	Command  string    `json:"command"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Machine  Machine   `json:"machine"`
	Settings Settings  `json:"settings"`
	Runs     []Run     `json:"runs"`
	Targets  []Target  `json:"targets"`
}

// Machine describes where the run happened.
type Machine struct {
	OS             string `json:"os"`
	Arch           string `json:"arch"`
	CPUs           int    `json:"cpus"`
	CPUModel       string `json:"cpuModel,omitempty"`
	GoVersion      string `json:"goVersion"`
	Terraform      string `json:"terraform"`
	LoadAvgStart   string `json:"loadAvgStart,omitempty"`
	LoadAvgFinish  string `json:"loadAvgFinish,omitempty"`
	TerraformPath  string `json:"terraformPath"`
	ProviderCommit string `json:"providerCommit,omitempty"`
}

// Settings are the knobs of the run.
type Settings struct {
	Widgets        []int    `json:"widgets"`
	Parallelism    []int    `json:"parallelism"`
	AccessTokens   []string `json:"accessTokens"` // max_access_tokens values; "default": left out
	Limits         Limits   `json:"limits"`
	DestroyRefresh bool     `json:"destroyRefresh"`
	State          string   `json:"state,omitempty"` // -state; empty in results from before it: local
}

// Run is the phases for one number of widgets, one parallelism and one access-token setting.
type Run struct {
	Widgets      int           `json:"widgets"`
	Parallelism  int           `json:"parallelism"`
	AccessTokens string        `json:"accessTokens"` // as given to -access-tokens
	PoolSize     int           `json:"poolSize"`     // the most tokens a provider process may hold
	Phases       []PhaseResult `json:"phases"`
}

// PhaseResult is one terraform command's cost.
type PhaseResult struct {
	Phase   string   `json:"phase"`
	Widgets int      `json:"widgets"`
	Command []string `json:"command"` // terraform's arguments
	Counts

	PerWidget    float64            `json:"requestsPerWidget"` // APIRequests / widgets
	RoutePerWdgt map[string]float64 `json:"requestsPerWidgetByRoute"`
	WallSeconds  float64            `json:"wallSeconds"`
	FloorSeconds float64            `json:"floorSeconds"`
	Ratio        *float64           `json:"ratio"` // null when the floor is under minFloorForRatio

	Provider       UsageSummary `json:"provider"`
	CPUPerWidgetMs float64      `json:"cpuPerWidgetMs"`
	// TerraformCPUSeconds is the terraform command's own CPU time, its providers' not included:
	// where a phase's wall time goes when the limits do not bind.
	TerraformCPUSeconds float64 `json:"terraformCpuSeconds"`

	ExitCode int    `json:"exitCode"`
	Failed   int    `json:"failedResources"`
	Error    string `json:"error,omitempty"`
}

// NewPhaseResult fills in what follows from the counts and times.
func NewPhaseResult(phase string, widgets int, counts Counts, wall time.Duration, limits Limits, pool int, usage UsageSummary) PhaseResult {
	p := PhaseResult{Phase: phase, Widgets: widgets, Counts: counts, WallSeconds: wall.Seconds(), Provider: usage}
	p.setFloor(limits, pool)
	if widgets > 0 {
		p.PerWidget = float64(counts.APIRequests) / float64(widgets)
		p.CPUPerWidgetMs = float64(usage.CPU.Microseconds()) / 1000 / float64(widgets)
		p.RoutePerWdgt = map[string]float64{}
		for route, n := range counts.ByRoute {
			p.RoutePerWdgt[route] = float64(n) / float64(widgets)
		}
	}
	return p
}

// setFloor computes the floor and the ratio from the phase's processes: at the run, and again
// when a results.json is rendered anew (so the floor's model can change after a run).
func (p *PhaseResult) setFloor(limits Limits, pool int) {
	floor := Floor(p.Processes, limits, pool)
	p.FloorSeconds = floor.Seconds()
	p.Ratio = nil
	if r, ok := Ratio(time.Duration(p.WallSeconds*float64(time.Second)), floor); ok {
		p.Ratio = &r
	}
}

// Target is one of the issues' targets and whether the run met it.
type Target struct {
	Name     string `json:"name"`
	Limit    string `json:"limit"`
	Measured string `json:"measured"` // the worst value, and where
	Met      bool   `json:"met"`
	// NotApplicable: the runs had nothing the target could be judged on that was not already
	// decided (a wall-time ratio where no phase had a floor); Measured says why.
	NotApplicable bool `json:"notApplicable,omitempty"`
}

func (t Target) verdict() string {
	switch {
	case t.NotApplicable:
		return "n/a"
	case t.Met:
		return "met"
	}
	return "missed"
}

// selector picks the phases a target is judged on.
type selector func(Run, PhaseResult) bool

func phaseIs(phase string) selector {
	return func(_ Run, p PhaseResult) bool { return p.Phase == phase }
}

func and(fs ...selector) selector {
	return func(r Run, p PhaseResult) bool {
		for _, f := range fs {
			if !f(r, p) {
				return false
			}
		}
		return true
	}
}

// Evaluate checks the runs against the targets. A target with nothing to judge it by (its
// phase never ran) is missed, never met by default.
func Evaluate(runs []Run) []Target {
	// worst finds the largest value of a measure over the phases it applies to, and where it
	// was; "every run" when they all measured the same.
	worst := func(applies selector, value func(PhaseResult) float64) (float64, string, bool) {
		w, where, found, same := 0.0, "", false, true
		for _, r := range runs {
			for _, p := range r.Phases {
				if p.Error != "" || !applies(r, p) {
					continue
				}
				v := value(p)
				if found && v != w {
					same = false
				}
				if !found || v > w {
					w, where, found = v, runName(r)+", "+p.Phase, true
				}
			}
		}
		if same && found {
			where = "every run judged"
		}
		return w, where, found
	}
	judge := func(t Target, limit float64, format string, applies selector, value func(PhaseResult) float64) Target {
		w, where, found := worst(applies, value)
		if !found {
			t.Measured = "not measured"
			return t
		}
		t.Measured = fmt.Sprintf(format+" (%s)", w, where)
		t.Met = w <= limit+1e-9
		return t
	}
	// The N the N=500 targets are judged at: 500, or the largest N run when 500 was not.
	atN := 0
	for _, r := range runs {
		atN = max(atN, r.Widgets)
	}
	if slices.ContainsFunc(runs, func(r Run) bool { return r.Widgets == targetWidgets }) {
		atN = targetWidgets
	}
	nNote := ""
	if atN != targetWidgets {
		nNote = fmt.Sprintf(" (the issue asks it at N=%d)", targetWidgets)
	}
	atTargetN := func(r Run, _ PhaseResult) bool { return r.Widgets == atN }
	pooled := func(r Run, _ PhaseResult) bool { return r.AccessTokens == defaultAccessTokens }
	oneToken := func(r Run, _ PhaseResult) bool { return r.PoolSize == 1 }
	perWidget := func(p PhaseResult) float64 { return p.PerWidget }

	targets := []Target{
		judge(Target{Name: "Requests to create and activate", Limit: fmt.Sprintf("≤ %g per widget", targetCreatePerWidget)},
			targetCreatePerWidget, "%.2f", phaseIs(PhaseCreate), perWidget),
		judge(Target{Name: fmt.Sprintf("Requests to refresh at N=%d, max_access_tokens default", atN), Limit: fmt.Sprintf("≤ %g per widget%s", targetRefreshPerWidget, nNote)},
			targetRefreshPerWidget, "%.2f", and(pooled, atTargetN, phaseIs(PhaseRefresh)), perWidget),
		judge(Target{Name: fmt.Sprintf("429 answers at N=%d, max_access_tokens default", atN), Limit: "0" + nNote},
			0, "%.0f", and(pooled, atTargetN), func(p PhaseResult) float64 { return float64(p.TooManyRequests) }),
		judge(Target{Name: fmt.Sprintf("Create wall time at N=%d, max_access_tokens default", atN),
			Limit: fmt.Sprintf("≤ %.1f s (6x faster than 245 s)%s", targetCreateSeconds, nNote)},
			targetCreateSeconds, "%.1f s", and(pooled, atTargetN, phaseIs(PhaseCreate)), func(p PhaseResult) float64 { return p.WallSeconds }),
		ratioTarget(runs, fmt.Sprintf("Wall time / floor at N=%d, max_access_tokens default", atN), targetRatio, nNote, and(pooled, atTargetN), worst),
		judge(Target{Name: fmt.Sprintf("Provider CPU at N=%d, max_access_tokens default", atN), Limit: fmt.Sprintf("≤ %g ms per widget, every phase%s", targetCPUPerWidgetMs, nNote)},
			targetCPUPerWidgetMs, "%.1f ms", and(pooled, atTargetN), func(p PhaseResult) float64 { return p.CPUPerWidgetMs }),
		ratioTarget(runs, fmt.Sprintf("Wall time / floor at N=%d, max_access_tokens 1", atN), targetRatioOneToken, nNote, and(oneToken, atTargetN), worst),
		judge(Target{Name: "Tokens minted per provider process, max_access_tokens 1", Limit: fmt.Sprintf("≤ %d (each configured provider signs in once, issue 15)", targetTokensPerProcessP1)},
			targetTokensPerProcessP1, "%.0f", oneToken, func(p PhaseResult) float64 {
				most := 0
				for _, u := range p.Processes {
					most = max(most, u.TokensMinted)
				}
				return float64(most)
			}),
		judge(Target{Name: "Requests to read every widget through both data sources", Limit: "the least: a list page of 100 per 100 widgets for each, and the configuration of the one read by name"},
			1, "%.2f × the least", phaseIs(PhaseRead), func(p PhaseResult) float64 { return float64(p.APIRequests) / readLeast(p.Widgets) }),
	}
	failed, ran := 0, 0
	for _, r := range runs {
		for _, p := range r.Phases {
			failed += p.Failed
			ran++
		}
	}
	ft := Target{Name: "Failed resources", Limit: "0", Measured: fmt.Sprint(failed), Met: failed == 0 && ran > 0}
	if ran == 0 {
		ft.Measured = "not measured"
	}
	return append(targets, ft)
}

// readLeast is the fewest requests the read phase can cost with n widgets: two listings in
// pages of 100 (the API's largest), the list data source's and the by-name data source's (the
// API has no name filter), and one read of the configuration of the widget found by name,
// which a listing does not carry.
func readLeast(n int) float64 {
	return 2*math.Max(1, math.Ceil(float64(n)/100)) + 1
}

// ratioTarget judges wall time / floor over the selected phases that have a floor. Phases that
// fit in the buckets' bursts have none; when no selected phase has one, the target is not
// applicable, and Measured says so with the wall times.
func ratioTarget(runs []Run, name string, limit float64, nNote string, applies selector,
	worst func(selector, func(PhaseResult) float64) (float64, string, bool)) Target {
	t := Target{Name: name, Limit: fmt.Sprintf("≤ %.2f for every phase with a floor%s", limit, nNote)}
	withFloor := func(r Run, p PhaseResult) bool { return applies(r, p) && p.Ratio != nil }
	w, where, found := worst(withFloor, func(p PhaseResult) float64 { return *p.Ratio })
	selected, failed := 0, ""
	for _, r := range runs {
		for _, p := range r.Phases {
			if !applies(r, p) {
				continue
			}
			selected++
			if p.Error != "" {
				failed += fmt.Sprintf("; %s of %s failed", p.Phase, runName(r))
			}
		}
	}
	switch {
	case selected == 0:
		t.Measured = "not measured"
	case !found:
		t.NotApplicable = failed == ""
		t.Measured = "no phase had a floor of a second or more: every request fit in the buckets' bursts" + failed
	default:
		t.Measured = fmt.Sprintf("%.3f (%s)%s", w, where, failed)
		t.Met = w <= limit+1e-9 && failed == ""
	}
	return t
}

func runName(r Run) string {
	return fmt.Sprintf("N=%d, parallelism %d, max_access_tokens %s", r.Widgets, r.Parallelism, r.AccessTokens)
}

// WriteJSON writes the result, indented.
func WriteJSON(w io.Writer, res Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func describeLimits(l Limits) string {
	rate := func(perMinute int, what string) string {
		if perMinute <= 0 {
			return "no limit " + what
		}
		return fmt.Sprintf("%d %s", perMinute, what)
	}
	s := rate(l.TokenRate, "requests per minute per access token")
	if l.TokenRate > 0 {
		s += fmt.Sprintf(" (bucket of %d)", l.TokenBurst)
	}
	return s + ", " + rate(l.ClientRate, "per minute per OAuth client across its tokens") +
		", " + rate(l.TokenCreationRate, "tokens created per minute per OAuth client")
}

// sectionKey groups the runs of one access-token setting and parallelism.
type sectionKey struct {
	tokens      string
	parallelism int
}

func sections(res Result) []sectionKey {
	var out []sectionKey
	for _, r := range res.Runs {
		k := sectionKey{r.AccessTokens, r.Parallelism}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func poolLabel(r Run) string {
	if r.AccessTokens == defaultAccessTokens {
		return fmt.Sprintf("default (%d)", r.PoolSize)
	}
	return r.AccessTokens
}

// WriteMarkdown writes the report a reader starts from.
func WriteMarkdown(w io.Writer, res Result, plotFile string) error {
	var b strings.Builder
	s := res.Settings
	fmt.Fprintf(&b, "# Benchmark: agent widgets under Genesys Cloud's rate limits\n\n")
	fmt.Fprintf(&b, "Command: `%s`  \n", res.Command)
	fmt.Fprintf(&b, "Run: %s to %s (%s)\n\n", res.Started.UTC().Format(time.RFC3339), res.Finished.UTC().Format(time.RFC3339),
		res.Finished.Sub(res.Started).Round(time.Second))
	m := res.Machine
	fmt.Fprintf(&b, "Machine: %s/%s, %d CPUs", m.OS, m.Arch, m.CPUs)
	if m.CPUModel != "" {
		fmt.Fprintf(&b, " (%s)", m.CPUModel)
	}
	fmt.Fprintf(&b, ", %s, Terraform %s", m.GoVersion, m.Terraform)
	if m.ProviderCommit != "" {
		fmt.Fprintf(&b, ", provider at %s", m.ProviderCommit)
	}
	fmt.Fprintf(&b, ".  \nLoad average at start: %s; at finish: %s (the machine is shared).\n\n", orDash(m.LoadAvgStart), orDash(m.LoadAvgFinish))
	fmt.Fprintf(&b, "Emulator on loopback, in the benchmark's process: %s; activation immediate. "+
		"Each phase uses an OAuth client of its own, so its buckets start full.\n\n", describeLimits(s.Limits))
	fmt.Fprintf(&b, "Terraform's state: %s.\n\n", describeState(s.State))

	b.WriteString("## Targets\n\n| Target | Limit | Measured | |\n|---|---|---|---|\n")
	for _, t := range res.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s | **%s** |\n", t.Name, t.Limit, t.Measured, t.verdict())
	}
	b.WriteString("\n")

	for _, k := range sections(res) {
		first := true
		for _, r := range res.Runs {
			if r.AccessTokens != k.tokens || r.Parallelism != k.parallelism {
				continue
			}
			if first {
				fmt.Fprintf(&b, "## max_access_tokens %s, parallelism %d\n\n", poolLabel(r), k.parallelism)
				b.WriteString("| N | Phase | Requests | Req/widget | 429s | Tokens minted | Retries | Wall (s) | Floor (s) | Wall/floor | Provider CPU (s) | CPU/widget (ms) | Peak RSS (MiB) | Terraform CPU (s) | Failed |\n")
				b.WriteString("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
				first = false
			}
			for _, ph := range r.Phases {
				minted := fmt.Sprint(ph.TokensMinted)
				if ph.TokenRefusals > 0 {
					minted += fmt.Sprintf(" (+%d refused)", ph.TokenRefusals)
				}
				fmt.Fprintf(&b, "| %d | %s | %d | %.2f | %d | %s | %d | %.1f | %.1f | %s | %.2f (%d) | %.1f | %.0f | %.1f | %s |\n",
					r.Widgets, ph.Phase, ph.APIRequests, ph.PerWidget, ph.TooManyRequests, minted, ph.Retries,
					ph.WallSeconds, ph.FloorSeconds, formatRatio(ph.Ratio), ph.Provider.CPU.Seconds(), ph.Provider.Processes,
					ph.CPUPerWidgetMs, float64(ph.Provider.PeakRSS)/(1<<20), ph.TerraformCPUSeconds, failedCell(ph))
			}
		}
		b.WriteString("\n")
	}

	routes := allRoutes(res.Runs)
	if len(routes) > 0 {
		b.WriteString("## Requests per widget by route\n\n| max_access_tokens | Parallelism | N | Phase |")
		for _, rt := range routes {
			fmt.Fprintf(&b, " %s |", shortRoute(rt))
		}
		b.WriteString("\n|---|--:|--:|---|" + strings.Repeat("--:|", len(routes)) + "\n")
		for _, r := range res.Runs {
			for _, ph := range r.Phases {
				fmt.Fprintf(&b, "| %s | %d | %d | %s |", poolLabel(r), r.Parallelism, r.Widgets, ph.Phase)
				for _, rt := range routes {
					if v, ok := ph.RoutePerWdgt[rt]; ok {
						fmt.Fprintf(&b, " %.2f |", v)
					} else {
						b.WriteString(" |")
					}
				}
				b.WriteString("\n")
			}
		}
		b.WriteString("\n")
	}

	if plotFile != "" {
		fmt.Fprintf(&b, "## Against N\n\n![Wall time and floor, requests per widget, tokens minted and provider CPU per widget of each phase against the number of widgets](%s)\n\n", plotFile)
		b.WriteString("One row per phase; solid lines are measured, dashed ones the floor, one colour per max_access_tokens setting" +
			" (and parallelism, when there are several). The x axes are logarithmic.\n\n")
	}

	destroy := "`terraform destroy -refresh=false` (the refresh phase already measures what reading every widget costs; run with -destroy-refresh to include it)"
	if s.DestroyRefresh {
		destroy = "`terraform destroy`, refreshing first"
	}
	fmt.Fprintf(&b, `## How to read this

- Phases: **create** is `+"`terraform apply`"+` of N new widgets (create, configure, activate); **refresh** is
  `+"`terraform plan -detailed-exitcode`"+`, which refreshes every widget and must find nothing to change; **read** is
  `+"`terraform apply`"+` of a configuration of its own that reads every benchmark widget through `+"`genesys_agent_widgets`"+`
  (`+"`name_prefix`"+`) and one of them through `+"`genesys_agent_widget`"+` (`+"`name`"+`); **update** is `+"`terraform apply`"+`
  changing every widget's description (it refreshes first, then writes); **destroy** is %s. Each is one terraform
  command with `+"`-parallelism`"+` as given, against an org that holds only the benchmark's widgets.
- max_access_tokens is the provider's setting (default: left out of the configuration). Requests are counted from the
  emulator's journal: every request to the API, answered or refused. Token grants (POST /oauth/token) are counted apart:
  tokens minted, and grants refused. Req/widget is requests / N. Terraform starts the provider afresh for each graph
  walk, and each process that configures the provider signs in (so bad credentials fail the plan): an apply mints a
  token for its plan walk and one for its apply walk, even when its plan reads nothing; a pool mints more as pacing
  needs them.
- Retries are attempts the client had to repeat: answers its policy retries (429, 5xx, 401) and requests that got no
  answer. In a phase that ended without error each was followed by another attempt.
- The floor is the least wall time the limits allow for the requests the emulator accepted: per access token (a bucket
  of the burst refilled at the token rate), per OAuth client across its tokens (a minute's allowance, refilled at its
  rate) and token creation (likewise), when each provider process may hold max_access_tokens tokens, each to be had
  once the token-creation bucket gives one. A process cannot see what others spent of its client's allowance, so it
  counts on one token's allowance in the client's bucket at its start, as the provider's pool does (DESIGN.md, Token
  pool): with the pool, N requests need at least (N − 300) / 50 s. Terraform starts the provider afresh for each graph
  walk (the plan's, the apply's), one after another; their floors add up, and the client's buckets carry over between
  them, refilled for as long as the phase really paused. With one token this is the old floor, (accepted − burst) /
  rate per process. Wall/floor is shown when the floor is a second or more. Terraform CPU is the terraform command's
  own (its providers' not included): where the wall time goes when the limits do not bind.
- Provider CPU is user + system time summed over the phase's provider processes (their count in brackets), Peak RSS
  the largest of them, measured by a wrapper that runs the provider as its child. CPU/widget is CPU / N.
  `+"`-cpuprofile DIR`"+` writes a pprof CPU profile of each of those processes (DESIGN.md, Benchmark).
- Failed: resources not in the state they should be after the phase (N widgets ACTIVE with the intended
  configuration after an apply, nothing to change after the plan, every widget found by the data sources, an empty org
  after destroy), or the error.
`, destroy)
	_, err := io.WriteString(w, b.String())
	return err
}

// describeState says where a run's Terraform kept its state.
func describeState(kind string) string {
	if kind == stateHTTP {
		return "the http backend, served by the benchmark from memory on loopback (`-state http`): as with Terraform's " +
			"other remote backends, an apply keeps the state in memory and saves it every 20 s"
	}
	return "the local backend (`terraform.tfstate`), which Terraform rewrites after every resource it applies, one at a time"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func formatRatio(r *float64) string {
	if r == nil || math.IsNaN(*r) {
		return "—"
	}
	return fmt.Sprintf("%.3f", *r)
}

func failedCell(p PhaseResult) string {
	if p.Error != "" {
		return fmt.Sprintf("%d (%s)", p.Failed, strings.ReplaceAll(p.Error, "|", "/"))
	}
	return fmt.Sprint(p.Failed)
}

// allRoutes lists the routes any phase used, in a reading order: by path, then method.
func allRoutes(runs []Run) []string {
	seen := map[string]bool{}
	for _, r := range runs {
		for _, p := range r.Phases {
			for rt := range p.ByRoute {
				seen[rt] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for rt := range seen {
		out = append(out, rt)
	}
	methodOrder := map[string]int{"POST": 0, "GET": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}
	slices.SortFunc(out, func(a, b string) int {
		ma, pa, _ := strings.Cut(a, " ")
		mb, pb, _ := strings.Cut(b, " ")
		return cmp.Or(cmp.Compare(pa, pb), cmp.Compare(methodOrder[ma], methodOrder[mb]), cmp.Compare(ma, mb))
	})
	return out
}

// shortRoute drops the common /api/v2/integrations prefix from a route for a column heading.
func shortRoute(rt string) string {
	method, path, _ := strings.Cut(rt, " ")
	path = strings.TrimPrefix(path, "/api/v2/integrations")
	if path == "" {
		path = " (collection)"
	}
	return method + path
}
