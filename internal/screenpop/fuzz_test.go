package screenpop

import (
	"maps"
	"net/url"
	"strings"
	"testing"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// Whatever InjectContext accepts, ParseContext gives back unchanged, the part before the fragment
// is untouched, and RedactURL leaves no value behind.
func FuzzContextRoundTrip(f *testing.F) {
	f.Add(target, "tok-123", "customer_id", "42", "account", "ACME Corp")
	f.Add(target+"#view=a", "a+b/c=d&e", "q", "x y+z%&=#?/", "name", "Zoë 東京")
	f.Add("https://app.example.com/?q=%41#", "", "k", "", "sessionToken", "x")
	f.Add(target+"#/route", "t", "a", "1", "a", "2")
	f.Fuzz(func(t *testing.T, base, token, k1, v1, k2, v2 string) {
		data := map[string]string{k1: v1, k2: v2}
		got, err := InjectContext(base, token, data)
		if err != nil {
			return
		}
		if len(got) > MaxURLLength {
			t.Fatalf("result is %d bytes, over MaxURLLength", len(got))
		}
		prefix, _, _ := strings.Cut(base, "#")
		if !strings.HasPrefix(got, prefix) {
			t.Fatalf("InjectContext changed the URL before the fragment: %q -> %q", base, got)
		}
		_, frag, hasFrag := strings.Cut(got, "#")
		if !hasFrag {
			if token != "" || len(data) > 0 {
				t.Fatalf("no fragment in %q although there was context to add", got)
			}
			return
		}
		tok, back, err := ParseContext(frag)
		if err != nil {
			t.Fatalf("ParseContext(%q) of InjectContext's own output: %v", frag, err)
		}
		if token != "" && tok != token {
			t.Fatalf("token round trip: %q -> %q", token, tok)
		}
		_, oldFrag, _ := strings.Cut(base, "#")
		_, old, err := ParseContext(oldFrag)
		if err != nil {
			t.Fatalf("InjectContext accepted a fragment ParseContext refuses: %q", oldFrag)
		}
		want := maps.Clone(old)
		maps.Copy(want, data)
		if !maps.Equal(back, want) {
			t.Fatalf("data round trip: %q -> %q", want, back)
		}
		if u, err := url.Parse(got); err != nil || u.EscapedFragment() != frag {
			t.Fatalf("result %q does not parse back to the same fragment: %v", got, err)
		}

		_, redacted, _ := strings.Cut(RedactURL(got), "#")
		_, rdata, err := ParseContext(redacted)
		if err != nil {
			t.Fatalf("RedactURL fragment %q does not parse: %v", redacted, err)
		}
		for k, v := range rdata {
			if v != Redacted {
				t.Fatalf("RedactURL left %q=%q in the fragment", k, v)
			}
		}
	})
}

// CheckTargetURL never lets a host through that is not the allowed host itself or below an
// allowed wildcard's domain, and an allow-list only ever narrows what an empty one allows.
func FuzzCheckTargetURL(f *testing.F) {
	for _, c := range [][2]string{
		{"https://app.mydashboard.com/agent-view", "app.mydashboard.com"},
		{"https://app.mydashboard.com.evil.net/", "app.mydashboard.com"},
		{"https://app.mydashboard.com@evil.net/", "app.mydashboard.com"},
		{"https://app.mydashboard.comevil.net/", "app.mydashboard.com"},
		{"https://x.y.mydashboard.com:8443/", "*.mydashboard.com:8443"},
		{`https://evil.net\@app.mydashboard.com/`, "app.mydashboard.com"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, raw, pattern string) {
		if CheckTargetURL(raw, []string{pattern}) != nil {
			return
		}
		if err := CheckTargetURL(raw, nil); err != nil {
			t.Fatalf("allowed by %q but refused by an empty allow-list: %v", pattern, err)
		}
		if hostmatch.ValidatePattern(pattern) != nil {
			t.Fatalf("an invalid pattern %q allowed %q", pattern, raw)
		}
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" || u.User != nil {
			t.Fatalf("allowed %q: parse %v, scheme %q, user %v", raw, err, u.Scheme, u.User)
		}
		if strings.HasPrefix(pattern, "[") || strings.HasPrefix(pattern, "*.[") {
			return // IPv6 literals: covered by hostmatch's own fuzzing
		}
		hostPart := pattern
		if i := strings.LastIndex(hostPart, ":"); i >= 0 {
			hostPart = hostPart[:i]
		}
		host, err := hostmatch.NormalizeHost(u.Hostname())
		if err != nil {
			t.Fatalf("allowed a host NormalizeHost refuses: %q", u.Hostname())
		}
		if domain, wild := strings.CutPrefix(hostPart, "*."); wild {
			d, _ := hostmatch.NormalizeHost(domain)
			if !strings.HasSuffix(host, "."+d) {
				t.Fatalf("%q allowed %q, which is not below %q", pattern, host, d)
			}
		} else if want, _ := hostmatch.NormalizeHost(hostPart); host != want {
			t.Fatalf("%q allowed the host %q", pattern, host)
		}
	})
}
