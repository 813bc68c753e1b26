package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// providerTF is the terraform and provider blocks every configuration uses: backend is the
// terraform block's backend, if any (bench.backendTF); the client secret comes from
// GENESYS_CLIENT_SECRET, and max_access_tokens is written only when the run sets it.
func providerTF(accessTokens, backend string) string {
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    genesys = {
      source = "terraform-genesys/genesys"
    }
  }
` + backend + `}

variable "api_url" {
  type = string
}

variable "client_id" {
  type = string
}

provider "genesys" {
  client_id = var.client_id
  api_url   = var.api_url
`)
	if accessTokens != defaultAccessTokens {
		fmt.Fprintf(&b, "  max_access_tokens = %s\n", accessTokens)
	}
	b.WriteString("}\n")
	return b.String()
}

// widgetsTF is the configuration the create, refresh, update and destroy phases apply: N
// widgets of one provider block, whose description the update phase changes.
const widgetsTF = `
variable "n" {
  type = number
}

variable "description" {
  type = string
}

resource "genesys_agent_widget" "w" {
  count = var.n

  name         = format("bench-widget-%04d", count.index)
  description  = var.description
  type         = count.index % 2 == 0 ? "webapp" : "integration"
  manifest_url = "https://widgets.example.com/bench/${count.index}/index.html"
  dimensions   = { width = 640, height = 480 }
}
`

// readTF is the configuration of the read phase, in a directory of its own: what a pipeline
// that promotes "everything staging has" reads, every benchmark widget through the list data
// source and one of them by name.
const readTF = `
data "genesys_agent_widgets" "all" {
  name_prefix = "bench-widget-"
}

data "genesys_agent_widget" "first" {
  name = "bench-widget-0000"
}

output "found" {
  value = length(data.genesys_agent_widgets.all.ids)
}

output "first_id" {
  value = data.genesys_agent_widget.first.id
}
`

const (
	descriptionCreated = "benchmark widget, as created"
	descriptionUpdated = "benchmark widget, as updated"
)

// phaseTimeout bounds one terraform command; at 300 requests per minute 1000 widgets take
// minutes, not hours.
const phaseTimeout = 90 * time.Minute

// runDir names a run's working directory (and its CPU profiles' directory).
func runDir(n, p int, accessTokens string) string {
	return fmt.Sprintf("n%d-p%d-t%s", n, p, accessTokens)
}

// runOne runs the phases for n widgets at parallelism p and an access-token setting against a
// fresh org. A phase that fails ends the run, after a destroy that tries to leave the org empty.
func (b *bench) runOne(ctx context.Context, n, p int, accessTokens string) Run {
	r := Run{Widgets: n, Parallelism: p, AccessTokens: accessTokens, PoolSize: b.opts.poolSize(accessTokens)}
	b.emu.Reset()
	dir := filepath.Join(b.work, "runs", runDir(n, p, accessTokens))
	readDir := filepath.Join(dir, "read")
	err := os.MkdirAll(readDir, 0o755)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "main.tf"), []byte(providerTF(accessTokens, b.backendTF(dir))+widgetsTF), 0o644)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(readDir, "main.tf"), []byte(providerTF(accessTokens, b.backendTF(readDir))+readTF), 0o644)
	}
	if err == nil && b.opts.state != stateLocal {
		// A backend other than the local one needs terraform init; it is not a phase.
		for _, d := range []string{dir, readDir} {
			if code, _, _, out := b.terraformRun(ctx, d, "init", []string{"init", "-input=false", "-no-color"}); code != 0 {
				err = fmt.Errorf("terraform init in %s exited %d: %s", d, code, firstError(out))
				break
			}
		}
	}
	if err != nil {
		r.Phases = append(r.Phases, PhaseResult{Phase: PhaseCreate, Failed: n, Error: err.Error()})
		return r
	}
	vars := func(phase, description string) []string {
		v := []string{"-var", "api_url=" + b.apiURL, "-var", "client_id=" + clientFor(phase)}
		if description != "" {
			v = append(v, "-var", "n="+strconv.Itoa(n), "-var", "description="+description)
		}
		return v
	}
	common := []string{"-input=false", "-no-color", "-compact-warnings", "-parallelism=" + strconv.Itoa(p)}
	destroyArgs := append([]string{"destroy", "-auto-approve"}, common...)
	if !b.opts.destroyRefresh {
		destroyArgs = append(destroyArgs, "-refresh=false")
	}
	apply := append([]string{"apply", "-auto-approve"}, common...)
	steps := []struct {
		phase, dir string
		args       []string
		verify     func(exitCode int, output []byte) (failed int, err error)
	}{
		{PhaseCreate, dir, append(slices.Clone(apply), vars(PhaseCreate, descriptionCreated)...),
			func(code int, out []byte) (int, error) { return b.verifyApplied(dir, n, descriptionCreated, code, out) }},
		{PhaseRefresh, dir, append(append([]string{"plan", "-detailed-exitcode"}, common...), vars(PhaseRefresh, descriptionCreated)...),
			func(code int, out []byte) (int, error) { return verifyNoChanges(n, code, out) }},
		{PhaseRead, readDir, append(slices.Clone(apply), vars(PhaseRead, "")...),
			func(code int, out []byte) (int, error) { return b.verifyRead(dir, readDir, n, code, out) }},
		{PhaseUpdate, dir, append(slices.Clone(apply), vars(PhaseUpdate, descriptionUpdated)...),
			func(code int, out []byte) (int, error) { return b.verifyApplied(dir, n, descriptionUpdated, code, out) }},
		{PhaseDestroy, dir, append(slices.Clone(destroyArgs), vars(PhaseDestroy, descriptionUpdated)...),
			func(code int, out []byte) (int, error) { return b.verifyDestroyed(dir, code, out) }},
	}
	for i, s := range steps {
		ph := b.phase(ctx, s.dir, r, s.phase, s.args, s.verify)
		r.Phases = append(r.Phases, ph)
		if ph.Error != "" {
			if i < len(steps)-1 && ctx.Err() == nil {
				b.log.Printf("%s: %s failed; destroying what is left", runName(r), s.phase)
				cleanup := append(slices.Clone(destroyArgs), vars(phaseCleanup, descriptionUpdated)...)
				_, _, _, _ = b.terraformRun(ctx, dir, phaseCleanup, cleanup)
			}
			break
		}
	}
	return r
}

// phase runs one terraform command and accounts for it.
func (b *bench) phase(ctx context.Context, dir string, r Run, name string, args []string,
	verify func(int, []byte) (int, error)) PhaseResult {
	b.emu.ResetJournal()
	code, wall, tfCPU, out := b.terraformRun(ctx, dir, name, args)
	procs, uerr := readUsage(filepath.Join(dir, name+".usage.jsonl"))
	counts := Account(b.emu.Journal(), procs)
	usage := Summarize(procs)

	res := NewPhaseResult(name, r.Widgets, counts, wall, b.settings.Limits, r.PoolSize, usage)
	res.Command = args
	res.ExitCode = code
	res.TerraformCPUSeconds = tfCPU.Seconds()
	failed, err := verify(code, out)
	res.Failed = failed
	if err == nil && uerr != nil {
		err = fmt.Errorf("reading provider usage: %w", uerr)
	}
	if err != nil {
		res.Error = err.Error()
	}
	b.log.Printf("%s %-7s %5d requests (%.2f/widget), %d 429s, %d tokens minted, %d retries; wall %.1fs, floor %.1fs, ratio %s; provider CPU %.2fs (%.1f ms/widget) in %d processes, peak RSS %.0f MiB; failed %d%s",
		runName(r), name, res.APIRequests, res.PerWidget, res.TooManyRequests, res.TokensMinted, res.Retries,
		res.WallSeconds, res.FloorSeconds, formatRatio(res.Ratio), usage.CPU.Seconds(), res.CPUPerWidgetMs, usage.Processes,
		float64(usage.PeakRSS)/(1<<20), res.Failed, errSuffix(res.Error))
	return res
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return " (" + e + ")"
}

// terraformRun runs terraform in dir with the benchmark's environment; its output goes to
// name.log in dir and is returned, with terraform's own CPU time (its providers' not included:
// they are the wrapper's children, not terraform's). The exit code is -1 when terraform could
// not be run.
func (b *bench) terraformRun(ctx context.Context, dir, name string, args []string) (code int, wall, cpu time.Duration, output []byte) {
	ctx, cancel := context.WithTimeout(ctx, phaseTimeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, b.terraform, args...)
	cmd.Dir = dir
	env, err := b.env(dir, name)
	if err != nil {
		return -1, 0, 0, []byte("Error: " + err.Error())
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &out, &out
	// Interrupted, terraform stops its providers and saves its state; killing it would not.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if ps := cmd.ProcessState; ps != nil {
		cpu = ps.UserTime() + ps.SystemTime()
	}
	_ = os.WriteFile(filepath.Join(dir, name+".log"), out.Bytes(), 0o644)
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		code = -1
		fmt.Fprintf(&out, "\nError: running terraform: %v\n", err)
	}
	return code, wall, cpu, out.Bytes()
}

// env is the environment of every terraform command: the machine's, without anything that
// would change what Terraform or the provider do (TF_LOG, TF_CLI_ARGS, GENESYS_*), plus the
// benchmark's CLI configuration, credentials and wrapper settings. dir is the run's directory,
// name the phase's.
func (b *bench) env(dir, name string) ([]string, error) {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "GENESYS_") || k == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+filepath.Join(b.work, "terraformrc"),
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"GENESYS_CLIENT_SECRET="+b.secret,
		envWrappedProvider+"="+b.provider,
		envUsageFile+"="+filepath.Join(dir, name+".usage.jsonl"),
	)
	if b.opts.cpuProfile != "" {
		// The provider's own switch (cpuprofile.go at the module root): one profile per process.
		run := dir
		if filepath.Base(dir) == "read" {
			run = filepath.Dir(dir)
		}
		profiles := filepath.Join(b.opts.cpuProfile, filepath.Base(run), name)
		if err := os.MkdirAll(profiles, 0o755); err != nil {
			return nil, err
		}
		env = append(env, "GENESYS_PROVIDER_CPUPROFILE="+profiles)
	}
	return env, nil
}

// stateWidget is what the benchmark reads of a widget in a state document.
type stateWidget struct {
	ID            string `json:"id"`
	ReportedState string `json:"reported_state"`
	Description   string `json:"description"`
}

func parseStateWidgets(data []byte) ([]stateWidget, error) {
	var st struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Instances []struct {
				Attributes stateWidget `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	var out []stateWidget
	for _, r := range st.Resources {
		if r.Mode != "managed" || r.Type != "genesys_agent_widget" {
			continue
		}
		for _, in := range r.Instances {
			out = append(out, in.Attributes)
		}
	}
	return out, nil
}

// verifyApplied counts the widgets that are not as the apply should have left them: in state,
// ACTIVE there and in the org, with the description applied. Integrations in the org that the
// state does not know (duplicates, orphans) are failures too.
func (b *bench) verifyApplied(dir string, n int, description string, code int, out []byte) (int, error) {
	widgets, err := b.readStateWidgets(dir)
	if err != nil {
		return n, err
	}
	org := map[string]emulator.Integration{}
	for _, in := range b.emu.Integrations(benchOrgID) {
		org[in.ID] = in
	}
	good := 0
	inState := map[string]bool{}
	for _, w := range widgets {
		inState[w.ID] = true
		in, ok := org[w.ID]
		if !ok || w.ReportedState != emulator.ReportedActive || w.Description != description {
			continue
		}
		cfg, ok := b.emu.IntegrationConfig(benchOrgID, w.ID)
		if ok && in.IntendedState == emulator.StateEnabled && in.ReportedState.Code == emulator.ReportedActive && cfg.Notes == description {
			good++
		}
	}
	orphans := 0
	for id := range org {
		if !inState[id] {
			orphans++
		}
	}
	failed := max(0, n-good) + orphans
	switch {
	case code != 0:
		return max(failed, 1), fmt.Errorf("terraform exited %d: %s", code, firstError(out))
	case failed > 0:
		return failed, fmt.Errorf("%d of %d widgets as intended, %d integrations not in state", good, n, orphans)
	}
	return 0, nil
}

var planSummary = regexp.MustCompile(`Plan: (\d+) to add, (\d+) to change, (\d+) to destroy`)

// verifyNoChanges reads plan -detailed-exitcode: 0 is no changes, 2 is changes (each changed
// resource a failure), anything else an error.
func verifyNoChanges(n, code int, out []byte) (int, error) {
	switch code {
	case 0:
		return 0, nil
	case 2:
		failed := 0
		if m := planSummary.FindSubmatch(out); m != nil {
			for _, g := range m[1:] {
				v, _ := strconv.Atoi(string(g))
				failed += v
			}
		}
		return max(failed, 1), fmt.Errorf("the plan after apply is not empty (%d changes)", failed)
	}
	return n, fmt.Errorf("terraform exited %d: %s", code, firstError(out))
}

// verifyDestroyed counts what destroy left behind, in the org and in state.
func (b *bench) verifyDestroyed(dir string, code int, out []byte) (int, error) {
	widgets, err := b.readStateWidgets(dir)
	if err != nil {
		return 0, err
	}
	left := len(b.emu.Integrations(benchOrgID))
	failed := max(left, len(widgets))
	switch {
	case code != 0:
		return max(failed, 1), fmt.Errorf("terraform exited %d: %s", code, firstError(out))
	case failed > 0:
		return failed, fmt.Errorf("%d integrations left in the org, %d widgets in state", left, len(widgets))
	}
	return 0, nil
}

// verifyRead checks the read phase's outputs: every benchmark widget listed, and the one read
// by name the one the widgets' state holds at index 0.
func (b *bench) verifyRead(widgetsDir, readDir string, n, code int, out []byte) (int, error) {
	if code != 0 {
		return 1, fmt.Errorf("terraform exited %d: %s", code, firstError(out))
	}
	data, err := b.readState(readDir)
	if err != nil {
		return 1, err
	}
	if data == nil {
		return 1, errors.New("the read phase left no state")
	}
	var st struct {
		Outputs map[string]struct {
			Value any `json:"value"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return 1, fmt.Errorf("reading the read phase's state: %w", err)
	}
	found, _ := st.Outputs["found"].Value.(float64)
	firstID, _ := st.Outputs["first_id"].Value.(string)
	widgets, err := b.readStateWidgets(widgetsDir)
	if err != nil {
		return 1, fmt.Errorf("reading the widgets' state: %w", err)
	}
	if len(widgets) == 0 {
		return 1, errors.New("no widgets in the state to compare with")
	}
	switch {
	case int(found) != n:
		return max(1, n-int(found)), fmt.Errorf("genesys_agent_widgets found %d widgets, want %d", int(found), n)
	case firstID != widgets[0].ID:
		return 1, fmt.Errorf("genesys_agent_widget read %q by name, want %q", firstID, widgets[0].ID)
	}
	return 0, nil
}

// firstError is the first "Error:" line of terraform's output, for the report.
func firstError(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Error:") {
			return strings.TrimSpace(line)
		}
	}
	return "no error message"
}
