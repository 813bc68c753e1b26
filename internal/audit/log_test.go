package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment of the helper process TestRecordFromConcurrentProcesses starts.
const (
	helperPathEnv = "GENESYS_AUDIT_TEST_HELPER_PATH"
	helperIDEnv   = "GENESYS_AUDIT_TEST_HELPER_ID"
	helperLines   = 300
)

func TestMain(m *testing.M) {
	if path := os.Getenv(helperPathEnv); path != "" {
		os.Exit(writeFromHelperProcess(path, os.Getenv(helperIDEnv)))
	}
	os.Exit(m.Run())
}

func writeFromHelperProcess(path, id string) int {
	l, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer l.Close()
	for i := range helperLines {
		if err := l.Record(bigEntry("proc-"+id, i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// bigEntry makes lines of several KiB, far larger than any buffer a torn write would hide in.
func bigEntry(writer string, i int) Entry {
	return Entry{
		Operation:  OpUpdate,
		Status:     StatusSuccess,
		WidgetID:   writer,
		WidgetName: strconv.Itoa(i),
		Error:      strings.Repeat(writer[len(writer)-1:], 3000),
		LatencyMs:  float64(i),
	}
}

func readEntries(t *testing.T, path string) []Entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e Entry
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("line %d is not one entry: %v\n%.200s", len(out)+1, err, sc.Text())
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenCreatesAPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 || perm&0o600 != 0o600 {
		t.Errorf("new audit log has mode %o; want 0600", perm)
	}
}

func TestOpenKeepsTheModeOfAnExistingFile(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o640} {
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(path, []byte(`{"operation":"create","status":"success"}`+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		l, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Record(Entry{Operation: OpDelete, Status: StatusSuccess}); err != nil {
			t.Fatal(err)
		}
		l.Close()
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != mode {
			t.Errorf("mode %o became %o", mode, fi.Mode().Perm())
		}
		if got := readEntries(t, path); len(got) != 2 || got[1].Operation != OpDelete {
			t.Errorf("existing lines not kept, or the new one not appended: %+v", got)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open(directory) = %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing", "audit.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(in a missing directory) = %v", err)
	}
}

func TestRecordWritesRunningFigures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	focused := false
	for _, e := range []Entry{
		{Operation: OpCreate, Status: StatusSuccess, LatencyMs: 10, WidgetID: "w-1", WidgetName: "Agent Dashboard", Environment: "mypurecloud.com", Timestamp: at, SuccessRate: 42, AvgLatencyMs: 42},
		{Operation: OpActivate, Status: StatusFailure, LatencyMs: 20, WidgetID: "w-1", CorrelationID: "c-1", Error: "409 conflict"},
		{Operation: OpScreenPop, Status: StatusSuccess, LatencyMs: 30, UserID: "u-1", IdempotencyKey: "k-1", PopID: "p-1", WindowFocused: &focused, TargetURL: "https://app.example.com/v#sessionToken=REDACTED&customer_id=REDACTED"},
		{Operation: OpDelete, Status: StatusSuccess, LatencyMs: math.NaN()},
	} {
		if err := l.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()

	got := readEntries(t, path)
	if len(got) != 4 {
		t.Fatalf("got %d lines; want 4", len(got))
	}
	wantRate := []float64{1, 0.5, 2.0 / 3, 0.75}
	wantAvg := []float64{10, 15, 20, 15}
	for i, e := range got {
		if e.SuccessRate != wantRate[i] || e.AvgLatencyMs != wantAvg[i] {
			t.Errorf("line %d: success_rate %v avg_latency_ms %v; want %v, %v", i+1, e.SuccessRate, e.AvgLatencyMs, wantRate[i], wantAvg[i])
		}
		if e.Timestamp.IsZero() || e.Timestamp.Location() != time.UTC {
			t.Errorf("line %d: timestamp %v not set in UTC", i+1, e.Timestamp)
		}
	}
	if !got[0].Timestamp.Equal(at) {
		t.Errorf("timestamp %v; want %v", got[0].Timestamp, at)
	}
	if got[2].WindowFocused == nil || *got[2].WindowFocused || got[2].PopID != "p-1" || got[2].TargetURL != "https://app.example.com/v#sessionToken=REDACTED&customer_id=REDACTED" {
		t.Errorf("screen pop line: %+v", got[2])
	}
	if got[3].LatencyMs != 0 {
		t.Errorf("NaN latency written as %v", got[3].LatencyMs)
	}

	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	for _, want := range []string{`"timestamp":"2025-03-01T11:00:00.123456789Z"`, `"operation":"create"`, `"widget_id":"w-1"`, `"widget_name":"Agent Dashboard"`, `"environment":"mypurecloud.com"`, `"status":"success"`, `"latency_ms":10`, `"success_rate":1`, `"avg_latency_ms":10`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("first line lacks %s:\n%s", want, lines[0])
		}
	}
	for _, absent := range []string{"window_focused", "user_id", "target_url", "error", "correlation_id"} {
		if strings.Contains(lines[0], absent) {
			t.Errorf("widget line has %s:\n%s", absent, lines[0])
		}
	}
	if !strings.Contains(lines[2], `"window_focused":false`) {
		t.Errorf("screen pop line lacks window_focused:\n%s", lines[2])
	}
	if st := (*Log)(nil).Stats(); st != (Stats{}) {
		t.Errorf("nil Stats = %+v", st)
	}
}

func TestRecordRefusesMalformedEntries(t *testing.T) {
	l, _ := Open("")
	if err := l.Record(Entry{Status: StatusSuccess}); err == nil {
		t.Error("entry without operation accepted")
	}
	if err := l.Record(Entry{Operation: OpCreate, Status: "ok"}); err == nil {
		t.Error("entry with status ok accepted")
	}
	if st := l.Stats(); st.Total != 0 {
		t.Errorf("refused entries counted: %+v", st)
	}
}

func TestNoOpSinks(t *testing.T) {
	var nilLog *Log
	if err := nilLog.Record(Entry{Operation: OpCreate, Status: StatusSuccess}); err != nil {
		t.Errorf("nil Log: %v", err)
	}
	if err := nilLog.Close(); err != nil {
		t.Errorf("nil Close: %v", err)
	}

	dir := t.TempDir()
	t.Chdir(dir)
	l, err := Open("")
	if err != nil || l == nil {
		t.Fatalf("Open(\"\") = %v, %v", l, err)
	}
	for _, s := range []string{StatusSuccess, StatusFailure} {
		if err := l.Record(Entry{Operation: OpCreate, Status: s, LatencyMs: 4}); err != nil {
			t.Fatal(err)
		}
	}
	if st := l.Stats(); st != (Stats{Total: 2, Succeeded: 1, SuccessRate: 0.5, AvgLatencyMs: 4}) {
		t.Errorf("Stats() = %+v", st)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the empty-path Log wrote %v", entries)
	}
}

func TestRecordAfterClose(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(Entry{Operation: OpCreate, Status: StatusSuccess}); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close = %v; want ErrClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestRecordFromConcurrentGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := l.Record(bigEntry(fmt.Sprintf("goroutine-%d", w), i)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	l.Close()
	checkInterleaving(t, readEntries(t, path), writers, each, "goroutine-")
	if st := l.Stats(); st.Total != writers*each || st.SuccessRate != 1 {
		t.Errorf("Stats() = %+v", st)
	}
}

// Several provider processes may share one audit log (O_APPEND, one write per line).
func TestRecordFromConcurrentProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	const procs = 3
	var cmds []*exec.Cmd
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperPathEnv+"="+path, helperIDEnv+"="+strconv.Itoa(p))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	checkInterleaving(t, readEntries(t, path), procs, helperLines, "proc-")
}

// checkInterleaving checks that every writer's lines are all there, whole, and in its order.
func checkInterleaving(t *testing.T, got []Entry, writers, each int, prefix string) {
	t.Helper()
	if len(got) != writers*each {
		t.Fatalf("got %d lines; want %d", len(got), writers*each)
	}
	next := map[string]int{}
	for _, e := range got {
		if !strings.HasPrefix(e.WidgetID, prefix) || e.Error != strings.Repeat(e.WidgetID[len(e.WidgetID)-1:], 3000) {
			t.Fatalf("torn line: widget_id %q, error of %d bytes", e.WidgetID, len(e.Error))
		}
		if e.WidgetName != strconv.Itoa(next[e.WidgetID]) {
			t.Fatalf("%s: line %s came where %d was due", e.WidgetID, e.WidgetName, next[e.WidgetID])
		}
		next[e.WidgetID]++
	}
	if len(next) != writers {
		t.Fatalf("lines from %d writers; want %d", len(next), writers)
	}
}
