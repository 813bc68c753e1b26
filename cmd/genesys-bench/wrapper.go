package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// Terraform starts the provider named in dev_overrides; the benchmark points it at a copy of
// itself, which runs the real provider as a child with the same stdin, stdout, stderr, arguments
// and environment (the plugin handshake passes straight through), and when the child exits
// appends the child's resource usage to a file. These variables turn a copy into the wrapper.
const (
	envWrappedProvider = "GENESYS_BENCH_PROVIDER"   // path of the real provider binary
	envUsageFile       = "GENESYS_BENCH_USAGE_FILE" // file the usage lines are appended to
)

// ProcessUsage is one provider process's resource usage.
type ProcessUsage struct {
	PID      int           `json:"pid"`
	Start    time.Time     `json:"start"`    // when the wrapper started it; Start+Wall is when it ended
	CPU      time.Duration `json:"cpuNs"`    // user + system
	SysCPU   time.Duration `json:"sysCpuNs"` // the system part of CPU
	MaxRSS   int64         `json:"maxRssBytes"`
	Wall     time.Duration `json:"wallNs"`
	ExitCode int           `json:"exitCode"`
}

// runWrapped runs the real provider and records its usage; it returns the exit code to leave with.
func runWrapped(provider, usageFile string, args []string) int {
	// It runs until the provider exits: Terraform decides when that is.
	cmd := exec.CommandContext(context.Background(), provider, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = childProcAttr()

	// Terraform stops a plugin over its RPC channel and, failing that, kills the wrapper; the
	// child dies with it (childProcAttr). Signals sent to the wrapper itself are passed on.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	dieWithParent()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "genesys-bench wrapper: starting the provider: %v\n", err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	signal.Stop(sigs)
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "genesys-bench wrapper: %v\n", err)
		code = 1
	}
	u := ProcessUsage{PID: cmd.Process.Pid, Start: start, Wall: time.Since(start), ExitCode: code}
	u.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	u.SysCPU = cmd.ProcessState.SystemTime()
	u.MaxRSS = maxRSS(cmd.ProcessState)
	if err := appendUsage(usageFile, u); err != nil {
		fmt.Fprintf(os.Stderr, "genesys-bench wrapper: recording usage: %v\n", err)
	}
	if code < 0 { // killed by a signal
		code = 1
	}
	return code
}

// appendUsage adds one JSON line to path with a single write, so concurrent provider processes
// never interleave their lines.
func appendUsage(path string, u ProcessUsage) error {
	line, err := json.Marshal(u)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readUsage reads the lines appendUsage wrote; a missing file is no processes.
func readUsage(path string) ([]ProcessUsage, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []ProcessUsage
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var u ProcessUsage
		if err := json.Unmarshal(line, &u); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, i+1, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// UsageSummary is a phase's provider processes taken together.
type UsageSummary struct {
	Processes int           `json:"processes"`
	CPU       time.Duration `json:"cpuNs"`        // summed over the processes
	SysCPU    time.Duration `json:"sysCpuNs"`     // the system part of CPU, summed
	PeakRSS   int64         `json:"peakRssBytes"` // the largest of them
}

// Summarize adds up CPU time and keeps the largest peak RSS.
func Summarize(us []ProcessUsage) UsageSummary {
	s := UsageSummary{Processes: len(us)}
	for _, u := range us {
		s.CPU += u.CPU
		s.SysCPU += u.SysCPU
		s.PeakRSS = max(s.PeakRSS, u.MaxRSS)
	}
	return s
}
