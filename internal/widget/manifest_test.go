package widget

import (
	"errors"
	"strings"
	"testing"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

func TestValidateManifestURL(t *testing.T) {
	for _, ok := range []string{
		"https://s3.amazonaws.com/my-bucket/widget-manifest.json",
		"https://d111111abcdef8.cloudfront.net/w/index.html?lang={{gcLangTag}}&env={{gcHostOrigin}}",
		"https://apps.example.com/#/agent",
		"https://apps.example.com:8443/",
		"HTTPS://Apps.Example.com/",
		"https://bücher.example/app",
		"https://apps.example.com/" + strings.Repeat("a", MaxManifestURLLength-len("https://apps.example.com/")),
	} {
		if err := ValidateManifestURL(ok); err != nil {
			t.Errorf("ValidateManifestURL(%q) = %v; want nil", ok, err)
		}
	}

	tests := []struct {
		raw, want string
		parseErr  bool // a *hostmatch.URLError rather than a *URLError
	}{
		{"", "empty", true},
		{"http://apps.example.com/", `scheme is "http"`, false},
		{"ftp://apps.example.com/", `scheme is "ftp"`, false},
		{"javascript:alert(1)", "absolute", true},
		{"data:text/html,<script>", "absolute", true},
		{"//apps.example.com/w.json", "absolute", true},
		{"apps.example.com/w.json", "absolute", true},
		{"https:///w.json", "no host", true},
		{"https://user:pass@apps.example.com/", "user info", true},
		{"https://apps.example.com@evil.net/", "user info", true},
		{`https://apps.example.com\@evil.net/`, "backslash", true},
		{"https://apps.example.com./", "trailing dot", true},
		{"https://%C3%A9vil.example/", "percent-encoded", true},
		{"https://apps.example.com/a b", "whitespace", true},
		{" https://apps.example.com/", "whitespace", true},
		{"https://apps.example.com:70000/", "port", true},
		{"https://{{gcHostOrigin}}/app", "not valid", true},
		{"https://apps.example.com/" + strings.Repeat("a", MaxManifestURLLength), "the limit is 2048", false},
	}
	for _, tt := range tests {
		err := ValidateManifestURL(tt.raw)
		if err == nil {
			t.Errorf("ValidateManifestURL(%q) = nil; want an error mentioning %q", tt.raw, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ValidateManifestURL(%q) = %q; want it to mention %q", tt.raw, err, tt.want)
		}
		var pe *hostmatch.URLError
		var we *URLError
		if tt.parseErr && !errors.As(err, &pe) || !tt.parseErr && !errors.As(err, &we) {
			t.Errorf("ValidateManifestURL(%q) returned %T", tt.raw, err)
		}
	}
}

func TestCheckOrigin(t *testing.T) {
	seed := []string{"s3.amazonaws.com", "*.cloudfront.net"}
	tests := []struct {
		raw     string
		allowed []string
		want    string // substring of the error; "" means allowed
	}{
		{"https://s3.amazonaws.com/b/w.json", seed, ""},
		{"https://d1.cloudfront.net/w.json", seed, ""},
		{"https://a.b.cloudfront.net/w.json", seed, ""},
		{"https://anything.example/w.json", nil, ""},
		{"https://anything.example/w.json", []string{}, ""},
		{"https://app.evil.net/w.json", seed, `host "app.evil.net" is not an allowed origin (allowed: "s3.amazonaws.com", "*.cloudfront.net")`},
		// The seed compared only the last two labels, so all of these passed.
		{"https://cloudfront.net.evil.net/w.json", seed, `host "cloudfront.net.evil.net" is not an allowed origin`},
		{"https://evil.net/x.cloudfront.net/w.json", seed, `host "evil.net" is not`},
		{"https://evilcloudfront.net/w.json", seed, `host "evilcloudfront.net" is not`},
		{"https://s3.amazonaws.com.evil.net/w.json", seed, `host "s3.amazonaws.com.evil.net" is not`},
		{"https://cloudfront.net/w.json", seed, `"*.cloudfront.net" matches hosts below cloudfront.net but not cloudfront.net itself; list "cloudfront.net" as well`},
		{"https://s3.amazonaws.com:8443/w.json", seed, `host "s3.amazonaws.com:8443" is not an allowed origin`},
		{"https://s3.amazonaws.com:8443/w.json", seed, `list "s3.amazonaws.com:8443" to allow port 8443`},
		{"https://[::1]:8443/w.json", []string{"[::1]"}, `host "[::1]:8443"`},
		// Malformed URLs are refused whatever the allow-list says.
		{"https://s3.amazonaws.com@evil.net/", seed, "user info"},
		{"https://s3.amazonaws.com@evil.net/", nil, "user info"},
		{"https://s3.amazonaws.com./w.json", seed, "trailing dot"},
	}
	for _, tt := range tests {
		err := CheckOrigin(tt.raw, tt.allowed)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckOrigin(%q, %q) = %v; want nil", tt.raw, tt.allowed, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckOrigin(%q, %q) = %v; want it to mention %q", tt.raw, tt.allowed, err, tt.want)
		}
	}

	err := CheckOrigin("https://app.evil.net/w.json?X-Amz-Signature=s3cr3t", seed)
	var oe *OriginError
	if !errors.As(err, &oe) || oe.Host != "app.evil.net" || len(oe.Allowed) != 2 {
		t.Fatalf("CheckOrigin = %#v; want an *OriginError for app.evil.net", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the error repeats the query: %q", err)
	}
}
