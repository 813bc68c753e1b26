package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserWait bounds every wait on the page. Nothing waits for a fixed time: each wait ends as
// soon as its condition holds, and this is only how long a loaded two-core CI machine may need.
const browserWait = 30 * time.Second

// browser is one headless Chromium tab.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// chromiumPath finds the browser: $CHROMIUM if set, else Debian's chromium on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: `make test` installs Debian's chromium package (tools/install-chromium.sh); " +
		"install it with apt-get install chromium, or point CHROMIUM at a Chromium binary")
	return ""
}

// newBrowser starts a headless Chromium with a window of the given size; it is stopped when the
// test ends.
func newBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.WindowSize(width, height),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-device-scale-factor", "1"),
	)
	// Chromium refuses to start as root with its process sandbox on (CI containers run as root).
	// That sandbox isolates the browser from the machine; the iframe sandbox under test is
	// enforced by the renderer either way.
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first run starts the browser, which lives as long as the context of that run: it
	// gets no deadline of its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx}
}

// run runs an action with the overall wait bound and returns its value.
func run[T any](b *browser, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if errors.Is(err, context.DeadlineExceeded) {
		return v, fmt.Errorf("the page did not get there within %s: %w", browserWait, err)
	}
	return v, err
}

// do runs actions that return nothing, in order.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) error {
	_, err := run(b, chromedp.Steps(actions...))
	return err
}

// waitTrue waits until the JavaScript expression is true, evaluating it again on every change to
// the page's DOM, so it ends as soon as the page shows what the expression looks for.
func (b *browser) waitTrue(what, expression string) error {
	if _, err := run(b, chromedp.Poll[bool](expression, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(0))); err != nil {
		return fmt.Errorf("waiting for %s: %w", what, err)
	}
	return nil
}

// eval evaluates expression and stores its JSON value in out.
func eval[T any](b *browser, expression string) (T, error) {
	return run(b, chromedp.Evaluate[T](expression))
}

// attr reads an attribute of the first element matching a CSS selector (both must exist).
func (b *browser) attr(selector, name string) (string, error) {
	v, err := run(b, chromedp.AttributeValue(chromedp.CSS(selector), name))
	if err != nil {
		return "", fmt.Errorf("%s[%s]: %w", selector, name, err)
	}
	if !v.Exists {
		return "", fmt.Errorf("%s has no %s attribute", selector, name)
	}
	return v.Value, nil
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
