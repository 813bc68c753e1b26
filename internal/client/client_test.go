package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestNewValidatesConfig(t *testing.T) {
	valid := Config{ClientID: "id", ClientSecret: "secret", APIURL: "https://api.mypurecloud.com", LoginURL: "https://login.mypurecloud.com"}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"valid", func(*Config) {}, ""},
		{"no client id", func(c *Config) { c.ClientID = "" }, "client id is required"},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, "client secret is required"},
		{"no api url", func(c *Config) { c.APIURL = "" }, "API URL is required"},
		{"no login url", func(c *Config) { c.LoginURL = "" }, "login URL is required"},
		{"relative", func(c *Config) { c.APIURL = "api.mypurecloud.com" }, "must be an absolute https URL"},
		{"ftp", func(c *Config) { c.APIURL = "ftp://api.mypurecloud.com" }, "must be an absolute https URL"},
		{"unparsable", func(c *Config) { c.APIURL = "https://api.example.com/%zz" }, "invalid URL escape"},
		{"plain http to a remote host", func(c *Config) { c.LoginURL = "http://login.mypurecloud.com" }, "must use https"},
		{"plain http to loopback", func(c *Config) { c.APIURL, c.LoginURL = "http://127.0.0.1:8080", "http://localhost:8080" }, ""},
		{"plain http to ipv6 loopback", func(c *Config) { c.APIURL = "http://[::1]:8080" }, ""},
		{"credentials in url", func(c *Config) { c.APIURL = "https://user:pw@api.mypurecloud.com" }, "must not have credentials"},
		{"query", func(c *Config) { c.APIURL = "https://api.mypurecloud.com?x=1" }, "must not have credentials, a query"},
		{"bad screen pop url", func(c *Config) { c.ScreenPopURL = "relay.example.com" }, "screen pop URL"},
		// No branch repeats a credential written into a URL.
		{"credentials, unparsable", func(c *Config) { c.APIURL = "https://user:pw-s3cr3t@api.example.com/%zz" }, "invalid URL escape"},
		{"credentials, ftp", func(c *Config) { c.LoginURL = "ftp://user:pw-s3cr3t@login.example.com" }, "must be an absolute https URL"},
		{"credentials, no host", func(c *Config) { c.APIURL = "https://user:pw-s3cr3t@/x" }, "must be an absolute https URL"},
		{"credentials, plain http", func(c *Config) { c.LoginURL = "http://user:pw-s3cr3t@login.example.com" }, "must not have credentials"},
		{"credentials, screen pop", func(c *Config) { c.ScreenPopURL = "https://user:pw-s3cr3t@relay.example.com" }, "screen pop URL (host \"relay.example.com\")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.mutate(&cfg)
			_, err := New(cfg)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("New: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("New = %v, want an error containing %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), cfg.ClientSecret) && cfg.ClientSecret != "" {
				t.Errorf("error leaks the secret: %v", err)
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error repeats a credential written into a URL: %v", err)
			}
		})
	}
}

func TestNewDefaultsAndURLs(t *testing.T) {
	c, err := New(Config{
		ClientID: "id", ClientSecret: "secret",
		APIURL: "https://api.usw2.pure.cloud/api/v2/", LoginURL: "https://login.usw2.pure.cloud/",
		RetryMax: -1, RetryWaitMin: time.Minute, RetryWaitMax: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"api url", c.apiURL, "https://api.usw2.pure.cloud"},
		{"screen pop url defaults to api", c.screenPopURL, "https://api.usw2.pure.cloud"},
		{"token url", c.tokens.conf.TokenURL, "https://login.usw2.pure.cloud/oauth/token"},
		{"user agent", c.userAgent, DefaultUserAgent},
		{"negative retry max means none", c.retryMax, 0},
		{"rate limit retries", c.rateLimitRetryMax, DefaultRateLimitRetryMax},
		{"wait max raised to min", c.retryWaitMax, time.Minute},
		{"retry-after cap", c.retryAfterCap, DefaultRetryAfterCap},
		{"attempt timeout", c.attemptTimeout, DefaultAttemptTimeout},
		{"poll interval", c.pollInterval, DefaultPollInterval},
		{"read lag window", c.readLagWindow, DefaultReadLagWindow},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	c2, err := New(Config{ClientID: "id", ClientSecret: "s", APIURL: "https://a.example.com", LoginURL: "https://l.example.com",
		ScreenPopURL: "https://relay.example.com/", HTTPClient: &http.Client{Timeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	if c2.screenPopURL != "https://relay.example.com" || c2.http.Timeout != time.Minute {
		t.Errorf("screen pop url %q, timeout %v", c2.screenPopURL, c2.http.Timeout)
	}
}

func TestAPIErrorText(t *testing.T) {
	tests := []struct {
		err  *APIError
		want string
	}{
		{
			&APIError{Status: 409, Code: "conflict", Message: "version 3 is stale", CorrelationID: "1234-abcd", Method: "PUT", Path: "/api/v2/integrations/abc/config/current", Attempts: 3},
			`PUT /api/v2/integrations/abc/config/current: 409 conflict: "version 3 is stale" (correlation id 1234-abcd, after 3 attempts)`,
		},
		{
			&APIError{Status: 404, Code: "not.found", Message: "gone", Method: "GET", Path: "/api/v2/integrations/x", Attempts: 1},
			`GET /api/v2/integrations/x: 404 not.found: "gone"`,
		},
		{
			&APIError{Status: 400, Code: "bad.request", Message: "invalid", Errors: []string{"name: is required", "properties.url: must be https"}, Method: "POST", Path: "/api/v2/integrations", CorrelationID: "c"},
			`POST /api/v2/integrations: 400 bad.request: "invalid" [name: is required; properties.url: must be https] (correlation id c)`,
		},
		{
			&APIError{Status: 502, Method: "GET", Path: "/p", Attempts: 9, StopReason: "8 retries spent"},
			`GET /p: 502 (after 9 attempts, stopped: 8 retries spent)`,
		},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %s\nwant      %s", got, tt.want)
		}
	}
}

func TestRequestAndTokenErrorText(t *testing.T) {
	last := &APIError{Status: 503, Code: "service.unavailable", Message: "busy", CorrelationID: "c-9"}
	tests := []struct {
		err  error
		want string
	}{
		{&RequestError{Method: "GET", Path: "/p", Attempts: 0, Err: errors.New("boom")}, "GET /p: not sent: boom"},
		{&RequestError{Method: "GET", Path: "/p", Attempts: 1, Err: context.Canceled}, "GET /p: no answer: context canceled"},
		{
			&RequestError{Method: "GET", Path: "/p", Attempts: 4, Last: last, StopReason: "3 retries spent", Err: errors.New("connection reset by peer")},
			`GET /p: no answer after 4 attempts: connection reset by peer (stopped: 3 retries spent); last answer: 503 service.unavailable: "busy" (correlation id c-9)`,
		},
		{&TokenError{Status: 401, Code: "invalid_client", Description: "bad secret"}, `oauth client-credentials grant failed: 401 invalid_client: "bad secret"`},
		{&TokenError{Err: errors.New("dial tcp: refused")}, "oauth client-credentials grant failed: dial tcp: refused"},
		{&AmbiguousCreateError{Name: "w", TypeID: "t", IDs: []string{"a", "b"}}, `create of integration "w" (type t) had an unknown outcome and 2 untouched integrations of that name and type appeared since it began (a, b); adopting none: import the right one and delete the others`},
		{&ReportedStateError{ID: "i", Want: "ACTIVE", State: ReportedState{Code: "ERROR", Detail: &StateDetail{Message: "no url"}}}, "integration i reports ERROR while waiting for ACTIVE: no url"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %s\nwant      %s", got, tt.want)
		}
	}
	wrapped := fmt.Errorf("reading: %w", &RequestError{Err: context.DeadlineExceeded})
	if !errors.Is(wrapped, context.DeadlineExceeded) {
		t.Error("RequestError does not unwrap to its cause")
	}
	if !errors.Is(&TokenError{Err: context.Canceled}, context.Canceled) {
		t.Error("TokenError does not unwrap to its cause")
	}
}

func TestNewAPIErrorReadsBodies(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   APIError
	}{
		{
			name:   "genesys body",
			header: headers(headerCorrelationID, "corr-1", "Retry-After", "3"),
			body:   `{"message":"slow down","code":"too.many.requests.retry.after","status":429,"contextId":"ctx-1"}`,
			want:   APIError{Status: 429, Code: "too.many.requests.retry.after", Message: "slow down", CorrelationID: "corr-1", RetryAfter: 3 * time.Second},
		},
		{
			name: "context id stands in for the header",
			body: `{"message":"m","code":"c","contextId":"ctx-2"}`,
			want: APIError{Status: 429, Code: "c", Message: "m", CorrelationID: "ctx-2"},
		},
		{
			name: "errors and details of every shape",
			body: `{"message":"invalid","code":"bad.request","errors":["plain",{"message":"nested","code":"x"},{"message":"name: is required","messageParams":{"field":"name"}},7],"details":[{"fieldName":"properties.url","errorCode":"NOT_HTTPS"},{"entityId":"e"}]}`,
			want: APIError{Status: 429, Code: "bad.request", Message: "invalid", Errors: []string{"plain", "nested", "name: is required", "properties.url: NOT_HTTPS"}},
		},
		{
			name: "not json",
			body: `<html>bad gateway</html>`,
			want: APIError{Status: 429, Message: "Too Many Requests"},
		},
		{
			name: "echoed credentials are masked",
			body: `{"message":"bad header Authorization: Bearer eyJabc.def","code":"c","errors":[{"message":"Basic dXNlcjpzZWNyZXQ="}]}`,
			want: APIError{Status: 429, Code: "c", Message: "bad header Authorization: Bearer ***", Errors: []string{"Basic ***"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := newAPIError("GET", "/p", 429, h, []byte(tt.body), now)
			tt.want.Method, tt.want.Path = "GET", "/p"
			if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestErrorPredicates(t *testing.T) {
	notFound := fmt.Errorf("reading: %w", &APIError{Status: 404})
	limited := &APIError{Status: 429}
	if !IsNotFound(notFound) || IsRateLimited(notFound) {
		t.Error("IsNotFound/IsRateLimited wrong for a wrapped 404")
	}
	if !IsRateLimited(limited) || IsNotFound(limited) {
		t.Error("IsNotFound/IsRateLimited wrong for a 429")
	}
	if IsNotFound(errors.New("404")) || IsNotFound(nil) || IsRateLimited(nil) {
		t.Error("a plain error or nil is neither")
	}
}

// TestEveryCallSurfacesErrors runs each call against a server that finds
// nothing: 404s come back typed, and DeleteIntegration takes one as done.
func TestEveryCallSurfacesErrors(t *testing.T) { synctest.Test(t, testEveryCallSurfacesErrors) }

func testEveryCallSurfacesErrors(t *testing.T) {
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		writeGenesysError(w, http.StatusNotFound, "not.found", "nothing here", "corr-404")
	})
	c := fake.client(t)
	ctx := context.Background()
	calls := map[string]func() error{
		"GetIntegration":       func() error { _, err := c.GetIntegration(ctx, "x"); return err },
		"GetIntegrationConfig": func() error { _, err := c.GetIntegrationConfig(ctx, "x"); return err },
		"ListIntegrations":     func() error { _, err := c.ListIntegrations(ctx); return err },
		"PutIntegrationConfig": func() error { _, err := c.PutIntegrationConfig(ctx, "x", IntegrationConfig{}); return err },
		"SetIntendedState":     func() error { _, err := c.SetIntendedState(ctx, "x", false); return err },
		"OrganizationMe":       func() error { _, err := c.OrganizationMe(ctx); return err },
		"TriggerScreenPop":     func() error { _, err := c.TriggerScreenPop(ctx, "u", []byte("{}"), "k", "s"); return err },
		"WaitForReportedState": func() error {
			_, err := c.WaitForReportedState(ctx, &Integration{ID: "x", ReportedState: ReportedState{Code: ReportedActivating}}, ReportedActive)
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !IsNotFound(err) || !strings.Contains(err.Error(), "corr-404") {
			t.Errorf("%s = %v, want a typed 404 with its correlation id", name, err)
		}
	}
	if err := c.DeleteIntegration(ctx, "x"); err != nil {
		t.Errorf("DeleteIntegration of a missing integration = %v, want nil", err)
	}
	if _, err := c.WaitForReportedState(ctx, nil, ReportedActive); err == nil {
		t.Error("WaitForReportedState(nil) succeeded")
	}
}

func TestUndecodableAnswer(t *testing.T) { synctest.Test(t, testUndecodableAnswer) }

func testUndecodableAnswer(t *testing.T) {
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"id": `)
	})
	_, err := fake.client(t).OrganizationMe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "decoding the answer") {
		t.Errorf("OrganizationMe = %v, want a decoding error", err)
	}
}

func TestScreenPopConflictWithoutOriginalAnswer(t *testing.T) {
	synctest.Test(t, testScreenPopConflictWithoutOriginalAnswer)
}

func testScreenPopConflictWithoutOriginalAnswer(t *testing.T) {
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		writeGenesysError(w, http.StatusConflict, "conflict", "something else conflicts", "corr-c")
	})
	_, err := fake.client(t).TriggerScreenPop(context.Background(), "u", []byte("{}"), "k", "s")
	if apiErr := (*APIError)(nil); !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict {
		t.Errorf("TriggerScreenPop = %v, want the 409 as an error when it carries no pop", err)
	}
}

func TestRateLimitWithoutRetryAfterBacksOff(t *testing.T) {
	synctest.Test(t, testRateLimitWithoutRetryAfterBacksOff)
}

func testRateLimitWithoutRetryAfterBacksOff(t *testing.T) {
	var calls atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			writeGenesysError(w, http.StatusTooManyRequests, "too.many.requests", "slow", "c")
			return
		}
		writeJSON(w, 200, map[string]any{"id": "org-a"})
	})
	c := fake.client(t)
	if _, err := c.OrganizationMe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || c.Stats().Retries != 2 {
		t.Errorf("calls = %d, stats %+v", calls.Load(), c.Stats())
	}
}

// headers builds a canonical header from name, value pairs.
func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestCorrelationID(t *testing.T) {
	apiErr := &APIError{Status: 500, CorrelationID: "corr-1"}
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"an answer":             {fmt.Errorf("put: %w", apiErr), "corr-1"},
		"a call with no answer": {&RequestError{Last: &APIError{CorrelationID: "corr-2"}}, "corr-2"},
		"a call never answered": {&RequestError{}, ""},
		"no error":              {nil, ""},
	} {
		if got := CorrelationID(tc.err); got != tc.want {
			t.Errorf("%s: CorrelationID = %q, want %q", name, got, tc.want)
		}
	}
}

func TestResolveEndpoints(t *testing.T) {
	tests := []struct {
		name               string
		region, api, login string
		want               Endpoints
	}{
		{"region", "mypurecloud.ie", "", "", Endpoints{"https://api.mypurecloud.ie", "https://login.mypurecloud.ie", "mypurecloud.ie"}},
		{"region in capitals", "USW2.pure.cloud", "", "", Endpoints{"https://api.usw2.pure.cloud", "https://login.usw2.pure.cloud", "usw2.pure.cloud"}},
		{"API URL alone serves login (the emulator)", "", "http://127.0.0.1:8787/", "", Endpoints{"http://127.0.0.1:8787", "http://127.0.0.1:8787", "127.0.0.1:8787"}},
		{"API URL with a region keeps the region's login", "mypurecloud.de", "https://proxy.internal", "", Endpoints{"https://proxy.internal", "https://login.mypurecloud.de", "mypurecloud.de"}},
		{"every override", "mypurecloud.jp", "https://a.example/", "https://l.example//", Endpoints{"https://a.example", "https://l.example", "mypurecloud.jp"}},
		{"nothing", "", "", "", Endpoints{}},
	}
	for _, tt := range tests {
		if got := ResolveEndpoints(tt.region, tt.api, tt.login); got != tt.want {
			t.Errorf("%s: ResolveEndpoints(%q, %q, %q) = %+v; want %+v", tt.name, tt.region, tt.api, tt.login, got, tt.want)
		}
	}
	for _, r := range Regions {
		if !IsRegion(strings.ToUpper(r)) {
			t.Errorf("IsRegion(%q) = false", strings.ToUpper(r))
		}
	}
	if IsRegion("purecloud.example") || IsRegion("") {
		t.Error("IsRegion accepts a domain that is not a region")
	}
}
