package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/cliflag"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseOptions(t *testing.T) {
	faultFile := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(faultFile, []byte(`[{"kind":"500","pathPrefix":"/api/v2/","pattern":"x"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, o options)
	}{
		{"defaults", nil, nil, func(t *testing.T, o options) {
			c := o.config
			if o.listen != "127.0.0.1:8787" || o.allowRemote || o.verbose || c.Clients != nil || c.Users != nil ||
				c.RateLimit != 300 || c.RateBurst != 0 || c.ClientRateLimit != 3000 || c.TokenCreationLimit != 60 ||
				c.TokenLifetime != 24*time.Hour || c.ActivationDelay != 2*time.Second ||
				c.SigningSecret != "" || c.Faults != nil || c.StatePath != "" {
				t.Errorf("defaults = %+v", o)
			}
		}},
		{"flags", []string{
			"-listen", "localhost:9000", "-clients", "c1:s1:o1:One,c2:s2:o2", "-users", "u1:User One:o1",
			"-rate-limit", "-1", "-rate-burst", "10", "-client-rate-limit", "-1", "-token-creation-limit", "7",
			"-token-lifetime", "1h", "-activation-delay", "0",
			"-signing-secret", "flag-secret", "-faults", faultFile, "-state", "/tmp/x.json", "-verbose",
		}, nil, func(t *testing.T, o options) {
			c := o.config
			if o.listen != "localhost:9000" || !o.verbose || len(c.Clients) != 2 || c.Clients[0].OrgName != "One" ||
				len(c.Users) != 1 || c.Users[0].Name != "User One" || c.RateLimit != -1 || c.RateBurst != 10 ||
				c.ClientRateLimit != -1 || c.TokenCreationLimit != 7 ||
				c.TokenLifetime != time.Hour || c.ActivationDelay != 0 || c.SigningSecret != "flag-secret" ||
				len(c.Faults) != 1 || c.Faults[0].Kind != emulator.Kind500 || c.StatePath != "/tmp/x.json" {
				t.Errorf("flags = %+v", o)
			}
		}},
		{"environment", nil, map[string]string{
			"GENESYS_EMULATOR_LISTEN": "0.0.0.0:9000", "GENESYS_EMULATOR_ALLOW_REMOTE": "true",
			"GENESYS_EMULATOR_CLIENTS": "e:es:eo", "GENESYS_EMULATOR_USERS": "eu::eo",
			"GENESYS_EMULATOR_RATE_LIMIT": "60", "GENESYS_EMULATOR_RATE_BURST": "5",
			"GENESYS_EMULATOR_CLIENT_RATE_LIMIT": "600", "GENESYS_EMULATOR_TOKEN_CREATION_LIMIT": "-1",
			"GENESYS_EMULATOR_TOKEN_LIFETIME": "90s", "GENESYS_EMULATOR_ACTIVATION_DELAY": "250ms",
			"GENESYS_EMULATOR_SIGNING_SECRET": "env-secret", "GENESYS_EMULATOR_STATE": "/tmp/env.json",
			"GENESYS_EMULATOR_FAULTS":  `{"kind":"latency","pattern":"x","latency":"5ms"}`,
			"GENESYS_EMULATOR_VERBOSE": "1",
		}, func(t *testing.T, o options) {
			c := o.config
			if o.listen != "0.0.0.0:9000" || !o.allowRemote || !o.verbose || len(c.Clients) != 1 || c.Clients[0].ID != "e" ||
				len(c.Users) != 1 || c.RateLimit != 60 || c.RateBurst != 5 || c.ClientRateLimit != 600 || c.TokenCreationLimit != -1 ||
				c.TokenLifetime != 90*time.Second ||
				c.ActivationDelay != 250*time.Millisecond || c.SigningSecret != "env-secret" || c.StatePath != "/tmp/env.json" ||
				len(c.Faults) != 1 || c.Faults[0].Latency != 5*time.Millisecond {
				t.Errorf("environment = %+v", o)
			}
		}},
		{"flags win over the environment", []string{"-rate-limit", "10", "-signing-secret", "from-flag"},
			map[string]string{"GENESYS_EMULATOR_RATE_LIMIT": "20", "GENESYS_EMULATOR_SIGNING_SECRET": "from-env", "GENESYS_EMULATOR_TOKEN_LIFETIME": "2h"},
			func(t *testing.T, o options) {
				if o.config.RateLimit != 10 || o.config.SigningSecret != "from-flag" || o.config.TokenLifetime != 2*time.Hour {
					t.Errorf("precedence = %+v", o.config)
				}
			}},
		{"boolean flag forms", []string{"-allow-remote=false", "-listen", "[::1]:0"}, map[string]string{"GENESYS_EMULATOR_ALLOW_REMOTE": "true"},
			func(t *testing.T, o options) {
				if o.allowRemote || o.listen != "[::1]:0" {
					t.Errorf("got %+v", o)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, envOf(tt.env), io.Discard)
			if err != nil {
				t.Fatalf("parseOptions: %v", err)
			}
			tt.check(t, o)
		})
	}
}

func TestParseOptionsRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"remote listen", []string{"-listen", "0.0.0.0:8787"}, nil, "-allow-remote"},
		{"all interfaces", []string{"-listen", ":8787"}, nil, "every interface"},
		{"a host name", []string{"-listen", "example.com:8787"}, nil, "-allow-remote"},
		{"no port", []string{"-listen", "127.0.0.1"}, nil, "-listen"},
		{"bad rate limit", []string{"-rate-limit", "lots"}, nil, "-rate-limit"},
		{"zero rate limit", []string{"-rate-limit", "0"}, nil, "non-zero"},
		{"bad burst", []string{"-rate-burst", "0"}, nil, "-rate-burst"},
		{"zero client rate limit", []string{"-client-rate-limit", "0"}, nil, "-client-rate-limit"},
		{"bad client rate limit", []string{"-client-rate-limit", "3k"}, nil, "non-zero"},
		{"zero token creation limit", []string{"-token-creation-limit", "0"}, nil, "-token-creation-limit"},
		{"bad env token creation limit", nil, map[string]string{"GENESYS_EMULATOR_TOKEN_CREATION_LIMIT": "many"}, "GENESYS_EMULATOR_TOKEN_CREATION_LIMIT"},
		{"short token lifetime", []string{"-token-lifetime", "10ms"}, nil, "-token-lifetime"},
		{"negative activation delay", []string{"-activation-delay", "-1s"}, nil, "-activation-delay"},
		{"bad clients", []string{"-clients", "only:two"}, nil, "-clients"},
		{"bad users", []string{"-users", "nobody"}, nil, "-users"},
		{"missing fault file", []string{"-faults", "/nonexistent/faults.json"}, nil, "-faults"},
		{"invalid fault", []string{"-faults", `[{"kind":"500"}]`}, nil, "never fire"},
		{"unknown flag", []string{"-port", "1"}, nil, "-port"},
		{"stray argument", []string{"serve"}, nil, "unexpected argument"},
		{"bad env duration", nil, map[string]string{"GENESYS_EMULATOR_TOKEN_LIFETIME": "forever"}, "GENESYS_EMULATOR_TOKEN_LIFETIME"},
		{"bad env bool", nil, map[string]string{"GENESYS_EMULATOR_ALLOW_REMOTE": "sure"}, "GENESYS_EMULATOR_ALLOW_REMOTE"},
		{"bad env clients", nil, map[string]string{"GENESYS_EMULATOR_CLIENTS": "id:hunter2"}, "GENESYS_EMULATOR_CLIENTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOptions(tt.args, envOf(tt.env), io.Discard)
			var ue *cliflag.UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a usage error mentioning %q", err, tt.want)
			}
			for _, secret := range []string{"hunter2", "only:two"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error echoes the value %q: %v", secret, err)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseOptions([]string{"-h"}, envOf(map[string]string{"GENESYS_EMULATOR_SIGNING_SECRET": "do-not-print-me"}), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	text := out.String()
	for _, s := range settings {
		if !strings.Contains(text, "-"+s.Name) || !strings.Contains(text, s.Env) {
			t.Errorf("help does not explain -%s / %s", s.Name, s.Env)
		}
	}
	if strings.Contains(text, "do-not-print-me") || strings.Contains(text, emulator.DefaultSigningSecret) {
		t.Error("help prints a signing secret")
	}
	// Each limit says what it models, its default, and its window.
	for _, want := range []string{
		"token.rate.per.minute (default 300)", "org.app.user.rate.per.minute (default 3000)",
		"POST /oauth/token (default 60;", `400 {"error":"invalid_request","description":"rate limit exceeded; ..."}`,
		"a bucket holding", "inin-ratelimit-count, -allowed and -reset headers",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestRun starts the program on a free loopback port, uses it, and stops it as SIGINT would.
func TestRun(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-state", state, "-activation-delay", "0"},
			envOf(map[string]string{"GENESYS_EMULATOR_SIGNING_SECRET": "run-secret"}), stdoutW, &stderr)
		stdoutW.Close()
	}()

	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the start line: %v (stderr: %s)", err, stderr.String())
	}
	m := regexp.MustCompile(`^genesys-emulator listening on (http://127\.0\.0\.1:\d+) \(orgs: org-a, org-b\)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("start line = %q", line)
	}
	base := m[1]
	go io.Copy(io.Discard, stdoutR) //nolint:errcheck // nothing else is expected on stdout

	resp, err := http.PostForm(base+"/oauth/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"org-a-client"}, "client_secret": {"org-a-secret"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ := http.NewRequest("POST", base+"/api/v2/integrations", strings.NewReader(`{"name":"From run","integrationType":{"id":"embedded-client-app"}}`))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the context ended")
	}
	data, err := os.ReadFile(state)
	if err != nil || !strings.Contains(string(data), `"From run"`) {
		t.Errorf("state file after shutdown: %v %s", err, data)
	}
	for _, secret := range []string{"run-secret", tok.AccessToken, "org-a-secret"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("stderr holds a secret: %s", stderr.String())
		}
	}
	if resp, err := http.Get(base + "/_emulator/health"); err == nil {
		resp.Body.Close()
		t.Error("still serving after shutdown")
	}
}

func TestRunFailsFast(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"remote address", []string{"-listen", "0.0.0.0:0"}, "-allow-remote"},
		{"port in use", nil, "address already in use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				busy, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer busy.Close()
				args = []string{"-listen", busy.Addr().String()}
			}
			var stdout bytes.Buffer
			err := run(context.Background(), args, envOf(nil), &stdout, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run = %v, want an error mentioning %q", err, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q before failing", stdout.String())
			}
		})
	}
}

// lockedBuffer collects stderr written by the program's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
