package provider

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
)

// TestOpTimeoutBlamesOnlyItself: an error is put down to the timeouts setting when its deadline
// passed, and not when the caller's context ended first or the operation failed in time.
func TestOpTimeoutBlamesOnlyItself(t *testing.T) {
	failure := errors.New("connection refused")
	t.Run("deadline passed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel, blame := opTimeout{"create", time.Second}.begin(context.Background())
			defer cancel()
			<-ctx.Done()
			err := blame(&client.RequestError{Method: "POST", Path: "/x", Err: ctx.Err()})
			var te *timedOutError
			if !errors.As(err, &te) || te.name != "create" || te.limit != time.Second {
				t.Fatalf("blame = %#v, want a timedOutError for timeouts.create", err)
			}
			if hint := timeoutHint(err); !messageRE("timeouts.create (1s)", `timeouts { create = "2s" }`).MatchString(hint) {
				t.Errorf("hint = %q", hint)
			}
		})
	})
	for d, want := range map[time.Duration]string{time.Second: "1s", 90 * time.Second: "1m30s", 5 * time.Minute: "5m",
		2 * time.Hour: "2h", 2*time.Hour + time.Minute: "2h1m"} {
		if got := durationText(d); got != want {
			t.Errorf("durationText(%s) = %q, want %q", d, got, want)
		}
	}
	t.Run("caller canceled", func(t *testing.T) {
		parent, stop := context.WithCancel(context.Background())
		ctx, cancel, blame := opTimeout{"create", time.Hour}.begin(parent)
		defer cancel()
		stop()
		<-ctx.Done()
		if err := blame(ctx.Err()); timeoutHint(err) != "" {
			t.Errorf("blame(%v) names the timeout", err)
		}
	})
	t.Run("failed in time", func(t *testing.T) {
		_, cancel, blame := opTimeout{"create", time.Hour}.begin(context.Background())
		defer cancel()
		if err := blame(failure); timeoutHint(err) != "" || !errors.Is(err, failure) {
			t.Errorf("blame(%v) = %v, want it unchanged", failure, err)
		}
		if blame(nil) != nil {
			t.Error("blame(nil) is not nil")
		}
	})
}
