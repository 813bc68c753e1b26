package screenpop

import (
	"errors"
	"strings"
	"testing"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

func TestCheckTargetURL(t *testing.T) {
	seed := []string{"app.mydashboard.com", "crm.internal.net"}
	tests := []struct {
		raw     string
		allowed []string
		want    string // substring of the error; "" means allowed
	}{
		{"https://app.mydashboard.com/agent-view", seed, ""},
		{"https://APP.MyDashboard.com/agent-view", seed, ""},
		{"https://app.mydashboard.com:443/agent-view", seed, ""},
		{"https://crm.internal.net/?q=1#view=a", seed, ""},
		{"https://x.mydashboard.com/", []string{"*.mydashboard.com"}, ""},
		{"https://anything.example/", nil, ""},
		// The seed's prefix test let all of these through.
		{"https://app.mydashboard.com.evil.net/", seed, `host "app.mydashboard.com.evil.net" is not an allowed screen pop domain (allowed: "app.mydashboard.com", "crm.internal.net")`},
		{"https://app.mydashboard.comevil.net/", seed, `host "app.mydashboard.comevil.net" is not an allowed`},
		{"https://app.mydashboard.com@evil.net/", seed, "user info"},
		{"https://app.mydashboard.com:8443/", seed, `host "app.mydashboard.com:8443" is not an allowed`},
		{"https://app.mydashboard.com:8443/", seed, `list "app.mydashboard.com:8443" to allow port 8443`},
		{"https://mydashboard.com/", []string{"*.mydashboard.com"}, `list "mydashboard.com" as well`},
		{"https://app.mydashboard.com./", seed, "trailing dot"},
		{`https://evil.net\@app.mydashboard.com/`, seed, "backslash"},
		{"https://%61pp.mydashboard.com/", seed, "not valid"},
		{"http://app.mydashboard.com/", seed, `scheme is "http"`},
		{"http://app.mydashboard.com/", nil, `scheme is "http"`},
		{"javascript:alert(1)", nil, "absolute"},
		{"https://user@anything.example/", nil, "user info"},
		{"https://app.mydashboard.com/" + strings.Repeat("a", MaxURLLength), seed, "the limit is 8192"},
	}
	for _, tt := range tests {
		err := CheckTargetURL(tt.raw, tt.allowed)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckTargetURL(%q, %q) = %v; want nil", tt.raw, tt.allowed, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckTargetURL(%q, %q) = %v; want it to mention %q", tt.raw, tt.allowed, err, tt.want)
		}
	}

	err := CheckTargetURL("https://evil.net/#sessionToken=S3CRET", seed)
	var de *DomainError
	if !errors.As(err, &de) || de.Host != "evil.net" {
		t.Fatalf("CheckTargetURL = %#v; want a *DomainError for evil.net", err)
	}
	if strings.Contains(err.Error(), "S3CRET") {
		t.Errorf("error repeats the fragment: %q", err)
	}
	var ue *hostmatch.URLError
	if err := CheckTargetURL("https://u:S3CRET@app.mydashboard.com/", seed); !errors.As(err, &ue) || strings.Contains(err.Error(), "S3CRET") {
		t.Errorf("CheckTargetURL(user info) = %v", err)
	}
}
