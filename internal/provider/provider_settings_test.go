package provider

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
)

func TestResolveSettings(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(name string) string { return vars[name] }
	}
	creds := genesysProviderModel{ClientID: types.StringValue("id"), ClientSecret: types.StringValue("secret")}
	withEnv := func(m genesysProviderModel, e string) genesysProviderModel {
		m.Environment = types.StringValue(e)
		return m
	}
	withAPI := func(m genesysProviderModel, api string) genesysProviderModel {
		m.APIURL = types.StringValue(api)
		return m
	}
	cases := map[string]struct {
		model                       genesysProviderModel
		env                         map[string]string
		wantAPI, wantLogin, wantEnv string
		wantErr                     string
	}{
		"region domain": {
			model: withEnv(creds, "mypurecloud.ie"), wantAPI: "https://api.mypurecloud.ie",
			wantLogin: "https://login.mypurecloud.ie", wantEnv: "mypurecloud.ie",
		},
		"region from the environment, mixed case": {
			model: creds, env: map[string]string{envEnvironment: "USW2.pure.cloud"},
			wantAPI: "https://api.usw2.pure.cloud", wantLogin: "https://login.usw2.pure.cloud", wantEnv: "usw2.pure.cloud",
		},
		"api_url alone serves login too (the emulator)": {
			model: withAPI(creds, "http://127.0.0.1:8787/"), wantAPI: "http://127.0.0.1:8787",
			wantLogin: "http://127.0.0.1:8787", wantEnv: "127.0.0.1:8787",
		},
		"api_url with a region keeps the region's login": {
			model: withAPI(withEnv(creds, "mypurecloud.de"), "https://proxy.internal"), wantAPI: "https://proxy.internal",
			wantLogin: "https://login.mypurecloud.de", wantEnv: "mypurecloud.de",
		},
		"api_url with a domain the region list lacks (a Genesys test environment)": {
			model: withAPI(withEnv(creds, "inindca.com"), "https://api.inindca.com"), wantAPI: "https://api.inindca.com",
			wantLogin: "https://login.inindca.com", wantEnv: "inindca.com",
		},
		"api_url with an environment that is no domain": {
			model:   withAPI(withEnv(creds, "login.example.com:8443"), "https://proxy.internal"),
			wantErr: "remove it and set login_url",
		},
		"configuration wins over the environment": {
			model: withEnv(creds, "mypurecloud.jp"), env: map[string]string{envEnvironment: "mypurecloud.ie"},
			wantAPI: "https://api.mypurecloud.jp", wantLogin: "https://login.mypurecloud.jp", wantEnv: "mypurecloud.jp",
		},
		"credentials from the environment": {
			model:   genesysProviderModel{Environment: types.StringValue("mypurecloud.com")},
			env:     map[string]string{envClientID: "a", envClientSecret: "b"},
			wantAPI: "https://api.mypurecloud.com", wantLogin: "https://login.mypurecloud.com", wantEnv: "mypurecloud.com",
		},
		"unknown region from the environment": {
			model: creds, env: map[string]string{envEnvironment: "purecloud.example"}, wantErr: "GENESYS_ENVIRONMENT",
		},
		"malformed api_url from the environment": {
			model: creds, env: map[string]string{envAPIURL: "ftp://x"}, wantErr: "GENESYS_API_URL",
		},
		"no secret": {
			model:   genesysProviderModel{ClientID: types.StringValue("id"), Environment: types.StringValue("mypurecloud.com")},
			wantErr: "GENESYS_CLIENT_SECRET",
		},
		"bad allowed domain from configuration": {
			model: func() genesysProviderModel {
				m := withEnv(creds, "mypurecloud.com")
				m.ScreenPop = &screenPopSettingsModel{AllowedDomains: types.ListValueMust(types.StringType,
					[]attr.Value{types.StringValue("https://crm.example.com")})}
				return m
			}(),
			wantErr: "Invalid host pattern",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, diags := resolveSettings(context.Background(), tc.model, env(tc.env))
			if tc.wantErr != "" {
				if !diags.HasError() {
					t.Fatalf("no error, want one mentioning %q", tc.wantErr)
				}
				var all []string
				for _, d := range diags.Errors() {
					all = append(all, d.Summary()+": "+d.Detail())
				}
				if joined := strings.Join(all, "\n"); !strings.Contains(joined, tc.wantErr) {
					t.Fatalf("errors %q do not mention %q", joined, tc.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected errors: %v", diags)
			}
			if s.apiURL != tc.wantAPI || s.loginURL != tc.wantLogin || s.environment != tc.wantEnv {
				t.Fatalf("got api %q login %q env %q; want %q %q %q", s.apiURL, s.loginURL, s.environment,
					tc.wantAPI, tc.wantLogin, tc.wantEnv)
			}
			if s.screenPop.endpointURL != s.apiURL {
				t.Errorf("screen pop endpoint %q, want the API base %q", s.screenPop.endpointURL, s.apiURL)
			}
			if s.constraints.MaxPayloadBytes != 10240 || s.constraints.MaxWidth != 800 || s.constraints.MaxHeight != 600 {
				t.Errorf("constraints %+v are not the seed's defaults", s.constraints)
			}
		})
	}
}

// TestResolveMaxAccessTokens: the pool's bound is the default unless set, and set as written.
func TestResolveMaxAccessTokens(t *testing.T) {
	m := genesysProviderModel{ClientID: types.StringValue("id"), ClientSecret: types.StringValue("secret"),
		Environment: types.StringValue("mypurecloud.com")}
	noEnv := func(string) string { return "" }
	s, diags := resolveSettings(context.Background(), m, noEnv)
	if diags.HasError() || s.maxTokens != 10 {
		t.Fatalf("default: %d tokens (%v), want 10", s.maxTokens, diags)
	}
	for _, want := range []int64{1, 4} {
		m.MaxAccessTokens = types.NumberValue(big.NewFloat(float64(want)))
		if s, _ = resolveSettings(context.Background(), m, noEnv); int64(s.maxTokens) != want {
			t.Errorf("max_access_tokens = %d gave %d", want, s.maxTokens)
		}
	}
	if !(genesysProviderModel{MaxAccessTokens: types.NumberUnknown()}).hasUnknown() {
		t.Error("an unknown max_access_tokens was not seen")
	}
}

// TestResolveSettingsRetryBudgets: unset budgets are the client's defaults, and
// max_rate_limit_retries = 0 reaches the client as "none" rather than as "default".
func TestResolveSettingsRetryBudgets(t *testing.T) {
	for _, tc := range []struct {
		maxRetries, maxRateRetries types.Number
		wantRetries, wantRate      int
	}{
		{types.NumberNull(), types.NumberNull(), client.DefaultRetryMax, client.DefaultRateLimitRetryMax},
		{types.NumberValue(big.NewFloat(3)), types.NumberValue(big.NewFloat(0)), 3, -1},
		{types.NumberNull(), types.NumberValue(big.NewFloat(5)), client.DefaultRetryMax, 5},
	} {
		m := genesysProviderModel{ClientID: types.StringValue("id"), ClientSecret: types.StringValue("secret"),
			Environment: types.StringValue("mypurecloud.com"), MaxRetries: tc.maxRetries, MaxRateRetries: tc.maxRateRetries}
		s, diags := resolveSettings(context.Background(), m, func(string) string { return "" })
		if diags.HasError() {
			t.Fatal(diags)
		}
		if s.maxRetries != tc.wantRetries || s.maxRateRetries != tc.wantRate {
			t.Errorf("max_retries %v, max_rate_limit_retries %v: got %d, %d; want %d, %d", tc.maxRetries,
				tc.maxRateRetries, s.maxRetries, s.maxRateRetries, tc.wantRetries, tc.wantRate)
		}
	}
}

func TestHasUnknown(t *testing.T) {
	m := genesysProviderModel{ClientSecret: types.StringUnknown()}
	if !m.hasUnknown() {
		t.Fatal("an unknown client_secret was not seen")
	}
	m = genesysProviderModel{ScreenPop: &screenPopSettingsModel{SigningSecret: types.StringUnknown()}}
	if !m.hasUnknown() {
		t.Fatal("an unknown signing_secret was not seen")
	}
	if (genesysProviderModel{ClientID: types.StringValue("x")}).hasUnknown() {
		t.Fatal("a known block was reported unknown")
	}
}

// TestURLCredentialsNeverEchoed feeds credentials written into every URL-like setting, through
// every branch that refuses it, and checks that no diagnostic repeats them.
func TestURLCredentialsNeverEchoed(t *testing.T) {
	const secret = "pw-s3cr3t"
	creds := genesysProviderModel{ClientID: types.StringValue("id"), ClientSecret: types.StringValue("secret")}
	urls := []string{
		"https://user:" + secret + "@api.example.com",             // user info
		"ftp://user:" + secret + "@api.example.com",               // wrong scheme
		"//user:" + secret + "@api.example.com",                   // no scheme
		"https://user:" + secret + "@/x",                          // no host
		"https://user:" + secret + "@api example.com",             // unparsable host
		"https://user:" + secret + "@api.example.com/%zz",         // bad escape
		"https://user:" + secret + "@api.example.com:port/",       // bad port
		"http://user:" + secret + "@api.example.com",              // plain http
		"user:" + secret + "@api.example.com",                     // no slashes
		"https://api.example.com/?token=" + secret + "#x",         // credentials in the query
		"mypurecloud.com@user:" + secret,                          // not a region, not a URL
		"https://user:" + secret + "@login.mypurecloud.com/oauth", // a plausible mistake
		"api.example.com?access_token=" + secret,                  // a host and a query, no scheme
		"api.example.com/" + secret,                               // a host and a path, no scheme
	}
	for _, u := range urls {
		for name, m := range map[string]genesysProviderModel{
			"api_url": func() genesysProviderModel { m := creds; m.APIURL = types.StringValue(u); return m }(),
			"login_url": func() genesysProviderModel {
				m := creds
				m.APIURL, m.LoginURL = types.StringValue("https://api.example.com"), types.StringValue(u)
				return m
			}(),
			"environment": func() genesysProviderModel { m := creds; m.Environment = types.StringValue(u); return m }(),
			// Beside api_url, environment still names the login service.
			"environment beside api_url": func() genesysProviderModel {
				m := creds
				m.APIURL, m.Environment = types.StringValue("https://api.example.com"), types.StringValue(u)
				return m
			}(),
		} {
			for _, fromEnv := range []bool{false, true} {
				model, vars := m, map[string]string{}
				if fromEnv {
					switch name {
					case "api_url":
						model.APIURL, vars[envAPIURL] = types.StringNull(), u
					case "login_url":
						model.LoginURL, vars[envLoginURL] = types.StringNull(), u
					case "environment", "environment beside api_url":
						model.Environment, vars[envEnvironment] = types.StringNull(), u
					}
				}
				s, diags := resolveSettings(context.Background(), model, func(k string) string { return vars[k] })
				var texts []string
				for _, d := range diags {
					texts = append(texts, d.Summary()+": "+d.Detail())
				}
				if !diags.HasError() {
					// What a failed sign-in and the audit trail would print.
					texts = append(texts, s.loginFrom.at, s.environment)
					// Whatever resolveSettings let through, the client checks next.
					_, err := newProviderData(context.Background(), s, "test", "")
					if err != nil {
						texts = append(texts, err.Error())
					}
				}
				if joined := strings.Join(texts, "\n"); strings.Contains(joined, secret) {
					t.Errorf("%s = %q (from the environment: %v) is echoed:\n%s", name, u, fromEnv, joined)
				}
			}
		}
	}
}

// TestResolveSettings_loginFrom: a failed sign-in names the setting the login URL came from, in
// the order the URL is chosen.
func TestResolveSettings_loginFrom(t *testing.T) {
	creds := genesysProviderModel{ClientID: types.StringValue("id"), ClientSecret: types.StringValue("secret")}
	with := func(f func(*genesysProviderModel)) genesysProviderModel {
		m := creds
		f(&m)
		return m
	}
	cases := map[string]struct {
		model    genesysProviderModel
		env      map[string]string
		attr, at string
	}{
		"login_url": {
			model: with(func(m *genesysProviderModel) {
				m.LoginURL, m.Environment = types.StringValue("https://login.example.net"), types.StringValue("mypurecloud.ie")
			}),
			attr: "login_url", at: "at login_url",
		},
		"login_url from the environment": {
			model: with(func(m *genesysProviderModel) { m.Environment = types.StringValue("mypurecloud.ie") }),
			env:   map[string]string{envLoginURL: "https://login.example.net"},
			attr:  "login_url", at: "at GENESYS_LOGIN_URL (login_url is unset)",
		},
		"the region's login service": {
			model: with(func(m *genesysProviderModel) {
				m.Environment, m.APIURL = types.StringValue("mypurecloud.ie"), types.StringValue("https://proxy.internal")
			}),
			attr: "environment", at: "at https://login.mypurecloud.ie, the login service of environment (login_url overrides it)",
		},
		"api_url alone": {
			model: with(func(m *genesysProviderModel) { m.APIURL = types.StringValue("http://127.0.0.1:8787") }),
			attr:  "api_url", at: "at api_url, as login_url and environment are unset",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, diags := resolveSettings(context.Background(), tc.model, func(k string) string { return tc.env[k] })
			if diags.HasError() {
				t.Fatalf("diagnostics: %v", diags)
			}
			if s.loginFrom.attr != tc.attr || s.loginFrom.at != tc.at {
				t.Errorf("loginFrom = %+v, want attr %q, at %q", s.loginFrom, tc.attr, tc.at)
			}
		})
	}
}
