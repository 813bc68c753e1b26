package main

import (
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
	o, err := parseFlags([]string{"-n", "10, 50", "-parallelism", "5", "-rate", "600", "-terraform", "/bin/terraform"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.widgets, []int{10, 50}) || !slices.Equal(o.parallelism, []int{5}) || o.rate != 600 {
		t.Errorf("options = %+v", o)
	}
	if o.burst != 600 {
		t.Errorf("burst = %d, want the rate (one minute's allowance) by default", o.burst)
	}
	for _, bad := range [][]string{
		{"-n", "10,x", "-terraform", "t"},
		{"-n", "0", "-terraform", "t"},
		{"-rate", "0", "-terraform", "t"},
		{"-burst", "-1", "-terraform", "t"},
		{"-terraform", "t", "extra"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}
