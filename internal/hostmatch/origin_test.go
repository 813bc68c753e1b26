package hostmatch

import (
	"net/url"
	"testing"
)

func TestOrigin(t *testing.T) {
	cases := []struct {
		raw, want string
		ok        bool
	}{
		{"https://CDN.Example.com/app", "cdn.example.com", true},
		{"https://cdn.example.com:443/app", "cdn.example.com", true},
		{"https://cdn.example.com:8443/app", "cdn.example.com:8443", true},
		{"http://cdn.example.com:443/", "cdn.example.com:443", true},
		{"https://bücher.example/", "xn--bcher-kva.example", true},
		{"https://[2001:DB8::1]/", "[2001:db8::1]", true},
		{"https://[2001:db8::1]:9443/", "[2001:db8::1]:9443", true},
		{"https://127.0.0.1/", "127.0.0.1", true},
		{"https://user@cdn.example.com/", "", false},
		{"mailto:someone@example.com", "", false},
	}
	for _, c := range cases {
		u, err := url.Parse(c.raw)
		if err != nil {
			t.Fatalf("%s: %v", c.raw, err)
		}
		got, ok := Origin(u)
		if got != c.want || ok != c.ok {
			t.Errorf("Origin(%q) = %q, %v; want %q, %v", c.raw, got, ok, c.want, c.ok)
		}
		if ok {
			// The origin, listed as a pattern, must allow the URL it came from.
			if _, matched := Match(u, []string{got}); !matched {
				t.Errorf("Origin(%q) = %q does not match its own URL", c.raw, got)
			}
		}
	}
}
