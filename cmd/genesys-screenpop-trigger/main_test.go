package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/cliflag"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// startEmulator serves an in-process emulator and returns it with its URL.
func startEmulator(t *testing.T, faults ...emulator.Fault) (*emulator.Server, string) {
	t.Helper()
	emu, err := emulator.New(emulator.Config{SigningSecret: testSigningSecret, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

func runEnv(apiURL string) map[string]string {
	return map[string]string{
		envClientID:       "org-a-client",
		envClientSecret:   "org-a-secret",
		envSigningSecret:  testSigningSecret,
		"GENESYS_API_URL": apiURL,
	}
}

// started is a run in progress.
type started struct {
	url    string // http://host:port
	stderr *lockedBuffer
	cancel context.CancelFunc
	done   chan error
}

// startRun runs the program on a free loopback port and waits until it serves.
func startRun(t *testing.T, args []string, env map[string]string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdoutR, stdoutW := io.Pipe()
	s := &started{stderr: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), envOf(env), stdoutW, s.stderr)
		_ = stdoutW.CloseWithError(errors.New("run returned"))
		s.done <- err
	}()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no listening line (%v); stderr:\n%s", err, s.stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdoutR) }()
	const prefix = "genesys-screenpop-trigger listening on "
	if !strings.HasPrefix(line, prefix) {
		cancel()
		t.Fatalf("first line %q", line)
	}
	s.url = strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(line, prefix)), triggerPath)
	t.Cleanup(func() {
		cancel()
		if err := <-s.done; err != nil {
			t.Errorf("run = %v", err)
		}
	})
	return s
}

func (s *started) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after its context ended")
		return nil
	}
}

// tryPost posts a pop. It does not fail the test itself, so goroutines may call it.
func tryPost(url, key string) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, url+triggerPath, strings.NewReader(popBody("")))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func postPop(t *testing.T, url, key string) (int, string) {
	t.Helper()
	status, body, err := tryPost(url, key)
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

func TestRun(t *testing.T) {
	emu, apiURL := startEmulator(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	env := runEnv(apiURL)
	env["GENESYS_AUDIT_LOG"] = auditPath
	s := startRun(t, []string{"-allowed-domains", "app.example.com", "-application-id", testApplicationID, "-target-url", testTarget}, env)

	resp, err := http.Get(s.url + healthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: %d; want 200", healthPath, resp.StatusCode)
	}
	status, body := postPop(t, s.url, "run-key-1")
	if status != http.StatusOK || !strings.Contains(body, `"status":"delivered"`) {
		t.Fatalf("pop answered %d %s; want 200 delivered", status, body)
	}
	if status, body := postPop(t, s.url, "run-key-1"); status != http.StatusOK || !strings.Contains(body, `"status":"already-delivered"`) {
		t.Errorf("the same key again answered %d %s; want 200 already-delivered", status, body)
	}
	pops := emu.ScreenPops(testOrg)
	if len(pops) != 1 || !strings.Contains(pops[0].URI, testSessionToken) || pops[0].ApplicationID != testApplicationID {
		t.Errorf("delivered %+v; want one pop of the default application carrying the session token", pops)
	}

	if err := s.stop(t); err != nil {
		t.Fatalf("run = %v; want a clean stop", err)
	}
	logs := s.stderr.String()
	for _, want := range []string{"screen pop trigger ready", "allowed domains", "screen pop delivered", "shutting down"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q:\n%s", want, logs)
		}
	}
	data, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 2 {
		t.Errorf("%d audit lines; want 2:\n%s", n, data)
	}
	for _, secret := range secrets {
		if strings.Contains(logs, secret) || strings.Contains(string(data), secret) {
			t.Errorf("the log or the audit trail carries %q", secret)
		}
	}
}

// A pop in flight when the signal comes is finished, and answered, before run
// returns. The emulator holds the pop until run has stopped listening (it has
// begun shutting down), so the pop is surely in flight, with no timing.
func TestRunFinishesPopsInFlight(t *testing.T) {
	emu, err := emulator.New(emulator.Config{SigningSecret: testSigningSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v2/users/") {
			once.Do(func() { close(arrived) })
			<-release
		}
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s := startRun(t, []string{"-application-id", testApplicationID, "-target-url", testTarget}, runEnv(srv.URL))

	type result struct {
		status int
		body   string
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		status, body, err := tryPost(s.url, "")
		answered <- result{status, body, err}
	}()
	<-arrived
	s.cancel()
	// Shutdown closes the listener first, then waits for what is in flight.
	host := strings.TrimPrefix(s.url, "http://")
	for {
		c, err := net.Dial("tcp", host)
		if err != nil {
			break
		}
		c.Close()
		runtime.Gosched()
	}
	select {
	case err := <-s.done:
		t.Fatalf("run returned (%v) with a pop in flight", err)
	default:
	}
	close(release)
	if r := <-answered; r.err != nil || r.status != http.StatusOK {
		t.Errorf("the pop in flight answered %d %s (%v); want 200", r.status, r.body, r.err)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("run = %v; want a clean stop", err)
	}
	if n := len(emu.ScreenPops(testOrg)); n != 1 {
		t.Errorf("%d pops delivered; want 1", n)
	}
}

func TestRunRefusesToStart(t *testing.T) {
	_, apiURL := startEmulator(t)
	tests := []struct {
		name    string
		args    []string
		env     func(map[string]string)
		usage   bool
		wantIs  error
		mention string
	}{
		{"no signing secret", nil, func(e map[string]string) { delete(e, envSigningSecret) }, false, delivery.ErrNoSigningSecret, envSigningSecret},
		{"a default target outside the allowed domains", []string{"-allowed-domains", "app.example.com", "-target-url", "https://app.example.com.evil.net/"},
			nil, true, nil, "-target-url"},
		{"a default target over http", []string{"-target-url", "http://app.example.com/"}, nil, true, nil, "https"},
		{"an audit log in a missing directory", []string{"-audit-log", filepath.Join(t.TempDir(), "missing", "audit.jsonl")}, nil, false, nil, "audit log"},
		{"a port in use", nil, nil, false, nil, "address already in use"},
	}
	ln := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(ln.Close)
	tests[len(tests)-1].args = []string{"-listen", strings.TrimPrefix(ln.URL, "http://")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := runEnv(apiURL)
			if tt.env != nil {
				tt.env(env)
			}
			var stdout, stderr lockedBuffer
			// Should it start after all, it stops on its own and the test fails.
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			err := run(ctx, tt.args, envOf(env), &stdout, &stderr)
			var ue *cliflag.UsageError
			switch {
			case err == nil:
				t.Fatal("run started")
			case errors.As(err, &ue) != tt.usage:
				t.Errorf("err = %v; usage error %t, want %t", err, !tt.usage, tt.usage)
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Errorf("err = %v; want %v", err, tt.wantIs)
			case !strings.Contains(err.Error(), tt.mention):
				t.Errorf("err = %v; want it to mention %q", err, tt.mention)
			}
			if strings.Contains(stdout.String(), "listening") {
				t.Errorf("run said it was listening: %s", stdout.String())
			}
			if strings.Contains(err.Error(), testSigningSecret) || strings.Contains(err.Error(), "org-a-secret") {
				t.Errorf("err %q carries a secret", err)
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	var stdout, stderr lockedBuffer
	err := run(t.Context(), []string{"-h"}, envOf(nil), &stdout, &stderr)
	if !errors.Is(err, flag.ErrHelp) || !strings.HasPrefix(stdout.String(), "Usage: genesys-screenpop-trigger") {
		t.Errorf("run -h = %v, printed %q", err, stdout.String())
	}
}
