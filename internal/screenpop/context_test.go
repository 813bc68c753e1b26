package screenpop

import (
	"maps"
	"net/url"
	"strings"
	"testing"
)

const target = "https://app.mydashboard.com/agent-view"

func TestInjectContext(t *testing.T) {
	tests := []struct {
		name   string
		target string
		token  string
		data   map[string]string
		want   string
	}{
		{"token and sorted data", target, "tok-123", map[string]string{"customer_id": "42", "account": "ACME Corp"},
			target + "#sessionToken=tok-123&account=ACME%20Corp&customer_id=42"},
		{"no token", target, "", map[string]string{"b": "2", "a": "1"}, target + "#a=1&b=2"},
		{"token only", target, "t", nil, target + "#sessionToken=t"},
		{"nothing to add", target, "", nil, target},
		{"nothing to add keeps fragment", target + "#view=x", "", map[string]string{}, target + "#view=x"},
		{"reserved characters", target, "a+b/c=d&e", map[string]string{"q": "x y+z%&=#?/"},
			target + "#sessionToken=a%2Bb%2Fc%3Dd%26e&q=x%20y%2Bz%25%26%3D%23%3F%2F"},
		{"unicode", target, "", map[string]string{"name": "Zoë 東京"}, target + "#name=Zo%C3%AB%20%E6%9D%B1%E4%BA%AC"},
		{"unreserved kept", target, "A-z_0.9~", nil, target + "#sessionToken=A-z_0.9~"},
		{"empty value", target, "", map[string]string{"flag": ""}, target + "#flag="},
		{"existing form fragment kept and appended", target + "#view=summary&tab=2", "t", map[string]string{"id": "7"},
			target + "#view=summary&tab=2&sessionToken=t&id=7"},
		{"empty fragment", target + "#", "t", nil, target + "#sessionToken=t"},
		{"query and odd base kept byte for byte", "https://app.example.com/p%2Fq?x=%41&y=1", "t", nil,
			"https://app.example.com/p%2Fq?x=%41&y=1#sessionToken=t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InjectContext(tt.target, tt.token, tt.data)
			if err != nil || got != tt.want {
				t.Fatalf("InjectContext() = %q, %v;\nwant %q", got, err, tt.want)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatalf("result does not parse: %v", err)
			}
			tok, data, err := ParseContext(u.EscapedFragment())
			if err != nil {
				t.Fatalf("ParseContext: %v", err)
			}
			if tok != tt.token {
				t.Errorf("token round trip: got %q want %q", tok, tt.token)
			}
			for k, v := range tt.data {
				if data[k] != v {
					t.Errorf("data[%q] round trip: got %q want %q", k, data[k], v)
				}
			}
		})
	}
}

func TestInjectContextRefuses(t *testing.T) {
	const token = "S3SSION-T0KEN-value"
	const value = "PII-value-555-0100"
	tests := []struct {
		name   string
		target string
		data   map[string]string
		want   string
	}{
		{"route fragment", target + "#/agent/42", nil, "not key=value pairs"},
		{"bare word fragment", target + "#top", nil, "not key=value pairs"},
		{"trailing ampersand", target + "#a=1&", nil, "not key=value pairs"},
		{"empty key in fragment", target + "#=1", nil, "not key=value pairs"},
		{"bad escape in fragment", target + "#a=%zz", nil, "not key=value pairs"},
		{"space in fragment", target + "# =1", nil, "not key=value pairs"},
		{"raw unicode in fragment", target + "#name=Zoë", nil, "not key=value pairs"},
		{"repeated key in fragment", target + "#a=1&a=2", nil, "not key=value pairs"},
		{"key clashes with fragment", target + "#customer_id=1", map[string]string{"customer_id": value}, `key "customer_id" is already in the target URL's fragment`},
		{"key clashes with escaped fragment key", target + "#customer%5Fid=1", map[string]string{"customer_id": value}, `key "customer_id" is already`},
		{"token clashes with fragment", target + "#sessionToken=old", nil, "already has a sessionToken"},
		{"reserved key", target, map[string]string{"sessionToken": value}, `"sessionToken" is reserved`},
		{"empty key", target, map[string]string{"": value}, "empty key"},
		{"bad UTF-8 key", target, map[string]string{"k\xff": value}, "not valid UTF-8"},
		{"bad UTF-8 value", target, map[string]string{"k": "\xff" + value}, `value of key "k" is not valid UTF-8`},
		{"relative target", "/agent-view", nil, "absolute URL"},
		{"unparseable target", "https://app.example.com:x/", nil, "absolute URL"},
		{"too long", target, map[string]string{"blob": strings.Repeat(value, 1000)}, "over the limit of 8192 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InjectContext(tt.target, token, tt.data)
			if err == nil {
				t.Fatalf("InjectContext() = %q; want an error mentioning %q", got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), value) {
				t.Errorf("error repeats the session token or a customer value: %q", err)
			}
		})
	}
	if _, err := InjectContext(target, "bad\xfftoken", nil); err == nil || strings.Contains(err.Error(), "bad") {
		t.Errorf("InjectContext(bad UTF-8 token) = %v", err)
	}
}

func TestInjectContextLengthBound(t *testing.T) {
	// Exactly at the limit is accepted, one byte more is not.
	room := MaxURLLength - len(target+"#k=")
	if got, err := InjectContext(target, "", map[string]string{"k": strings.Repeat("a", room)}); err != nil || len(got) != MaxURLLength {
		t.Fatalf("at the limit: len %d, %v", len(got), err)
	}
	if _, err := InjectContext(target, "", map[string]string{"k": strings.Repeat("a", room+1)}); err == nil {
		t.Fatal("one byte over the limit was accepted")
	}
}

func TestParseContext(t *testing.T) {
	tests := []struct {
		in    string
		token string
		data  map[string]string
	}{
		{"", "", map[string]string{}},
		{"#", "", map[string]string{}},
		{"#sessionToken=abc&id=7", "abc", map[string]string{"id": "7"}},
		{"sessionToken=abc", "abc", map[string]string{}},
		{"a=x+y&b=x%20y&c=%2B", "", map[string]string{"a": "x y", "b": "x y", "c": "+"}},
		{"a=b=c", "", map[string]string{"a": "b=c"}},
		{"a=", "", map[string]string{"a": ""}},
	}
	for _, tt := range tests {
		tok, data, err := ParseContext(tt.in)
		if err != nil || tok != tt.token || !maps.Equal(data, tt.data) {
			t.Errorf("ParseContext(%q) = %q, %q, %v; want %q, %q", tt.in, tok, data, err, tt.token, tt.data)
		}
	}
	for _, bad := range []string{"a b=1", "a=\"x\"", "a=é", "a=1#b=2", "a", "a=1&", "&a=1", "=1", "a=%", "a=%zz", "a=1&a=2", "sessionToken=1&sessionToken=2", "a=%ff"} {
		if tok, data, err := ParseContext(bad); err == nil {
			t.Errorf("ParseContext(%q) = %q, %q; want an error", bad, tok, data)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{target, target},
		{target + "#", target},
		{target + "#sessionToken=abc&customer_id=42", target + "#sessionToken=REDACTED&customer_id=REDACTED"},
		{target + "#a%20b=x+y", target + "#a%20b=REDACTED"},
		{target + "#/agent/secret-route", target + "#REDACTED"},
		{target + "#a=%zz", target + "#REDACTED"},
		{"https://user:pass@app.example.com/p#t=1", "https://REDACTED@app.example.com/p#t=REDACTED"},
		{"https://tok@app.example.com/", "https://REDACTED@app.example.com/"},
		{"https://app.example.com/u@x?q=1", "https://app.example.com/u@x?q=1"},
		{"https://us er:pa ss@app.example.com:bad/#x", "REDACTED#REDACTED"},
		{"not a url #with=secret", "not a url #with=REDACTED"},
		{target + "#with=a secret", target + "#REDACTED"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// ParseContext reads back what InjectContext wrote, as the agent's app does; the tests check
// InjectContext against it. It reads what InjectContext wrote: fragment is the raw fragment of a URL, with
// or without its leading "#". Every pair other than sessionToken is returned in data, which is
// never nil. "+" reads as a space, as in any form-encoded text. Repeated keys, pairs without "=",
// malformed percent-escapes and text that is not valid UTF-8 are errors.
func ParseContext(fragment string) (sessionToken string, data map[string]string, err error) {
	fragment = strings.TrimPrefix(fragment, "#")
	data = map[string]string{}
	if fragment == "" {
		return "", data, nil
	}
	pairs, err := parseForm(fragment)
	if err != nil {
		return "", nil, err
	}
	for _, p := range pairs {
		if p.key == SessionTokenKey {
			sessionToken = p.value
			continue
		}
		data[p.key] = p.value
	}
	return sessionToken, data, nil
}
