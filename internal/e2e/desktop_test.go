package e2e_test

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider"
)

var providerFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"genesys": providerserver.NewProtocol6WithError(provider.New("test")()),
}

// The session token the pop carries: it must never reach the page.
const sessionToken = "desktop-e2e-session-token-7f3a"

// popTarget is the target: a pop sent by terraform apply is on the agent's screen within
// 2 s. The test logs what the emulator measured (from the pop request's arrival to the desktop's
// report that it opened the pop) against it but does not fail on it: how soon a loaded CI
// machine schedules Chromium is not the provider's behaviour, and speed is the benchmark's and
// the demo's to show (the demo prints the pop's latency_ms), not a timed test's.
const popTarget = 2 * time.Second

// popCeiling fails the test: a pop that takes this long to show was not pushed to the page as
// it arrived (the page fell back to polling, or waited on something else), which no slow
// machine explains.
const popCeiling = 30 * time.Second

const widgetsConfig = `
provider "genesys" {
  client_id     = "org-a-client"
  client_secret = "org-a-secret"
  api_url       = %[1]q
  screenpop {
    signing_secret  = "emulator-signing-secret"
    allowed_domains = ["crm.example.com"]
  }
}

resource "genesys_agent_widget" "dashboard" {
  name         = "Agent dashboard"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/dashboard/index.html"
  status       = %[2]q
  permissions  = ["clipboard-write"]
  dimensions   = { width = 750, height = 500 }
}

# Default sandbox tokens: the probe must find scripts on and top navigation off.
resource "genesys_agent_widget" "probe" {
  name         = "Sandbox probe"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/probe/?lang={{gcLangTag}}&env={{pcEnvironment}}&host={{gcHostOrigin}}&target={{gcTargetEnv}}"
  dimensions   = { width = 420, height = 560 }
}

# Scripts and top navigation only: the probe must find exactly that.
resource "genesys_agent_widget" "probe_locked" {
  name         = "Sandbox probe (locked)"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/probe/locked"
  sandbox      = ["allow-scripts", "allow-top-navigation"]
  dimensions   = { width = 420, height = 300 }
}

resource "genesys_agent_widget" "knowledge" {
  name         = "Knowledge search"
  type         = "webapp"
  display_type = "standalone"
  manifest_url = "https://widgets.example.com/knowledge/"
}

resource "genesys_agent_widget" "retired" {
  name         = "Retired widget"
  type         = "webapp"
  status       = "inactive"
  manifest_url = "https://widgets.example.com/retired/"
}

resource "genesys_agent_widget" "customer_360" {
  name                = "Customer 360"
  type                = "integration"
  manifest_url        = "https://d111111abcdef8.cloudfront.net/c360/index.html?conversationId={{gcConversationId}}"
  communication_types = ["chat"]
  queue_ids           = ["queue-vip"]
  dimensions          = { width = 400, height = 320 }
}
`

const popConfig = `
variable "session_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "genesys_screenpop" "vip" {
  user_id               = "agent-1"
  application_id        = genesys_agent_widget.probe.id
  target_url            = "https://crm.example.com/agent-view"
  customer_data         = { customer_id = "C-1042", tier = "gold" }
  state                 = { uiMode = "focused" }
  session_token         = var.session_token
  session_token_version = 1
}
`

// TestAccDesktop applies widgets with Terraform and checks that the agent desktop, open in a real
// browser, shows them as Genesys Cloud would: sandbox, allow and size of every frame, the probe's
// findings, interaction widgets only beside matching conversations, a disabled widget gone
// without a reload, and a screen pop on screen with its context and no session token.
func TestAccDesktop(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	emu, err := emulator.New(emulator.Config{
		// The pop's answer waits for the page's report however slowly a loaded machine runs
		// Chromium: window_focused then says what the page did, not how soon it was scheduled.
		DesktopPopWait: 2 * time.Minute,
		HostMap: []emulator.HostMapping{
			{Pattern: "widgets.example.com", Target: emulator.HostMapSamples},
			{Pattern: "*.cloudfront.net", Target: emulator.HostMapSamples},
			{Pattern: "crm.example.com", Target: emulator.HostMapSamples},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		emu.CloseEventStreams()
		srv.Close()
	})
	appsOrigin := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	t.Setenv("TF_VAR_session_token", sessionToken)

	b := newBrowser(t, 1680, 1200)
	if err := b.do(chromedp.Navigate(srv.URL + "/desktop/?org=org-a&agent=agent-1")); err != nil {
		t.Fatal(err)
	}
	if err := b.waitTrue("the event stream", `document.getElementById('live').dataset.state === 'live'`); err != nil {
		t.Fatal(err)
	}
	loadedAt, err := eval[float64](b, `performance.timeOrigin`)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	idsFrom := func(s *terraform.State) {
		for name, r := range s.RootModule().Resources {
			ids[strings.TrimPrefix(name, "genesys_agent_widget.")] = r.Primary.ID
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactories,
		// session_token is write-only, which Terraform supports from 1.11.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(widgetsConfig, srv.URL, "active"),
				Check: func(s *terraform.State) error {
					idsFrom(s)
					return checkWidgets(b, ids, srv.URL, appsOrigin)
				},
			},
			{
				// Disabling a widget in Terraform takes it off the desktop, live.
				Config: fmt.Sprintf(widgetsConfig, srv.URL, "inactive"),
				Check: func(*terraform.State) error {
					return checkDisabledLive(b, ids, loadedAt)
				},
			},
			{
				Config: fmt.Sprintf(widgetsConfig, srv.URL, "active") + popConfig,
				Check: func(s *terraform.State) error {
					if err := checkPop(b, emu, s, loadedAt, t.Logf); err != nil {
						return err
					}
					if err := checkLoadedOnce(b, ids); err != nil {
						return err
					}
					// The picture: the dashboard in the widget panel, beside the pop.
					idsFrom(s)
					if err := b.do(chromedp.Click(chromedp.CSS(`#widget-tabs button[data-id="` + ids["dashboard"] + `"]`))); err != nil {
						return err
					}
					if err := b.waitTrue("the dashboard tab", `!document.querySelector('#widgets figure[data-app-id="`+ids["dashboard"]+`"]').hidden`); err != nil {
						return err
					}
					// The dashboard's frame was made anew by this apply: wait until it has loaded.
					if err := checkProbe(b, ids["dashboard"], map[string]bool{"scripts": true, "clipboard": true}); err != nil {
						return err
					}
					if err := screenshot(t, b); err != nil {
						return err
					}
					return checkOtherOrg(b)
				},
			},
		},
	})
}

// checkWidgets checks every frame the first apply should have put on the desktop.
func checkWidgets(b *browser, ids map[string]string, desktopOrigin, appsOrigin string) error {
	dash := `#widgets iframe[data-app-id="` + ids["dashboard"] + `"]`
	if err := b.waitTrue("the dashboard widget", `document.querySelector(`+js(dash)+`) !== null`); err != nil {
		return err
	}
	if err := checkFrame(b, dash, frameWant{
		sandbox: "allow-forms allow-modals allow-popups allow-same-origin allow-scripts", allow: "clipboard-write",
		width: 750, height: 500, srcPrefix: appsOrigin + "/apps/widgets.example.com/dashboard/index.html",
	}); err != nil {
		return err
	}
	probe := `#widgets iframe[data-app-id="` + ids["probe"] + `"]`
	if err := checkFrame(b, probe, frameWant{
		sandbox: "allow-forms allow-modals allow-popups allow-same-origin allow-scripts", width: 420, height: 560,
		// The placeholders are filled in as Genesys fills them, gcHostOrigin with the desktop's own origin.
		srcPrefix: appsOrigin + "/apps/widgets.example.com/probe/?lang=en-US&env=mypurecloud.com&host=" +
			strings.NewReplacer(":", "%3A", "/", "%2F").Replace(desktopOrigin) + "&target=prod",
	}); err != nil {
		return err
	}
	if err := checkProbe(b, ids["probe"], map[string]bool{
		"scripts": true, "top-navigation": false, "same-origin": true, "forms": true, "clipboard": false,
	}); err != nil {
		return err
	}
	if err := checkFrame(b, `#widgets iframe[data-app-id="`+ids["probe_locked"]+`"]`, frameWant{
		sandbox: "allow-scripts allow-top-navigation", width: 420, height: 300,
		srcPrefix: appsOrigin + "/apps/widgets.example.com/probe/locked",
	}); err != nil {
		return err
	}
	if err := checkProbe(b, ids["probe_locked"], map[string]bool{
		"scripts": true, "top-navigation": true, "same-origin": false, "forms": false,
	}); err != nil {
		return err
	}

	// The inactive widget is not shown, and the page says why.
	retired, err := eval[bool](b, `document.querySelector('iframe[data-app-id="`+ids["retired"]+`"]') === null && `+
		`document.querySelector('#hidden li[data-app-id="`+ids["retired"]+`"]') !== null`)
	if err != nil {
		return err
	}
	if !retired {
		return fmt.Errorf("the inactive widget is shown, or not listed as hidden")
	}

	// The standalone app is in the apps menu, and opens on the stage at the whole render frame.
	app := `#app-stage iframe[data-app-id="` + ids["knowledge"] + `"]`
	if err := b.do(chromedp.Click(chromedp.CSS(`#apps-menu button[data-app-id="` + ids["knowledge"] + `"]`))); err != nil {
		return err
	}
	if err := b.waitTrue("the standalone app", `document.querySelector(`+js(app)+`) !== null`); err != nil {
		return err
	}
	if err := checkFrame(b, app, frameWant{
		sandbox: "allow-forms allow-modals allow-popups allow-same-origin allow-scripts", width: 800, height: 600,
		srcPrefix: appsOrigin + "/apps/widgets.example.com/knowledge/",
	}); err != nil {
		return err
	}
	if err := b.do(chromedp.Click(chromedp.CSS(`#apps-menu button[data-app-id="` + ids["knowledge"] + `"]`))); err != nil {
		return err
	}

	// The interaction widget shows only beside a chat on queue-vip.
	c360 := ids["customer_360"]
	for _, conv := range []struct {
		typ, queue string
		shows      bool
	}{{"call", "queue-vip", false}, {"chat", "queue-other", false}, {"chat", "queue-vip", true}} {
		convID, err := startConversation(b, conv.typ, conv.queue)
		if err != nil {
			return err
		}
		sel := `.conversation[data-conversation-id="` + convID + `"] iframe[data-app-id="` + c360 + `"]`
		shown, err := eval[bool](b, `document.querySelector(`+js(sel)+`) !== null`)
		if err != nil {
			return err
		}
		if shown != conv.shows {
			return fmt.Errorf("interaction widget beside a %s on %s: shown = %v, want %v", conv.typ, conv.queue, shown, conv.shows)
		}
		if shown {
			if err := checkFrame(b, sel, frameWant{
				sandbox: "allow-forms allow-modals allow-popups allow-same-origin allow-scripts", width: 400, height: 320,
				srcPrefix: appsOrigin + "/apps/d111111abcdef8.cloudfront.net/c360/index.html?conversationId=" + convID,
			}); err != nil {
				return err
			}
		}
	}
	// Marks survive only if the frames are never rebuilt: checked after the next apply.
	_, err = eval[bool](b, `document.querySelector(`+js(probe)+`).dataset.e2eMark = 'kept'; true`)
	return err
}

// startConversation starts one through the page's form and returns its id once the page shows it.
func startConversation(b *browser, typ, queue string) (string, error) {
	before, err := eval[int](b, `document.querySelectorAll('.conversation').length`)
	if err != nil {
		return "", err
	}
	if err := b.do(
		chromedp.SetValue(chromedp.CSS(`#conversation-type`), typ),
		chromedp.SetValue(chromedp.CSS(`#conversation-queue`), queue),
		chromedp.Click(chromedp.CSS(`#start`)),
	); err != nil {
		return "", err
	}
	sel := fmt.Sprintf(`.conversation[data-type=%q][data-queue=%q]:not([hidden])`, typ, queue)
	if err := b.waitTrue("the "+typ+" conversation", fmt.Sprintf(`document.querySelectorAll('.conversation').length > %d && document.querySelector(%s) !== null`, before, js(sel))); err != nil {
		return "", err
	}
	return b.attr(sel, "data-conversation-id")
}

type frameWant struct {
	sandbox, allow string
	width, height  int
	srcPrefix      string
}

func checkFrame(b *browser, sel string, want frameWant) error {
	sandbox, err := b.attr(sel, "sandbox")
	if err != nil {
		return err
	}
	if got, w := sortedFields(sandbox), sortedFields(want.sandbox); got != w {
		return fmt.Errorf("%s: sandbox = %q, want %q", sel, got, w)
	}
	allow, err := eval[string](b, `document.querySelector(`+js(sel)+`).getAttribute('allow') || ''`)
	if err != nil {
		return err
	}
	if allow != want.allow {
		return fmt.Errorf("%s: allow = %q, want %q", sel, allow, want.allow)
	}
	for name, w := range map[string]int{"width": want.width, "height": want.height} {
		v, err := b.attr(sel, name)
		if err != nil {
			return err
		}
		if v != strconv.Itoa(w) {
			return fmt.Errorf("%s: %s = %s, want %d", sel, name, v, w)
		}
	}
	src, err := b.attr(sel, "src")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(src, want.srcPrefix) {
		return fmt.Errorf("%s: src = %q, want it to start with %q", sel, src, want.srcPrefix)
	}
	return nil
}

// checkProbe waits for the probe in the app's frame to report, and compares its findings.
func checkProbe(b *browser, appID string, want map[string]bool) error {
	slot := `[data-probe-for="` + appID + `"]`
	if err := b.waitTrue("the probe report of "+appID, `document.querySelector(`+js(slot+` [data-cap="scripts"]`)+`) !== null`); err != nil {
		return err
	}
	for capability, on := range want {
		got, err := b.attr(slot+` [data-cap="`+capability+`"]`, "data-on")
		if err != nil {
			return err
		}
		if got != strconv.FormatBool(on) {
			return fmt.Errorf("probe of %s: %s = %s, want %v", appID, capability, got, on)
		}
	}
	return nil
}

func checkDisabledLive(b *browser, ids map[string]string, loadedAt float64) error {
	dash := `iframe[data-app-id="` + ids["dashboard"] + `"]`
	if err := b.waitTrue("the disabled widget to go", `document.querySelector(`+js(dash)+`) === null && `+
		`document.querySelector('#hidden li[data-app-id="`+ids["dashboard"]+`"]') !== null`); err != nil {
		return err
	}
	now, err := eval[float64](b, `performance.timeOrigin`)
	if err != nil {
		return err
	}
	if now != loadedAt {
		return fmt.Errorf("the page was reloaded (time origin %v, was %v)", now, loadedAt)
	}
	mark, err := eval[string](b, `(document.querySelector('iframe[data-app-id="`+ids["probe"]+`"]') || {dataset: {}}).dataset.e2eMark || ''`)
	if err != nil {
		return err
	}
	if mark != "kept" {
		return fmt.Errorf("the other widgets' frames were rebuilt by the update")
	}
	return nil
}

func checkPop(b *browser, emu *emulator.Server, s *terraform.State, loadedAt float64, logf func(string, ...any)) error {
	pop := s.RootModule().Resources["genesys_screenpop.vip"].Primary
	popID := pop.Attributes["pop_id"]
	head := `#pop .pop-head[data-pop-id="` + popID + `"]`
	if err := b.waitTrue("the screen pop", `document.querySelector(`+js(head+` [data-shown-after-ms]`)+`) !== null`); err != nil {
		return err
	}
	// On screen after it was sent, by the emulator's clock: from the request's arrival to the
	// page's report.
	var delivered time.Time
	for _, p := range emu.ScreenPops("org-a") {
		if p.ID == popID {
			delivered = p.DeliveredAt
		}
	}
	shown, ok := emu.PopShownAt(popID)
	switch {
	case delivered.IsZero() || !ok:
		return fmt.Errorf("pop %s: delivered %v, shown %v", popID, delivered, ok)
	case !shown.Visible:
		return fmt.Errorf("pop %s was opened on a page that was not visible", popID)
	}
	// The answer Terraform got carries what the desktop reported.
	if got := pop.Attributes["window_focused"]; got != "true" {
		return fmt.Errorf("window_focused = %s, want true", got)
	}
	// delivery_time_ms is the emulator's answer: its handling time, which spans the wait for the
	// desktop's report, so it cannot be shorter than the time to the screen.
	onScreen := shown.At.Sub(delivered)
	ms, err := strconv.Atoi(pop.Attributes["delivery_time_ms"])
	if err != nil || time.Duration(ms+1)*time.Millisecond < onScreen {
		return fmt.Errorf("delivery_time_ms = %q; want the service's handling time, at least the %s the pop took to reach the screen",
			pop.Attributes["delivery_time_ms"], onScreen)
	}
	logf("pop %s on screen %s after it was sent (target %s)", popID, onScreen.Round(time.Millisecond), popTarget)
	if onScreen > popCeiling {
		return fmt.Errorf("pop %s reached the screen %s after it was sent: it was not pushed to the page", popID, onScreen)
	}

	context, err := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#pop table.context tr')].map(r => [r.dataset.key, r.querySelector('td').textContent]))`)
	if err != nil {
		return err
	}
	want := map[string]string{"customer_id": "C-1042", "tier": "gold", "sessionToken": "********"}
	for k, v := range want {
		if context[k] != v {
			return fmt.Errorf("pop context %s = %q, want %q (all: %v)", k, context[k], v, context)
		}
	}
	src, err := eval[string](b, `document.querySelector('#pop iframe').getAttribute('src')`)
	if err != nil {
		return err
	}
	if !strings.Contains(src, "/apps/crm.example.com/agent-view#") || !strings.Contains(src, "customer_id=C-1042") {
		return fmt.Errorf("the pop's frame loads %q, want the mapped target with its context", src)
	}
	// Nothing secret anywhere in the page, frame addresses included.
	html, err := eval[string](b, `document.documentElement.outerHTML`)
	if err != nil {
		return err
	}
	for _, secret := range []string{sessionToken, "org-a-secret", "emulator-signing-secret"} {
		if strings.Contains(html, secret) {
			return fmt.Errorf("the page shows a secret (%.6s...)", secret)
		}
	}

	// The side panels: the pop's request with its correlation id, and the token's headroom.
	popRequest, err := eval[bool](b, `[...document.querySelectorAll('#requests tr[data-correlation-id]')].some(r => r.dataset.status === '200' && r.textContent.includes('/screenpops'))`)
	if err != nil {
		return err
	}
	if !popRequest {
		return fmt.Errorf("the requests panel does not list the pop's request")
	}
	headroom, err := eval[[]int](b, `[...document.querySelectorAll('#headroom .headroom')].map(h => +h.dataset.remaining)`)
	if err != nil {
		return err
	}
	// Every apply step ran a provider with a token of its own; tokens refill at 5 a second, so
	// only the range of what each has left is certain.
	if len(headroom) == 0 || slices.Max(headroom) > emulator.DefaultRateLimit || slices.Min(headroom) < 0 {
		return fmt.Errorf("headroom panel shows %v: want a figure between 0 and %d for each live token", headroom, emulator.DefaultRateLimit)
	}
	if now, err := eval[float64](b, `performance.timeOrigin`); err != nil || now != loadedAt {
		return fmt.Errorf("the page was reloaded (%w)", err)
	}
	return nil
}

// checkLoadedOnce fails if a frame was loaded more than once: every update since the first apply
// (three applies, a pop, dozens of requests) must have left the apps alone. Each frame's app
// reports once per load, and the page counts the reports.
func checkLoadedOnce(b *browser, ids map[string]string) error {
	for what, sel := range map[string]string{
		"the probe widget":              `#widgets iframe[data-app-id="` + ids["probe"] + `"]`,
		"the interaction widget":        `.conversation iframe[data-app-id="` + ids["customer_360"] + `"]`,
		"the locked probe (no storage)": `#widgets iframe[data-app-id="` + ids["probe_locked"] + `"]`,
	} {
		loads, err := b.attr(sel, "data-loads")
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if loads != "1" {
			return fmt.Errorf("%s was loaded %s times: live updates reload it", what, loads)
		}
	}
	return nil
}

// screenshot saves the desktop as it is now: to $DESKTOP_SCREENSHOT (make screenshot writes
// docs/images/desktop.png that way), else into the test's temporary directory.
func screenshot(t *testing.T, b *browser) error {
	// Frames paint in their own processes: let the compositor produce two more frames first.
	if _, err := run(b, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)); err != nil {
		return err
	}
	buf, err := run(b, chromedp.CaptureScreenshot())
	if err != nil {
		return err
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		return fmt.Errorf("the screenshot is not a PNG: %w", err)
	}
	if w := img.Bounds().Dx(); w < 1200 {
		return fmt.Errorf("the screenshot is %d pixels wide", w)
	}
	path := os.Getenv("DESKTOP_SCREENSHOT")
	if path == "" {
		path = filepath.Join(t.TempDir(), "desktop.png")
	}
	return os.WriteFile(path, buf, 0o644)
}

func sortedFields(s string) string {
	f := strings.Fields(s)
	slices.Sort(f)
	return strings.Join(f, " ")
}

// checkOtherOrg picks org B in the page: its agent and its (empty) set of widgets replace org A's.
func checkOtherOrg(b *browser) error {
	if _, err := eval[bool](b, `(() => { const s = document.getElementById('org'); s.value = 'org-b'; s.dispatchEvent(new Event('change')); return true })()`); err != nil {
		return err
	}
	return b.waitTrue("org B's desktop", `location.search.includes('org=org-b') && document.getElementById('agent').value === 'agent-3' && `+
		`document.getElementById('live').dataset.state === 'live' && document.querySelector('#widgets .empty') !== null && `+
		`document.querySelectorAll('iframe').length === 0`)
}
