package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

const (
	benchOrgID = "bench-org"
	plotFile   = "results.png"
)

// clientFor is the OAuth client a phase's terraform command uses: each phase has one of its
// own, so it starts with full buckets (the client's allowance and its token creations) and its
// floor depends on nothing that ran before it.
func clientFor(phase string) string { return "bench-" + phase }

// bench is one invocation: the emulator, the built provider, and where terraform runs.
type bench struct {
	opts      options
	settings  Settings
	emu       *emulator.Server
	apiURL    string
	secret    string
	terraform string
	work      string
	pluginDir string
	provider  string      // the real provider binary the wrapper runs
	states    *stateStore // the http backend's documents, with -state http
	stateURL  string
	log       *log.Logger
}

func run(ctx context.Context, o options) error {
	res := Result{
		Command: strings.TrimSpace("genesys-bench " + strings.Join(o.args, " ")),
		Started: time.Now(),
		Settings: Settings{
			Widgets: o.widgets, Parallelism: o.parallelism, AccessTokens: o.accessTokens,
			Limits: o.limits, DestroyRefresh: o.destroyRefresh, State: o.state,
		},
	}
	b := &bench{opts: o, settings: res.Settings, log: log.New(os.Stderr, "genesys-bench: ", log.LstdFlags)}
	var err error
	if b.terraform, err = filepath.Abs(o.terraform); err != nil {
		return err
	}
	if o.cpuProfile != "" {
		// Terraform runs the provider in each run's directory; the path must not depend on it.
		if b.opts.cpuProfile, err = filepath.Abs(o.cpuProfile); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	b.work = o.work
	if b.work == "" {
		if b.work, err = os.MkdirTemp("", "genesys-bench-"); err != nil {
			return err
		}
	}
	if b.work, err = filepath.Abs(b.work); err != nil {
		return err
	}
	if o.keep || o.work != "" {
		b.log.Printf("working directory: %s", b.work)
	} else {
		defer os.RemoveAll(b.work)
	}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	stopEmulator, err := b.startEmulator(ctx)
	if err != nil {
		return err
	}
	defer stopEmulator()
	if o.state == stateHTTP {
		var stopStates func()
		if b.states, b.stateURL, stopStates, err = startStateStore(ctx); err != nil {
			return err
		}
		defer stopStates()
	}

	res.Machine = b.machine(ctx)
	b.log.Printf("emulator at %s: %s; %s; Terraform %s", b.apiURL, describeLimits(o.limits), res.Machine.GoVersion, res.Machine.Terraform)

	for _, tokens := range o.accessTokens {
		for _, p := range o.parallelism {
			for _, n := range o.widgets {
				if ctx.Err() != nil {
					break
				}
				res.Runs = append(res.Runs, b.runOne(ctx, n, p, tokens))
				res.Finished = time.Now()
				res.Machine.LoadAvgFinish = loadAverage()
				res.Targets = Evaluate(res.Runs)
				// Written after every run, so an interrupted benchmark still leaves what it measured.
				if err := writeResults(o.out, res); err != nil {
					return err
				}
			}
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted; results so far are in %s", o.out)
	}
	b.log.Printf("results: %s", filepath.Join(o.out, "results.md"))
	for _, t := range res.Targets {
		b.log.Printf("target %-60s %-6s %s", t.Name, strings.ToUpper(t.verdict()), t.Measured)
	}
	return nil
}

// prepare builds the provider and puts the wrapper where dev_overrides points Terraform.
func (b *bench) prepare(ctx context.Context) error {
	root, err := providerRoot(ctx, b.opts.provider)
	if err != nil {
		return err
	}
	b.pluginDir = filepath.Join(b.work, "plugins")
	b.provider = filepath.Join(b.work, "provider", "terraform-provider-genesys")
	for _, d := range []string{b.pluginDir, filepath.Dir(b.provider)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	b.log.Printf("building the provider from %s", root)
	build := exec.CommandContext(ctx, "go", "build", "-o", b.provider, "-ldflags", "-X main.version=bench", ".")
	build.Dir = root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the provider: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := copyFile(self, filepath.Join(b.pluginDir, "terraform-provider-genesys")); err != nil {
		return fmt.Errorf("installing the wrapper: %w", err)
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"terraform-genesys/genesys", b.pluginDir)
	return os.WriteFile(filepath.Join(b.work, "terraformrc"), []byte(rc), 0o600)
}

// providerModule is the provider's module path; the benchmark's own module replaces it with
// the directory two levels up.
const providerModule = "github.com/terraform-genesys/terraform-provider-genesys"

// providerRoot is the provider's source directory: dir if given, else where the go command
// finds the provider's module from the current directory (the repository's root, where
// make bench runs, or cmd/genesys-bench, through its replace directive).
func providerRoot(ctx context.Context, dir string) (string, error) {
	if dir == "" {
		out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", providerModule).Output()
		if err != nil {
			return "", fmt.Errorf("finding the provider's source: go list -m %s: %w (run inside the repository, or set -provider)", providerModule, err)
		}
		dir = strings.TrimSpace(string(out))
	}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !strings.HasPrefix(string(data), "module "+providerModule+"\n") {
		return "", fmt.Errorf("%s does not hold the provider's module (%s)", dir, providerModule)
	}
	return filepath.Abs(dir)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// startEmulator serves a one-org emulator on a loopback port.
func (b *bench) startEmulator(ctx context.Context) (stop func(), err error) {
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	b.secret = hex.EncodeToString(secret)
	var clients []emulator.OAuthClient
	for _, phase := range append(slices.Clone(phases), phaseCleanup) {
		clients = append(clients, emulator.OAuthClient{ID: clientFor(phase), Secret: b.secret, OrgID: benchOrgID, OrgName: "Benchmark org"})
	}
	off := func(perMinute int) int { // the emulator takes a negative value for "no limit"
		if perMinute <= 0 {
			return -1
		}
		return perMinute
	}
	l := b.opts.limits
	b.emu, err = emulator.New(emulator.Config{
		Clients:            clients,
		RateLimit:          off(l.TokenRate),
		RateBurst:          max(l.TokenBurst, 0),
		ClientRateLimit:    off(l.ClientRate),
		TokenCreationLimit: off(l.TokenCreationRate),
	})
	if err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: b.emu, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			b.log.Printf("the emulator stopped serving: %v", err)
		}
	}()
	b.apiURL = "http://" + ln.Addr().String()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = b.emu.Close()
	}, nil
}

func (b *bench) machine(ctx context.Context) Machine {
	m := Machine{
		OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(),
		CPUModel: cpuModel(), GoVersion: runtime.Version(),
		TerraformPath: b.terraform, LoadAvgStart: loadAverage(),
	}
	m.Terraform = terraformVersion(ctx, b.terraform)
	if out, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty").Output(); err == nil {
		m.ProviderCommit = strings.TrimSpace(string(out))
	}
	return m
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// render writes the report and the plot again from a results.json, with the floors computed
// and the targets judged afresh: for a report whose format or floor changed after the run.
func render(jsonPath, dir string) error {
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		return err
	}
	var res Result
	if err := json.Unmarshal(data, &res); err != nil {
		return fmt.Errorf("%s: %w", jsonPath, err)
	}
	for i := range res.Runs {
		for j := range res.Runs[i].Phases {
			res.Runs[i].Phases[j].setFloor(res.Settings.Limits, res.Runs[i].PoolSize)
		}
	}
	res.Targets = Evaluate(res.Runs)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeResults(dir, res)
}

func writeResults(dir string, res Result) error {
	write := func(name string, fn func(io.Writer) error) error {
		tmp := filepath.Join(dir, "."+name+".tmp")
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		return os.Rename(tmp, filepath.Join(dir, name))
	}
	if err := write(plotFile, func(w io.Writer) error { return WritePlot(w, res) }); err != nil {
		return err
	}
	if err := write("results.json", func(w io.Writer) error { return WriteJSON(w, res) }); err != nil {
		return err
	}
	return write("results.md", func(w io.Writer) error { return WriteMarkdown(w, res, plotFile) })
}

// terraformVersion asks the CLI its version ("1.16.2"); "" if it will not say.
func terraformVersion(ctx context.Context, terraform string) string {
	cmd := exec.CommandContext(ctx, terraform, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if json.Unmarshal(out, &v) != nil {
		return ""
	}
	return v.Version
}
