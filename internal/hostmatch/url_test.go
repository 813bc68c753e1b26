package hostmatch

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	ok := []struct{ raw, host string }{
		{"https://cdn.example.com/widget/manifest.json", "cdn.example.com"},
		{"https://cdn.example.com:8443/w?x=1#/route", "cdn.example.com:8443"},
		{"HTTPS://CDN.example.com/", "CDN.example.com"},
		{"https://bücher.example/", "bücher.example"},
		{"https://[::1]:8443/", "[::1]:8443"},
		{"http://127.0.0.1:8080", "127.0.0.1:8080"},
		{"https://cdn.example.com/a%20b?q=%41", "cdn.example.com"},
	}
	for _, tt := range ok {
		u, err := ParseURL(tt.raw)
		if err != nil {
			t.Errorf("ParseURL(%q) = %v; want success", tt.raw, err)
			continue
		}
		if u.Host != tt.host {
			t.Errorf("ParseURL(%q).Host = %q; want %q", tt.raw, u.Host, tt.host)
		}
	}

	bad := []struct{ raw, want string }{
		{"", "empty"},
		{" https://cdn.example.com/", "whitespace"},
		{"https://cdn.example.com/a b", "whitespace"},
		{"https://cdn.example.com/\t", "whitespace"},
		{"https://cdn.example.com\x7f/", "control"},
		{`https://cdn.example.com\@evil.net/`, "backslash"},
		{`https:\\evil.net`, "backslash"},
		{"cdn.example.com/widget.json", "absolute"},
		{"/widget.json", "absolute"},
		{"https:cdn.example.com", "absolute"},
		{"mailto:someone@example.com", "absolute"},
		{"https://", "no host"},
		{"https:///path", "no host"},
		{"https://:443/", "no host"},
		{"https://user:s3cret-pass@cdn.example.com/", "user info"},
		{"https://cdn.example.com@evil.net/", "user info"},
		{"https://@cdn.example.com/", "user info"},
		{"https://ex%61mple.com/", "not valid"},
		{"https://%C3%BCber.example/", "percent-encoded"},
		{"https://[fe80::1%25eth0]/", "percent-encoded"},
		{"https://cdn.example.com:99999/", "port"},
		{"https://cdn.example.com:0/", "port"},
		{"https://cdn.example.com:x/", "not valid"},
		{"https://cdn.example.com./", "trailing dot"},
		{"https://ex_ample.com/", "not a valid host name"},
		{"https://0x7f.0.0.1/", "non-standard form"},
		{"https://[::1/", "not valid"},
		{"https://[127.0.0.1]/", "not valid"},
		// Hosts that only become an allowed host once folded are refused with the form to write.
		{"https://ｃｒｍ.example.com/", `write it as "crm.example.com"`},       // full-width letters
		{"https://crm。example.com/", `write it as "crm.example.com"`},       // ideographic full stop
		{"https://crm．example．com/", `write it as "crm.example.com"`},       // full-width full stop
		{"https://crm｡example.com/", `write it as "crm.example.com"`},       // half-width ideographic full stop
		{"https://crm\u200b.example.com/", `write it as "crm.example.com"`}, // zero-width space
		{"https://crm.example.com\u00ad/", `write it as "crm.example.com"`}, // soft hyphen
		{"https://BÜCHER.example/", `write it as "xn--bcher-kva.example"`},  // non-ASCII upper case
		{"https://[0:0:0:0:0:0:0:1]:8443/", `write it as "[::1]"`},          // uncompressed IPv6
		{"https://crm.example.com。/", "trailing dot"},                       // a trailing dot in any script
	}
	for _, tt := range bad {
		_, err := ParseURL(tt.raw)
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Errorf("ParseURL(%q) = %v; want a *URLError", tt.raw, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseURL(%q) = %q; want it to mention %q", tt.raw, err, tt.want)
		}
	}
}

// The query, the fragment and the user info of a URL may carry credentials, so no error may
// repeat them.
func TestParseURLErrorsDoNotRepeatTheURL(t *testing.T) {
	const secret = "s3cr3t-T0ken"
	for _, raw := range []string{
		"https://user:" + secret + "@cdn.example.com/",
		"https://cdn.example.com:99999/?token=" + secret,
		"https://cdn.example.com:x/?token=" + secret,
		"https://ex%61mple.com/?token=" + secret,
		"https://cdn.example.com./#token=" + secret,
		"cdn.example.com/?token=" + secret,
		"https://cdn.example.com/ ?token=" + secret,
	} {
		_, err := ParseURL(raw)
		if err == nil {
			t.Fatalf("ParseURL(%q) succeeded; want an error", raw)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("ParseURL error repeats the secret: %q", err)
		}
	}
}
