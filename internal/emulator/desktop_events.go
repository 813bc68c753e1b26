package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	// desktopPopWait is how long a screen pop's answer waits for an open desktop of its agent to
	// report that it showed the pop; after it the answer says the window did not take focus.
	desktopPopWait = 5 * time.Second
	// desktopKeepAlive is how often an idle event stream sends a comment, so proxies and
	// browsers keep it open and a vanished page is noticed.
	desktopKeepAlive = 15 * time.Second
)

// desktopHub wakes the event streams when anything they show may have changed. Wake-ups
// coalesce: a stream that is busy sending gets one more wake-up, however many changes came.
type desktopHub struct {
	mu     sync.Mutex
	subs   map[*desktopSub]struct{}
	closed chan struct{} // closed by closeAll; nil until first needed
}

type desktopSub struct {
	org, agent string
	wake       chan struct{}
}

func (h *desktopHub) done() chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed == nil {
		h.closed = make(chan struct{})
	}
	return h.closed
}

func (h *desktopHub) subscribe(org, agent string) *desktopSub {
	sub := &desktopSub{org: org, agent: agent, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[*desktopSub]struct{}{}
	}
	h.subs[sub] = struct{}{}
	return sub
}

func (h *desktopHub) unsubscribe(sub *desktopSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, sub)
}

// notify wakes every stream without ever blocking the request that made the change.
func (h *desktopHub) notify() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		select {
		case sub.wake <- struct{}{}:
		default:
		}
	}
}

// watching reports whether a desktop of the agent is open.
func (h *desktopHub) watching(org, agent string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		if sub.org == org && sub.agent == agent {
			return true
		}
	}
	return false
}

func (h *desktopHub) closeAll() {
	done := h.done()
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-done:
	default:
		close(done)
	}
}

// CloseEventStreams ends every open desktop event stream, so an http.Server can shut down
// (register it with http.Server.RegisterOnShutdown). Streams opened later end at once.
func (s *Server) CloseEventStreams() { s.desk.hub.closeAll() }

// serveDesktopEvents pushes the view as server-sent events ("state"), once at the start and
// again whenever it changes.
func (s *Server) serveDesktopEvents(w http.ResponseWriter, r *http.Request) {
	org, agent, ok := s.desktopParams(w, r)
	if !ok {
		return
	}
	desk, apps := desktopOrigins(r)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	sub := s.desk.hub.subscribe(org, agent)
	defer s.desk.hub.unsubscribe(sub)
	closed := s.desk.hub.done()
	keepAlive := time.NewTicker(desktopKeepAlive)
	defer keepAlive.Stop()
	var last []byte
	for {
		view := s.desktopView(org, agent, desk, apps)
		data, err := json.Marshal(view)
		if err != nil {
			return
		}
		if !bytes.Equal(data, last) {
			if _, err := io.WriteString(w, "event: state\ndata: "+string(data)+"\n\n"); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			last = data
		}
		// An activation under way changes what is shown when it completes, with no request to
		// announce it: wake up then.
		var settle <-chan time.Time
		var timer *time.Timer
		if !view.nextChange.IsZero() {
			timer = time.NewTimer(max(view.nextChange.Sub(s.now()), 0) + time.Millisecond)
			settle = timer.C
		}
		alive := waitForChange(r, sub, closed, settle, keepAlive.C, func() error {
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return err
			}
			return rc.Flush()
		})
		if timer != nil {
			timer.Stop()
		}
		if !alive {
			return
		}
	}
}

// waitForChange blocks until the stream has something to look at again: a change, an activation
// completing (settle), or a keep-alive to send. It reports false when the stream must end.
func waitForChange(r *http.Request, sub *desktopSub, closed <-chan struct{}, settle, keepAlive <-chan time.Time, ping func() error) bool {
	for {
		select {
		case <-r.Context().Done():
			return false
		case <-closed:
			return false
		case <-sub.wake:
			return true
		case <-settle:
			return true
		case <-keepAlive:
			if ping() != nil {
				return false
			}
		}
	}
}

// checkSameOrigin refuses a state-changing desktop call that a page of another site could have
// made: it must be JSON (a cross-site form cannot send that without a CORS preflight, which is
// never answered) and, when the browser says where it comes from, come from the desktop itself.
func checkSameOrigin(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "only POST", http.StatusMethodNotAllowed)
		return false
	}
	desk, _ := desktopOrigins(r)
	ct := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
	switch {
	case !strings.EqualFold(ct, "application/json"):
		http.Error(w, "the body must be application/json", http.StatusUnsupportedMediaType)
		return false
	case r.Header.Get("Origin") != "" && r.Header.Get("Origin") != desk,
		r.Header.Get("Sec-Fetch-Site") != "" && r.Header.Get("Sec-Fetch-Site") != "same-origin":
		http.Error(w, "only the desktop page may do this", http.StatusForbidden)
		return false
	}
	return true
}

type startConversationRequest struct {
	Org   string `json:"org"`
	Agent string `json:"agent"`
	Type  string `json:"type"`
	Queue string `json:"queue"`
}

// serveStartConversation starts a simulated conversation for an agent. The newest ten are kept.
func (s *Server) serveStartConversation(w http.ResponseWriter, r *http.Request) {
	if !checkSameOrigin(w, r) {
		return
	}
	var in startConversationRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "the body is not a JSON object"})
		return
	}
	org, agent, ok := s.resolveAgent(w, in.Org, in.Agent)
	if !ok {
		return
	}
	in.Queue = strings.TrimSpace(in.Queue)
	switch {
	case !slices.Contains(desktopCommunicationTypes, in.Type):
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "type must be one of " + strings.Join(desktopCommunicationTypes, ", ")})
		return
	case len(in.Queue) > 128:
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "queue is longer than 128 characters"})
		return
	}
	c := &Conversation{ID: newUUID(), Type: in.Type, Queue: in.Queue, StartedAt: s.now().UTC()}
	s.desk.mu.Lock()
	if s.desk.conversations == nil {
		s.desk.conversations = map[string][]*Conversation{}
	}
	key := org + "/" + agent
	list := append([]*Conversation{c}, s.desk.conversations[key]...)
	s.desk.conversations[key] = list[:min(len(list), maxConversations)]
	s.desk.mu.Unlock()
	s.desk.hub.notify()
	writeJSON(w, http.StatusOK, c)
}

// reset forgets the conversations and the pops shown (Server.Reset); open streams stay open.
func (d *desktopState) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conversations, d.shown = nil, nil
}

// conversationsOf returns the agent's conversations, newest first.
func (d *desktopState) conversationsOf(org, agent string) []Conversation {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Conversation
	for _, c := range d.conversations[org+"/"+agent] {
		out = append(out, *c)
	}
	return out
}

type popShownRequest struct {
	Org     string `json:"org"`
	Agent   string `json:"agent"`
	Visible bool   `json:"visible"`
}

// servePopShown records that the agent's desktop opened a pop, and hands the report to the pop's
// answer if it is still waiting. Only the first report of a pop counts.
func (s *Server) servePopShown(w http.ResponseWriter, r *http.Request, popID string) {
	if !checkSameOrigin(w, r) {
		return
	}
	var in popShownRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "the body is not a JSON object"})
		return
	}
	s.mu.Lock()
	found := false
	if o := s.orgs[in.Org]; o != nil {
		found = slices.ContainsFunc(o.pops, func(p *ScreenPop) bool { return p.ID == popID && p.UserID == in.Agent })
	}
	s.mu.Unlock()
	if !found {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "no such pop for this agent"})
		return
	}
	shown := PopShown{At: s.now().UTC(), Visible: in.Visible}
	s.desk.mu.Lock()
	if prev, seen := s.desk.shown[popID]; seen {
		s.desk.mu.Unlock()
		writeJSON(w, http.StatusOK, prev)
		return
	}
	if s.desk.shown == nil {
		s.desk.shown = map[string]PopShown{}
	}
	s.desk.shown[popID] = shown
	if ch := s.desk.waiters[popID]; ch != nil {
		ch <- shown // buffered, and only the first report gets here
	}
	s.desk.mu.Unlock()
	s.desk.hub.notify()
	writeJSON(w, http.StatusOK, shown)
}

// expectPop registers a pop's answer as waiting for the agent's desktop. It returns nil when no
// desktop of the agent is open: the pop is then answered at once, as before there was a desktop.
func (d *desktopState) expectPop(org, agent, popID string) chan PopShown {
	if !d.hub.watching(org, agent) {
		return nil
	}
	ch := make(chan PopShown, 1)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.waiters == nil {
		d.waiters = map[string]chan PopShown{}
	}
	d.waiters[popID] = ch
	return ch
}

// awaitDesktop waits for the desktop's report on pop (registered with expectPop) and puts what
// it says into the pop's answer: the window took focus only if the desktop showed the pop on
// screen within desktopPopWait, and the delivery time runs until the desktop reported.
func (s *Server) awaitDesktop(c *call, pop *ScreenPop, wait chan PopShown) {
	defer func() {
		s.desk.mu.Lock()
		delete(s.desk.waiters, pop.ID)
		s.desk.mu.Unlock()
	}()
	s.desk.mu.Lock()
	patience := s.desk.popWait
	s.desk.mu.Unlock()
	timer := time.NewTimer(patience)
	defer timer.Stop()
	visible := false
	select {
	case shown := <-wait:
		visible = shown.Visible
	case <-timer.C:
	case <-c.r.Context().Done():
		return
	}
	s.mu.Lock()
	pop.WindowFocused = pop.WindowFocused && visible
	pop.DeliveryTimeMs = int(time.Since(c.started).Milliseconds())
	s.mu.Unlock()
	s.changed()
}
