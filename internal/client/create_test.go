package client

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// TestCouldBeOurs pins the adoption rule, one condition at a time.
func TestCouldBeOurs(t *testing.T) {
	began := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	since := began.Add(-createdSlack)
	c := &Client{known: map[string]time.Time{
		"seen-before": began.Add(-time.Minute),
		"seen-after":  began.Add(time.Second),
	}}
	fresh := func(mutate func(*Integration)) Integration {
		in := Integration{
			ID: "new", Name: "w", IntegrationType: IntegrationTypeRef{ID: TypeEmbeddedClientApp},
			IntendedState: StateDisabled, Config: IntegrationConfigInfo{Current: ConfigRef{Version: 1}},
			ReportedState: ReportedState{Code: ReportedInactive, LastUpdated: began.Add(300 * time.Millisecond).Format(time.RFC3339Nano)},
		}
		if mutate != nil {
			mutate(&in)
		}
		return in
	}
	tests := []struct {
		name string
		in   Integration
		want bool
	}{
		{"fresh and untouched", fresh(nil), true},
		{"other name", fresh(func(in *Integration) { in.Name = "W" }), false},
		{"other type", fresh(func(in *Integration) { in.IntegrationType.ID = TypeInteractionWidget }), false},
		{"configured", fresh(func(in *Integration) { in.Config.Current.Version = 2 }), false},
		{"enabled", fresh(func(in *Integration) { in.IntendedState = StateEnabled }), false},
		{"known before the attempt", fresh(func(in *Integration) { in.ID = "seen-before" }), false},
		{"first seen after the attempt began", fresh(func(in *Integration) { in.ID = "seen-after" }), true},
		{"older than the attempt", fresh(func(in *Integration) { in.ReportedState.LastUpdated = began.Add(-time.Hour).Format(time.RFC3339) }), false},
		{"within the slack (second-truncated)", fresh(func(in *Integration) { in.ReportedState.LastUpdated = began.Add(-time.Second).Format(time.RFC3339) }), true},
		{"no time reported", fresh(func(in *Integration) { in.ReportedState.LastUpdated = "" }), true},
	}
	for _, tt := range tests {
		if got := c.couldBeOurs(tt.in, "w", TypeEmbeddedClientApp, began, since); got != tt.want {
			t.Errorf("%s: couldBeOurs = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestServerClockOffset(t *testing.T) {
	received := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		date string
		want time.Duration
	}{
		{received.Add(10 * time.Minute).Format(http.TimeFormat), 10 * time.Minute},
		{received.Add(-3 * time.Second).Format(http.TimeFormat), -3 * time.Second},
		{"", 0},
		{"yesterday", 0},
	}
	for _, tt := range tests {
		resp := &response{header: http.Header{"Date": {tt.date}}, received: received}
		if got := serverClockOffset(resp); got != tt.want {
			t.Errorf("offset for Date %q = %v, want %v", tt.date, got, tt.want)
		}
	}
	if serverClockOffset(nil) != 0 {
		t.Error("offset without an answer is not zero")
	}
}

// TestCreateWithSkewedClock: a client clock ten minutes off in either
// direction neither hides its own create nor admits an older twin, because
// the attempt's start is placed on the server's clock.
func TestCreateWithSkewedClock(t *testing.T) {
	const name = "Skewed"
	for _, skew := range []time.Duration{10 * time.Minute, -10 * time.Minute} {
		t.Run(skew.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEmu(t, emulator.Config{RateLimit: -1})
				ctx := context.Background()
				// An untouched twin from a minute ago.
				e.shiftClock(-time.Minute)
				twin, err := e.client().CreateIntegration(ctx, name, TypeEmbeddedClientApp)
				if err != nil {
					t.Fatal(err)
				}
				e.shiftClock(time.Minute)

				c := e.client()
				c.now = func() time.Time { return time.Now().Add(skew) }
				e.setFaults(emulator.Fault{Kind: emulator.KindResetAfterCommit, Method: http.MethodPost, PathPrefix: "/api/v2/integrations", Pattern: "x"})
				in, err := c.CreateIntegration(ctx, name, TypeEmbeddedClientApp)
				if err != nil {
					t.Fatalf("CreateIntegration: %v", err)
				}
				if in.ID == twin.ID {
					t.Error("adopted the older twin")
				}
				if got := len(e.named(name)); got != 2 {
					t.Errorf("%d integrations, want the twin and one new", got)
				}
			})
		})
	}
}

// TestCreateAnswerUnreadable: a 2xx whose body cannot be read means the
// create landed; the client finds and adopts it rather than fail (and leave
// the next apply to make a duplicate).
func TestCreateAnswerUnreadable(t *testing.T) { synctest.Test(t, testCreateAnswerUnreadable) }

func testCreateAnswerUnreadable(t *testing.T) {
	var posts atomic.Int64
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			posts.Add(1)
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, `{"id":"new-1",`)
		case http.MethodGet:
			writeJSON(w, http.StatusOK, map[string]any{
				"entities": []any{map[string]any{
					"id": "new-1", "name": "w", "integrationType": map[string]any{"id": TypeEmbeddedClientApp},
					"intendedState": StateDisabled, "config": map[string]any{"current": map[string]any{"version": 1}},
					"reportedState": map[string]any{"code": ReportedInactive, "lastUpdated": time.Now().UTC().Format(time.RFC3339Nano)},
				}},
				"pageSize": 100, "pageNumber": 1, "total": 1, "pageCount": 1,
			})
		}
	})
	in, err := fake.client(t).CreateIntegration(context.Background(), "w", TypeEmbeddedClientApp)
	if err != nil || in.ID != "new-1" {
		t.Fatalf("CreateIntegration = %+v, %v; want the landed integration adopted", in, err)
	}
	if posts.Load() != 1 {
		t.Errorf("POSTs = %d, want 1", posts.Load())
	}
}

func TestUserAgent(t *testing.T) {
	tests := []struct{ provider, terraform, want string }{
		{"1.2.3", "1.16.2", "terraform-provider-genesys/1.2.3 (+Terraform 1.16.2)"},
		{"", "", "terraform-provider-genesys/dev"},
	}
	for _, tt := range tests {
		if got := UserAgent(tt.provider, tt.terraform); got != tt.want {
			t.Errorf("UserAgent(%q, %q) = %q, want %q", tt.provider, tt.terraform, got, tt.want)
		}
	}
}
