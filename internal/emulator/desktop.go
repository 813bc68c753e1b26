package emulator

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// The agent desktop: /desktop/ shows an org's integrations as an agent would see them, live, with
// the screen pops sent to the agent, the recent requests and each token's rate-limit headroom.
// Its apps load in frames from a second loopback origin (localhost when the desktop is on
// 127.0.0.1, and the other way round), so an app that is given allow-same-origin gets an origin
// of its own, never the desktop's, exactly as a real app is cross-origin to apps.mypurecloud.com.
//
//	GET  /desktop/                          the page (org and agent from ?org=&agent=)
//	GET  /desktop/assets/...                its script and style sheet
//	GET  /desktop/api/view?org=&agent=      what the page shows, as JSON
//	GET  /desktop/events?org=&agent=        the same, pushed as server-sent events on every change
//	POST /desktop/api/conversations         start a simulated conversation {org, agent, type, queue}
//	POST /desktop/api/pops/{id}/shown       the page opened a pop {org, agent, visible}
//	GET  /apps/{host}/{path}                the sample apps (on the other loopback origin)
//
// Nothing under these paths needs a token, and nothing they answer holds a secret: no access
// token (only the journal's fingerprints), no client secret, and screen pop session tokens are
// masked before they leave the server, in what the page shows and in what a frame is sent.

const (
	desktopPrefix = "/desktop/"
	appsPrefix    = "/apps/"

	// renderFrameWidth and renderFrameHeight bound an app's frame (the widget pipeline's render
	// frame); apps without dimensions get all of it.
	renderFrameWidth  = 800
	renderFrameHeight = 600

	maxConversations   = 10 // Genesys runs at most 10 interaction widget instances at once
	desktopRecentPops  = 10
	desktopRecentCalls = 30
	maskedToken        = "********"
)

// defaultSandbox is what Genesys Cloud gives an app whose sandbox property is empty.
const defaultSandbox = "allow-forms,allow-modals,allow-popups,allow-same-origin,allow-scripts"

// desktopCommunicationTypes are the conversation kinds the page can start.
var desktopCommunicationTypes = []string{"call", "callback", "chat", "email", "message", "socialExpression", "video"}

//go:embed desktop
var desktopFiles embed.FS

// desktopState is what the desktop keeps beside the API's state. The zero value is ready.
type desktopState struct {
	hub desktopHub

	mu            sync.Mutex
	conversations map[string][]*Conversation // by org/agent
	shown         map[string]PopShown        // by pop id
	waiters       map[string]chan PopShown   // by pop id: a pop answer waiting for the desktop
	popWait       time.Duration              // Config.DesktopPopWait (tests may shorten it)
}

// Conversation is a simulated conversation an agent desktop started.
type Conversation struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Queue     string    `json:"queue"`
	StartedAt time.Time `json:"startedAt"`
}

// PopShown is the desktop's report that it opened a screen pop.
type PopShown struct {
	At      time.Time `json:"at"`
	Visible bool      `json:"visible"`
}

// PopShownAt reports when a desktop opened the pop with this id, and whether it was on screen.
func (s *Server) PopShownAt(popID string) (PopShown, bool) {
	s.desk.mu.Lock()
	defer s.desk.mu.Unlock()
	p, ok := s.desk.shown[popID]
	return p, ok
}

// isDesktopPath reports whether the desktop serves path.
func isDesktopPath(p string) bool {
	return p == strings.TrimSuffix(desktopPrefix, "/") || strings.HasPrefix(p, desktopPrefix) || strings.HasPrefix(p, appsPrefix)
}

// serveDesktop serves /desktop/... and /apps/...: loopback names only, so a page on another
// site cannot reach it through DNS rebinding.
func (s *Server) serveDesktop(w http.ResponseWriter, r *http.Request) {
	if !hostmatch.IsLoopback(r.Host) {
		http.Error(w, "the desktop answers on loopback names only (127.0.0.1, localhost, [::1])", http.StatusMisdirectedRequest)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasPrefix(r.URL.Path, appsPrefix) {
		s.serveSampleApp(w, r)
		return
	}
	p := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(desktopPrefix, "/"))
	switch {
	case p == "":
		http.Redirect(w, r, desktopPrefix, http.StatusMovedPermanently)
	case p == "/":
		s.serveDesktopPage(w, r)
	case strings.HasPrefix(p, "/assets/"):
		serveEmbedded(w, r, "desktop/page/"+strings.TrimPrefix(p, "/assets/"))
	case p == "/api/view":
		s.serveDesktopView(w, r)
	case p == "/events":
		s.serveDesktopEvents(w, r)
	case p == "/api/conversations":
		s.serveStartConversation(w, r)
	case strings.HasPrefix(p, "/api/pops/") && strings.HasSuffix(p, "/shown"):
		s.servePopShown(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/api/pops/"), "/shown"))
	default:
		http.NotFound(w, r)
	}
}

// origins returns the desktop's origin as the browser sees it and the other loopback origin
// the apps are served from.
func desktopOrigins(r *http.Request) (desktop, apps string) {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, ""
	}
	other := "localhost"
	if strings.EqualFold(host, "localhost") {
		other = "127.0.0.1"
	}
	desktop = "http://" + r.Host
	apps = "http://" + other
	if port != "" {
		apps += ":" + port
	}
	return desktop, apps
}

func (s *Server) serveDesktopPage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "only GET", http.StatusMethodNotAllowed)
		return
	}
	_, apps := desktopOrigins(r)
	frames := []string{apps}
	for _, m := range s.cfg.HostMap {
		if o := m.targetOrigin(apps); !slices.Contains(frames, o) {
			frames = append(frames, o)
		}
	}
	// Unmapped apps load from their own https origins, as they would in Genesys Cloud.
	frames = append(frames, "https:")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data:; connect-src 'self'; frame-src "+strings.Join(frames, " ")+"; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
	serveEmbedded(w, r, "desktop/page/index.html")
}

func serveEmbedded(w http.ResponseWriter, r *http.Request, name string) {
	data, err := fs.ReadFile(desktopFiles, path.Clean(name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(data)
}

// DesktopView is what the desktop page shows for one agent of one org.
type DesktopView struct {
	Org                string                `json:"org"`
	Agent              string                `json:"agent"`
	Orgs               []DesktopOrg          `json:"orgs"`
	Widgets            []DesktopApp          `json:"widgets"`       // displayType widget: the widget panel
	Apps               []DesktopApp          `json:"apps"`          // displayType standalone: the apps menu
	Conversations      []DesktopConversation `json:"conversations"` // newest first, with their interaction widgets
	Hidden             []DesktopHidden       `json:"hidden"`        // integrations not shown, and why
	Pops               []DesktopPop          `json:"pops"`          // the agent's recent pops, newest first
	Requests           []DesktopRequest      `json:"requests"`      // the org's recent requests, newest first
	Headroom           []DesktopHeadroom     `json:"headroom"`      // every live token of the org
	Clients            []DesktopClientRoom   `json:"clients"`       // every OAuth client of the org
	RateLimited        bool                  `json:"rateLimited"`   // a per-token or per-client limit is on
	CommunicationTypes []string              `json:"communicationTypes"`
	Queues             []string              `json:"queues"` // queue ids the org's interaction widgets name
	RenderFrame        [2]int                `json:"renderFrame"`

	nextChange time.Time // when an integration's reported state changes next (zero: none pending)
}

// DesktopOrg is an org and its agents.
type DesktopOrg struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Agents []DesktopAgent `json:"agents"`
}

// DesktopAgent is an agent the desktop can be opened as.
type DesktopAgent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// DesktopApp is an app in a frame: src is the configured URL with its placeholders filled in and
// its host mapped; sandbox and allow are the frame's attributes.
type DesktopApp struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Kind               string   `json:"kind"` // widget, standalone or interaction
	URL                string   `json:"url"`
	Src                string   `json:"src"`
	ServedBy           string   `json:"servedBy,omitempty"`
	Sandbox            string   `json:"sandbox"`
	Allow              string   `json:"allow"`
	Width              int      `json:"width"`
	Height             int      `json:"height"`
	AskedWidth         int      `json:"askedWidth,omitempty"`
	AskedHeight        int      `json:"askedHeight,omitempty"`
	CommunicationTypes []string `json:"communicationTypes,omitempty"`
	Queues             []string `json:"queues,omitempty"`
	Groups             []string `json:"groups,omitempty"`
}

// DesktopConversation is a simulated conversation and the interaction widgets shown beside it.
type DesktopConversation struct {
	Conversation
	Widgets []DesktopApp `json:"widgets"`
}

// DesktopHidden is an integration the agent does not see, with the reason.
type DesktopHidden struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// DesktopPop is a screen pop as the desktop opens it: the target's fragment with the session
// token masked, the context read from it, and the frame it opens in.
type DesktopPop struct {
	ID            string         `json:"id"`
	ApplicationID string         `json:"applicationId"`
	AppName       string         `json:"appName,omitempty"`
	Target        string         `json:"target"` // the target URL, session token masked
	Src           string         `json:"src"`    // what the frame loads: Target with its host mapped
	ServedBy      string         `json:"servedBy,omitempty"`
	Sandbox       string         `json:"sandbox"`
	Allow         string         `json:"allow"`
	Context       [][2]string    `json:"context"` // the fragment's pairs, in order, token masked
	State         map[string]any `json:"state,omitempty"`
	DeliveredAt   time.Time      `json:"deliveredAt"`
	Shown         *PopShown      `json:"shown,omitempty"`
	WindowFocused bool           `json:"windowFocused"`
}

// DesktopRequest is a journal entry as the requests panel shows it.
type DesktopRequest struct {
	Time          time.Time `json:"time"`
	Method        string    `json:"method"`
	Route         string    `json:"route"`
	Status        int       `json:"status"`
	LatencyMs     float64   `json:"latencyMs"`
	CorrelationID string    `json:"correlationId"`
	Fault         string    `json:"fault,omitempty"`
}

// DesktopHeadroom is one access token's rate-limit state: Remaining requests may be sent at once
// now, out of Capacity (0 when the per-token limit is off); the bucket is full again in
// ResetSeconds. Its client's limit (DesktopClientRoom) may leave it less.
type DesktopHeadroom struct {
	Token        string `json:"token"` // the journal's fingerprint, never the token
	ClientID     string `json:"clientId"`
	Remaining    int    `json:"remaining"`
	Capacity     int    `json:"capacity"`
	PerMinute    int    `json:"perMinute"`
	ResetSeconds int    `json:"resetSeconds"`
}

// DesktopClientRoom is one OAuth client's rate-limit state across all its tokens: Remaining
// requests may be sent at once now, out of Capacity (0 when the per-client limit is off), full
// again in ResetSeconds; and NewTokens more tokens may be created now, out of NewTokensCapacity
// (0 when the token creation limit is off).
type DesktopClientRoom struct {
	ClientID          string `json:"clientId"`
	LiveTokens        int    `json:"liveTokens"`
	Remaining         int    `json:"remaining"`
	Capacity          int    `json:"capacity"`
	PerMinute         int    `json:"perMinute"`
	ResetSeconds      int    `json:"resetSeconds"`
	NewTokens         int    `json:"newTokens"`
	NewTokensCapacity int    `json:"newTokensCapacity"`
}

func (s *Server) serveDesktopView(w http.ResponseWriter, r *http.Request) {
	org, agent, ok := s.desktopParams(w, r)
	if !ok {
		return
	}
	desk, apps := desktopOrigins(r)
	writeJSON(w, http.StatusOK, s.desktopView(org, agent, desk, apps))
}

// desktopParams reads ?org=&agent=, defaulting to the first org and its first agent.
func (s *Server) desktopParams(w http.ResponseWriter, r *http.Request) (org, agent string, ok bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "only GET", http.StatusMethodNotAllowed)
		return "", "", false
	}
	q := r.URL.Query()
	return s.resolveAgent(w, q.Get("org"), q.Get("agent"))
}

func (s *Server) resolveAgent(w http.ResponseWriter, org, agent string) (string, string, bool) {
	if org == "" && len(s.orgOrder) > 0 {
		org = s.orgOrder[0]
	}
	if _, known := s.orgNames[org]; !known {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": fmt.Sprintf("no org %q", org)})
		return "", "", false
	}
	if agent == "" {
		for _, u := range s.cfg.Users {
			if u.OrgID == org {
				agent = u.ID
				break
			}
		}
	}
	if u, known := s.users[agent]; agent != "" && (!known || u.OrgID != org) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": fmt.Sprintf("no agent %q in org %q", agent, org)})
		return "", "", false
	}
	return org, agent, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "the answer could not be encoded", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// desktopView computes what the agent sees now. desk is the desktop's origin (gcHostOrigin),
// apps the origin the sample apps are served from.
func (s *Server) desktopView(org, agent, desk, apps string) DesktopView {
	v := DesktopView{
		Org: org, Agent: agent,
		CommunicationTypes: desktopCommunicationTypes,
		RenderFrame:        [2]int{renderFrameWidth, renderFrameHeight},
		Widgets:            []DesktopApp{}, Apps: []DesktopApp{}, Conversations: []DesktopConversation{},
		Hidden: []DesktopHidden{}, Pops: []DesktopPop{}, Requests: []DesktopRequest{}, Headroom: []DesktopHeadroom{},
		Clients: []DesktopClientRoom{},
		Queues:  []string{},
	}
	for _, id := range s.orgOrder {
		o := DesktopOrg{ID: id, Name: s.orgNames[id], Agents: []DesktopAgent{}}
		for _, u := range s.cfg.Users {
			if u.OrgID == id {
				o.Agents = append(o.Agents, DesktopAgent{ID: u.ID, Name: u.Name})
			}
		}
		v.Orgs = append(v.Orgs, o)
	}
	convs := s.desk.conversationsOf(org, agent)

	s.mu.Lock()
	now := s.now()
	var recs []*integrationRecord
	byID := map[string]*integrationRecord{}
	var pops []ScreenPop
	if o := s.orgs[org]; o != nil {
		for _, rec := range o.integrations {
			rec.settle(now)
			if rec.Pending != nil && (v.nextChange.IsZero() || rec.Pending.At.Before(v.nextChange)) {
				v.nextChange = rec.Pending.At
			}
			recs = append(recs, rec)
			byID[rec.ID] = rec
		}
		for i := len(o.pops) - 1; i >= 0 && len(pops) < desktopRecentPops; i-- {
			if p := o.pops[i]; p.UserID == agent {
				pops = append(pops, *p)
			}
		}
	}
	sortRecords(recs)
	var interaction []*integrationRecord
	queues := map[string]bool{}
	for _, rec := range recs {
		app := s.desktopApp(rec, desk, apps, "")
		switch {
		case rec.hidden(now):
			continue // not created yet, as far as any reader can tell
		case rec.Reported != ReportedActive:
			v.Hidden = append(v.Hidden, DesktopHidden{ID: rec.ID, Name: rec.Name, Reason: "reported state " + rec.Reported})
		case app.Kind == "interaction":
			interaction = append(interaction, rec)
			for _, q := range app.Queues {
				queues[q] = true
			}
		case app.Kind == "standalone":
			v.Apps = append(v.Apps, app)
		default:
			v.Widgets = append(v.Widgets, app)
		}
	}
	for _, p := range pops {
		v.Pops = append(v.Pops, s.desktopPop(p, byID[p.ApplicationID], apps))
	}
	v.Headroom, v.Clients = s.headroomOf(org, now)
	v.RateLimited = s.limiter.enabled || s.clientLimiter.enabled
	s.mu.Unlock()

	for q := range queues {
		v.Queues = append(v.Queues, q)
	}
	slices.Sort(v.Queues)
	for _, c := range convs {
		dc := DesktopConversation{Conversation: c, Widgets: []DesktopApp{}}
		for _, rec := range interaction {
			app := s.desktopApp(rec, desk, apps, c.ID)
			if app.showsBeside(c) {
				dc.Widgets = append(dc.Widgets, app)
			}
		}
		v.Conversations = append(v.Conversations, dc)
	}
	for _, rec := range interaction {
		app := s.desktopApp(rec, desk, apps, "")
		if !slices.ContainsFunc(v.Conversations, func(c DesktopConversation) bool { return app.showsBeside(c.Conversation) }) {
			v.Hidden = append(v.Hidden, DesktopHidden{ID: rec.ID, Name: rec.Name, Reason: "interaction widget: no open conversation matches its filters"})
		}
	}
	for i := range v.Pops {
		if shown, ok := s.PopShownAt(v.Pops[i].ID); ok {
			v.Pops[i].Shown = &shown
		}
	}
	v.Requests = s.recentRequests(org)
	return v
}

// showsBeside reports whether an interaction widget's filters let it show beside c: an empty
// filter lets everything through.
func (a DesktopApp) showsBeside(c Conversation) bool {
	return (len(a.CommunicationTypes) == 0 || slices.ContainsFunc(a.CommunicationTypes, func(t string) bool { return strings.EqualFold(t, c.Type) })) &&
		(len(a.Queues) == 0 || slices.Contains(a.Queues, c.Queue))
}

// desktopApp renders an integration as a frame. The caller holds s.mu.
func (s *Server) desktopApp(rec *integrationRecord, desk, apps, conversationID string) DesktopApp {
	props := rec.Config.Properties
	app := DesktopApp{ID: rec.ID, Name: rec.Name, Kind: "widget"}
	switch {
	case rec.TypeID == TypeInteractionWidget:
		app.Kind = "interaction"
		app.CommunicationTypes = stringList(props["communicationTypeFilter"])
		app.Queues = stringList(props["queueIdFilterList"])
	case stringProp(props, "displayType") == "standalone":
		app.Kind = "standalone"
	}
	app.URL = stringProp(props, "url")
	app.Src, app.ServedBy = mapAppURL(fillPlaceholders(app.URL, placeholderValues(desk, conversationID)), s.cfg.HostMap, apps)
	app.Sandbox = strings.Join(stringList(props["sandbox"]), " ")
	if _, set := props["sandbox"]; !set || app.Sandbox == "" {
		app.Sandbox = strings.ReplaceAll(defaultSandbox, ",", " ")
	}
	app.Allow = strings.Join(stringList(props["permissions"]), "; ")
	app.Groups = stringList(props["groups"])
	app.Width, app.Height = renderFrameWidth, renderFrameHeight
	if dims, ok := rec.Config.Advanced["dimensions"].(map[string]any); ok {
		app.AskedWidth, app.AskedHeight = intValue(dims["width"]), intValue(dims["height"])
		if app.AskedWidth > 0 {
			app.Width = min(app.AskedWidth, renderFrameWidth)
		}
		if app.AskedHeight > 0 {
			app.Height = min(app.AskedHeight, renderFrameHeight)
		}
	}
	return app
}

// desktopPop renders a pop, masking the session token. app is the integration the pop names, if
// it is one of the org's; its sandbox and permissions then apply to the pop's frame. The caller
// holds s.mu.
func (s *Server) desktopPop(p ScreenPop, app *integrationRecord, apps string) DesktopPop {
	base, frag, hasFrag := strings.Cut(p.URI, "#")
	out := DesktopPop{
		ID: p.ID, ApplicationID: p.ApplicationID, State: p.State, DeliveredAt: p.DeliveredAt,
		WindowFocused: p.WindowFocused, Context: [][2]string{},
		Sandbox: strings.ReplaceAll(defaultSandbox, ",", " "),
	}
	if app != nil {
		a := s.desktopApp(app, "", apps, "")
		out.AppName, out.Sandbox, out.Allow = a.Name, a.Sandbox, a.Allow
	}
	target := base
	if hasFrag {
		var parts []string
		for _, pair := range strings.Split(frag, "&") {
			if pair == "" {
				continue
			}
			k, val, _ := strings.Cut(pair, "=")
			key, err := url.QueryUnescape(k)
			if err != nil {
				key = k
			}
			value, err := url.QueryUnescape(val)
			if err != nil {
				value = val
			}
			if key == "sessionToken" {
				value, val = maskedToken, maskedToken
			}
			out.Context = append(out.Context, [2]string{key, value})
			parts = append(parts, k+"="+val)
		}
		target += "#" + strings.Join(parts, "&")
	}
	out.Target = target
	out.Src, out.ServedBy = mapAppURL(target, s.cfg.HostMap, apps)
	return out
}

// headroomOf lists what the org's live tokens and its OAuth clients may still send, and how
// many tokens each client may still create. The caller holds s.mu.
func (s *Server) headroomOf(org string, now time.Time) ([]DesktopHeadroom, []DesktopClientRoom) {
	tokens := []DesktopHeadroom{}
	live := map[string]int{}
	for _, t := range s.tokens {
		if t.orgID != org || !now.Before(t.expires) {
			continue
		}
		live[t.clientID]++
		h := DesktopHeadroom{Token: t.fingerprint, ClientID: t.clientID}
		if l := s.limiter; l.enabled {
			used, reset := l.usage(t.bucket, now)
			h.Capacity, h.PerMinute, h.Remaining, h.ResetSeconds = l.burst, l.perMinute, max(0, l.burst-used), reset
		}
		tokens = append(tokens, h)
	}
	slices.SortFunc(tokens, func(a, b DesktopHeadroom) int {
		return cmp.Or(strings.Compare(a.ClientID, b.ClientID), strings.Compare(a.Token, b.Token))
	})
	clients := []DesktopClientRoom{}
	for _, c := range s.cfg.Clients {
		if c.OrgID != org {
			continue
		}
		room := DesktopClientRoom{ClientID: c.ID, LiveTokens: live[c.ID]}
		counted := s.limits[c.ID]
		if l := s.clientLimiter; l.enabled {
			used, reset := l.usage(counted.requests, now)
			room.Capacity, room.PerMinute, room.Remaining, room.ResetSeconds = l.burst, l.perMinute, max(0, l.burst-used), reset
		}
		if l := s.grantLimiter; l.enabled {
			used, _ := l.usage(counted.grants, now)
			room.NewTokensCapacity, room.NewTokens = l.burst, max(0, l.burst-used)
		}
		clients = append(clients, room)
	}
	return tokens, clients
}

// recentRequests is the tail of the journal for the org (and the login calls, which have no org
// until they succeed), newest first.
func (s *Server) recentRequests(org string) []DesktopRequest {
	s.jmu.Lock()
	defer s.jmu.Unlock()
	out := []DesktopRequest{}
	for i := len(s.journal) - 1; i >= 0 && len(out) < desktopRecentCalls; i-- {
		e := s.journal[i]
		if e.OrgID != org && e.OrgID != "" {
			continue
		}
		route := e.Route
		if route == "" {
			route = e.Path
		}
		out = append(out, DesktopRequest{
			Time: e.Time, Method: e.Method, Route: route, Status: e.Status,
			LatencyMs: float64(e.Latency.Microseconds()) / 1000, CorrelationID: e.CorrelationID, Fault: e.Fault,
		})
	}
	return out
}

// stringList reads a property that is a comma-separated string or a JSON array of strings.
func stringList(v any) []string {
	var raw []string
	switch t := v.(type) {
	case string:
		return splitList(t)
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				raw = append(raw, s)
			}
		}
	case []string:
		raw = t
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func stringProp(props map[string]any, key string) string {
	s, _ := props[key].(string)
	return s
}

func intValue(v any) int {
	switch t := v.(type) {
	case json.Number:
		n, _ := t.Int64()
		return int(n)
	case float64:
		return int(t)
	case int:
		return t
	case int64:
		return int(t)
	}
	return 0
}

// serveSampleApp serves the sample apps: one page for every path under /apps/{host}/, which
// picks what to show from the path (dashboard, c360 or customer, knowledge, agent-view or crm,
// and the sandbox probe for anything else), plus its script and style sheet. They fetch nothing,
// so they render offline, and they may only be framed by a loopback page.
func (s *Server) serveSampleApp(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "only GET", http.StatusMethodNotAllowed)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, appsPrefix)
	switch {
	case rest == "_assets/nav204":
		// The probe's top-navigation test: a navigation that lands here leaves the page as it is.
		w.WriteHeader(http.StatusNoContent)
		return
	case strings.HasPrefix(rest, "_assets/"):
		serveEmbedded(w, r, "desktop/apps/"+strings.TrimPrefix(rest, "_assets/"))
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data:; form-action 'self'; base-uri 'none'; "+
		"frame-ancestors http://127.0.0.1:* http://localhost:* http://[::1]:*")
	serveEmbedded(w, r, "desktop/apps/app.html")
}
