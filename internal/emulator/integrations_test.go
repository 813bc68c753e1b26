package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func validConfig(name string, version int) map[string]any {
	return map[string]any{
		"name":    name,
		"notes":   "dashboard for agents",
		"version": version,
		"properties": map[string]any{
			"url":         "https://widgets.example.com/dash?conversation={{gcConversationId}}",
			"displayType": "widget",
			"sandbox":     "allow-forms,allow-modals, allow-popups,allow-same-origin,allow-scripts",
			"permissions": "camera,microphone",
			"groups":      []string{"group-1"},
		},
		"advanced":    map[string]any{"dimensions": map[string]any{"width": 750, "height": 500}, "refresh_interval_ms": 5000},
		"credentials": map[string]any{},
	}
}

func TestIntegrationLifecycle(t *testing.T) {
	h := newHarness(t, Config{ActivationDelay: 10 * time.Second})
	tok := h.tokenA()
	t0 := h.clock.Now()

	created := h.create(tok, "Agent Dashboard", TypeClientApp)
	if created.ID == "" || created.Name != "Agent Dashboard" || created.IntegrationType.ID != TypeClientApp ||
		created.IntendedState != StateDisabled || created.ReportedState.Code != ReportedInactive ||
		created.Config.Current.Version != 1 || created.SelfURI != "/api/v2/integrations/"+created.ID {
		t.Fatalf("created = %+v", created)
	}
	path := "/api/v2/integrations/" + created.ID

	r := h.send(http.MethodGet, path+"/config/current", tok, nil, nil)
	cfg := decode[configWire](t, r.body)
	if r.status != 200 || cfg.Version != 1 || cfg.Name != "Agent Dashboard" || len(cfg.Properties) != 0 || cfg.Advanced == nil {
		t.Fatalf("initial config = %d %s", r.status, r.body)
	}

	r = h.send(http.MethodPut, path+"/config/current", tok, validConfig("Agent Dashboard v2", 1), nil)
	if r.status != 200 {
		t.Fatalf("PUT config: %d %s", r.status, r.body)
	}
	if cfg := decode[configWire](t, r.body); cfg.Version != 2 || cfg.Name != "Agent Dashboard v2" {
		t.Errorf("PUT answer = %s", r.body)
	}
	got := decode[Integration](t, h.send(http.MethodGet, path, tok, nil, nil).body)
	if got.Name != "Agent Dashboard v2" || got.Notes != "dashboard for agents" || got.Config.Current.Version != 2 {
		t.Errorf("after PUT the integration is %+v", got)
	}

	t.Run("free-form JSON round-trips exactly", func(t *testing.T) {
		r := h.send(http.MethodGet, path+"/config/current", tok, nil, nil)
		var raw struct {
			Advanced   json.RawMessage `json:"advanced"`
			Properties json.RawMessage `json:"properties"`
		}
		_ = json.Unmarshal(r.body, &raw)
		if string(raw.Advanced) != `{"dimensions":{"height":500,"width":750},"refresh_interval_ms":5000}` {
			t.Errorf("advanced = %s", raw.Advanced)
		}
		if !strings.Contains(string(raw.Properties), `"groups":["group-1"]`) {
			t.Errorf("properties = %s", raw.Properties)
		}
	})

	r = h.send(http.MethodPut, path+"/config/current", tok, validConfig("stale", 1), nil)
	wantError(t, r, http.StatusConflict, CodeConflict)

	steps := []struct {
		advance  time.Duration
		patch    string
		code     string
		intended string
		updated  time.Duration // lastUpdated since t0
	}{
		{0, StateEnabled, ReportedActivating, StateEnabled, 0},
		{5 * time.Second, "", ReportedActivating, StateEnabled, 0},
		{5 * time.Second, "", ReportedActive, StateEnabled, 10 * time.Second},
		{0, StateEnabled, ReportedActive, StateEnabled, 10 * time.Second}, // no change
		{time.Second, StateDisabled, ReportedDeactivating, StateDisabled, 11 * time.Second},
		{9 * time.Second, "", ReportedDeactivating, StateDisabled, 11 * time.Second},
		{time.Second, "", ReportedInactive, StateDisabled, 21 * time.Second},
	}
	for i, s := range steps {
		h.clock.Advance(s.advance)
		var r response
		if s.patch != "" {
			r = h.send(http.MethodPatch, path, tok, map[string]string{"intendedState": s.patch}, nil)
		} else {
			r = h.send(http.MethodGet, path, tok, nil, nil)
		}
		it := decode[Integration](t, r.body)
		if r.status != 200 || it.ReportedState.Code != s.code || it.IntendedState != s.intended || !it.ReportedState.LastUpdated.Equal(t0.Add(s.updated)) {
			t.Errorf("step %d: status %d, intended %s, reported %s at %s; want %s, %s at %s",
				i, r.status, it.IntendedState, it.ReportedState.Code, it.ReportedState.LastUpdated, s.intended, s.code, t0.Add(s.updated))
		}
	}

	r = h.send(http.MethodDelete, path, tok, nil, nil)
	if deleted := decode[Integration](t, r.body); r.status != 200 || deleted.ID != created.ID {
		t.Fatalf("DELETE = %d %s", r.status, r.body)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", path}, {"GET", path + "/config/current"}, {"DELETE", path}, {"PATCH", path}, {"PUT", path + "/config/current"},
	} {
		var body any
		switch tc.method {
		case "PATCH":
			body = map[string]string{"intendedState": StateEnabled}
		case "PUT":
			body = validConfig("x", 2)
		}
		wantError(t, h.send(tc.method, tc.path, tok, body, nil), http.StatusNotFound, CodeNotFound)
	}
}

func TestActivationWithoutDelay(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	it := h.create(tok, "Instant", TypeInteractionWidget)
	path := "/api/v2/integrations/" + it.ID

	r := h.send(http.MethodPatch, path, tok, map[string]string{"intendedState": StateEnabled}, nil)
	got := decode[Integration](t, r.body)
	if got.ReportedState.Code != ReportedError || got.ReportedState.Detail == nil || !strings.Contains(got.ReportedState.Effective, "url") {
		t.Fatalf("enabling without a url: %s", r.body)
	}

	cfg := map[string]any{"name": "Instant", "version": 1, "properties": map[string]any{
		"url":     "https://localhost/?conversationid={{pcConversationId}}&language={{pcLangTag}}",
		"sandbox": "allow-scripts,allow-same-origin,allow-forms,allow-modals", "groups": []string{"g"},
		"communicationTypeFilter": "chat, webmessaging", "queueIdFilterList": []string{"q"}, "permissions": nil,
	}}
	if r := h.send(http.MethodPut, path+"/config/current", tok, cfg, nil); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	r = h.send(http.MethodPatch, path, tok, map[string]string{"intendedState": StateEnabled}, nil)
	if got := decode[Integration](t, r.body); got.ReportedState.Code != ReportedActive || got.ReportedState.Detail != nil {
		t.Fatalf("enabling again after the url was set: %s", r.body)
	}
	r = h.send(http.MethodPatch, path, tok, map[string]string{"intendedState": StateDisabled}, nil)
	if got := decode[Integration](t, r.body); got.ReportedState.Code != ReportedInactive {
		t.Fatalf("disabling: %s", r.body)
	}
}

func TestIntegrationValidation(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	app := h.create(tok, "App", TypeClientApp)
	appPath := "/api/v2/integrations/" + app.ID

	withProps := func(props map[string]any) map[string]any {
		c := validConfig("App", 1)
		p := c["properties"].(map[string]any)
		for k, v := range props {
			if v == "<delete>" {
				delete(p, k)
				continue
			}
			p[k] = v
		}
		return c
	}
	with := func(k string, v any) map[string]any {
		c := validConfig("App", 1)
		if v == "<delete>" {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	big := strings.Repeat("x", MaxBodyBytes)

	tests := []struct {
		name   string
		method string
		path   string
		body   any
		field  string // "" when the error is not about one field
	}{
		{"create: unknown type", "POST", "/api/v2/integrations", map[string]any{"name": "n", "integrationType": map[string]string{"id": "webapp"}}, "integrationType.id"},
		{"create: missing type", "POST", "/api/v2/integrations", map[string]any{"name": "n"}, "integrationType.id"},
		{"create: malformed JSON", "POST", "/api/v2/integrations", `{"name":`, ""},
		{"create: trailing data", "POST", "/api/v2/integrations", `{"name":"n","integrationType":{"id":"embedded-client-app"}} {}`, ""},
		{"create: body over 10 KiB", "POST", "/api/v2/integrations", map[string]any{"name": big, "integrationType": map[string]string{"id": TypeClientApp}}, "body"},
		{"config: url over http", "PUT", appPath + "/config/current", withProps(map[string]any{"url": "http://widgets.example.com/"}), "properties.url"},
		{"config: relative url", "PUT", appPath + "/config/current", withProps(map[string]any{"url": "/widget"}), "properties.url"},
		{"config: malformed url", "PUT", appPath + "/config/current", withProps(map[string]any{"url": "https://exa mple.com/"}), "properties.url"},
		{"config: url with credentials", "PUT", appPath + "/config/current", withProps(map[string]any{"url": "https://u:p@example.com/"}), "properties.url"},
		{"config: url not a string", "PUT", appPath + "/config/current", withProps(map[string]any{"url": 42}), "properties.url"},
		{"config: unknown sandbox token", "PUT", appPath + "/config/current", withProps(map[string]any{"sandbox": "allow-scripts,allow-everything"}), "properties.sandbox"},
		{"config: empty sandbox entry", "PUT", appPath + "/config/current", withProps(map[string]any{"sandbox": "allow-scripts,,allow-forms"}), "properties.sandbox"},
		{"config: unknown permission", "PUT", appPath + "/config/current", withProps(map[string]any{"permissions": "camera,usb"}), "properties.permissions"},
		{"config: bad display type", "PUT", appPath + "/config/current", withProps(map[string]any{"displayType": "popup"}), "properties.displayType"},
		{"config: groups not a list", "PUT", appPath + "/config/current", withProps(map[string]any{"groups": "group-1"}), "properties.groups"},
		{"config: groups with a number", "PUT", appPath + "/config/current", withProps(map[string]any{"groups": []any{"g", 3}}), "properties.groups"},
		{"config: unknown property", "PUT", appPath + "/config/current", withProps(map[string]any{"manifestUrl": "https://x/"}), "properties.manifestUrl"},
		{"config: interaction property on a client app", "PUT", appPath + "/config/current", withProps(map[string]any{"queueIdFilterList": []string{"q"}}), "properties.queueIdFilterList"},
		{"config: properties not an object", "PUT", appPath + "/config/current", with("properties", "url=https://x/"), "properties"},
		{"config: advanced not an object", "PUT", appPath + "/config/current", with("advanced", []int{1}), "advanced"},
		{"config: missing version", "PUT", appPath + "/config/current", with("version", "<delete>"), "version"},
		{"config: missing name", "PUT", appPath + "/config/current", with("name", "<delete>"), "name"},
		{"patch: missing intendedState", "PATCH", appPath, map[string]any{}, "intendedState"},
		{"patch: unknown intendedState", "PATCH", appPath, map[string]any{"intendedState": "ACTIVE"}, "intendedState"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.send(tt.method, tt.path, tok, tt.body, nil)
			b := wantError(t, r, http.StatusBadRequest, CodeBadRequest)
			if tt.field == "" {
				return
			}
			if len(b.Errors) == 0 || b.Errors[0].MessageParams["field"] != tt.field {
				t.Errorf("errors = %+v, want one naming %s", b.Errors, tt.field)
			}
		})
	}

	if cfg, _ := h.emu.IntegrationConfig("org-a", app.ID); cfg.Version != 1 {
		t.Errorf("a rejected PUT changed the config: version %d", cfg.Version)
	}
	if n := len(h.emu.Integrations("org-a")); n != 1 {
		t.Errorf("%d integrations after rejected creates, want 1", n)
	}

	t.Run("a stale version with a valid body is 409, an invalid body is 400 first", func(t *testing.T) {
		if r := h.send("PUT", appPath+"/config/current", tok, validConfig("App", 7), nil); r.status != 409 {
			t.Errorf("stale valid PUT: %d", r.status)
		}
		bad := validConfig("App", 7)
		bad["properties"].(map[string]any)["sandbox"] = "allow-nothing"
		if r := h.send("PUT", appPath+"/config/current", tok, bad, nil); r.status != 400 {
			t.Errorf("stale invalid PUT: %d", r.status)
		}
	})
}

func TestIntegrationPaging(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	names := []string{"delta", "alpha", "golf", "charlie", "echo", "bravo", "foxtrot"}
	for _, n := range names {
		h.create(tok, n, TypeClientApp)
	}
	dup := h.create(tok, "alpha", TypeClientApp) // same name: ordered by id

	list := func(query string) (response, IntegrationListing) {
		r := h.send(http.MethodGet, "/api/v2/integrations"+query, tok, nil, nil)
		if r.status != 200 {
			return r, IntegrationListing{}
		}
		return r, decode[IntegrationListing](t, r.body)
	}
	namesOf := func(l IntegrationListing) string {
		var out []string
		for _, e := range l.Entities {
			out = append(out, e.Name)
		}
		return strings.Join(out, ",")
	}

	tests := []struct {
		query                        string
		names                        string
		pageSize, pageNumber, pCount int
		next, prev                   bool
	}{
		{"", "alpha,alpha,bravo,charlie,delta,echo,foxtrot,golf", 25, 1, 1, false, false},
		{"?pageSize=3", "alpha,alpha,bravo", 3, 1, 3, true, false},
		{"?pageSize=3&pageNumber=2", "charlie,delta,echo", 3, 2, 3, true, true},
		{"?pageSize=3&pageNumber=3", "foxtrot,golf", 3, 3, 3, false, true},
		{"?pageSize=3&pageNumber=4", "", 3, 4, 3, false, true},
		{"?pageSize=100", "alpha,alpha,bravo,charlie,delta,echo,foxtrot,golf", 100, 1, 1, false, false},
	}
	for _, tt := range tests {
		t.Run("list"+tt.query, func(t *testing.T) {
			r, l := list(tt.query)
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			if got := namesOf(l); got != tt.names || l.Total != 8 || l.PageSize != tt.pageSize || l.PageNumber != tt.pageNumber || l.PageCount != tt.pCount {
				t.Errorf("got %q total %d size %d number %d count %d", got, l.Total, l.PageSize, l.PageNumber, l.PageCount)
			}
			if (l.NextURI != "") != tt.next || (l.PreviousURI != "") != tt.prev {
				t.Errorf("nextUri %q previousUri %q", l.NextURI, l.PreviousURI)
			}
			if !strings.Contains(string(r.body), `"entities":[`) {
				t.Errorf("entities is not an array: %s", r.body)
			}
		})
	}

	_, first := list("?pageSize=2")
	if a, b := first.Entities[0].ID, first.Entities[1].ID; !(a < b) || (a != dup.ID && b != dup.ID) {
		t.Errorf("same-name integrations are not ordered by id: %s, %s", a, b)
	}

	for _, q := range []string{"?pageSize=0", "?pageSize=101", "?pageSize=ten", "?pageNumber=0", "?pageNumber=-1"} {
		r, _ := list(q)
		wantError(t, r, http.StatusBadRequest, CodeBadRequest)
	}
}

// TestIntegrationListFilters: the documented filters of GET /api/v2/integrations (ids,
// integrationType, reportedState), sortBy and the emulator's sortOrder, and paging URIs that keep
// them, so a client that follows nextUri stays within its filter.
func TestIntegrationListFilters(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	var apps, widgets []Integration
	for _, n := range []string{"app-c", "app-a", "app-b"} {
		apps = append(apps, h.create(tok, n, TypeClientApp))
	}
	for _, n := range []string{"widget-b", "widget-a"} {
		widgets = append(widgets, h.create(tok, n, TypeInteractionWidget))
	}
	// app-a is configured and enabled: it reports ACTIVE, the others INACTIVE.
	h.send(http.MethodPut, "/api/v2/integrations/"+apps[1].ID+"/config/current", tok, validConfig("app-a", 1), nil)
	if r := h.send(http.MethodPatch, "/api/v2/integrations/"+apps[1].ID, tok, map[string]string{"intendedState": StateEnabled}, nil); r.status != 200 {
		t.Fatalf("enable: %d %s", r.status, r.body)
	}
	h.create(h.tokenB(), "app-a", TypeClientApp) // another org's: never listed

	list := func(query string) IntegrationListing {
		t.Helper()
		r := h.send(http.MethodGet, "/api/v2/integrations"+query, tok, nil, nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", query, r.status, r.body)
		}
		return decode[IntegrationListing](t, r.body)
	}
	names := func(l IntegrationListing) string {
		var out []string
		for _, e := range l.Entities {
			out = append(out, e.Name)
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct{ query, want string }{
		{"", "app-a,app-b,app-c,widget-a,widget-b"},
		{"?integrationType=" + TypeClientApp, "app-a,app-b,app-c"},
		{"?integrationType=" + TypeInteractionWidget, "widget-a,widget-b"},
		{"?integrationType=webhook", ""},
		{"?reportedState=ACTIVE", "app-a"},
		{"?reportedState=inactive", "app-b,app-c,widget-a,widget-b"}, // case-insensitive, as documented
		{"?reportedState=INACTIVE&integrationType=" + TypeClientApp, "app-b,app-c"},
		{"?ids=" + apps[0].ID + "," + widgets[1].ID, "app-c,widget-a"},                   // comma-separated (Go SDK, CLI)
		{"?ids=" + apps[0].ID + "&ids=" + widgets[1].ID + "&ids=nope", "app-c,widget-a"}, // repeated (other SDKs); unknown ids are absent
		{"?ids=" + apps[0].ID + "&integrationType=" + TypeInteractionWidget, ""},
		{"?sortBy=name&sortOrder=descending", "widget-b,widget-a,app-c,app-b,app-a"},
		{"?expand=config.current", "app-a,app-b,app-c,widget-a,widget-b"}, // accepted, changes nothing
	} {
		if got := names(list(tt.query)); got != tt.want {
			t.Errorf("GET %s = %q, want %q", tt.query, got, tt.want)
		}
	}
	byID := list("?sortBy=id")
	if !slices.IsSortedFunc(byID.Entities, func(a, b Integration) int { return strings.Compare(a.ID, b.ID) }) || len(byID.Entities) != 5 {
		t.Errorf("sortBy=id is not ordered by id: %v", byID.Entities)
	}

	// A filtered walk by nextUri: the URIs carry the filter, the order and the page size.
	var walked []string
	uri := "?integrationType=" + TypeClientApp + "&pageSize=2&sortOrder=desc"
	for pages := 0; uri != ""; pages++ {
		if pages > 3 {
			t.Fatal("nextUri never ends")
		}
		l := list(strings.TrimPrefix(uri, "/api/v2/integrations"))
		if l.Total != 3 || l.PageCount != 2 || l.PageSize != 2 {
			t.Errorf("page %d: total %d pageCount %d pageSize %d, want 3, 2, 2", l.PageNumber, l.Total, l.PageCount, l.PageSize)
		}
		for _, u := range []string{l.FirstURI, l.SelfURI, l.LastURI} {
			if !strings.Contains(u, "integrationType="+TypeClientApp) || !strings.Contains(u, "sortOrder=descending") {
				t.Errorf("page %d: URI %q drops the filter or the order", l.PageNumber, u)
			}
		}
		walked = append(walked, names(l))
		uri = l.NextURI
	}
	if got := strings.Join(walked, "|"); got != "app-c,app-b|app-a" {
		t.Errorf("walk by nextUri = %q", got)
	}

	// An integration hidden from reads after its create is hidden from filtered lists too.
	h.emu.SetFaults([]Fault{{Kind: KindReadNotFoundAfterCreate, Pattern: "x", For: time.Minute}})
	hidden := h.create(tok, "app-hidden", TypeClientApp)
	if got := names(list("?ids=" + hidden.ID)); got != "" {
		t.Errorf("a hidden integration is listed: %q", got)
	}
	h.clock.Advance(time.Minute)
	if got := names(list("?ids=" + hidden.ID)); got != "app-hidden" {
		t.Errorf("after the lag, ids filter = %q", got)
	}

	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("id-%d", i)
	}
	for _, q := range []string{
		"?ids=" + strings.Join(many, ","), "?reportedState=RUNNING", "?sortBy=lastUpdated",
		"?sortOrder=sideways", "?nextPage=abc", "?previousPage=abc",
	} {
		wantError(t, h.send(http.MethodGet, "/api/v2/integrations"+q, tok, nil, nil), http.StatusBadRequest, CodeBadRequest)
	}
}

func TestOrgIsolation(t *testing.T) {
	h := newHarness(t, Config{})
	a, b := h.tokenA(), h.tokenB()
	it := h.create(a, "Org A widget", TypeClientApp)
	path := "/api/v2/integrations/" + it.ID

	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", path, nil},
		{"GET", path + "/config/current", nil},
		{"PUT", path + "/config/current", validConfig("stolen", 1)},
		{"PATCH", path, map[string]string{"intendedState": StateEnabled}},
		{"DELETE", path, nil},
	} {
		wantError(t, h.send(tc.method, tc.path, b, tc.body, nil), http.StatusNotFound, CodeNotFound)
	}
	if l := decode[IntegrationListing](t, h.send("GET", "/api/v2/integrations", b, nil, nil).body); l.Total != 0 {
		t.Errorf("org-b lists %d integrations", l.Total)
	}
	if got := h.emu.Integrations("org-b"); len(got) != 0 {
		t.Errorf("org-b holds %v", got)
	}
	if got := h.emu.Integrations("org-a"); len(got) != 1 || got[0].Name != "Org A widget" || got[0].IntendedState != StateDisabled {
		t.Errorf("org-a's integration was touched by org-b: %+v", got)
	}

	for _, tc := range []struct{ token, id, name string }{{a, "org-a", "Org A"}, {b, "org-b", "Org B"}} {
		r := h.send("GET", "/api/v2/organizations/me", tc.token, nil, nil)
		org := decode[Organization](t, r.body)
		if org.ID != tc.id || org.Name != tc.name || org.State != "active" || org.Domain != tc.id || org.SelfURI != "/api/v2/organizations/"+tc.id {
			t.Errorf("organizations/me = %s", r.body)
		}
	}
}

func TestUnknownRoutes(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	wantError(t, h.send("GET", "/api/v2/routing/queues", "", nil, nil), http.StatusUnauthorized, CodeAuthenticationNeeded)
	wantError(t, h.send("GET", "/api/v2/routing/queues", tok, nil, nil), http.StatusNotFound, CodeNotFound)
	wantError(t, h.send("GET", "/api/v2/integrations/", tok, nil, nil), http.StatusNotFound, CodeNotFound)
	wantError(t, h.send("GET", "/not-the-api", "", nil, nil), http.StatusNotFound, CodeNotFound)
	r := h.send("PUT", "/api/v2/integrations", tok, map[string]string{}, nil)
	wantError(t, r, http.StatusMethodNotAllowed, CodeMethodNotAllowed)
	if r.header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
	if r := h.send("GET", "/", "", nil, nil); r.status != 200 || !strings.Contains(string(r.body), "org-a, org-b") {
		t.Errorf("index = %d %s", r.status, r.body)
	}
}

func TestOutOfBandChanges(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	it := h.create(tok, "Drifting", TypeClientApp)
	path := "/api/v2/integrations/" + it.ID
	if r := h.send("PUT", path+"/config/current", tok, validConfig("Drifting", 1), nil); r.status != 200 {
		t.Fatal(r.status)
	}

	ok := h.emu.UpdateIntegrationOutOfBand("org-a", it.ID, func(c *IntegrationConfig) {
		c.Name = "Renamed in the UI"
		c.Properties["sandbox"] = "allow-scripts"
		c.Version = 99 // ignored: the version is bumped by one
	})
	if !ok {
		t.Fatal("UpdateIntegrationOutOfBand found nothing")
	}
	cfg := decode[configWire](t, h.send("GET", path+"/config/current", tok, nil, nil).body)
	if cfg.Version != 3 || cfg.Name != "Renamed in the UI" || cfg.Properties["sandbox"] != "allow-scripts" {
		t.Errorf("after the out-of-band update: %+v", cfg)
	}
	wantError(t, h.send("PUT", path+"/config/current", tok, validConfig("Drifting", 2), nil), http.StatusConflict, CodeConflict)

	if h.emu.UpdateIntegrationOutOfBand("org-b", it.ID, func(*IntegrationConfig) {}) {
		t.Error("updated another org's integration")
	}
	if h.emu.DeleteIntegrationOutOfBand("org-b", it.ID) {
		t.Error("deleted another org's integration")
	}
	if !h.emu.DeleteIntegrationOutOfBand("org-a", it.ID) {
		t.Fatal("DeleteIntegrationOutOfBand found nothing")
	}
	wantError(t, h.send("GET", path, tok, nil, nil), http.StatusNotFound, CodeNotFound)
	if h.emu.DeleteIntegrationOutOfBand("org-a", it.ID) {
		t.Error("deleted twice")
	}
}

func TestSnapshotsDoNotAlias(t *testing.T) {
	h := newHarness(t, Config{})
	tok := h.tokenA()
	it := h.create(tok, "Snap", TypeClientApp)
	h.send("PUT", "/api/v2/integrations/"+it.ID+"/config/current", tok, validConfig("Snap", 1), nil)
	cfg, _ := h.emu.IntegrationConfig("org-a", it.ID)
	cfg.Properties["url"] = "https://evil.example/"
	cfg.Advanced["dimensions"].(map[string]any)["width"] = 1
	again, _ := h.emu.IntegrationConfig("org-a", it.ID)
	if again.Properties["url"] == "https://evil.example/" || fmt.Sprint(again.Advanced["dimensions"].(map[string]any)["width"]) != "750" {
		t.Error("a snapshot shares memory with the server")
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, Config{RateLimit: -1})
	tok := h.tokenA()
	const workers, each = 6, 15
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				name := fmt.Sprintf("w%d-%d", w, i)
				r, err := h.try("POST", "/api/v2/integrations", tok, map[string]any{"name": name, "integrationType": map[string]string{"id": TypeClientApp}}, nil)
				if err != nil || r.status != 200 {
					errs <- fmt.Errorf("create %s: %w (status %d)", name, err, r.status)
					return
				}
				if r, err := h.try("GET", "/api/v2/integrations?pageSize=5", tok, nil, nil); err != nil || r.status != 200 {
					errs <- fmt.Errorf("list: %w (status %d)", err, r.status)
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.emu.Integrations("org-a")); n != workers*each {
		t.Errorf("%d integrations, want %d", n, workers*each)
	}
	if n := len(h.emu.JournalWhere(JournalFilter{Route: "/api/v2/integrations"})); n != 2*workers*each {
		t.Errorf("journal counts %d calls on /api/v2/integrations, want %d", n, 2*workers*each)
	}
}
