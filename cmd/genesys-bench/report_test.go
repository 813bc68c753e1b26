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

// phaseOf builds a phase result as the benchmark would from a journal with one token.
func phaseOf(phase string, widgets, requests, accepted, tokens int, wall time.Duration) PhaseResult {
	settings := Settings{RatePerMinute: 300, Burst: 300}
	counts := Counts{
		APIRequests:     requests,
		ByRoute:         map[string]int{"POST /api/v2/integrations": requests},
		TooManyRequests: requests - accepted,
		Retries:         requests - accepted,
		TokenRequests:   tokens,
	}
	for i := range tokens {
		at := t0.Add(time.Duration(i) * time.Hour)
		counts.Tokens = append(counts.Tokens, TokenUse{Fingerprint: "t", Accepted: accepted / tokens, First: at, Last: at.Add(time.Minute)})
	}
	return NewPhaseResult(phase, widgets, counts, wall, settings, UsageSummary{Processes: 4, CPU: time.Second, PeakRSS: 40 << 20})
}

// signedIn is p with the token requests of n configured providers, when fewer tokens than that
// called the API (a plan walk of new widgets signs in and reads nothing).
func signedIn(p PhaseResult, n int) PhaseResult {
	p.TokenRequests = n
	return p
}

func goodRuns() []Run {
	return []Run{
		{Widgets: 10, Parallelism: 10, Phases: []PhaseResult{
			signedIn(phaseOf(PhaseCreate, 10, 30, 30, 1, 2*time.Second), 2),
			phaseOf(PhaseRefresh, 10, 20, 20, 1, time.Second),
			phaseOf(PhaseUpdate, 10, 30, 30, 2, 2*time.Second),
			signedIn(phaseOf(PhaseDestroy, 10, 10, 10, 1, time.Second), 2),
		}},
		{Widgets: 500, Parallelism: 10, Phases: []PhaseResult{
			signedIn(phaseOf(PhaseCreate, 500, 1500, 1500, 1, 250*time.Second), 2), // floor 240 s
			phaseOf(PhaseRefresh, 500, 1000, 1000, 1, 150*time.Second),             // floor 140 s
			phaseOf(PhaseUpdate, 500, 1500, 1500, 2, 195*time.Second),              // two tokens of 750: floor 2 × 90 s
			signedIn(phaseOf(PhaseDestroy, 500, 500, 500, 1, 43*time.Second), 2),   // floor 40 s
		}},
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
	p := goodRuns()[1].Phases[2]
	if p.FloorSeconds != 180 || p.Ratio == nil || *p.Ratio < 1.083 || *p.Ratio > 1.084 {
		t.Errorf("update: floor %v ratio %v; want 180 s and 195/180", p.FloorSeconds, p.Ratio)
	}
	if p.PerWidget != 3 || p.RoutePerWdgt["POST /api/v2/integrations"] != 3 {
		t.Errorf("per widget %v, by route %v; want 3", p.PerWidget, p.RoutePerWdgt)
	}
	small := goodRuns()[0].Phases[0]
	if small.FloorSeconds != 0 || small.Ratio != nil {
		t.Errorf("within the burst: floor %v ratio %v; want 0 and none", small.FloorSeconds, small.Ratio)
	}
}

func TestEvaluateAllMet(t *testing.T) {
	targets := Evaluate(goodRuns(), false)
	if len(targets) != 7 {
		t.Fatalf("%d targets, want 7", len(targets))
	}
	for _, tg := range targets {
		if !tg.Met {
			t.Errorf("target %q missed: %s", tg.Name, tg.Measured)
		}
	}
	if r := targetNamed(t, targets, "Wall time"); !strings.Contains(r.Measured, "1.083") || !strings.Contains(r.Name, "500") {
		t.Errorf("ratio target = %+v; want the update phase's 1.083 at 500 widgets", r)
	}
}

func TestEvaluateMisses(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(runs []Run)
		target string
	}{
		{"a refused request counts", func(r []Run) {
			r[1].Phases[0] = phaseOf(PhaseCreate, 500, 1501, 1500, 1, 250*time.Second)
		}, "Requests to create"},
		{"refresh over 2", func(r []Run) {
			r[0].Phases[1] = phaseOf(PhaseRefresh, 10, 21, 21, 1, time.Second)
		}, "Requests to refresh"},
		{"destroy over 1", func(r []Run) {
			r[1].Phases[3] = phaseOf(PhaseDestroy, 500, 1000, 1000, 1, 150*time.Second)
		}, "Requests to destroy"},
		{"three tokens for new widgets", func(r []Run) {
			r[0].Phases[0] = signedIn(phaseOf(PhaseCreate, 10, 30, 30, 1, 2*time.Second), 3)
		}, "Token requests per apply"},
		{"three tokens for an update's two walks", func(r []Run) {
			r[1].Phases[2] = phaseOf(PhaseUpdate, 500, 1500, 1500, 3, 195*time.Second)
		}, "Token requests per configured provider process"},
		{"two tokens for a refresh's one walk", func(r []Run) {
			r[0].Phases[1] = signedIn(phaseOf(PhaseRefresh, 10, 20, 20, 1, time.Second), 2)
		}, "Token requests per configured provider process"},
		{"a slow phase at 500", func(r []Run) {
			r[1].Phases[3] = phaseOf(PhaseDestroy, 500, 500, 500, 1, 45*time.Second) // 45/40
		}, "Wall time"},
		{"a failed resource", func(r []Run) { r[0].Phases[2].Failed = 1 }, "Failed"},
		{"a phase that errored has no ratio to show", func(r []Run) {
			r[1].Phases[1].Error = "terraform exited 1"
		}, "Wall time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := goodRuns()
			tt.mutate(runs)
			if tg := targetNamed(t, Evaluate(runs, false), tt.target); tg.Met {
				t.Errorf("%q met (%s); want missed", tg.Name, tg.Measured)
			}
		})
	}
}

func TestEvaluateNothingMeasuredIsMissed(t *testing.T) {
	for _, tg := range Evaluate(nil, false) {
		if tg.Met {
			t.Errorf("%q met with no runs", tg.Name)
		}
	}
}

func TestEvaluateRatioAtLargestNWhen500DidNotRun(t *testing.T) {
	runs := goodRuns()[:1]
	runs[0].Phases[0] = phaseOf(PhaseCreate, 10, 30, 30, 1, 2*time.Second)
	tg := targetNamed(t, Evaluate(runs, false), "Wall time")
	if !strings.Contains(tg.Name, "at 10 widgets") || !strings.Contains(tg.Limit, "asks it at 500") {
		t.Errorf("target = %+v; want it judged at 10 widgets, saying the issue asks 500", tg)
	}
}

func sampleResult() Result {
	runs := goodRuns()
	return Result{
		Command:  "genesys-bench -n 10,500 -parallelism 10",
		Started:  t0,
		Finished: t0.Add(20 * time.Minute),
		Machine:  Machine{OS: "linux", Arch: "amd64", CPUs: 2, GoVersion: "go1.26.8", Terraform: "1.16.2"},
		Settings: Settings{Widgets: []int{10, 500}, Parallelism: []int{10}, RatePerMinute: 300, Burst: 300},
		Runs:     runs,
		Targets:  Evaluate(runs, false),
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, sampleResult(), "wall-time.png"); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"Command: `genesys-bench -n 10,500 -parallelism 10`",
		"2 CPUs", "go1.26.8", "Terraform 1.16.2",
		"rate limit 300 requests per minute per token, bucket capacity (burst) 300",
		"| Requests to create and activate | ≤ 3 requests per widget | 3.00 (in every run) | **met** |",
		"| Requests to destroy | ≤ 1 request per widget |",
		"| Token requests per apply of new widgets | ≤ 2 (the plan and the apply each sign in) | 2 (in every run) | **met** |",
		"| Token requests per configured provider process | ≤ 1 | 1.00 (in every run) | **met** |",
		"| Wall time / floor at 500 widgets | ≤ 1.10 for every phase | 1.083 (worst: N=500, parallelism 10, update) | **met** |",
		"## Parallelism 10",
		// N=500 update: 1500 requests, 3/widget, no 429, 2 tokens, wall 195 of floor 180.
		"| 500 | update | 1500 | 3.00 | 0 | 2 | 0 | 195.0 | 180.0 | 1.083 | 1.00 (4) | 40 | 0 |",
		// N=10 create: within the burst, no ratio.
		"| 10 | create | 30 | 3.00 | 0 | 2 | 0 | 2.0 | 0.0 | — | 1.00 (4) | 40 | 0 |",
		"| Parallelism | N | Phase | POST (collection) |",
		"![Wall time of each phase against the number of widgets](wall-time.png)",
		"`terraform destroy -refresh=false`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	// Every table row has as many cells as its header.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| 500 | update |") && strings.Count(line, "|") != 14 {
			t.Errorf("row %q has %d separators, want 14", line, strings.Count(line, "|"))
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
	got := back.Runs[1].Phases[2]
	if got.APIRequests != 1500 || got.TokenRequests != 2 || got.FloorSeconds != 180 || got.Ratio == nil || got.Provider.Processes != 4 {
		t.Errorf("update phase after a round trip = %+v", got)
	}
	if len(back.Targets) != 7 || back.Settings.Burst != 300 {
		t.Errorf("targets %d, settings %+v", len(back.Targets), back.Settings)
	}
	for _, key := range []string{`"requestsPerWidget"`, `"floorSeconds"`, `"ratio"`, `"tooManyRequests"`, `"tokenRequests"`, `"retries"`, `"peakRssBytes"`} {
		if !bytes.Contains(b.Bytes(), []byte(key)) {
			t.Errorf("the JSON lacks %s", key)
		}
	}
}

func TestPanels(t *testing.T) {
	runs := append(goodRuns(), Run{Widgets: 10, Parallelism: 50, Phases: []PhaseResult{
		phaseOf(PhaseCreate, 10, 30, 30, 1, 3*time.Second),
	}})
	panels := Panels(runs, []int{10, 50})
	if len(panels) != 4 {
		t.Fatalf("%d panels, want one per phase", len(panels))
	}
	create := panels[0]
	if len(create.Series) != 3 {
		t.Fatalf("create panel series = %+v; want parallelism 10, 50 and the floor", create.Series)
	}
	p10, p50, floor := create.Series[0], create.Series[1], create.Series[2]
	if len(p10.Points) != 2 || p10.Points[0] != (Point{10, 2}) || p10.Points[1] != (Point{500, 250}) {
		t.Errorf("parallelism 10 = %+v", p10.Points)
	}
	if len(p50.Points) != 1 || p50.Points[0] != (Point{10, 3}) {
		t.Errorf("parallelism 50 = %+v", p50.Points)
	}
	if !floor.Dashed || len(floor.Points) != 2 || floor.Points[1] != (Point{500, 240}) {
		t.Errorf("floor = %+v", floor)
	}
}

func TestEvaluateZeroFloorIsNotJudged(t *testing.T) {
	runs := goodRuns()
	// Within the burst: no floor, no ratio; the other phases at 500 still decide.
	runs[1].Phases[3] = phaseOf(PhaseDestroy, 500, 200, 200, 1, time.Second)
	if tg := targetNamed(t, Evaluate(runs, false), "Wall time"); !tg.Met {
		t.Errorf("%+v; a phase without a floor should not miss the target", tg)
	}
}

func TestEvaluateTokensPerProcessWithRefreshingDestroy(t *testing.T) {
	runs := goodRuns()
	runs[1].Phases[3] = phaseOf(PhaseDestroy, 500, 1500, 1500, 3, 300*time.Second)
	runs[1].Phases[3].PerWidget = 1 // as if only the deletes were counted: this test is about tokens
	if tg := targetNamed(t, Evaluate(runs, false), "Token requests per configured provider process"); tg.Met {
		t.Errorf("%+v; three tokens for a destroy without refresh (two walks configure the provider) should miss", tg)
	}
	if tg := targetNamed(t, Evaluate(runs, true), "Token requests per configured provider process"); !tg.Met {
		t.Errorf("%+v; a destroy that refreshes has three walks configuring the provider", tg)
	}
}

func TestRenderFromJSON(t *testing.T) {
	dir := t.TempDir()
	res := sampleResult()
	res.Targets = nil // render judges the targets afresh
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
	if !strings.Contains(string(md), "| Failed resources | 0 | 0 | **met** |") {
		t.Errorf("the rendered report does not judge the targets:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(out, plotFile)); err != nil {
		t.Errorf("no plot: %v", err)
	}
}
