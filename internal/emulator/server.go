package emulator

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	headerCorrelationID = "ININ-Correlation-Id"
	adminPrefix         = "/_emulator/"
)

// Server is the emulated Genesys Cloud: the login service and the Platform API on one handler.
// It is safe for concurrent use.
type Server struct {
	cfg      Config
	now      func() time.Time
	log      *slog.Logger
	clients  map[string]OAuthClient
	orgNames map[string]string
	orgOrder []string
	users    map[string]User
	routes   []route

	limiter       rateLimiter // API requests per access token (token.rate.per.minute)
	clientLimiter rateLimiter // API requests per OAuth client, all its tokens (org.app.user.rate.per.minute)
	grantLimiter  rateLimiter // new tokens per OAuth client

	mu     sync.Mutex // guards everything below, except the journal
	tokens map[string]*tokenState
	limits map[string]*clientLimits // by OAuth client id
	orgs   map[string]*orgData
	faults []*faultState
	issued int

	jmu     sync.Mutex
	journal []JournalEntry

	store *stateStore // nil when Config.StatePath is ""

	desk desktopState // the agent desktop's own state (desktop.go)
}

// New validates cfg, loads the state file if there is one, and returns a ready server.
func New(cfg Config) (*Server, error) {
	cfg, err := normalize(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		now:     cfg.Now,
		log:     cfg.Logger,
		limiter: newRateLimiter(LimitPerToken, cfg.RateLimit, cfg.RateBurst),
		// Both hold one minute's allowance, as the per-token limit does by default.
		clientLimiter: newRateLimiter(LimitPerClient, cfg.ClientRateLimit, cfg.ClientRateLimit),
		grantLimiter:  newRateLimiter(LimitTokenCreation, cfg.TokenCreationLimit, cfg.TokenCreationLimit),
		clients:       map[string]OAuthClient{},
		orgNames:      map[string]string{},
		users:         map[string]User{},
		tokens:        map[string]*tokenState{},
		orgs:          map[string]*orgData{},
		faults:        newFaultStates(cfg.Faults),
	}
	s.limits = newClientLimits(cfg.Clients)
	s.desk.popWait = cfg.DesktopPopWait
	for _, c := range cfg.Clients {
		s.clients[c.ID] = c
		if _, seen := s.orgNames[c.OrgID]; !seen {
			s.orgOrder = append(s.orgOrder, c.OrgID)
		}
		s.orgNames[c.OrgID] = c.OrgName
	}
	for _, u := range cfg.Users {
		s.users[u.ID] = u
	}
	s.routes = s.routeTable()
	if cfg.StatePath != "" {
		if err := s.loadState(cfg.StatePath); err != nil {
			return nil, err
		}
		s.store = newStateStore(cfg.StatePath, s.encodeState, s.log)
	}
	return s, nil
}

// OrgIDs lists the configured orgs in the order their clients were given.
func (s *Server) OrgIDs() []string { return slices.Clone(s.orgOrder) }

// Close stops the background state writer and writes the state file one last time.
// It is safe to call more than once; the server keeps answering after Close but no
// longer saves.
func (s *Server) Close() error {
	if s.store == nil {
		return nil
	}
	return s.store.close()
}

// SaveState writes the state file now (the server also saves by itself after every change).
func (s *Server) SaveState() error {
	if s.store == nil {
		return nil
	}
	return s.store.saveNow()
}

// Reset forgets integrations, screen pops, tokens, what the rate limits have counted and the
// journal, and rewinds the fault profile (patterns start over, random streams are reseeded).
// The Config is kept.
func (s *Server) Reset() {
	s.mu.Lock()
	s.tokens = map[string]*tokenState{}
	s.limits = newClientLimits(s.cfg.Clients)
	s.orgs = map[string]*orgData{}
	profile := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		profile[i] = f.Fault
	}
	s.faults = newFaultStates(profile)
	s.mu.Unlock()
	s.ResetJournal()
	s.desk.reset()
	s.changed()
}

// SetFaults replaces the fault profile at run time. Entries that fail Fault.Validate are dropped
// (and logged); call ValidateFaults first to have them reported.
func (s *Server) SetFaults(f []Fault) {
	valid := make([]Fault, 0, len(f))
	for i, fault := range f {
		if err := fault.Validate(); err != nil {
			s.log.Warn("ignoring invalid fault", "index", i, "error", err)
			continue
		}
		valid = append(valid, fault)
	}
	s.mu.Lock()
	s.faults = newFaultStates(valid)
	s.mu.Unlock()
}

// Faults returns the current fault profile.
func (s *Server) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		out[i] = f.Fault
	}
	return out
}

// changed tells the state writer there is something new to save.
func (s *Server) changed() {
	if s.store != nil {
		s.store.kick()
	}
	s.desk.hub.notify()
}

// org returns the data of an org, creating it on first use. The caller holds s.mu.
func (s *Server) org(orgID string) *orgData {
	o := s.orgs[orgID]
	if o == nil {
		o = newOrgData()
		s.orgs[orgID] = o
	}
	return o
}

// call is one API request on its way through the server.
type call struct {
	r         *http.Request
	w         http.ResponseWriter
	corr      string
	started   time.Time // wall clock, for latency
	arrived   time.Time // Config.Now, for everything the API reports
	params    map[string]string
	principal principal
	entry     *JournalEntry
}

// reply is what a handler answers; the server writes it (or, for reset-after-commit, drops it).
type reply struct {
	status int
	header http.Header
	body   any
}

type handlerFunc func(*Server, *call) reply

func errorReply(e *apiError) reply {
	r := reply{status: e.Status, body: e}
	if e.RetryAfter > 0 {
		r.header = http.Header{"Retry-After": {strconv.Itoa(e.RetryAfter)}}
	}
	return r
}

// readBody reads the request body up to MaxBodyBytes.
func (c *call) readBody() ([]byte, *apiError) {
	if c.r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, errBadRequest("the request body could not be read")
	}
	if len(body) > MaxBodyBytes {
		return nil, errBadRequest(messagePayloadTooLarge, fieldError{Field: "body", Message: fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes)})
	}
	return body, nil
}

// ServeHTTP serves the login service (/oauth/token), the Platform API (/api/v2/...), and the
// admin endpoints (/_emulator/...).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	corr := newUUID()
	w.Header().Set(headerCorrelationID, corr)
	switch {
	case strings.HasPrefix(r.URL.Path, adminPrefix):
		s.serveAdmin(w, r, corr)
		return
	case r.URL.Path == "/":
		s.serveIndex(w, r)
		return
	case isDesktopPath(r.URL.Path):
		s.serveDesktop(w, r)
		return
	}
	c := &call{
		r:       r,
		w:       w,
		corr:    corr,
		started: time.Now(),
		arrived: s.now(),
		entry: &JournalEntry{
			Method:         r.Method,
			Path:           r.URL.Path,
			Query:          r.URL.RawQuery,
			IdempotencyKey: r.Header.Get("Idempotency-Key"),
			CorrelationID:  corr,
		},
	}
	c.entry.Time = c.arrived
	// One clock for everything the server reports: a client that lines up its own clock with the
	// Date header (to compare lastUpdated stamps) must see the clock lastUpdated comes from.
	w.Header().Set("Date", c.arrived.UTC().Format(http.TimeFormat))
	s.serve(c)
}

func (s *Server) serve(c *call) {
	rt, params, handler, allowed := s.match(c.r.Method, c.r.URL.Path)
	c.params = params
	c.entry.Route = rt.pattern

	if rt.auth {
		s.mu.Lock()
		p, verdict, aerr := s.authenticate(c.r, c.arrived)
		s.mu.Unlock()
		if aerr != nil {
			s.finish(c, errorReply(aerr))
			return
		}
		c.principal = p
		c.entry.ClientID, c.entry.OrgID, c.entry.Token = p.clientID, p.orgID, p.fingerprint
		setRateHeaders(c.w.Header(), verdict)
		if !verdict.allowed {
			c.entry.Limit = verdict.limit
			s.finish(c, errorReply(errRateLimited(verdict.retryAfter)))
			return
		}
	}

	s.mu.Lock()
	d := decideRequestFaults(s.faults, c.r.Method, c.r.URL.Path)
	s.mu.Unlock()
	c.entry.Fault = d.name()
	if d.latency > 0 {
		sleepCtx(c.r.Context(), d.latency)
	}

	var out reply
	if d.action != nil {
		switch d.action.Kind {
		case KindResetBeforeHandling:
			c.entry.Status = 0
			s.record(c)
			resetConnection(c.w)
			return
		case Kind429:
			out = errorReply(errRateLimited(orDefault(d.action.RetryAfter, 1)))
		case Kind500:
			out = errorReply(&apiError{Status: http.StatusInternalServerError, Code: CodeInternalServerError, Message: "The server encountered an unexpected condition which prevented it from fulfilling the request."})
		case Kind502:
			out = errorReply(&apiError{Status: http.StatusBadGateway, Code: CodeBadGateway, Message: "The server received an invalid response from an upstream server."})
		case Kind503:
			out = errorReply(&apiError{Status: http.StatusServiceUnavailable, Code: CodeServiceUnavailable, Message: "The service is currently unavailable, please try again later.", RetryAfter: d.action.RetryAfter})
		}
	}
	if out.status == 0 {
		switch {
		case handler != nil:
			out = handler(s, c)
		case len(allowed) > 0:
			out = errorReply(&apiError{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "The method " + c.r.Method + " is not allowed on " + rt.pattern + "."})
			out.header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
		default:
			out = errorReply(errNotFound())
		}
	}
	if d.action != nil && d.action.Kind == KindResetAfterCommit {
		// The change is made and journaled; the client only sees its connection die.
		c.entry.Status = out.status
		s.record(c)
		resetConnection(c.w)
		return
	}
	s.finish(c, out)
}

// finish journals the request, then writes the reply: a client that has its answer finds the
// request in the journal. (Journaled after the write, a reply larger than the server's write
// buffer reached the client before its entry did, and a test that read the journal as soon as
// its call returned could miss it.)
func (s *Server) finish(c *call, out reply) {
	status, data := encodeReply(out, c.corr)
	c.entry.Status = status
	s.record(c)
	sendReply(c.w, out.header, status, data)
}

func writeReply(w http.ResponseWriter, out reply, corr string) {
	status, data := encodeReply(out, corr)
	sendReply(w, out.header, status, data)
}

// encodeReply is the status and body a reply is sent with.
func encodeReply(out reply, corr string) (status int, data []byte) {
	body := out.body
	if e, ok := body.(*apiError); ok {
		body = e.body(corr)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return http.StatusInternalServerError, []byte(`{"message":"the answer could not be encoded","code":"internal.server.error","status":500}`)
	}
	return out.status, data
}

func sendReply(w http.ResponseWriter, header http.Header, status int, data []byte) {
	for k, vs := range header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func (s *Server) record(c *call) {
	c.entry.Latency = time.Since(c.started)
	s.appendJournal(*c.entry)
	s.desk.hub.notify()
	s.log.Debug("request",
		"method", c.entry.Method, "path", c.entry.Path, "status", c.entry.Status,
		"latency", c.entry.Latency, "client", c.entry.ClientID, "token", c.entry.Token,
		"fault", c.entry.Fault, "correlationId", c.corr)
}

func orDefault(v, fallback int) int {
	if v > 0 {
		return v
	}
	return fallback
}

// route is one path of the API with the handlers of its methods.
type route struct {
	pattern  string // "/api/v2/integrations/{id}"
	segments []string
	auth     bool
	methods  map[string]handlerFunc
}

func (s *Server) routeTable() []route {
	table := []route{
		{pattern: "/oauth/token", methods: map[string]handlerFunc{http.MethodPost: (*Server).handleToken}},
		{pattern: "/api/v2/organizations/me", auth: true, methods: map[string]handlerFunc{http.MethodGet: (*Server).handleOrganizationMe}},
		{pattern: "/api/v2/integrations", auth: true, methods: map[string]handlerFunc{
			http.MethodGet: (*Server).handleListIntegrations, http.MethodPost: (*Server).handleCreateIntegration}},
		{pattern: "/api/v2/authorization/products", auth: true, methods: map[string]handlerFunc{http.MethodGet: (*Server).handleProducts}},
		{pattern: "/api/v2/users/me", auth: true, methods: map[string]handlerFunc{http.MethodGet: (*Server).handleUsersMe}},
		// The types come before {id}: the first route that matches a path wins.
		{pattern: "/api/v2/integrations/types", auth: true, methods: map[string]handlerFunc{http.MethodGet: (*Server).handleListTypes}},
		{pattern: "/api/v2/integrations/types/{typeId}", auth: true, methods: map[string]handlerFunc{http.MethodGet: (*Server).handleGetType}},
		{pattern: "/api/v2/integrations/{id}", auth: true, methods: map[string]handlerFunc{
			http.MethodGet: (*Server).handleGetIntegration, http.MethodPatch: (*Server).handlePatchIntegration,
			http.MethodDelete: (*Server).handleDeleteIntegration}},
		{pattern: "/api/v2/integrations/{id}/config/current", auth: true, methods: map[string]handlerFunc{
			http.MethodGet: (*Server).handleGetConfig, http.MethodPut: (*Server).handlePutConfig}},
		{pattern: "/api/v2/users/{userId}/screenpops", auth: true, methods: map[string]handlerFunc{
			http.MethodPost: (*Server).handleScreenPop}},
	}
	for i := range table {
		table[i].segments = strings.Split(strings.TrimPrefix(table[i].pattern, "/"), "/")
	}
	return table
}

// match finds the route of a path. An unknown path under /api/ still needs a token (the real
// gateway authenticates before it routes); other unknown paths do not.
func (s *Server) match(method, path string) (rt route, params map[string]string, h handlerFunc, allowed []string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, candidate := range s.routes {
		p, ok := matchSegments(candidate.segments, segs)
		if !ok {
			continue
		}
		for m := range candidate.methods {
			allowed = append(allowed, m)
		}
		slices.Sort(allowed)
		return candidate, p, candidate.methods[method], allowed
	}
	return route{auth: strings.HasPrefix(path, "/api/")}, nil, nil, nil
}

func matchSegments(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.Trim(p, "{}")] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeReply(w, errorReply(&apiError{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "only GET is served here"}), w.Header().Get(headerCorrelationID))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, `genesys-emulator: a local Genesys Cloud org for offline tests and demos.

Orgs: %s

  POST   /oauth/token                              client credentials (HTTP Basic)
  GET    /api/v2/organizations/me
  GET    /api/v2/authorization/products
  GET    /api/v2/users/me                          400: a client-credentials token has no user
  GET    /api/v2/integrations/types
  GET    /api/v2/integrations/types/{typeId}
  GET    /api/v2/integrations?pageSize=&pageNumber=&sortBy=&sortOrder=&ids=&integrationType=&reportedState=
  POST   /api/v2/integrations
  GET    /api/v2/integrations/{id}
  PATCH  /api/v2/integrations/{id}                 {"intendedState":"ENABLED"|"DISABLED"}
  DELETE /api/v2/integrations/{id}
  GET    /api/v2/integrations/{id}/config/current
  PUT    /api/v2/integrations/{id}/config/current
  POST   /api/v2/users/{userId}/screenpops         Idempotency-Key, X-Payload-Signature

  GET    /_emulator/requests   DELETE /_emulator/requests   POST /_emulator/reset
  GET    /_emulator/faults     PUT    /_emulator/faults     GET  /_emulator/health

  GET    /desktop/             the agent desktop: every widget and screen pop as an agent sees it
`, strings.Join(s.orgOrder, ", "))
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("emulator: no randomness: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
