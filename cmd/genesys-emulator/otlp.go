package main

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/otlpreceiver"
)

// withOTLP serves OTLP/HTTP exports beside the emulator when on, logging one line per span
// received, so a demo shows what the provider's telemetry sent. The exports do not go through
// the emulator: they are not Genesys Cloud requests and stay out of its journal.
func withOTLP(emu http.Handler, on bool, logger *slog.Logger) http.Handler {
	if !on {
		return emu
	}
	rcv := otlpreceiver.New()
	rcv.OnSpan = func(s otlpreceiver.Span) { logger.Info("otlp span", spanFields(s)...) }
	mux := http.NewServeMux()
	mux.Handle(otlpreceiver.TracesPath, rcv)
	mux.Handle(otlpreceiver.MetricsPath, rcv)
	mux.Handle("/", emu)
	return mux
}

// spanFields are the fields of a span's log line: its name, outcome and the attributes that say
// what it was about.
func spanFields(s otlpreceiver.Span) []any {
	fields := []any{"name", s.Name, "duration", s.End.Sub(s.Start).Round(100_000).String()}
	if s.StatusCode == "STATUS_CODE_ERROR" {
		fields = append(fields, "status", "error")
	}
	for _, k := range []string{
		"genesys.outcome", "genesys.widget.name", "genesys.widget.id", "genesys.org.id", "genesys.correlation_id",
		"genesys.screenpop.window_focused", "http.response.status_code", "http.request.resend_count",
	} {
		if v, ok := s.Attributes[k]; ok {
			fields = append(fields, strings.TrimPrefix(k, "genesys."), v)
		}
	}
	for _, e := range s.Events {
		fields = append(fields, "event", e.Name)
	}
	return fields
}
