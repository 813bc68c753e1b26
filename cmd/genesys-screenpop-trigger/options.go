package main

import (
	"errors"
	"flag"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/cliflag"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

const (
	defaultListen  = "127.0.0.1:8788"
	defaultTimeout = 30 * time.Second
)

// Settings read only from the environment: a value on the command line would show in ps and in
// shell history.
const (
	envClientID      = "GENESYS_CLIENT_ID"
	envClientSecret  = "GENESYS_CLIENT_SECRET"
	envSigningSecret = "GENESYS_SCREENPOP_SIGNING_SECRET"
)

// options are the program's settings after flags, environment fallbacks and defaults.
type options struct {
	listen      string
	allowRemote bool
	verbose     bool
	timeout     time.Duration // one pop, retries included

	clientID, clientSecret string
	signingSecret          []byte

	environment  string // region domain, or the API host when only -api-url was given
	apiURL       string
	loginURL     string
	screenPopURL string // "" = apiURL

	allowedDomains []string
	applicationID  string // default for every pop
	targetURL      string // default for every pop
	webhookURL     string
	auditLog       string
}

// setting is one flag with its environment fallback: the flag wins when given, else the
// variable when not empty. Defaults are written in the help, never read from the environment, so
// -h cannot print a configured value.
type setting = cliflag.Setting[options]

var settings = []setting{
	{Name: "listen", Env: "GENESYS_SCREENPOP_TRIGGER_LISTEN", Arg: "host:port",
		Help: "address to serve on (default " + defaultListen + "); must be loopback unless -allow-remote",
		Set:  func(o *options, v string) error { o.listen = v; return nil }},
	{Name: "allow-remote", Env: "GENESYS_SCREENPOP_TRIGGER_ALLOW_REMOTE", Bool: true,
		Help: "allow a non-loopback -listen address and any Host header: the endpoint has no authentication of its own, " +
			"so anyone who can reach it can pop any agent's screen",
		Set: func(o *options, v string) error { return cliflag.ParseBool(v, &o.allowRemote) }},
	{Name: "environment", Env: "GENESYS_ENVIRONMENT", Arg: "region-domain",
		Help: "Genesys Cloud region domain, e.g. mypurecloud.ie: the API is https://api.{environment}, the login service https://login.{environment}",
		Set:  setEnvironment},
	{Name: "api-url", Env: "GENESYS_API_URL", Arg: "url",
		Help: "API base URL instead of the environment's, e.g. http://127.0.0.1:8787 for the bundled emulator",
		Set:  func(o *options, v string) (err error) { o.apiURL, err = baseURL(v); return err }},
	{Name: "login-url", Env: "GENESYS_LOGIN_URL", Arg: "url",
		Help: "login (OAuth) base URL (default https://login.{environment}, or -api-url when no environment is given)",
		Set:  func(o *options, v string) (err error) { o.loginURL, err = baseURL(v); return err }},
	{Name: "screenpop-url", Env: "GENESYS_SCREENPOP_ENDPOINT_URL", Arg: "url",
		Help: "base URL of the screen pop service, for a relay (default: the API base URL)",
		Set:  func(o *options, v string) (err error) { o.screenPopURL, err = baseURL(v); return err }},
	{Name: "allowed-domains", Env: "GENESYS_SCREENPOP_ALLOWED_DOMAINS", Arg: "host,...",
		Help: "host patterns a pop may open, e.g. app.example.com,*.crm.example.com (default: any https host)",
		Set:  setAllowedDomains},
	{Name: "application-id", Env: "GENESYS_SCREENPOP_APPLICATION_ID", Arg: "id",
		Help: "application id of every pop whose request names none",
		Set:  func(o *options, v string) error { o.applicationID = strings.TrimSpace(v); return nil }},
	{Name: "target-url", Env: "GENESYS_SCREENPOP_TARGET_URL", Arg: "url",
		Help: "https URL every pop opens unless its request names one; must be within -allowed-domains",
		Set:  func(o *options, v string) error { o.targetURL = strings.TrimSpace(v); return nil }},
	{Name: "webhook-url", Env: "GENESYS_SCREENPOP_WEBHOOK_URL", Arg: "url",
		Help: "URL a signed screenpop_activated event is posted to after each delivered pop (default: none)",
		Set:  setWebhookURL},
	{Name: "audit-log", Env: "GENESYS_AUDIT_LOG", Arg: "file",
		Help: "JSON Lines audit trail, one line per pop, created 0600 (default: none); session tokens and customer data are redacted",
		Set:  func(o *options, v string) error { o.auditLog = v; return nil }},
	{Name: "timeout", Env: "GENESYS_SCREENPOP_TRIGGER_TIMEOUT", Arg: "duration",
		Help: "how long one pop may take, retries included (default 30s); past it the request answers 504 and may be retried with the same Idempotency-Key",
		Set:  setTimeout},
	{Name: "verbose", Env: "GENESYS_SCREENPOP_TRIGGER_VERBOSE", Bool: true,
		Help: "log every request to Genesys Cloud to stderr (never a token, a secret or customer data)",
		Set:  func(o *options, v string) error { return cliflag.ParseBool(v, &o.verbose) }},
}

// parseOptions reads flags, then the environment for the flags not given, then the
// environment-only credentials. -h writes the usage to stdout and returns flag.ErrHelp.
func parseOptions(args []string, getenv func(string) string, stdout io.Writer) (options, error) {
	opts := options{listen: defaultListen, timeout: defaultTimeout}
	if err := cliflag.Parse("genesys-screenpop-trigger", settings, &opts, args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout)
		}
		return opts, err
	}

	opts.clientID = strings.TrimSpace(getenv(envClientID))
	opts.clientSecret = getenv(envClientSecret)
	if secret := getenv(envSigningSecret); secret != "" {
		opts.signingSecret = []byte(secret)
	}
	var missing []string
	if opts.clientID == "" {
		missing = append(missing, envClientID)
	}
	if opts.clientSecret == "" {
		missing = append(missing, envClientSecret)
	}
	if len(missing) > 0 {
		return opts, cliflag.Errorf("set %s to an OAuth client-credentials grant of the org", strings.Join(missing, " and "))
	}
	if err := resolveURLs(&opts); err != nil {
		return opts, err
	}
	if err := cliflag.CheckListen(opts.listen, opts.allowRemote); err != nil {
		return opts, &cliflag.UsageError{Err: err}
	}
	return opts, nil
}

// resolveURLs derives the API and login URLs from the environment the way the provider does
// (client.ResolveEndpoints).
func resolveURLs(o *options) error {
	if o.apiURL == "" && o.environment == "" {
		return cliflag.Errorf("set -environment (GENESYS_ENVIRONMENT) to the org's region domain, e.g. mypurecloud.ie, " +
			"or -api-url (GENESYS_API_URL) to reach another endpoint such as the bundled emulator")
	}
	e := client.ResolveEndpoints(o.environment, o.apiURL, o.loginURL)
	o.apiURL, o.loginURL, o.environment = e.APIURL, e.LoginURL, e.Environment
	return nil
}

func writeUsage(w io.Writer) {
	cliflag.WriteUsage(w, `Usage: genesys-screenpop-trigger [flags]

Serves a local HTTP endpoint that pops an agent's screen in Genesys Cloud, for automations on
the agent's workspace. Every pop is checked against the allowed domains, carries the session
token and customer data in its URL fragment, is signed, delivered under an idempotency key,
written to the audit trail and announced to the webhook: the same path the provider's
genesys_screenpop resource and action take.

  POST /trigger-screenpop   {"userId", "customerData", "sessionToken", "state"?, "targetUrl"?,
                            "applicationId"?, "idempotencyKey"?}; Content-Type application/json
                            An Idempotency-Key header (or idempotencyKey) makes a retry safe:
                            the agent sees the pop once. Answers {"status": "delivered" or
                            "already-delivered", "popId", "latencyMs", "windowFocused",
                            "idempotencyKey", "warnings"?}.
  GET  /healthz             200 while serving.

Environment only (never flags, which ps would show):
  GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET
      OAuth client-credentials grant of the org (required)
  GENESYS_SCREENPOP_SIGNING_SECRET
      HMAC-SHA256 secret every pop and webhook event is signed with (required)

Flags (each falls back to its environment variable; a flag given on the command line wins):
`, settings, `
Example, against the bundled emulator (go run ./cmd/genesys-emulator):
  GENESYS_CLIENT_ID=org-a-client GENESYS_CLIENT_SECRET=org-a-secret \
  GENESYS_SCREENPOP_SIGNING_SECRET=emulator-signing-secret \
    genesys-screenpop-trigger -api-url http://127.0.0.1:8787 -allowed-domains app.example.com \
      -application-id com.example.customapp -target-url https://app.example.com/agent-view
  curl -s -H 'Content-Type: application/json' -H 'Idempotency-Key: call-42' \
    -d '{"userId":"agent-1","customerData":{"customerId":"42"},"sessionToken":"s3ss10n"}' \
    http://127.0.0.1:8788/trigger-screenpop

SIGINT or SIGTERM stops it cleanly: pops in flight are finished first.
`)
}

func setEnvironment(o *options, v string) error {
	env := strings.ToLower(strings.TrimSpace(v))
	if strings.ContainsAny(env, ":/") {
		return errors.New("want a region domain such as mypurecloud.ie, not a URL; use -api-url for a URL")
	}
	if !hostmatch.IsDomainName(env) {
		return errors.New("want a region domain such as mypurecloud.com or mypurecloud.ie")
	}
	o.environment = env
	return nil
}

// baseURL checks an http(s) base URL and drops its trailing slashes. Its errors do not repeat
// the URL.
func baseURL(v string) (string, error) {
	v = strings.TrimRight(strings.TrimSpace(v), "/")
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return "", errors.New("not a URL")
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return "", errors.New("want an absolute http or https URL")
	case u.User != nil:
		return "", errors.New("must not carry user info; credentials come from the environment")
	case u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("want a base URL without a query or fragment")
	}
	return v, nil
}

func setAllowedDomains(o *options, v string) error {
	o.allowedDomains = nil
	for p := range strings.SplitSeq(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if err := hostmatch.ValidatePattern(p); err != nil {
			return err
		}
		o.allowedDomains = append(o.allowedDomains, p)
	}
	return nil
}

func setWebhookURL(o *options, v string) error {
	v = strings.TrimSpace(v)
	u, err := url.Parse(v)
	// The URL is not repeated: webhook URLs often carry their credential in the path or query.
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("want an absolute http or https URL")
	}
	o.webhookURL = v
	return nil
}

func setTimeout(o *options, v string) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < time.Second {
		return errors.New("want a duration of at least 1s, such as 30s or 2m")
	}
	o.timeout = d
	return nil
}
