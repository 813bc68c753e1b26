package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScrubURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://app.example.com/v", "https://app.example.com/v"},
		{"https://app.example.com/v#sessionToken=REDACTED&customer_id=REDACTED", "https://app.example.com/v#sessionToken=REDACTED&customer_id=REDACTED"},
		{"https://app.example.com/v#REDACTED", "https://app.example.com/v#REDACTED"},
		{"https://app.example.com/v#sessionToken=abc&customer_id=REDACTED", "https://app.example.com/v#REDACTED"},
		{"https://app.example.com/v#/route", "https://app.example.com/v#REDACTED"},
		{"https://app.example.com/v#a b=REDACTED", "https://app.example.com/v#REDACTED"},
		{"https://app.example.com/v#", "https://app.example.com/v#REDACTED"},
		{"https://user:pw@app.example.com/v", "https://REDACTED@app.example.com/v"},
		{"https://a@b@app.example.com/v?x=@", "https://REDACTED@app.example.com/v?x=@"},
		{"https://app.example.com/u@v", "https://app.example.com/u@v"},
		{"app.example.com/v#token=x", "app.example.com/v#REDACTED"},
	}
	for _, tt := range tests {
		if got := scrubURL(tt.in); got != tt.want {
			t.Errorf("scrubURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestScrubText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"409 conflict: version 3 is not current", "409 conflict: version 3 is not current"},
		{`Post "https://relay.example.com/api/v2/users/u/screenpops#sessionToken=abc": dial tcp: refused`,
			`Post "https://relay.example.com/api/v2/users/u/screenpops#REDACTED": dial tcp: refused`},
		{"see https://u:p@x.example/a and https://y.example/#k=v.", "see https://REDACTED@x.example/a and https://y.example/#REDACTED"},
		{"widget #3 is broken", "widget #3 is broken"},
		{"token sessionToken=abc&x=1 leaked", "token sessionToken=REDACTED&x=1 leaked"},
		{"sessionToken=REDACTED", "sessionToken=REDACTED"},
	}
	for _, tt := range tests {
		if got := scrubText(tt.in); got != tt.want {
			t.Errorf("scrubText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	if s := strings.Repeat("a", maxFieldBytes); truncate(s) != s {
		t.Error("a field at the limit was cut")
	}
	for _, s := range []string{strings.Repeat("a", 10000), strings.Repeat("é", 5000), strings.Repeat("東", 3000)} {
		got := truncate(s)
		if len(got) > maxFieldBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, "…(truncated)") {
			t.Errorf("truncate(%d bytes of %q) = %d bytes, valid UTF-8 %v", len(s), s[:3], len(got), utf8.ValidString(got))
		}
	}
}

// Whatever a caller puts in an entry, the file never receives a session token, customer data
// from a fragment, or URL credentials.
func TestRecordNeverWritesSecrets(t *testing.T) {
	const (
		token    = "S3SSION-T0KEN-abc"
		customer = "PII-555-0100"
		password = "hunter2-PASSWORD"
	)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	focused := true
	entries := []Entry{
		{
			Operation: OpScreenPop, Status: StatusFailure, UserID: "u-1", IdempotencyKey: "k-1", WindowFocused: &focused,
			TargetURL: "https://app.example.com/view#sessionToken=" + token + "&customer_id=" + customer,
			Error:     `Post "https://bot:` + password + `@relay.example.com/api/v2/users/u-1/screenpops#sessionToken=` + token + `": connection refused`,
		},
		{
			Operation: OpScreenPop, Status: StatusSuccess,
			TargetURL: "https://user:" + password + "@app.example.com/view?sessionToken=" + token,
		},
		{Operation: OpUpdate, Status: StatusFailure, WidgetName: "debug sessionToken=" + token, Error: "https://cdn.example.com/w#/" + customer},
	}
	for _, e := range entries {
		if err := l.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{token, customer, password} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit log contains %q:\n%s", secret, raw)
		}
	}
	got := readEntries(t, path)
	if got[0].TargetURL != "https://app.example.com/view#REDACTED" || got[0].UserID != "u-1" || got[0].IdempotencyKey != "k-1" {
		t.Errorf("scrubbing removed too much or too little: %+v", got[0])
	}
}
