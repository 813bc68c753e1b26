package hostmatch

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNormalizeHost(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string // substring of the error; "" means success
	}{
		{in: "cdn.example.com", want: "cdn.example.com"},
		{in: "CDN.Example.COM", want: "cdn.example.com"},
		{in: "localhost", want: "localhost"},
		{in: "bücher.example", want: "xn--bcher-kva.example"},
		{in: "BÜCHER.example", want: "xn--bcher-kva.example"},
		{in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
		{in: "example．com", want: "example.com"}, // full-width full stop maps to "."
		{in: "ｅｘａｍｐｌｅ.com", want: "example.com"}, // full-width letters map to ASCII
		{in: "127.0.0.1", want: "127.0.0.1"},
		{in: "１２７.０.０.１", want: "127.0.0.1"}, // full-width digits: still the plain address
		{in: "[::1]", want: "::1"},
		{in: "::1", want: "::1"},
		{in: "[2001:DB8:0:0::1]", want: "2001:db8::1"},
		{in: "a-b.example.com", want: "a-b.example.com"},

		{in: "", wantErr: "is empty"},
		{in: "example.com.", wantErr: "trailing dot"},
		{in: "example.com。", wantErr: "trailing dot"}, // ideographic full stop is a dot too
		{in: ".example.com", wantErr: "empty label"},
		{in: "a..example.com", wantErr: "empty label"},
		{in: "ex%61mple.com", wantErr: "percent-encoded"},
		{in: "exa mple.com", wantErr: "whitespace"},
		{in: "example.com\x00", wantErr: "control"},
		{in: "0\xaa", wantErr: "UTF-8"},
		{in: "user@example.com", wantErr: "not a valid host name"},
		{in: "ex_ample.com", wantErr: "not a valid host name"},
		{in: "*.example.com", wantErr: "not a valid host name"},
		{in: "-example.com", wantErr: "not a valid host name"},
		{in: "example-.com", wantErr: "not a valid host name"},
		{in: "xn--zz.example", wantErr: "not a valid host name"},
		{in: strings.Repeat("a", 64) + ".example.com", wantErr: "label longer than 63"},
		{in: strings.Repeat("abcdefghi.", 26) + "com", wantErr: "longer than 253"},
		{in: strings.Repeat("a", 2000), wantErr: "too long"},
		{in: "example.com:443", wantErr: "neither a host name nor an IPv6 address"},
		{in: "[::1", wantErr: "without a closing"},
		{in: "[127.0.0.1]", wantErr: "neither a host name nor an IPv6"},
		{in: "fe80::1%eth0", wantErr: "zone"},
		{in: "0x7f.0.0.1", wantErr: "non-standard form"},
		{in: "2130706433", wantErr: "non-standard form"},
		{in: "127.1", wantErr: "non-standard form"},
		{in: "127.000.0.1", wantErr: "non-standard form"},
		{in: "1.2.3.4.5", wantErr: "non-standard form"},
		{in: "example.0x", wantErr: "non-standard form"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeHost(tt.in)
			if tt.wantErr != "" {
				var he *HostError
				if !errors.As(err, &he) {
					t.Fatalf("NormalizeHost(%q) = %q, %v; want a *HostError containing %q", tt.in, got, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NormalizeHost(%q) error %q does not contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeHost(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			again, err := NormalizeHost(got)
			if err != nil || again != got {
				t.Fatalf("NormalizeHost is not idempotent on %q: %q, %v", got, again, err)
			}
		})
	}
}

func TestValidatePattern(t *testing.T) {
	valid := []string{
		"cdn.example.com",
		"CDN.example.com",
		"cdn.example.com:8443",
		"*.example.com",
		"*.cloudfront.net",
		"*.example.com:8443",
		"*.co.uk", // cannot be told from a registrable domain without a public suffix list
		"localhost",
		"localhost:8080",
		"127.0.0.1",
		"127.0.0.1:8443",
		"[::1]",
		"[::1]:8443",
		"bücher.example",
		"*.bücher.example",
	}
	for _, p := range valid {
		if err := ValidatePattern(p); err != nil {
			t.Errorf("ValidatePattern(%q) = %v; want nil", p, err)
		}
	}

	invalid := []struct {
		p, want string
	}{
		{"", "is empty"},
		{" cdn.example.com", "spaces"},
		{"cdn.example.com ", "spaces"},
		{"cdn. example.com", "whitespace"},
		{"*", "every host"},
		{"*:443", "every host"},
		{"*.com", "top-level domain"},
		{"*.localhost", "top-level domain"},
		{"**.example.com", "only as the whole first label"},
		{"*.*.example.com", "only as the whole first label"},
		{"a.*.example.com", "only as the whole first label"},
		{"*example.com", "only as the whole first label"},
		{"example.*", "only as the whole first label"},
		{"*.", "nothing after"},
		{"https://cdn.example.com", `write only its host, for example "cdn.example.com"`},
		{"https://cdn.example.com:8443/x", `for example "cdn.example.com:8443"`},
		{"https://user@cdn.example.com", "is a URL"},
		{"//cdn.example.com", "slash"},
		{"cdn.example.com/path", "path"},
		{`cdn.example.com\x`, "slash"},
		{"cdn.example.com?x=1", "query"},
		{"cdn.example.com#x", "fragment"},
		{"user@cdn.example.com", "user info"},
		{"cdn.example.com@evil.net", "user info"},
		{"ex%61mple.com", "percent-encoded"},
		{"example.com.", "trailing dot"},
		{"*.example.com.", "trailing dot"},
		{"ｃｄｎ.example.com", `write it as "cdn.example.com"`},
		{"*.example。com:8443", `write it as "*.example.com:8443"`},
		{"cdn\u200b.example.com", `write it as "cdn.example.com"`},
		{"BÜCHER.example", `write it as "xn--bcher-kva.example"`},
		{"cdn.example.com:", "port"},
		{"cdn.example.com:0", "port"},
		{"cdn.example.com:65536", "port"},
		{"cdn.example.com:08443", "port"},
		{"cdn.example.com:https", "port"},
		{"cdn.example.com:-1", "port"},
		{"::1", "brackets"},
		{"2001:db8::1:443", "brackets"},
		{"[::1", "closing"},
		{"[::1]x", "not a port"},
		{"*.127.0.0.1", "IP address"},
		{"*.[::1]", "IP address"},
		{"*.0.0.1", "non-standard form"},
		{"0x7f.0.0.1", "non-standard form"},
		{"ex_ample.com", "not a valid host name"},
		{"-example.com", "not a valid host name"},
	}
	for _, tt := range invalid {
		err := ValidatePattern(tt.p)
		var pe *PatternError
		if !errors.As(err, &pe) {
			t.Errorf("ValidatePattern(%q) = %v; want a *PatternError", tt.p, err)
			continue
		}
		if pe.Pattern != tt.p {
			t.Errorf("ValidatePattern(%q): PatternError.Pattern = %q", tt.p, pe.Pattern)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ValidatePattern(%q) = %q; want it to mention %q", tt.p, err, tt.want)
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", raw, err)
	}
	return u
}

func TestMatch(t *testing.T) {
	seed := []string{"s3.amazonaws.com", "*.cloudfront.net"}
	tests := []struct {
		url      string
		patterns []string
		want     string // the matching pattern; "" means no match
	}{
		// The seed's allow-list.
		{"https://s3.amazonaws.com/bucket/widget.json", seed, "s3.amazonaws.com"},
		{"https://d111111abcdef8.cloudfront.net/w.json", seed, "*.cloudfront.net"},
		{"https://a.b.cloudfront.net/w.json", seed, "*.cloudfront.net"},
		{"https://cloudfront.net/w.json", seed, ""},
		{"https://evil.net/w.json", seed, ""},
		// The seed's matcher only looked at the last two labels: any host there passed.
		{"https://evil.cloudfront.net.evil.net/w.json", seed, ""},
		{"https://evilcloudfront.net/w.json", seed, ""},
		{"https://s3.amazonaws.com.evil.net/w.json", seed, ""},
		{"https://evils3.amazonaws.com/w.json", seed, ""},
		{"https://x.s3.amazonaws.com/w.json", seed, ""},

		// Case and IDNA.
		{"https://S3.AmazonAWS.com/w.json", seed, "s3.amazonaws.com"},
		{"https://X.CloudFront.NET/w.json", seed, "*.cloudfront.net"},
		{"https://bücher.example/", []string{"xn--bcher-kva.example"}, "xn--bcher-kva.example"},
		{"https://xn--bcher-kva.example/", []string{"bücher.example"}, "bücher.example"},
		{"https://xn--bcher-kva.example/", []string{"BÜCHER.example"}, ""}, // not a pattern: write "bücher.example"
		{"https://shop.bücher.example/", []string{"*.bücher.example"}, "*.bücher.example"},
		{"https://bucher.example/", []string{"bücher.example"}, ""},

		// User info, trailing dots, percent-encoding, look-alike suffixes.
		{"https://s3.amazonaws.com@evil.net/", seed, ""},
		{"https://user:pw@s3.amazonaws.com/", seed, ""},
		{"https://evil.net@s3.amazonaws.com/", seed, ""},
		{"https://s3.amazonaws.com./", seed, ""},
		{"https://x.cloudfront.net./", seed, ""},
		{"https://s3.amazonaws.com%C3%A9vil.net/", seed, ""},
		{"https://example.com/", []string{"*.example.com"}, ""},
		{"https://evilexample.com/", []string{"*.example.com"}, ""},
		{"https://example.com.evil.net/", []string{"example.com", "*.example.com"}, ""},
		{"https://a.example.com/", []string{"example.com"}, ""},

		// Ports.
		{"https://cdn.example.com/", []string{"cdn.example.com"}, "cdn.example.com"},
		{"https://cdn.example.com:443/", []string{"cdn.example.com"}, "cdn.example.com"},
		{"https://cdn.example.com:0443/", []string{"cdn.example.com"}, "cdn.example.com"},
		{"https://cdn.example.com:/", []string{"cdn.example.com"}, "cdn.example.com"},
		{"https://cdn.example.com:8443/", []string{"cdn.example.com"}, ""},
		{"https://cdn.example.com:8443/", []string{"cdn.example.com:8443"}, "cdn.example.com:8443"},
		{"https://cdn.example.com/", []string{"cdn.example.com:8443"}, ""},
		{"https://cdn.example.com/", []string{"cdn.example.com:443"}, "cdn.example.com:443"},
		{"http://cdn.example.com/", []string{"cdn.example.com"}, "cdn.example.com"},
		{"http://cdn.example.com:443/", []string{"cdn.example.com"}, ""},
		{"http://cdn.example.com/", []string{"cdn.example.com:443"}, ""},
		{"https://a.example.com:8443/", []string{"*.example.com:8443"}, "*.example.com:8443"},
		{"https://a.example.com/", []string{"*.example.com:8443"}, ""},
		{"ftp://cdn.example.com/", []string{"cdn.example.com"}, "cdn.example.com"},
		{"ftp://cdn.example.com:21/", []string{"cdn.example.com"}, ""},
		{"ftp://cdn.example.com:21/", []string{"cdn.example.com:21"}, "cdn.example.com:21"},

		// IP literals.
		{"https://127.0.0.1:8443/", []string{"127.0.0.1:8443"}, "127.0.0.1:8443"},
		{"https://127.0.0.1:8443/", []string{"127.0.0.1"}, ""},
		{"https://[::1]:8443/", []string{"[::1]:8443"}, "[::1]:8443"},
		{"https://[0:0::1]/", []string{"[::1]"}, "[::1]"},
		{"https://[::ffff:127.0.0.1]/", []string{"127.0.0.1"}, ""},
		{"https://2130706433/", []string{"127.0.0.1"}, ""},
		{"https://0x7f.0.0.1/", []string{"*.0.0.1", "127.0.0.1"}, ""},

		// Invalid patterns in the list are skipped, never matched.
		{"https://anything.example/", []string{"*"}, ""},
		{"https://x.com/", []string{"*.com"}, ""},
		{"https://cdn.example.com/", []string{"https://cdn.example.com", "cdn.example.com"}, "cdn.example.com"},
		{"https://cdn.example.com/", nil, ""},
	}
	for _, tt := range tests {
		got, ok := Match(mustParse(t, tt.url), tt.patterns)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("Match(%q, %q) = %q, %v; want %q", tt.url, tt.patterns, got, ok, tt.want)
		}
	}
}

func TestMatchRefusesDegenerateURLs(t *testing.T) {
	all := []string{"example.com", "*.example.com", "127.0.0.1"}
	for _, u := range []*url.URL{
		nil,
		{},
		{Scheme: "https", Opaque: "example.com"},
		{Scheme: "https", Host: "example.com:99999"},
		{Scheme: "https", Host: "example.com:x"},
		{Scheme: "https", Host: "a.example.com/evil"},
		{Scheme: "https", Host: "a.example.com", User: url.User("")},
		{Scheme: "https", Host: "[127.0.0.1]"}, // url.Parse refuses it; a hand-built URL must not match either
	} {
		if m, ok := Match(u, all); ok {
			t.Errorf("Match(%#v) = %q; want no match", u, m)
		}
	}
}

func TestHint(t *testing.T) {
	tests := []struct {
		url      string
		patterns []string
		want     string
	}{
		{"https://example.com/", []string{"*.example.com"}, `"*.example.com" matches hosts below example.com but not example.com itself; list "example.com" as well`},
		{"https://cdn.example.com:8443/", []string{"cdn.example.com"}, `"cdn.example.com" allows only the default port 443; list "cdn.example.com:8443" to allow port 8443`},
		{"https://cdn.example.com/", []string{"cdn.example.com:8443"}, `"cdn.example.com:8443" allows only port 8443`},
		{"ftp://cdn.example.com:21/", []string{"cdn.example.com"}, `"cdn.example.com" allows only URLs without a port; list "cdn.example.com:21" to allow port 21`},
		{"https://evil.net/", []string{"*.example.com"}, ""},
		{"https://user@example.com/", []string{"*.example.com"}, ""},
	}
	for _, tt := range tests {
		if got := Hint(mustParse(t, tt.url), tt.patterns); got != tt.want {
			t.Errorf("Hint(%q, %q) = %q; want %q", tt.url, tt.patterns, got, tt.want)
		}
	}
}

func TestIsDomainName(t *testing.T) {
	for s, want := range map[string]bool{
		"mypurecloud.com": true, "inindca.com": true, "USW2.pure.cloud": true, "1.2.3.4": true,
		"localhost": false, "": false, "api.example.com:443": false, "::1": false, "[::1]": false,
		"https://api.example.com": false, "api.example.com/x": false, "user@api.example.com": false,
		"api.example.com?token=x": false, "api.example.com#x": false, "api%2eexample.com": false,
		"api example.com": false, "example.com.": false,
	} {
		if got := IsDomainName(s); got != want {
			t.Errorf("IsDomainName(%q) = %v, want %v", s, got, want)
		}
	}
}
