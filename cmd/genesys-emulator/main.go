// Command genesys-emulator serves a local Genesys Cloud org (the login service and the slice of
// the Platform API the terraform-provider-genesys uses) for demos, offline tests and benchmarks.
// Run it with -h for its settings; the behaviour lives in internal/emulator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/cliflag"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

const (
	defaultListen          = "127.0.0.1:8787"
	defaultActivationDelay = 2 * time.Second
	shutdownTimeout        = 5 * time.Second
)

func main() { cliflag.Main("genesys-emulator", run) }

// run parses the settings, serves until ctx ends, then shuts down: in-flight requests get
// shutdownTimeout to finish, and the state file is written one last time.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	opts, err := parseOptions(args, getenv, stdout)
	if err != nil {
		return err
	}
	logger, handler := cliflag.NewLogger(stderr, opts.verbose)
	opts.config.Logger = logger

	emu, err := emulator.New(opts.config)
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", opts.listen)
	if err != nil {
		_ = emu.Close()
		return err
	}
	srv := &http.Server{
		Handler:           withOTLP(emu, opts.otlp, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	// The desktop's event streams never go idle: end them so Shutdown does not wait for them.
	srv.RegisterOnShutdown(emu.CloseEventStreams)
	fmt.Fprintf(stdout, "genesys-emulator listening on http://%s (orgs: %s)\n", ln.Addr(), strings.Join(emu.OrgIDs(), ", "))
	fmt.Fprintf(stdout, "agent desktop: http://%s/desktop/\n", ln.Addr())
	logSetup(logger, opts.config)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case serveErr = <-served:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still running at shutdown were cut off", "error", err)
		_ = srv.Close()
	}
	closeErr := emu.Close()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return closeErr
}

// logSetup tells a demo user who can log in, without any secret.
func logSetup(logger *slog.Logger, cfg emulator.Config) {
	clients := cfg.Clients
	if len(clients) == 0 {
		clients = emulator.DefaultClients()
	}
	users := cfg.Users
	if len(users) == 0 {
		users = emulator.DefaultUsers()
	}
	for _, c := range clients {
		var names []string
		for _, u := range users {
			if u.OrgID == c.OrgID {
				names = append(names, u.ID)
			}
		}
		logger.Info("client", "id", c.ID, "org", c.OrgID, "users", strings.Join(names, ","))
	}
	logger.Info("rate limits", "perToken", perMinute(cfg.RateLimit), "perClient", perMinute(cfg.ClientRateLimit),
		"tokenCreationPerClient", perMinute(cfg.TokenCreationLimit))
}

// perMinute describes a limit setting as the log shows it.
func perMinute(n int) string {
	if n < 0 {
		return "off"
	}
	return strconv.Itoa(n) + "/min"
}

// options is the parsed command line.
type options struct {
	listen      string
	allowRemote bool
	verbose     bool
	otlp        bool
	config      emulator.Config
}

// setting is one flag with its environment fallback. Values are parsed by set, from the flag if
// it was given, else from the environment variable if it is not empty; the defaults are in
// defaultOptions. Defaults are spelt out in the usage text, never taken from the environment,
// so -h cannot print a secret.
type setting = cliflag.Setting[options]

func defaultOptions() options {
	return options{
		listen: defaultListen,
		config: emulator.Config{
			RateLimit:          emulator.DefaultRateLimit,
			ClientRateLimit:    emulator.DefaultClientRateLimit,
			TokenCreationLimit: emulator.DefaultTokenCreationLimit,
			TokenLifetime:      emulator.DefaultTokenLifetime,
			ActivationDelay:    defaultActivationDelay,
		},
	}
}

var settings = []setting{
	{Name: "listen", Env: "GENESYS_EMULATOR_LISTEN", Arg: "host:port",
		Help: "address to serve on (default " + defaultListen + "); must be loopback unless -allow-remote",
		Set:  func(o *options, v string) error { o.listen = v; return nil }},
	{Name: "allow-remote", Env: "GENESYS_EMULATOR_ALLOW_REMOTE", Bool: true,
		Help: "allow a non-loopback -listen address: anyone who can reach it can read the journal and reset the emulator",
		Set:  func(o *options, v string) error { return cliflag.ParseBool(v, &o.allowRemote) }},
	{Name: "clients", Env: "GENESYS_EMULATOR_CLIENTS", Arg: "id:secret:orgId:orgName,...",
		Help: "OAuth clients, one org each (default org-a-client:org-a-secret:org-a:Org A,org-b-client:org-b-secret:org-b:Org B)",
		Set: func(o *options, v string) (err error) {
			o.config.Clients, err = emulator.ParseClients(v)
			return err
		}},
	{Name: "users", Env: "GENESYS_EMULATOR_USERS", Arg: "id:name:orgId,...",
		Help: "agents that screen pops can reach (default agent-1 and agent-2 in org-a, agent-3 in org-b, for the orgs that exist)",
		Set: func(o *options, v string) (err error) {
			o.config.Users, err = emulator.ParseUsers(v)
			return err
		}},
	{Name: "rate-limit", Env: "GENESYS_EMULATOR_RATE_LIMIT", Arg: "n",
		Help: "requests per minute per access token, Genesys' token.rate.per.minute (default 300); a bucket holding -rate-burst requests, refilled continuously;" +
			" over it a call answers 429 with Retry-After; negative switches this limit off",
		Set: func(o *options, v string) error {
			return parseInt(v, &o.config.RateLimit, func(n int) bool { return n != 0 }, "a non-zero integer")
		}},
	{Name: "rate-burst", Env: "GENESYS_EMULATOR_RATE_BURST", Arg: "n",
		Help: "requests a token may send at once (default: the rate limit, one minute's allowance)",
		Set: func(o *options, v string) error {
			return parseInt(v, &o.config.RateBurst, func(n int) bool { return n > 0 }, "a positive integer")
		}},
	{Name: "client-rate-limit", Env: "GENESYS_EMULATOR_CLIENT_RATE_LIMIT", Arg: "n",
		Help: "requests per minute per OAuth client across all its tokens, Genesys' org.app.user.rate.per.minute (default 3000); a call must fit its token's" +
			" allowance and its client's; a bucket holding one minute's allowance, refilled continuously; over it a call answers 429 as for -rate-limit; negative switches this limit off",
		Set: func(o *options, v string) error {
			return parseInt(v, &o.config.ClientRateLimit, func(n int) bool { return n != 0 }, "a non-zero integer")
		}},
	{Name: "token-creation-limit", Env: "GENESYS_EMULATOR_TOKEN_CREATION_LIMIT", Arg: "n",
		Help: "tokens per minute an OAuth client may create at POST /oauth/token (default 60; Genesys limits this but publishes no figure);" +
			" a bucket holding one minute's allowance, refilled continuously; over it the grant answers 400 {\"error\":\"invalid_request\",\"description\":\"rate limit exceeded; ...\"}" +
			" as the real login service does; negative switches this limit off",
		Set: func(o *options, v string) error {
			return parseInt(v, &o.config.TokenCreationLimit, func(n int) bool { return n != 0 }, "a non-zero integer")
		}},
	{Name: "token-lifetime", Env: "GENESYS_EMULATOR_TOKEN_LIFETIME", Arg: "duration",
		Help: "access token lifetime, e.g. 1h (default 24h, expires_in 86400)",
		Set:  func(o *options, v string) error { return parseDuration(v, &o.config.TokenLifetime, time.Second) }},
	{Name: "activation-delay", Env: "GENESYS_EMULATOR_ACTIVATION_DELAY", Arg: "duration",
		Help: "time an integration spends ACTIVATING or DEACTIVATING (default 2s; 0 switches at once)",
		Set:  func(o *options, v string) error { return parseDuration(v, &o.config.ActivationDelay, 0) }},
	{Name: "stale-version-status", Env: "GENESYS_EMULATOR_STALE_VERSION_STATUS", Arg: "409|400",
		Help: "how a configuration PUT with a stale version is refused: 409 conflict (default), or 400 saying the version \"does not match the current version\" (Genesys APIs answer both)",
		Set: func(o *options, v string) error {
			return parseInt(v, &o.config.StaleVersionStatus, func(n int) bool { return n == 409 || n == 400 }, "409 or 400")
		}},
	{Name: "signing-secret", Env: "GENESYS_EMULATOR_SIGNING_SECRET", Arg: "secret",
		Help: "screen pop HMAC signing secret (default: the built-in demo secret); prefer the environment variable to keep it out of ps",
		Set: func(o *options, v string) error {
			if v == "" {
				return errors.New("is empty")
			}
			o.config.SigningSecret = v
			return nil
		}},
	{Name: "faults", Env: "GENESYS_EMULATOR_FAULTS", Arg: "file|json",
		Help: `fault profile: a JSON file, or inline JSON such as '[{"kind":"503","pathPrefix":"/api/v2/","probability":0.1,"seed":1}]';` +
			` kinds 429 500 502 503 latency reset-before reset-after-commit read-404-after-create window-unfocused concurrent-config-write, each by "pattern" ("x.x") or "probability" and "seed"`,
		Set: func(o *options, v string) (err error) { o.config.Faults, err = loadFaults(v); return err }},
	{Name: "state", Env: "GENESYS_EMULATOR_STATE", Arg: "file",
		Help: "state file, so integrations and screen pops survive a restart (default: memory only)",
		Set:  func(o *options, v string) error { o.config.StatePath = v; return nil }},
	{Name: "host-map", Env: "GENESYS_EMULATOR_HOST_MAP", Arg: "host=target,...",
		Help: "where the agent desktop (/desktop/) loads app hosts from: target \"samples\" (the emulator's sample apps) or a loopback base URL" +
			" such as http://127.0.0.1:3000; a host may be *.domain, e.g. widgets.example.com=samples,*.cloudfront.net=samples (default: as configured)",
		Set: func(o *options, v string) (err error) { o.config.HostMap, err = emulator.ParseHostMap(v); return err }},
	{Name: "verbose", Env: "GENESYS_EMULATOR_VERBOSE", Bool: true,
		Help: "log every request to stderr (never tokens or secrets)",
		Set:  func(o *options, v string) error { return cliflag.ParseBool(v, &o.verbose) }},
	{Name: "otlp", Env: "GENESYS_EMULATOR_OTLP", Bool: true,
		Help: "also be an OpenTelemetry collector: accept OTLP/HTTP exports at /v1/traces and /v1/metrics and log every span received (point the provider's telemetry.endpoint at the emulator)",
		Set:  func(o *options, v string) error { return cliflag.ParseBool(v, &o.otlp) }},
}

// parseOptions reads flags, then environment variables for the flags not given. -h writes the
// usage to stdout and returns flag.ErrHelp.
func parseOptions(args []string, getenv func(string) string, stdout io.Writer) (options, error) {
	opts := defaultOptions()
	if err := cliflag.Parse("genesys-emulator", settings, &opts, args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout)
		}
		return opts, err
	}
	if err := cliflag.CheckListen(opts.listen, opts.allowRemote); err != nil {
		return opts, &cliflag.UsageError{Err: err}
	}
	return opts, nil
}

func writeUsage(w io.Writer) {
	cliflag.WriteUsage(w, `Usage: genesys-emulator [flags]

Serves a local Genesys Cloud org: POST /oauth/token, the integrations API and its types,
what a client reads at start-up (organizations/me, authorization/products, users/me), screen
pops, admin endpoints under /_emulator/ (journal, reset, faults), and the agent desktop at
/desktop/ (every widget and screen pop as an agent sees them, live). Every flag falls back to
its environment variable; a flag given on the command line wins.

Flags:
`, settings, `
Rate limits: every API call spends one request from its token's bucket and one from its
client's, and is refused 429 (Retry-After, code too.many.requests.retry.after) if either is
empty; a refused call spends nothing. The inin-ratelimit-count, -allowed and -reset headers
describe one bucket, the tighter of the two (on a 429, the one that refused): the requests in
use in it, its rate per minute, and the seconds until it is full again. Genesys' own windows
are unpublished; the emulator's buckets are exact, accept at most a minute's allowance at
once, and refill steadily, so Retry-After is the wait for the next request, not for a window.

A session (default credentials):
  TOKEN=$(curl -s -u org-a-client:org-a-secret -d grant_type=client_credentials \
    http://127.0.0.1:8787/oauth/token | jq -r .access_token)
  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8787/api/v2/organizations/me

SIGINT or SIGTERM shuts it down cleanly (the state file is written one last time).
`)
}

func loadFaults(v string) ([]emulator.Fault, error) {
	data := []byte(v)
	if t := strings.TrimSpace(v); !strings.HasPrefix(t, "[") && !strings.HasPrefix(t, "{") {
		var err error
		if data, err = os.ReadFile(v); err != nil {
			return nil, err
		}
	}
	return emulator.ParseFaults(data)
}

func parseInt(v string, dst *int, ok func(int) bool, want string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || !ok(n) {
		return fmt.Errorf("want %s", want)
	}
	*dst = n
	return nil
}

func parseDuration(v string, dst *time.Duration, least time.Duration) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < least {
		return fmt.Errorf("want a duration of at least %v, such as 90s or 1h", least)
	}
	*dst = d
	return nil
}
