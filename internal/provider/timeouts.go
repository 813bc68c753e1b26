package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
)

// Default time limits of the operations whose `timeouts` block leaves them unset.
const (
	defaultWidgetCreateTimeout = 10 * time.Minute
	defaultWidgetUpdateTimeout = 10 * time.Minute
	defaultWidgetDeleteTimeout = 5 * time.Minute
	// A pop rides out a Retry-After of a minute and a few retries within this; a pop that
	// still has not arrived after it is one the agent has stopped waiting for.
	defaultScreenPopTimeout = 5 * time.Minute
)

// timeoutText describes one attribute of a `timeouts` block.
func timeoutText(what string, def time.Duration) string {
	return fmt.Sprintf("How long %s may take, retries and waits included, such as `30s` or `2m`; units `s`, `m`, `h`. "+
		"Default `%s`.", what, durationText(def))
}

// durationText writes d as a user would: "5m" rather than Go's "5m0s".
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// opTimeout is the limit a `timeouts` block (or its default) sets on one operation.
type opTimeout struct {
	name  string // the attribute of the timeouts block: "create", "invoke"
	limit time.Duration
}

// timedOutError is an operation that its `timeouts` limit ended. Its text is the cause's; the
// diagnostic adds the setting to raise (clientErrorHint).
type timedOutError struct {
	opTimeout
	err error
}

func (e *timedOutError) Error() string { return e.err.Error() }
func (e *timedOutError) Unwrap() error { return e.err }

// begin bounds ctx by the limit. blame marks an error of the operation as the limit's doing when
// the limit is why it ended: the deadline passed, or the client stopped retrying because the next
// try would have passed it. An error the caller's own context caused is left as it is.
func (t opTimeout) begin(ctx context.Context) (opCtx context.Context, cancel context.CancelFunc, blame func(error) error) {
	cause := &timedOutError{opTimeout: t, err: context.DeadlineExceeded}
	opCtx, cancel = context.WithTimeoutCause(ctx, t.limit, cause)
	ours := true
	if parent, ok := ctx.Deadline(); ok {
		own, _ := opCtx.Deadline()
		ours = own.Before(parent)
	}
	blame = func(err error) error {
		if err == nil {
			return nil
		}
		if errors.Is(context.Cause(opCtx), cause) || ours && ctx.Err() == nil && client.StoppedByDeadline(err) {
			return &timedOutError{opTimeout: t, err: err}
		}
		return err
	}
	return opCtx, cancel, blame
}

// timeoutHint says which setting ended an operation and what to do, or "" when none did.
func timeoutHint(err error) string {
	var te *timedOutError
	if !errors.As(err, &te) {
		return ""
	}
	return fmt.Sprintf("The operation did not finish within its time limit, timeouts.%s (%s). If the service is "+
		"slow or rate limiting, raise it in the timeouts block (for example timeouts { %s = \"%s\" }) and run the "+
		"command again.", te.name, durationText(te.limit), te.name, durationText(2*te.limit))
}
