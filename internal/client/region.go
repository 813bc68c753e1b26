package client

import (
	"net/url"
	"slices"
	"strings"
)

// Regions are the Genesys Cloud region domains: an org lives in one, and its API and login
// services are reached at https://api.{region} and https://login.{region}.
var Regions = []string{
	"mypurecloud.com", "usw2.pure.cloud", "cac1.pure.cloud", "use2.us-gov-pure.cloud", "sae1.pure.cloud",
	"mypurecloud.ie", "euw2.pure.cloud", "mypurecloud.de", "euc2.pure.cloud", "mec1.pure.cloud",
	"aps1.pure.cloud", "apne2.pure.cloud", "mypurecloud.com.au", "mypurecloud.jp", "apne3.pure.cloud",
}

// IsRegion reports whether domain is one of Regions, ignoring case.
func IsRegion(domain string) bool { return slices.Contains(Regions, strings.ToLower(domain)) }

// Endpoints are the base URLs of one org's services and the name the org's environment goes by
// in logs and the audit trail.
type Endpoints struct {
	APIURL, LoginURL string
	Environment      string // the region domain, or the API host when only an API URL was given
}

// ResolveEndpoints derives the base URLs from a region domain and optional overrides: the API is
// apiURL, else https://api.{region}; the login service is loginURL, else https://login.{region},
// else (no region: an emulator or a relay) the API URL itself. Trailing slashes are dropped. It
// checks nothing: New checks the URLs, and callers check the region (IsRegion) as strictly as
// they need. An empty region and an empty apiURL give an empty APIURL.
func ResolveEndpoints(region, apiURL, loginURL string) Endpoints {
	e := Endpoints{
		APIURL:      strings.TrimRight(apiURL, "/"),
		LoginURL:    strings.TrimRight(loginURL, "/"),
		Environment: strings.ToLower(region),
	}
	if e.APIURL == "" && e.Environment != "" {
		e.APIURL = "https://api." + e.Environment
	}
	if e.LoginURL == "" {
		if e.Environment != "" {
			e.LoginURL = "https://login." + e.Environment
		} else {
			e.LoginURL = e.APIURL
		}
	}
	if e.Environment == "" {
		if u, err := url.Parse(e.APIURL); err == nil {
			e.Environment = u.Host
		}
	}
	return e
}
