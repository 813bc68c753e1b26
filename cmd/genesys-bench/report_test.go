package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var genesysLimits = Limits{TokenRate: 300, TokenBurst: 300, ClientRate: 3000, TokenCreationRate: 60}

// phaseOf builds a phase result as the benchmark would: requests of which accepted got through,
// spread over walks provider processes one hour apart (so the buckets refill between them),
// each minting one token, and a CPU time of cpuMs per widget.
func phaseOf(phase string, widgets, requests, accepted, walks int, wall time.Duration, pool int, cpuMs float64) PhaseResult {
	counts := Counts{
		APIRequests:     requests,
		ByRoute:         map[string]int{"POST /api/v2/integrations": requests},
		TooManyRequests: requests - accepted,
		Retries:         requests - accepted,
		TokensMinted:    walks,
	}
	for i := range walks {
		at := t0.Add(time.Duration(i) * time.Hour)
		counts.Processes = append(counts.Processes, ProcessUse{Accepted: accepted / walks, Tokens: 1, TokensMinted: 1, First: at, Last: at.Add(time.Minute)})
	}
	cpu := time.Duration(cpuMs * float64(widgets) * float64(time.Millisecond))
	return NewPhaseResult(phase, widgets, counts, wall, genesysLimits, pool, UsageSummary{Processes: 4, CPU: cpu, PeakRSS: 40 << 20})
}

// goodRuns meet every target: one token (pool 1) and the default pool, each near its floors.
func goodRuns() []Run {
	one := func(n int, phases ...PhaseResult) Run {
		return Run{Widgets: n, Parallelism: 10, AccessTokens: "1", PoolSize: 1, Phases: phases}
	}
	pool := func(n int, phases ...PhaseResult) Run {
		return Run{Widgets: n, Parallelism: 10, AccessTokens: defaultAccessTokens, PoolSize: 10, Phases: phases}
	}
	return []Run{
		one(500,
			phaseOf(PhaseCreate, 500, 1500, 1500, 1, 245*time.Second, 1, 6),  // floor 240 s
			phaseOf(PhaseRefresh, 500, 1000, 1000, 1, 141*time.Second, 1, 4), // floor 140 s
			phaseOf(PhaseRead, 500, 11, 11, 1, 2*time.Second, 1, 1),          // 2 × 5 pages + 1
			phaseOf(PhaseUpdate, 500, 1500, 1500, 2, 185*time.Second, 1, 8),  // two walks of 750: 2 × 90 s
			phaseOf(PhaseDestroy, 500, 500, 500, 1, 41*time.Second, 1, 3),    // floor 40 s
		),
		pool(500, // the client's 300 at a process's start, then 50 a second
			phaseOf(PhaseCreate, 500, 1500, 1500, 1, 25*time.Second, 10, 6),       // floor 24 s
			phaseOf(PhaseRefresh, 500, 550, 550, 1, 5500*time.Millisecond, 10, 4), // floor 5 s
			phaseOf(PhaseRead, 500, 11, 11, 1, 2*time.Second, 10, 1),
			phaseOf(PhaseUpdate, 500, 1050, 1050, 2, 9500*time.Millisecond, 10, 8), // two walks of 525: 2 × 4.5 s
			phaseOf(PhaseDestroy, 500, 500, 500, 1, 4400*time.Millisecond, 10, 3),  // floor 4 s
		),
	}
}

func targetNamed(t *testing.T, targets []Target, prefix string) Target {
	t.Helper()
	for _, tg := range targets {
		if strings.HasPrefix(tg.Name, prefix) {
			return tg
		}
	}
	t.Fatalf("no target %q in %+v", prefix, targets)
	return Target{}
}

func TestNewPhaseResult(t *testing.T) {
	p := goodRuns()[0].Phases[3]
	if p.FloorSeconds != 180 || p.Ratio == nil || *p.Ratio < 1.027 || *p.Ratio > 1.028 {
		t.Errorf("update: floor %v ratio %v; want 180 s and 185/180", p.FloorSeconds, p.Ratio)
	}
	if p.PerWidget != 3 || p.RoutePerWdgt["POST /api/v2/integrations"] != 3 || p.CPUPerWidgetMs != 8 || p.Widgets != 500 {
		t.Errorf("per widget %v, by route %v, CPU %v ms, widgets %d", p.PerWidget, p.RoutePerWdgt, p.CPUPerWidgetMs, p.Widgets)
	}
	pooled := goodRuns()[1].Phases[0]
	if pooled.FloorSeconds != 24 || pooled.Ratio == nil {
		t.Errorf("the pool's create: floor %v ratio %v; want (1500 − 300) / 50 = 24 s", pooled.FloorSeconds, pooled.Ratio)
	}
	read := goodRuns()[1].Phases[2]
	if read.FloorSeconds != 0 || read.Ratio != nil {
		t.Errorf("within one token's allowance: floor %v ratio %v; want 0 and none", read.FloorSeconds, read.Ratio)
	}
}

func TestEvaluateAllMet(t *testing.T) {
	targets := Evaluate(goodRuns())
	if len(targets) != 10 {
		t.Fatalf("%d targets, want 10", len(targets))
	}
	for _, tg := range targets {
		if !tg.Met {
			t.Errorf("target %q %s: %s", tg.Name, tg.verdict(), tg.Measured)
		}
	}
	if r := targetNamed(t, targets, "Wall time / floor at N=500, max_access_tokens default"); !strings.Contains(r.Measured, "1.100") {
		t.Errorf("pool ratio target = %+v; want the refresh's and the destroy's 1.100", r)
	}
	if r := targetNamed(t, targets, "Wall time / floor at N=500, max_access_tokens 1"); !strings.Contains(r.Measured, "1.028") {
		t.Errorf("one-token ratio target = %+v; want the update phase's 185/180", r)
	}
}

func TestEvaluateMisses(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(runs []Run)
		target string
	}{
		{"a refused request counts", func(r []Run) {
			r[0].Phases[0] = phaseOf(PhaseCreate, 500, 1501, 1500, 1, 245*time.Second, 1, 6)
		}, "Requests to create"},
		{"refresh over 1.2 with the pool", func(r []Run) {
			r[1].Phases[1] = phaseOf(PhaseRefresh, 500, 601, 601, 1, 6*time.Second, 10, 4)
		}, "Requests to refresh"},
		{"a 429 with the pool", func(r []Run) {
			r[1].Phases[3] = phaseOf(PhaseUpdate, 500, 1051, 1050, 2, 9500*time.Millisecond, 10, 8)
		}, "429 answers"},
		{"a slow create with the pool", func(r []Run) {
			r[1].Phases[0] = phaseOf(PhaseCreate, 500, 1500, 1500, 1, 41*time.Second, 10, 6)
		}, "Create wall time"},
		{"a phase over its floor with the pool", func(r []Run) {
			r[1].Phases[3] = phaseOf(PhaseUpdate, 500, 1050, 1050, 2, 11*time.Second, 10, 8) // 11/9
		}, "Wall time / floor at N=500, max_access_tokens default"},
		{"CPU over 8 ms with the pool", func(r []Run) {
			r[1].Phases[1] = phaseOf(PhaseRefresh, 500, 550, 550, 1, 5500*time.Millisecond, 10, 8.1)
		}, "Provider CPU"},
		{"a slow phase with one token", func(r []Run) {
			r[0].Phases[4] = phaseOf(PhaseDestroy, 500, 500, 500, 1, 45*time.Second, 1, 3) // 45/40
		}, "Wall time / floor at N=500, max_access_tokens 1"},
		{"a failed phase with one token has no ratio to show", func(r []Run) {
			r[0].Phases[1].Error = "terraform exited 1"
		}, "Wall time / floor at N=500, max_access_tokens 1"},
		{"two tokens in one process with one token", func(r []Run) {
			r[0].Phases[1].Processes[0].TokensMinted = 2
		}, "Tokens minted per provider process"},
		{"more than the least to read", func(r []Run) {
			r[1].Phases[2] = phaseOf(PhaseRead, 500, 12, 12, 1, 2*time.Second, 10, 1)
		}, "Requests to read"},
		{"a failed resource", func(r []Run) { r[0].Phases[2].Failed = 1 }, "Failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := goodRuns()
			tt.mutate(runs)
			if tg := targetNamed(t, Evaluate(runs), tt.target); tg.Met || tg.NotApplicable {
				t.Errorf("%q %s (%s); want missed", tg.Name, tg.verdict(), tg.Measured)
			}
		})
	}
}

// When every phase fits in what a process can count on, no ratio can be judged: n/a, not met.
func TestEvaluatePoolRatioWithoutAFloor(t *testing.T) {
	runs := []Run{{Widgets: 500, Parallelism: 10, AccessTokens: defaultAccessTokens, PoolSize: 10, Phases: []PhaseResult{
		phaseOf(PhaseRead, 500, 11, 11, 1, 2*time.Second, 10, 1),
	}}}
	tg := targetNamed(t, Evaluate(runs), "Wall time / floor at N=500, max_access_tokens default")
	if tg.Met || !tg.NotApplicable || tg.verdict() != "n/a" {
		t.Errorf("%+v; want n/a", tg)
	}
}

func TestEvaluateNothingMeasuredIsMissed(t *testing.T) {
	for _, tg := range Evaluate(nil) {
		if tg.Met || tg.NotApplicable {
			t.Errorf("%q %s with no runs", tg.Name, tg.verdict())
		}
	}
}

func TestEvaluateAtLargestNWhen500DidNotRun(t *testing.T) {
	runs := []Run{{Widgets: 10, Parallelism: 10, AccessTokens: defaultAccessTokens, PoolSize: 10, Phases: []PhaseResult{
		phaseOf(PhaseCreate, 10, 30, 30, 1, 2*time.Second, 10, 6),
	}}}
	tg := targetNamed(t, Evaluate(runs), "Provider CPU")
	if !strings.Contains(tg.Name, "at N=10") || !strings.Contains(tg.Limit, "asks it at N=500") {
		t.Errorf("target = %+v; want it judged at N=10, saying the issue asks N=500", tg)
	}
}

func sampleResult() Result {
	runs := goodRuns()
	return Result{
		Command:  "genesys-bench -n 500 -access-tokens 1,default",
		Started:  t0,
		Finished: t0.Add(20 * time.Minute),
		Machine:  Machine{OS: "linux", Arch: "amd64", CPUs: 2, GoVersion: "go1.26.8", Terraform: "1.16.2", LoadAvgStart: "0.5 0.4 0.3"},
		Settings: Settings{Widgets: []int{500}, Parallelism: []int{10}, AccessTokens: []string{"1", "default"}, Limits: genesysLimits},
		Runs:     runs,
		Targets:  Evaluate(runs),
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, sampleResult(), "results.png"); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"Command: `genesys-bench -n 500 -access-tokens 1,default`",
		"2 CPUs", "go1.26.8", "Terraform 1.16.2", "Load average at start: 0.5 0.4 0.3",
		"300 requests per minute per access token (bucket of 300), 3000 per minute per OAuth client across its tokens, 60 tokens created per minute per OAuth client",
		"| Requests to create and activate | ≤ 3 per widget | 3.00 (every run judged) | **met** |",
		"| Wall time / floor at N=500, max_access_tokens default |",
		"## max_access_tokens 1, parallelism 10",
		"## max_access_tokens default (10), parallelism 10",
		// One token, N=500 update: 1500 requests, 3/widget, no 429, 2 tokens, wall 185 of floor 180, 8 ms/widget.
		"| 500 | update | 1500 | 3.00 | 0 | 2 | 0 | 185.0 | 180.0 | 1.028 | 4.00 (4) | 8.0 | 40 | 0.0 | 0 |",
		// The pool, N=500 create: 25 s of a floor of 24.
		"| 500 | create | 1500 | 3.00 | 0 | 1 | 0 | 25.0 | 24.0 | 1.042 | 3.00 (4) | 6.0 | 40 | 0.0 | 0 |",
		// The read: within one token's allowance, no ratio.
		"| 500 | read | 11 | 0.02 | 0 | 1 | 0 | 2.0 | 0.0 | — |",
		"| max_access_tokens | Parallelism | N | Phase | POST (collection) |",
		"](results.png)",
		"`terraform destroy -refresh=false`",
		// Results from before -state kept their state locally.
		"Terraform's state: the local backend (`terraform.tfstate`)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	res := sampleResult()
	res.Settings.State = stateHTTP
	b.Reset()
	if err := WriteMarkdown(&b, res, "results.png"); err != nil {
		t.Fatal(err)
	}
	if want := "Terraform's state: the http backend, served by the benchmark"; !strings.Contains(b.String(), want) {
		t.Errorf("a -state http report lacks %q", want)
	}
	// Every table row has as many cells as its header.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| 500 | update |") && strings.Count(line, "|") != 16 {
			t.Errorf("row %q has %d separators, want 16", line, strings.Count(line, "|"))
		}
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	var b bytes.Buffer
	res := sampleResult()
	if err := WriteJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	got := back.Runs[0].Phases[3]
	if got.APIRequests != 1500 || got.TokensMinted != 2 || got.FloorSeconds != 180 || got.Ratio == nil ||
		got.Provider.Processes != 4 || len(got.Processes) != 2 || got.CPUPerWidgetMs != 8 {
		t.Errorf("update phase after a round trip = %+v", got)
	}
	if len(back.Targets) != 10 || back.Settings.Limits != genesysLimits || back.Runs[1].PoolSize != 10 {
		t.Errorf("targets %d, settings %+v", len(back.Targets), back.Settings)
	}
	for _, key := range []string{`"requestsPerWidget"`, `"floorSeconds"`, `"ratio"`, `"tooManyRequests"`, `"tokensMinted"`,
		`"retries"`, `"peakRssBytes"`, `"cpuPerWidgetMs"`, `"accessTokens"`, `"clientRatePerMinute"`} {
		if !bytes.Contains(b.Bytes(), []byte(key)) {
			t.Errorf("the JSON lacks %s", key)
		}
	}
}

func TestRenderFromJSON(t *testing.T) {
	dir := t.TempDir()
	res := sampleResult()
	res.Targets = nil                                                        // render judges the targets afresh
	res.Runs[0].Phases[0].FloorSeconds, res.Runs[0].Phases[0].Ratio = 0, nil // and computes the floors afresh
	var b bytes.Buffer
	if err := WriteJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.json")
	if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := render(in, out); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| 500 | create | 1500 | 3.00 | 0 | 1 | 0 | 245.0 | 240.0 | 1.021 |") {
		t.Errorf("the rendered report does not compute the floor afresh:\n%s", md)
	}
	if !strings.Contains(string(md), "| Failed resources | 0 | 0 | **met** |") {
		t.Errorf("the rendered report does not judge the targets:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(out, plotFile)); err != nil {
		t.Errorf("no plot: %v", err)
	}
}
