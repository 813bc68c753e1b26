package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseHostMap(t *testing.T) {
	got, err := ParseHostMap(" widgets.example.com=samples, *.cloudfront.net=http://127.0.0.1:3000/base/ ")
	if err != nil {
		t.Fatal(err)
	}
	want := []HostMapping{{"widgets.example.com", "samples"}, {"*.cloudfront.net", "http://127.0.0.1:3000/base/"}}
	if !slices.Equal(got, want) {
		t.Fatalf("ParseHostMap = %v, want %v", got, want)
	}
	for _, bad := range []string{
		"widgets.example.com",                         // no target
		"widgets.example.com=https://example.net",     // not loopback
		"widgets.example.com=ftp://127.0.0.1",         // not http
		"widgets.example.com=http://127.0.0.1:3000?x", // a query
		"*=samples", "a*b.com=samples", "=samples", ".example.com=samples",
	} {
		if _, err := ParseHostMap(bad); err == nil {
			t.Errorf("ParseHostMap(%q) accepted it", bad)
		}
	}
	if _, err := New(Config{HostMap: []HostMapping{{"x.example.com", "http://10.0.0.1"}}}); err == nil {
		t.Error("New accepted a host map target off the machine")
	}
}

func TestMapAppURL(t *testing.T) {
	m := []HostMapping{{"widgets.example.com", "samples"}, {"*.cloudfront.net", "http://127.0.0.1:3000/dev/"}}
	apps := "http://localhost:8787"
	for _, c := range []struct{ raw, src, by string }{
		{"https://widgets.example.com/dash/index.html?a=1#b=2", apps + "/apps/widgets.example.com/dash/index.html?a=1#b=2", "sample app"},
		{"https://WIDGETS.example.com", apps + "/apps/widgets.example.com/", "sample app"},
		{"https://d1.cloudfront.net/c360/?x=%20y", "http://127.0.0.1:3000/dev/c360/?x=%20y", "http://127.0.0.1:3000/dev/"},
		{"https://cloudfront.net/apex", "https://cloudfront.net/apex", ""},                     // a wildcard is not its apex
		{"https://widgets.example.com.evil.net/", "https://widgets.example.com.evil.net/", ""}, // nor a longer host
		{"https://other.example.com/x", "https://other.example.com/x", ""},                     // unmapped: as configured
	} {
		src, by := mapAppURL(c.raw, m, apps)
		if src != c.src || by != c.by {
			t.Errorf("mapAppURL(%q) = %q, %q; want %q, %q", c.raw, src, by, c.src, c.by)
		}
	}
}

func TestFillPlaceholders(t *testing.T) {
	vals := placeholderValues("http://127.0.0.1:8787", "conv-1")
	got := fillPlaceholders("https://a.example.com/?c={{gcConversationId}}&p={{pcConversationId}}&o={{gcHostOrigin}}"+
		"&e={{gcTargetEnv}}&l={{gcLangTag}}&pl={{pcLangTag}}&pe={{pcEnvironment}}&u={{gcUsePopupAuth}}&x={{gcUnknown}}&t={{ gcLangTag }}{{", vals)
	want := "https://a.example.com/?c=conv-1&p=conv-1&o=http%3A%2F%2F127.0.0.1%3A8787&e=prod&l=en-US&pl=en-us&pe=mypurecloud.com&u=false&x={{gcUnknown}}&t=en-US{{"
	if got != want {
		t.Errorf("fillPlaceholders =\n %s\nwant\n %s", got, want)
	}
	if got := fillPlaceholders("https://a.example.com/?c={{gcConversationId}}", placeholderValues("o", "")); got != "https://a.example.com/?c=" {
		t.Errorf("outside a conversation: %s", got)
	}
}

// putConfig configures an integration through the API and enables or disables it.
func (h *harness) putConfig(token, id string, props, advanced map[string]any, enable bool) {
	h.t.Helper()
	r := h.send(http.MethodPut, "/api/v2/integrations/"+id+"/config/current", token,
		map[string]any{"name": id, "version": 1, "properties": props, "advanced": advanced}, nil)
	if r.status != http.StatusOK {
		h.t.Fatalf("config %s: %d %s", id, r.status, r.body)
	}
	if enable {
		if r := h.send(http.MethodPatch, "/api/v2/integrations/"+id, token, map[string]string{"intendedState": StateEnabled}, nil); r.status != http.StatusOK {
			h.t.Fatalf("enable %s: %d %s", id, r.status, r.body)
		}
	}
}

// desktopPost calls a desktop endpoint as the page does.
func (h *harness) desktopPost(path string, body any) response {
	h.t.Helper()
	return h.send(http.MethodPost, path, "", body, map[string]string{"Origin": h.url, "Sec-Fetch-Site": "same-origin"})
}

func (h *harness) view(org, agent string) DesktopView {
	h.t.Helper()
	r := h.send(http.MethodGet, "/desktop/api/view?org="+org+"&agent="+agent, "", nil, nil)
	if r.status != http.StatusOK {
		h.t.Fatalf("view: %d %s", r.status, r.body)
	}
	return decode[DesktopView](h.t, r.body)
}

func appIDs(apps []DesktopApp) []string {
	var out []string
	for _, a := range apps {
		out = append(out, a.ID)
	}
	return out
}

func TestDesktopView(t *testing.T) {
	h := newHarness(t, Config{HostMap: []HostMapping{{"*.example.com", HostMapSamples}}})
	tok := h.tokenA()
	widget := h.create(tok, "Widget", TypeClientApp).ID
	h.putConfig(tok, widget, map[string]any{"url": "https://w.example.com/w?o={{gcHostOrigin}}", "displayType": "widget",
		"sandbox": "allow-scripts,allow-forms", "permissions": "camera,clipboard-write"},
		map[string]any{"dimensions": map[string]any{"width": 900, "height": 300}}, true)
	standalone := h.create(tok, "Standalone", TypeClientApp).ID
	h.putConfig(tok, standalone, map[string]any{"url": "https://s.example.com/", "displayType": "standalone"}, nil, true)
	inactive := h.create(tok, "Inactive", TypeClientApp).ID
	h.putConfig(tok, inactive, map[string]any{"url": "https://i.example.com/"}, nil, false)
	chat := h.create(tok, "Chat on VIP", TypeInteractionWidget).ID
	h.putConfig(tok, chat, map[string]any{"url": "https://c.example.com/?c={{gcConversationId}}",
		"communicationTypeFilter": "chat, email", "queueIdFilterList": []string{"vip"}}, nil, true)
	every := h.create(tok, "Every conversation", TypeInteractionWidget).ID
	h.putConfig(tok, every, map[string]any{"url": "https://e.example.com/"}, nil, true)
	h.create(h.tokenB(), "Other org", TypeClientApp)

	v := h.view("org-a", "agent-1")
	if len(v.Widgets) != 1 || len(v.Apps) != 1 {
		t.Fatalf("widgets %v, apps %v", appIDs(v.Widgets), appIDs(v.Apps))
	}
	w := v.Widgets[0]
	apps := strings.Replace(h.url, "127.0.0.1", "localhost", 1)
	wantSrc := apps + "/apps/w.example.com/w?o=" + strings.NewReplacer(":", "%3A", "/", "%2F").Replace(h.url)
	if w.ID != widget || w.Sandbox != "allow-scripts allow-forms" || w.Allow != "camera; clipboard-write" ||
		w.Width != 800 || w.Height != 300 || w.AskedWidth != 900 || w.Src != wantSrc || w.ServedBy != "sample app" {
		t.Errorf("widget = %+v, want src %s", w, wantSrc)
	}
	if a := v.Apps[0]; a.ID != standalone || a.Width != renderFrameWidth || a.Height != renderFrameHeight ||
		a.Sandbox != "allow-forms allow-modals allow-popups allow-same-origin allow-scripts" || a.Allow != "" {
		t.Errorf("standalone app = %+v: want the render frame and the default sandbox", a)
	}
	hidden := map[string]string{}
	for _, x := range v.Hidden {
		hidden[x.ID] = x.Reason
	}
	if !strings.Contains(hidden[inactive], "INACTIVE") || !strings.Contains(hidden[chat], "no open conversation") || len(hidden) != 3 {
		t.Errorf("hidden = %v", hidden)
	}
	if !slices.Equal(v.Queues, []string{"vip"}) {
		t.Errorf("queues = %v", v.Queues)
	}

	start := func(typ, queue string) string {
		r := h.desktopPost("/desktop/api/conversations", map[string]string{"org": "org-a", "agent": "agent-1", "type": typ, "queue": queue})
		if r.status != http.StatusOK {
			t.Fatalf("start %s: %d %s", typ, r.status, r.body)
		}
		return decode[Conversation](t, r.body).ID
	}
	call, chatOther, chatVIP := start("call", "vip"), start("chat", "other"), start("chat", "vip")
	v = h.view("org-a", "agent-1")
	beside := map[string][]string{}
	for _, c := range v.Conversations {
		beside[c.ID] = appIDs(c.Widgets)
		slices.Sort(beside[c.ID])
		for _, w := range c.Widgets {
			if w.ID == chat && !strings.HasSuffix(w.Src, "/apps/c.example.com/?c="+c.ID) {
				t.Errorf("beside %s: src %s does not carry the conversation id", c.ID, w.Src)
			}
		}
	}
	if !slices.Equal(beside[call], []string{every}) || !slices.Equal(beside[chatOther], []string{every}) ||
		!slices.Equal(beside[chatVIP], slices.Sorted(slices.Values([]string{chat, every}))) || v.Conversations[0].ID != chatVIP {
		t.Errorf("interaction widgets beside conversations = %v", beside)
	}
	if other := h.view("org-a", "agent-2"); len(other.Conversations) != 0 {
		t.Errorf("agent-2 sees agent-1's conversations")
	}
	if r := h.desktopPost("/desktop/api/conversations", map[string]string{"org": "org-a", "agent": "agent-1", "type": "fax"}); r.status != http.StatusBadRequest {
		t.Errorf("a fax conversation: %d", r.status)
	}
	if r := h.desktopPost("/desktop/api/conversations", map[string]string{"org": "org-a", "agent": "agent-3", "type": "chat"}); r.status != http.StatusNotFound {
		t.Errorf("an agent of another org: %d", r.status)
	}
	h.send(http.MethodPost, "/_emulator/reset", "", nil, nil)
	if v := h.view("org-a", "agent-1"); len(v.Conversations) != 0 || len(v.Widgets) != 0 {
		t.Errorf("after a reset: %d conversations, %d widgets", len(v.Conversations), len(v.Widgets))
	}
}

func TestDesktopHeadroom(t *testing.T) {
	h := newHarness(t, Config{RateLimit: 60, RateBurst: 10, ClientRateLimit: 120, TokenCreationLimit: 5})
	tok := h.tokenA()
	for range 3 {
		h.send(http.MethodGet, "/api/v2/organizations/me", tok, nil, nil)
	}
	v := h.view("org-a", "agent-1")
	if len(v.Headroom) != 1 || v.Headroom[0].Remaining != 7 || v.Headroom[0].Capacity != 10 || v.Headroom[0].PerMinute != 60 ||
		v.Headroom[0].ResetSeconds != 3 || v.Headroom[0].ClientID != "org-a-client" || !v.RateLimited {
		t.Fatalf("headroom = %+v", v.Headroom)
	}
	// The client has spent three of its 120 (half a second each) and one of its five new tokens.
	want := DesktopClientRoom{ClientID: "org-a-client", LiveTokens: 1, Remaining: 117, Capacity: 120, PerMinute: 120,
		ResetSeconds: 2, NewTokens: 4, NewTokensCapacity: 5}
	if len(v.Clients) != 1 || v.Clients[0] != want {
		t.Fatalf("clients = %+v, want %+v", v.Clients, want)
	}
	h.clock.Advance(2 * time.Second) // one token a second comes back
	v = h.view("org-a", "agent-1")
	if got := v.Headroom[0].Remaining; got != 9 {
		t.Errorf("after 2 s: remaining %d, want 9", got)
	}
	if got := v.Clients[0]; got.Remaining != 120 || got.ResetSeconds != 0 || got.NewTokens != 4 {
		t.Errorf("after 2 s: client %+v, want its requests back and still 4 new tokens", got)
	}
	if got := h.view("org-b", "agent-3").Clients; len(got) != 1 || got[0].ClientID != "org-b-client" || got[0].Remaining != 120 || got[0].LiveTokens != 0 {
		t.Errorf("org-b's clients = %+v", got)
	}
	if got := h.view("org-b", "agent-3").Headroom; len(got) != 0 {
		t.Errorf("org-b sees org-a's tokens: %v", got)
	}
	if strings.Contains(string(h.send(http.MethodGet, "/desktop/api/view", "", nil, nil).body), tok) {
		t.Error("the view holds an access token")
	}
	reqs := h.view("org-a", "agent-1").Requests
	if len(reqs) < 4 || reqs[0].Route != "/api/v2/organizations/me" || reqs[0].Status != 200 || reqs[0].CorrelationID == "" {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestDesktopSecurity(t *testing.T) {
	h := newHarness(t, Config{HostMap: []HostMapping{{"dev.example.com", "http://127.0.0.1:3000"}}})
	page := h.send(http.MethodGet, "/desktop/", "", nil, nil)
	csp := page.header.Get("Content-Security-Policy")
	apps := strings.Replace(h.url, "127.0.0.1", "localhost", 1)
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "frame-src " + apps + " http://127.0.0.1:3000 https:;", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("desktop CSP %q lacks %q", csp, want)
		}
	}
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "/desktop/assets/desktop.js") || strings.Contains(string(page.body), "<script>") {
		t.Errorf("page: %d, inline script or no script: %s", page.status, page.body)
	}
	app := h.send(http.MethodGet, "/apps/w.example.com/x/?a=1", "", nil, nil)
	if !strings.Contains(app.header.Get("Content-Security-Policy"), "frame-ancestors http://127.0.0.1:* http://localhost:*") {
		t.Errorf("sample app CSP: %q", app.header.Get("Content-Security-Policy"))
	}
	for _, asset := range []string{"/desktop/assets/desktop.js", "/desktop/assets/desktop.css", "/apps/_assets/app.js", "/apps/_assets/app.css"} {
		if r := h.send(http.MethodGet, asset, "", nil, nil); r.status != http.StatusOK || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %v", asset, r.status, r.header)
		}
	}
	if r := h.send(http.MethodGet, "/apps/_assets/nav204", "", nil, nil); r.status != http.StatusNoContent {
		t.Errorf("nav204: %d", r.status)
	}

	// DNS rebinding: a name other than loopback's is refused.
	req, _ := http.NewRequest(http.MethodGet, h.url+"/desktop/api/view", nil)
	req.Host = "attacker.example.com"
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: %d", resp.StatusCode)
	}
	// Cross-site writes are refused: not JSON, or from another origin.
	body := map[string]string{"org": "org-a", "agent": "agent-1", "type": "chat"}
	if r := h.send(http.MethodPost, "/desktop/api/conversations", "", "org=org-a", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("form post: %d", r.status)
	}
	if r := h.send(http.MethodPost, "/desktop/api/conversations", "", body, map[string]string{"Origin": "https://evil.example"}); r.status != http.StatusForbidden {
		t.Errorf("foreign origin: %d", r.status)
	}
	if r := h.send(http.MethodPost, "/desktop/api/conversations", "", body, map[string]string{"Sec-Fetch-Site": "cross-site"}); r.status != http.StatusForbidden {
		t.Errorf("cross-site fetch: %d", r.status)
	}
	if r := h.send(http.MethodGet, "/desktop/api/view?org=nope", "", nil, nil); r.status != http.StatusNotFound {
		t.Errorf("unknown org: %d", r.status)
	}
	if r := h.send(http.MethodGet, "/desktop/api/view?org=org-a&agent=agent-3", "", nil, nil); r.status != http.StatusNotFound {
		t.Errorf("agent of another org: %d", r.status)
	}
}

// stream reads the desktop's event stream; its views arrive on the channel.
func (h *harness) stream(org, agent string) <-chan DesktopView {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.url+"/desktop/events?org="+org+"&agent="+agent, nil)
	resp, err := h.client.Do(req) //nolint:bodyclose // the reader goroutine below closes it
	if err != nil {
		h.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		resp.Body.Close()
		h.t.Fatalf("event stream Content-Type %q", ct)
	}
	out := make(chan DesktopView, 64)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "state":
				var v DesktopView
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &v) == nil {
					out <- v
				}
			}
		}
	}()
	return out
}

// next waits for a view that satisfies ok (10 s at most: the answer is immediate unless broken).
func next(t *testing.T, views <-chan DesktopView, what string, ok func(DesktopView) bool) DesktopView {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case v, open := <-views:
			if !open {
				t.Fatalf("the stream ended while waiting for %s", what)
			}
			if ok(v) {
				return v
			}
		case <-deadline:
			t.Fatalf("no view with %s", what)
		}
	}
}

func TestDesktopEventsFollowChanges(t *testing.T) {
	h := newHarness(t, Config{ActivationDelay: time.Second})
	views := h.stream("org-a", "agent-1")
	next(t, views, "the first view", func(v DesktopView) bool { return len(v.Widgets) == 0 })
	tok := h.tokenA()
	id := h.create(tok, "Live", TypeClientApp).ID
	h.putConfig(tok, id, map[string]any{"url": "https://live.example.com/"}, nil, true)
	next(t, views, "the widget activating", func(v DesktopView) bool {
		return len(v.Hidden) == 1 && strings.Contains(v.Hidden[0].Reason, ReportedActivating)
	})
	// The activation completes on the clock with no request to announce it.
	h.clock.Advance(time.Second)
	h.emu.desk.hub.notify() // the fake clock moved; the stream's own timer is for the real one
	next(t, views, "the widget active", func(v DesktopView) bool { return len(v.Widgets) == 1 && v.Widgets[0].ID == id })
	h.send(http.MethodDelete, "/api/v2/integrations/"+id, tok, nil, nil)
	next(t, views, "the widget gone", func(v DesktopView) bool { return len(v.Widgets) == 0 && len(v.Hidden) == 0 })

	h.emu.CloseEventStreams()
	for range views {
	}
}

func TestDesktopPopAckedIntoTheAnswer(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	views := h.stream("org-a", "agent-1")
	next(t, views, "the first view", func(v DesktopView) bool { return true })

	const secret = "s3ss10n-t0ken/with+chars"
	body, _ := json.Marshal(map[string]any{
		"applicationId": "com.example.crm", "idempotencyKey": "pop-1",
		"uri": "https://crm.example.com/agent-view#a=1&sessionToken=" + strings.NewReplacer("/", "%2F", "+", "%2B").Replace(secret) + "&customer_id=C-1042",
	})
	answered := make(chan response, 1)
	go func() {
		answered <- h.send(http.MethodPost, "/api/v2/users/agent-1/screenpops", tok, body, popHeaders("pop-1", sign(DefaultSigningSecret, body)))
	}()
	v := next(t, views, "the pop", func(v DesktopView) bool { return len(v.Pops) == 1 })
	raw, _ := json.Marshal(v)
	if strings.Contains(string(raw), "s3ss10n") {
		t.Fatalf("the view carries the session token: %s", raw)
	}
	p := v.Pops[0]
	wantCtx := [][2]string{{"a", "1"}, {"sessionToken", maskedToken}, {"customer_id", "C-1042"}}
	if !slices.Equal(p.Context, wantCtx) || p.Target != "https://crm.example.com/agent-view#a=1&sessionToken="+maskedToken+"&customer_id=C-1042" || p.Shown != nil {
		t.Errorf("pop = %+v", p)
	}
	select {
	case r := <-answered:
		t.Fatalf("the pop was answered (%d) before the open desktop showed it", r.status)
	default:
	}
	if r := h.desktopPost("/desktop/api/pops/"+p.ID+"/shown", map[string]any{"org": "org-a", "agent": "agent-2", "visible": true}); r.status != http.StatusNotFound {
		t.Errorf("another agent's report: %d", r.status)
	}
	if r := h.desktopPost("/desktop/api/pops/"+p.ID+"/shown", map[string]any{"org": "org-a", "agent": "agent-1", "visible": true}); r.status != http.StatusOK {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	r := <-answered
	ans := decode[ScreenPopAnswer](t, r.body)
	if r.status != http.StatusOK || !ans.WindowFocused {
		t.Errorf("answer %d %+v: want delivered and focused", r.status, ans)
	}
	shown, ok := h.emu.PopShownAt(p.ID)
	if !ok || !shown.Visible || !shown.At.Equal(h.clock.Now()) {
		t.Errorf("PopShownAt = %+v, %v", shown, ok)
	}
	next(t, views, "the pop shown", func(v DesktopView) bool { return len(v.Pops) == 1 && v.Pops[0].Shown != nil })

	// A desktop that is open but never shows the pop: the answer says the window did not focus.
	h.emu.desk.mu.Lock()
	h.emu.desk.popWait = time.Millisecond
	h.emu.desk.mu.Unlock()
	body2 := popBody("pop-2")
	r = h.send(http.MethodPost, "/api/v2/users/agent-1/screenpops", tok, body2, popHeaders("pop-2", sign(DefaultSigningSecret, body2)))
	if ans := decode[ScreenPopAnswer](t, r.body); r.status != http.StatusOK || ans.WindowFocused {
		t.Errorf("unshown pop: %d %+v", r.status, ans)
	}
	// Nobody watches agent-2: answered at once, focused, as before there was a desktop.
	body3 := popBody("pop-3")
	r = h.send(http.MethodPost, "/api/v2/users/agent-2/screenpops", tok, body3, popHeaders("pop-3", sign(DefaultSigningSecret, body3)))
	if ans := decode[ScreenPopAnswer](t, r.body); r.status != http.StatusOK || !ans.WindowFocused {
		t.Errorf("pop with no desktop: %d %+v", r.status, ans)
	}
}
