package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseStateWidgets(t *testing.T) {
	state := `{
  "version": 4,
  "resources": [
    {"mode": "data", "type": "genesys_agent_widget", "name": "d", "instances": [{"attributes": {"id": "data-1"}}]},
    {"mode": "managed", "type": "genesys_screenpop", "name": "p", "instances": [{"attributes": {"id": "pop-1"}}]},
    {"mode": "managed", "type": "genesys_agent_widget", "name": "w", "instances": [
      {"index_key": 0, "attributes": {"id": "a", "reported_state": "ACTIVE", "description": "x"}},
      {"index_key": 1, "attributes": {"id": "b", "reported_state": "ERROR", "description": "x"}}
    ]}
  ]
}`
	got, err := parseStateWidgets([]byte(state))
	if err != nil {
		t.Fatal(err)
	}
	want := []stateWidget{{ID: "a", ReportedState: "ACTIVE", Description: "x"}, {ID: "b", ReportedState: "ERROR", Description: "x"}}
	if !slices.Equal(got, want) {
		t.Errorf("widgets = %+v, want %+v", got, want)
	}
	if _, err := parseStateWidgets([]byte("{")); err == nil {
		t.Error("a broken state file read without error")
	}
}

func TestVerifyNoChanges(t *testing.T) {
	tests := []struct {
		name       string
		code       int
		out        string
		wantFailed int
		wantErr    string
	}{
		{"no changes", 0, "No changes.", 0, ""},
		{"changes", 2, "Plan: 1 to add, 3 to change, 1 to destroy.", 5, "not empty (5 changes)"},
		{"changes without a summary still fail", 2, "", 1, "not empty"},
		{"error", 1, "junk\nError: Unable to read the widget\n\nmore", 10, "Error: Unable to read the widget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failed, err := verifyNoChanges(10, tt.code, []byte(tt.out))
			if failed != tt.wantFailed {
				t.Errorf("failed = %d, want %d", failed, tt.wantFailed)
			}
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-n", "10, 50", "-parallelism", "5", "-rate", "600", "-client-rate", "-1",
		"-access-tokens", "default, 1,4", "-terraform", "/bin/terraform"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.widgets, []int{10, 50}) || !slices.Equal(o.parallelism, []int{5}) ||
		!slices.Equal(o.accessTokens, []string{"default", "1", "4"}) {
		t.Errorf("options = %+v", o)
	}
	want := Limits{TokenRate: 600, TokenBurst: 600, ClientRate: 0, TokenCreationRate: 60}
	if o.limits != want {
		t.Errorf("limits = %+v, want %+v (the burst a minute's allowance, -1 switching a limit off)", o.limits, want)
	}
	if o.state != stateLocal {
		t.Errorf("state = %q, want %q by default", o.state, stateLocal)
	}
	if o, err := parseFlags([]string{"-state", "http", "-terraform", "t"}); err != nil || o.state != stateHTTP {
		t.Errorf("-state http: %q, %v", o.state, err)
	}
	if o.poolSize("4") != 4 || o.poolSize(defaultAccessTokens) != providerDefaultAccessTokens {
		t.Errorf("pool sizes: 4 -> %d, default -> %d", o.poolSize("4"), o.poolSize(defaultAccessTokens))
	}
	if o, err := parseFlags([]string{"-default-access-tokens", "3", "-terraform", "t"}); err != nil || o.poolSize(defaultAccessTokens) != 3 {
		t.Errorf("-default-access-tokens 3: pool %d, %v", o.poolSize(defaultAccessTokens), err)
	}
	for _, bad := range [][]string{
		{"-n", "10,x", "-terraform", "t"},
		{"-n", "0", "-terraform", "t"},
		{"-rate", "0", "-terraform", "t"},
		{"-token-rate", "-2", "-terraform", "t"},
		{"-burst", "-1", "-terraform", "t"},
		{"-access-tokens", "0", "-terraform", "t"},
		{"-access-tokens", "some", "-terraform", "t"},
		{"-state", "s3", "-terraform", "t"},
		{"-default-access-tokens", "0", "-terraform", "t"},
		{"-terraform", "t", "extra"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func TestProviderTF(t *testing.T) {
	if tf := providerTF(defaultAccessTokens, ""); strings.Contains(tf, "max_access_tokens") || strings.Contains(tf, "backend") {
		t.Errorf("the default setting writes max_access_tokens or a backend:\n%s", tf)
	}
	if tf := providerTF("3", ""); !strings.Contains(tf, "max_access_tokens = 3\n") {
		t.Errorf("max_access_tokens 3 is not written:\n%s", tf)
	}
	b := &bench{opts: options{state: stateHTTP}, work: "/w", stateURL: "http://127.0.0.1:1"}
	want := "  backend \"http\" {\n    address = \"http://127.0.0.1:1/state/runs/n5/read\"\n  }\n}\n"
	if tf := providerTF(defaultAccessTokens, b.backendTF("/w/runs/n5/read")); !strings.Contains(tf, want) {
		t.Errorf("the http backend is not in the terraform block, want\n%s\nin\n%s", want, tf)
	}
}

func TestVerifyRead(t *testing.T) {
	dir := t.TempDir()
	readDir := filepath.Join(dir, "read")
	if err := os.Mkdir(readDir, 0o755); err != nil {
		t.Fatal(err)
	}
	widgets := `{"resources": [{"mode": "managed", "type": "genesys_agent_widget", "instances": [
		{"attributes": {"id": "first"}}, {"attributes": {"id": "second"}}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), []byte(widgets), 0o600); err != nil {
		t.Fatal(err)
	}
	outputs := func(found int, firstID string) {
		t.Helper()
		st := fmt.Sprintf(`{"outputs": {"found": {"value": %d}, "first_id": {"value": %q}}}`, found, firstID)
		if err := os.WriteFile(filepath.Join(readDir, "terraform.tfstate"), []byte(st), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b := &bench{opts: options{state: stateLocal}}
	outputs(2, "first")
	if failed, err := b.verifyRead(dir, readDir, 2, 0, nil); failed != 0 || err != nil {
		t.Errorf("all found: failed %d, %v", failed, err)
	}
	outputs(1, "first")
	if failed, err := b.verifyRead(dir, readDir, 2, 0, nil); failed != 1 || err == nil {
		t.Errorf("one missing: failed %d, %v", failed, err)
	}
	outputs(2, "second")
	if failed, err := b.verifyRead(dir, readDir, 2, 0, nil); failed != 1 || err == nil {
		t.Errorf("the wrong widget by name: failed %d, %v", failed, err)
	}
	if failed, err := b.verifyRead(dir, readDir, 2, 1, []byte("Error: boom")); failed != 1 || err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("terraform failed: failed %d, %v", failed, err)
	}
}
