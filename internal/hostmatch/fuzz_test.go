package hostmatch

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func FuzzMatch(f *testing.F) {
	for _, c := range []struct{ url, pattern string }{
		{"https://s3.amazonaws.com/w.json", "s3.amazonaws.com"},
		{"https://a.b.cloudfront.net/w.json", "*.cloudfront.net"},
		{"https://cloudfront.net/", "*.cloudfront.net"},
		{"https://evil.cloudfront.net.evil.net/", "*.cloudfront.net"},
		{"https://s3.amazonaws.com@evil.net/", "s3.amazonaws.com"},
		{"https://evil.net@s3.amazonaws.com/", "s3.amazonaws.com"},
		{"https://s3.amazonaws.com./", "s3.amazonaws.com"},
		{"https://cdn.example.com:8443/", "cdn.example.com:8443"},
		{"https://cdn.example.com:0443/", "cdn.example.com"},
		{"https://bücher.example/", "xn--bcher-kva.example"},
		{"https://[::1]:8443/", "[::1]:8443"},
		{"https://0x7f.0.0.1/", "127.0.0.1"},
		{"https://x.example．com/", "*.example.com"},
	} {
		f.Add(c.url, c.pattern)
	}
	f.Fuzz(func(t *testing.T, raw, pat string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		m, ok := Match(u, []string{pat})

		// Matching ignores ASCII case in the host.
		upper := *u
		upper.Host = asciiUpper(u.Host)
		if m2, ok2 := Match(&upper, []string{pat}); ok2 != ok || m2 != m {
			t.Fatalf("Match(%q) = %v but Match(%q) = %v for pattern %q", u.Host, ok, upper.Host, ok2, pat)
		}
		if !ok {
			if m != "" {
				t.Fatalf("no match but matched = %q", m)
			}
			return
		}
		if m != pat {
			t.Fatalf("matched = %q; want the pattern %q", m, pat)
		}
		if err := ValidatePattern(pat); err != nil {
			t.Fatalf("invalid pattern %q matched %q: %v", pat, raw, err)
		}
		if u.User != nil || u.Opaque != "" {
			t.Fatalf("matched a URL with user info or an opaque part: %q", raw)
		}
		if auth, _ := rawAuthority(raw); strings.ContainsAny(auth, "@\\") {
			t.Fatalf("matched a URL whose authority %q has '@' or '\\'", auth)
		}
		host, err := NormalizeHost(u.Hostname())
		if err != nil {
			t.Fatalf("matched a host NormalizeHost refuses: %q: %v", u.Hostname(), err)
		}
		if strings.HasSuffix(u.Hostname(), ".") {
			t.Fatalf("matched a host with a trailing dot: %q", u.Hostname())
		}
		hostPart, _, _, err := splitHostPort(pat)
		if err != nil {
			t.Fatalf("valid pattern %q does not split: %v", pat, err)
		}
		if domain, wild := strings.CutPrefix(hostPart, "*."); wild {
			d, err := NormalizeHost(domain)
			if err != nil {
				t.Fatalf("wildcard domain %q of a valid pattern does not normalise: %v", domain, err)
			}
			if !strings.HasSuffix(host, "."+d) || host == d {
				t.Fatalf("%q matched %q but %q is not below %q", pat, raw, host, d)
			}
			if _, err := netip.ParseAddr(host); err == nil {
				t.Fatalf("wildcard %q matched the IP address %q", pat, host)
			}
		} else {
			want, err := NormalizeHost(hostPart)
			if err != nil || host != want {
				t.Fatalf("exact pattern %q matched host %q (normalised %q, want %q)", pat, u.Hostname(), host, want)
			}
		}
	})
}

func FuzzNormalizeHost(f *testing.F) {
	for _, h := range []string{"cdn.example.com", "BÜCHER.example", "example．com", "[::1]", "127.0.0.1", "2130706433", "xn--bcher-kva.example", "a..b", "example.com。", "ｃｄｎ.example.com", "cdn\u200b.example.com", "[0:0::1]", "CDN.Example.COM"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		n, err := NormalizeHost(h)
		if c, cerr := CanonicalHost(h); cerr == nil && (err != nil || c != n) {
			t.Fatalf("CanonicalHost(%q) = %q but NormalizeHost = %q, %v", h, c, n, err)
		} else if cerr != nil && err == nil {
			// Refused as written: the canonical form it names must itself be accepted.
			var he *HostError
			if !errors.As(cerr, &he) || he.Canonical == "" {
				t.Fatalf("CanonicalHost(%q) refused a normalisable host without saying how to write it: %v", h, cerr)
			}
			if c, err := CanonicalHost(he.Canonical); err != nil || c != n {
				t.Fatalf("CanonicalHost(%q) says write %q, which gives %q, %v", h, he.Canonical, c, err)
			}
		}
		if err != nil {
			return
		}
		again, err := NormalizeHost(n)
		if err != nil || again != n {
			t.Fatalf("NormalizeHost(%q) = %q, but NormalizeHost(%q) = %q, %v", h, n, n, again, err)
		}
		if addr, err := netip.ParseAddr(n); err == nil {
			if addr.String() != n || addr.Zone() != "" {
				t.Fatalf("NormalizeHost(%q) = %q, not a canonical address", h, n)
			}
			return
		}
		if n == "" || strings.HasSuffix(n, ".") || strings.HasPrefix(n, ".") || strings.Contains(n, "..") || len(n) > maxNameLength {
			t.Fatalf("NormalizeHost(%q) = %q: malformed name", h, n)
		}
		if strings.IndexFunc(n, func(r rune) bool { return notLDH(r) && r != '.' }) >= 0 {
			t.Fatalf("NormalizeHost(%q) = %q: not lower-case LDH ASCII", h, n)
		}
	})
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// Everything ParseURL accepts can be allowed by an exact pattern for its own host, and nothing it
// accepts hides its host behind user info, backslashes or percent-encoding.
func FuzzParseURL(f *testing.F) {
	for _, raw := range []string{
		"https://cdn.example.com/w.json", "https://cdn.example.com:0443/", "https://[::1]:8443/",
		"https://a@b.example/", `https://a.example\@b.example/`, "https://bücher.example/#x",
		"http://127.0.0.1:8080/?q=1", "https://%C3%BCber.example/",
	} {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ParseURL(raw)
		if err != nil {
			return
		}
		auth, ok := rawAuthority(raw)
		if !ok || strings.ContainsAny(auth, "@%\\") || u.User != nil {
			t.Fatalf("ParseURL(%q) accepted authority %q", raw, auth)
		}
		host, err := NormalizeHost(u.Hostname())
		if err != nil {
			t.Fatalf("ParseURL(%q) accepted host %q that NormalizeHost refuses: %v", raw, u.Hostname(), err)
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		if p := u.Port(); p != "" {
			n, _ := parsePort(p, true)
			host += ":" + strconv.Itoa(n)
		}
		if _, ok := Match(u, []string{host}); !ok {
			t.Fatalf("ParseURL(%q) accepted a URL that its own exact pattern %q does not match", raw, host)
		}
	})
}
