// Command genesys-screenpop-trigger serves a local HTTP endpoint that pops an agent's screen in
// Genesys Cloud, for automations on the agent's workspace: POST /trigger-screenpop. Each pop
// goes through internal/delivery, the path the provider's genesys_screenpop resource and action
// take, so it is checked, signed, idempotent, audited and announced the same way. Run it with -h
// for its settings.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/audit"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/cliflag"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
)

// version is stamped by releases (-ldflags "-X main.version=...").
var version = "dev"

// shutdownGrace is added to the pop timeout for a shutdown: pops in flight finish, and are
// audited, before the process ends.
const shutdownGrace = 5 * time.Second

func main() { cliflag.Main("genesys-screenpop-trigger", run) }

// run reads the settings, serves until ctx ends, then shuts down, letting pops in flight finish.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	opts, err := parseOptions(args, getenv, stdout)
	if err != nil {
		return err
	}
	logger, logHandler := cliflag.NewLogger(stderr, opts.verbose)

	sender, auditLog, err := newSender(opts, logger)
	if err != nil {
		return err
	}
	defer func() { _ = auditLog.Close() }()

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", opts.listen)
	if err != nil {
		return err
	}
	t := &trigger{
		sender:        sender,
		applicationID: opts.applicationID,
		targetURL:     opts.targetURL,
		timeout:       opts.timeout,
		allowRemote:   opts.allowRemote,
		logger:        logger,
	}
	srv := &http.Server{
		Handler:           t.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      opts.timeout + shutdownGrace,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logHandler, slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "genesys-screenpop-trigger listening on http://%s%s\n", ln.Addr(), triggerPath)
	logSetup(logger, opts)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case serveErr = <-served:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), opts.timeout+shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still running at shutdown were cut off", "error", err)
		_ = srv.Close()
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// newSender builds the one Sender every request shares, and refuses to start with settings no
// pop could be sent under: no signing secret, or a default target outside the allowed domains.
func newSender(opts options, logger *slog.Logger) (*delivery.Sender, *audit.Log, error) {
	c, err := client.New(client.Config{
		ClientID:     opts.clientID,
		ClientSecret: opts.clientSecret,
		APIURL:       opts.apiURL,
		LoginURL:     opts.loginURL,
		ScreenPopURL: opts.screenPopURL,
		UserAgent:    "genesys-screenpop-trigger/" + version,
		Logger:       clientLogger{logger},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("creating the Genesys Cloud API client: %w", err)
	}
	sender := &delivery.Sender{
		Client:         c,
		SigningSecret:  opts.signingSecret,
		AllowedDomains: opts.allowedDomains,
		WebhookURL:     opts.webhookURL,
		Environment:    opts.environment,
	}
	var targetErr *delivery.TargetError
	switch err := sender.Check(opts.targetURL); {
	case errors.Is(err, delivery.ErrNoSigningSecret):
		return nil, nil, fmt.Errorf("set %s to the secret shared with the screen pop service: every pop is signed: %w", envSigningSecret, err)
	case errors.As(err, &targetErr):
		return nil, nil, &cliflag.UsageError{Err: fmt.Errorf("-target-url: %w", err)}
	case err != nil:
		return nil, nil, err
	}
	auditLog, err := audit.Open(opts.auditLog)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the audit log: %w", err)
	}
	sender.Audit = auditLog
	return sender, auditLog, nil
}

// logSetup says where pops go, without a secret: hosts only for URLs that may carry credentials.
func logSetup(logger *slog.Logger, opts options) {
	attrs := []any{"api", opts.apiURL, "login", opts.loginURL}
	if opts.screenPopURL != "" {
		attrs = append(attrs, "screenpopService", opts.screenPopURL)
	}
	if opts.targetURL != "" {
		attrs = append(attrs, "defaultTargetHost", hostOf(opts.targetURL))
	}
	if opts.applicationID != "" {
		attrs = append(attrs, "defaultApplicationId", opts.applicationID)
	}
	if opts.webhookURL != "" {
		attrs = append(attrs, "webhookHost", hostOf(opts.webhookURL))
	}
	if opts.auditLog != "" {
		attrs = append(attrs, "auditLog", opts.auditLog)
	}
	logger.Info("screen pop trigger ready", attrs...)
	if len(opts.allowedDomains) == 0 {
		logger.Warn("no -allowed-domains: a request may send an agent to any https URL")
	} else {
		logger.Info("allowed domains", "patterns", strings.Join(opts.allowedDomains, ","))
	}
	if opts.allowRemote {
		logger.Warn("-allow-remote: anyone who can reach the endpoint can pop any agent's screen")
	}
}

// clientLogger sends the API client's request log to slog. The client never puts a header, a
// body or a token in its fields.
type clientLogger struct{ l *slog.Logger }

func (c clientLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	c.l.DebugContext(ctx, msg, attrs(fields)...)
}

func (c clientLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	c.l.WarnContext(ctx, msg, attrs(fields)...)
}

func attrs(fields map[string]any) []any {
	out := make([]any, 0, 2*len(fields))
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		out = append(out, k, fields[k])
	}
	return out
}
