package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
)

func TestWithOTLPLogsTheSpansTheProviderSends(t *testing.T) {
	var logs lockedBuffer
	emu := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	srv := httptest.NewServer(withOTLP(emu, true, slog.New(slog.NewTextHandler(&logs, nil))))
	defer srv.Close()

	tel, err := telemetry.New(context.Background(), telemetry.Config{
		TracesURL: srv.URL + "/v1/traces", MetricsURL: srv.URL + "/v1/metrics", Traces: true, Metrics: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, op := tel.StartWidget(context.Background(), telemetry.OpActivate, "w-1", "Agent dashboard")
	if err := op.End(ctx, "w-1", nil); err != nil {
		t.Fatalf("export to the emulator's receiver failed: %v", err)
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	line := logs.String()
	for _, want := range []string{`msg="otlp span"`, "name=genesys.widget.activate", "outcome=success", `widget.name="Agent dashboard"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %s", line, want)
		}
	}
	// Everything else still reaches the emulator.
	resp, err := http.Get(srv.URL + "/api/v2/integrations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("API request answered %d by the mux, not the emulator", resp.StatusCode)
	}
}

func TestWithOTLPOffIsTheEmulator(t *testing.T) {
	emu := http.NewServeMux()
	if got := withOTLP(emu, false, slog.Default()); got != http.Handler(emu) {
		t.Fatalf("withOTLP(off) = %T, want the emulator itself", got)
	}
}
