package emulator

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	clock := newFakeClock()

	h := newHarness(t, Config{StatePath: path, Now: clock.Now, ActivationDelay: time.Minute})
	tok := h.tokenA()
	it := h.create(tok, "Persistent", TypeClientApp)
	ip := "/api/v2/integrations/" + it.ID
	if r := h.send("PUT", ip+"/config/current", tok, validConfig("Persistent", 1), nil); r.status != 200 {
		t.Fatal(r.status)
	}
	h.send("PATCH", ip, tok, map[string]string{"intendedState": StateEnabled}, nil) // ACTIVATING for a minute
	h.create(h.tokenB(), "Org B app", TypeInteractionWidget)
	body := popBody("pop-1")
	first := h.send("POST", "/api/v2/users/agent-1/screenpops", tok, body, popHeaders("pop-1", sign(DefaultSigningSecret, body)))
	if first.status != 200 {
		t.Fatal(first.status)
	}
	if err := h.emu.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", info.Mode().Perm())
	}
	wantIntegrations := h.emu.Integrations("org-a")
	wantConfig, _ := h.emu.IntegrationConfig("org-a", it.ID)

	// Twice: each New reads what the previous one left.
	for round := 1; round <= 2; round++ {
		h2 := newHarness(t, Config{StatePath: path, Now: clock.Now, ActivationDelay: time.Minute})
		if got := h2.emu.Integrations("org-a"); len(got) != 1 || got[0].ID != wantIntegrations[0].ID ||
			got[0].Name != "Persistent" || got[0].Config.Current.Version != 2 || got[0].ReportedState.Code != ReportedActivating {
			t.Fatalf("round %d: org-a = %+v, want %+v", round, got, wantIntegrations)
		}
		if got := h2.emu.Integrations("org-b"); len(got) != 1 || got[0].Name != "Org B app" {
			t.Errorf("round %d: org-b = %+v", round, got)
		}
		cfg, ok := h2.emu.IntegrationConfig("org-a", it.ID)
		if !ok || cfg.Properties["url"] != wantConfig.Properties["url"] || cfg.Properties["sandbox"] != wantConfig.Properties["sandbox"] {
			t.Errorf("round %d: config = %+v", round, cfg)
		}
		wantError(t, h2.send("GET", ip, tok, nil, nil), 401, CodeBadCredentials) // tokens do not survive
		tok2 := h2.tokenA()
		// The idempotency key survives: the pop is not delivered twice.
		r := h2.send("POST", "/api/v2/users/agent-1/screenpops", tok2, body, popHeaders("pop-1", sign(DefaultSigningSecret, body)))
		if r.status != 409 || !bytes.Equal(r.body, first.body) {
			t.Errorf("round %d: replay after restart = %d %s", round, r.status, r.body)
		}
		// The activation under way finishes on time after the restart.
		if round == 2 {
			clock.Advance(time.Minute)
			if got := decode[Integration](t, h2.send("GET", ip, tok2, nil, nil).body); got.ReportedState.Code != ReportedActive {
				t.Errorf("activation after restart: %s", got.ReportedState.Code)
			}
		}
		if err := h2.emu.Close(); err != nil {
			t.Fatal(err)
		}
	}

	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the state file (no temp files)", names)
	}
}

// TestStateSavedInBackground runs in a synctest bubble so it can wait for
// the background writer to be idle again (synctest.Wait) instead of polling
// the file against a deadline.
func TestStateSavedInBackground(t *testing.T) { synctest.Test(t, testStateSavedInBackground) }

func testStateSavedInBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	h := newBubbleHarness(t, Config{StatePath: path})
	it := h.create(h.tokenA(), "Background", TypeClientApp)
	synctest.Wait() // the change's write is done
	if data, _ := os.ReadFile(path); !bytes.Contains(data, []byte(it.ID)) {
		t.Fatal("the state file did not get the new integration")
	}
	if !h.emu.DeleteIntegrationOutOfBand("org-a", it.ID) {
		t.Fatal("delete")
	}
	if err := h.emu.SaveState(); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(it.ID)) {
		t.Error("SaveState wrote a stale state")
	}
}

func TestStateResetIsSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, Config{StatePath: path})
	h.create(h.tokenA(), "Forgotten", TypeClientApp)
	h.emu.Reset()
	if err := h.emu.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := New(Config{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n := len(again.Integrations("org-a")); n != 0 {
		t.Errorf("%d integrations came back after Reset", n)
	}
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"not JSON", "{", "not a state file"},
		{"another format", `{"format":99,"orgs":{}}`, "format 99"},
		{"integration without type", `{"format":1,"orgs":{"org-a":{"integrations":[{"id":"x","typeId":"webapp"}]}}}`, "unknown type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := New(Config{StatePath: path})
			var se *StateError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want a StateError mentioning %q", err, tt.want)
			}
		})
	}

	t.Run("unreadable location", func(t *testing.T) {
		// A regular file where the directory should be: not even root can use it.
		notDir := filepath.Join(dir, "plain-file")
		if err := os.WriteFile(notDir, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		var se *StateError
		if _, err := New(Config{StatePath: filepath.Join(notDir, "state.json")}); !errors.As(err, &se) {
			t.Errorf("New = %v, want a StateError", err)
		}
	})

	t.Run("write failure", func(t *testing.T) {
		sub := filepath.Join(dir, "vanishing")
		if err := os.Mkdir(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		s, err := New(Config{StatePath: filepath.Join(sub, "state.json")})
		if err != nil {
			t.Fatal(err)
		}
		// The directory becomes a file: the final save cannot create its temp file.
		if err := os.RemoveAll(sub); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(sub, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		var se *StateError
		if err := s.Close(); !errors.As(err, &se) {
			t.Errorf("Close = %v, want a StateError", err)
		}
	})
}

func TestWriteFileAtomicReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	if string(data) != "new\n" || info.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v", data, info.Mode().Perm())
	}
}
