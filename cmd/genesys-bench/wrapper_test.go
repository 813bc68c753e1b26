package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestRunWrappedRecordsTheChild(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to stand in for a provider")
	}
	usage := filepath.Join(t.TempDir(), "usage.jsonl")
	// Two runs, as two provider processes of one phase would append.
	if code := runWrapped(sh, usage, []string{"-c", "exit 0"}); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if code := runWrapped(sh, usage, []string{"-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3"}); code != 3 {
		t.Errorf("exit code %d, want the child's 3", code)
	}
	got, err := readUsage(usage)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("usage lines = %+v, want two", got)
	}
	if got[0].ExitCode != 0 || got[1].ExitCode != 3 || got[0].PID == got[1].PID {
		t.Errorf("usage = %+v", got)
	}
	if runtime.GOOS == "linux" && (got[1].MaxRSS < 100<<10 || got[1].CPU <= 0 || got[1].Wall <= 0) {
		t.Errorf("usage of a busy shell = %+v; want its CPU time, peak RSS and wall time", got[1])
	}
}

func TestRunWrappedMissingProvider(t *testing.T) {
	usage := filepath.Join(t.TempDir(), "usage.jsonl")
	if code := runWrapped(filepath.Join(t.TempDir(), "nothing-here"), usage, nil); code == 0 {
		t.Error("a provider that cannot start exited 0")
	}
}

func TestReadUsageMissingFileIsNoProcesses(t *testing.T) {
	got, err := readUsage(filepath.Join(t.TempDir(), "absent.jsonl"))
	if err != nil || len(got) != 0 {
		t.Errorf("readUsage = %v, %v; want nothing, no error", got, err)
	}
}

func TestSummarize(t *testing.T) {
	got := Summarize([]ProcessUsage{
		{CPU: 2 * time.Second, MaxRSS: 30 << 20},
		{CPU: 500 * time.Millisecond, MaxRSS: 45 << 20},
		{CPU: time.Second, MaxRSS: 20 << 20},
	})
	want := UsageSummary{Processes: 3, CPU: 3500 * time.Millisecond, PeakRSS: 45 << 20}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
}
