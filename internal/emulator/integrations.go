package emulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Integration types the emulator knows: a custom agent widget is a custom client application.
const (
	TypeClientApp         = "embedded-client-app"
	TypeInteractionWidget = "embedded-client-app-interaction-widget"
)

// Intended and reported states.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"

	ReportedActive       = "ACTIVE"
	ReportedInactive     = "INACTIVE"
	ReportedActivating   = "ACTIVATING"
	ReportedDeactivating = "DEACTIVATING"
	ReportedError        = "ERROR"
)

var integrationTypes = map[string]IntegrationType{
	TypeClientApp: {
		ID: TypeClientApp, Name: "Client Application", Provider: "clientapps",
		Description: "Embeds a web application in the agent desktop (standalone or widget).",
		Images:      []TypeImage{}, Credentials: map[string]any{}, UserPermissions: []string{},
		SelfURI: "/api/v2/integrations/types/" + TypeClientApp,
	},
	TypeInteractionWidget: {
		ID: TypeInteractionWidget, Name: "Interaction Widget", Provider: "clientapps",
		Description: "Embeds a web application beside an interaction in the agent desktop.",
		Images:      []TypeImage{}, Credentials: map[string]any{}, UserPermissions: []string{},
		SelfURI: "/api/v2/integrations/types/" + TypeInteractionWidget,
	},
}

// typeOrder is the order of the types listing: by id.
var typeOrder = []string{TypeClientApp, TypeInteractionWidget}

// Integration is an integration as the API answers it.
type Integration struct {
	ID              string                `json:"id"`
	Name            string                `json:"name"`
	IntegrationType IntegrationType       `json:"integrationType"`
	Notes           string                `json:"notes"`
	IntendedState   string                `json:"intendedState"`
	Config          IntegrationConfigInfo `json:"config"`
	ReportedState   IntegrationStatusInfo `json:"reportedState"`
	SelfURI         string                `json:"selfUri"`
}

// IntegrationType is the kind of an integration (the published Integrationtype model, with
// the fields the emulator has something to say in). Credentials is always empty: client
// applications need none.
type IntegrationType struct {
	ID              string         `json:"id"`
	Name            string         `json:"name,omitempty"`
	Description     string         `json:"description,omitempty"`
	Provider        string         `json:"provider,omitempty"`
	Images          []TypeImage    `json:"images,omitempty"`
	Credentials     map[string]any `json:"credentials,omitempty"`
	NonInstallable  bool           `json:"nonInstallable"`
	UserPermissions []string       `json:"userPermissions,omitempty"`
	SelfURI         string         `json:"selfUri,omitempty"`
}

// TypeImage is an icon of an integration type (none here).
type TypeImage struct {
	Resolution string `json:"resolution"`
	ImageURI   string `json:"imageUri"`
}

// IntegrationTypeListing is the answer of GET /api/v2/integrations/types.
type IntegrationTypeListing struct {
	Entities   []IntegrationType `json:"entities"`
	PageSize   int               `json:"pageSize"`
	PageNumber int               `json:"pageNumber"`
	Total      int               `json:"total"`
	PageCount  int               `json:"pageCount"`
	FirstURI   string            `json:"firstUri"`
	SelfURI    string            `json:"selfUri"`
	LastURI    string            `json:"lastUri"`
}

// IntegrationConfigInfo points at the current configuration.
type IntegrationConfigInfo struct {
	Current ConfigRef `json:"current"`
}

// ConfigRef names a configuration and its version.
type ConfigRef struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	SelfURI string `json:"selfUri"`
}

// IntegrationStatusInfo is the reported state. LastUpdated is when the code last changed.
type IntegrationStatusInfo struct {
	Code        string       `json:"code"`
	Effective   string       `json:"effective"`
	Detail      *MessageInfo `json:"detail,omitempty"`
	LastUpdated time.Time    `json:"lastUpdated"`
}

// MessageInfo explains a reported state (only ERROR carries one).
type MessageInfo struct {
	Message string `json:"message"`
}

// IntegrationConfig is the configuration of an integration: GET and PUT
// /api/v2/integrations/{id}/config/current exchange it (plus id and selfUri).
type IntegrationConfig struct {
	Name        string         `json:"name"`
	Notes       string         `json:"notes"`
	Version     int            `json:"version"`
	Properties  map[string]any `json:"properties"`
	Advanced    map[string]any `json:"advanced"`
	Credentials map[string]any `json:"credentials"`
}

type configWire struct {
	ID string `json:"id"`
	IntegrationConfig
	SelfURI string `json:"selfUri"`
}

// IntegrationListing is a page of GET /api/v2/integrations.
type IntegrationListing struct {
	Entities    []Integration `json:"entities"`
	PageSize    int           `json:"pageSize"`
	PageNumber  int           `json:"pageNumber"`
	Total       int           `json:"total"`
	PageCount   int           `json:"pageCount"`
	FirstURI    string        `json:"firstUri"`
	SelfURI     string        `json:"selfUri"`
	LastURI     string        `json:"lastUri"`
	NextURI     string        `json:"nextUri,omitempty"`
	PreviousURI string        `json:"previousUri,omitempty"`
}

const (
	defaultPageSize = 25
	maxPageSize     = 100
)

// integrationRecord is an integration as the server keeps it (and as the state file stores it).
type integrationRecord struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	TypeID      string       `json:"typeId"`
	Notes       string       `json:"notes"`
	Intended    string       `json:"intendedState"`
	Reported    string       `json:"reportedCode"`
	Detail      string       `json:"detail,omitempty"`
	LastUpdated time.Time    `json:"lastUpdated"`
	Pending     *transition  `json:"pending,omitempty"`
	Config      configRecord `json:"config"`
	CreatedAt   time.Time    `json:"createdAt"`
	HiddenUntil time.Time    `json:"hiddenUntil,omitzero"`
}

// transition is an activation or deactivation under way: at At the reported code becomes Code.
type transition struct {
	Code   string    `json:"code"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

type configRecord struct {
	Version     int            `json:"version"`
	Properties  map[string]any `json:"properties"`
	Advanced    map[string]any `json:"advanced"`
	Credentials map[string]any `json:"credentials"`
}

// settle completes a transition whose time has come. Transitions are computed from the clock
// when the integration is looked at, so no goroutine runs them and an injected clock drives them.
func (rec *integrationRecord) settle(now time.Time) {
	if p := rec.Pending; p != nil && !now.Before(p.At) {
		rec.Reported, rec.Detail, rec.LastUpdated, rec.Pending = p.Code, p.Detail, p.At, nil
	}
}

// hidden reports whether reads of rec still 404 (read-404-after-create).
func (rec *integrationRecord) hidden(now time.Time) bool {
	return now.Before(rec.HiddenUntil)
}

var effectiveText = map[string]string{
	ReportedActive: "Active", ReportedInactive: "Inactive", ReportedActivating: "Activating",
	ReportedDeactivating: "Deactivating", ReportedError: "Error",
}

func (rec *integrationRecord) view() Integration {
	self := "/api/v2/integrations/" + rec.ID
	st := IntegrationStatusInfo{
		Code:        rec.Reported,
		Effective:   effectiveText[rec.Reported],
		LastUpdated: rec.LastUpdated.UTC().Truncate(time.Millisecond),
	}
	if rec.Detail != "" {
		st.Detail = &MessageInfo{Message: rec.Detail}
		st.Effective += ": " + rec.Detail
	}
	return Integration{
		ID:              rec.ID,
		Name:            rec.Name,
		IntegrationType: integrationTypes[rec.TypeID],
		Notes:           rec.Notes,
		IntendedState:   rec.Intended,
		Config: IntegrationConfigInfo{Current: ConfigRef{
			ID: rec.ID, Name: rec.Name, Version: rec.Config.Version, SelfURI: self + "/config/current",
		}},
		ReportedState: st,
		SelfURI:       self,
	}
}

func (rec *integrationRecord) config() IntegrationConfig {
	return IntegrationConfig{
		Name:        rec.Name,
		Notes:       rec.Notes,
		Version:     rec.Config.Version,
		Properties:  cloneObject(rec.Config.Properties),
		Advanced:    cloneObject(rec.Config.Advanced),
		Credentials: cloneObject(rec.Config.Credentials),
	}
}

// lookupForRead finds an integration a GET may see. A hidden one (read-404-after-create) is
// reported so the journal can name the fault. The caller holds s.mu.
func (s *Server) lookupForRead(c *call, id string) *integrationRecord {
	o := s.orgs[c.principal.orgID]
	if o == nil {
		return nil
	}
	rec := o.integrations[id]
	if rec == nil {
		return nil
	}
	if rec.hidden(c.arrived) {
		c.entry.Fault = joinFault(c.entry.Fault, string(KindReadNotFoundAfterCreate))
		return nil
	}
	rec.settle(c.arrived)
	return rec
}

// lookupForWrite finds an integration a write may change: writes go to the primary, so an
// integration hidden from reads is still found. The caller holds s.mu.
func (s *Server) lookupForWrite(c *call, id string) *integrationRecord {
	o := s.orgs[c.principal.orgID]
	if o == nil {
		return nil
	}
	rec := o.integrations[id]
	if rec != nil {
		rec.settle(c.arrived)
	}
	return rec
}

func joinFault(have, add string) string {
	if have == "" {
		return add
	}
	return have + "+" + add
}

// createIntegrationRequest is the published CreateIntegrationRequest: an id (ignored: the
// service picks it), an optional name and the type. Nothing else rides on a create.
type createIntegrationRequest struct {
	Name            *string `json:"name"`
	IntegrationType *struct {
		ID string `json:"id"`
	} `json:"integrationType"`
}

func (s *Server) handleCreateIntegration(c *call) reply {
	body, aerr := c.readBody()
	if aerr != nil {
		return errorReply(aerr)
	}
	var in createIntegrationRequest
	if err := decodeJSON(body, &in); err != nil {
		return errorReply(errBadRequest(messageMalformed))
	}
	var fields []fieldError
	switch {
	case in.IntegrationType == nil || in.IntegrationType.ID == "":
		fields = append(fields, fieldError{"integrationType.id", "is required"})
	case integrationTypes[in.IntegrationType.ID].ID == "":
		fields = append(fields, fieldError{"integrationType.id", fmt.Sprintf("unknown integration type %q (known: %s, %s)", in.IntegrationType.ID, TypeClientApp, TypeInteractionWidget)})
	}
	if len(fields) > 0 {
		return errorReply(errValidation(fields))
	}

	// name is optional in the published CreateIntegrationRequest (the official provider sends
	// none and names the integration with its first configuration). An integration without one
	// is named after its type, as the admin UI names one it installs.
	name := integrationTypes[in.IntegrationType.ID].Name
	if in.Name != nil && strings.TrimSpace(*in.Name) != "" {
		name = *in.Name
	}
	now := c.arrived
	rec := &integrationRecord{
		ID:          newUUID(),
		Name:        name,
		TypeID:      in.IntegrationType.ID,
		Intended:    StateDisabled,
		Reported:    ReportedInactive,
		LastUpdated: now,
		CreatedAt:   now,
		Config: configRecord{
			Version:     1,
			Properties:  map[string]any{},
			Advanced:    map[string]any{},
			Credentials: map[string]any{},
		},
	}
	s.mu.Lock()
	if f := decideHandlerFault(s.faults, KindReadNotFoundAfterCreate, c.r.Method, c.r.URL.Path); f != nil {
		rec.HiddenUntil = now.Add(f.For)
	}
	s.org(c.principal.orgID).integrations[rec.ID] = rec
	c.entry.CreatedID = rec.ID
	v := rec.view()
	s.mu.Unlock()
	s.changed()
	return reply{status: http.StatusOK, body: v}
}

func (s *Server) handleGetIntegration(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.lookupForRead(c, c.params["id"])
	if rec == nil {
		return errorReply(errNotFound())
	}
	return reply{status: http.StatusOK, body: rec.view()}
}

// listQuery is a GET /api/v2/integrations request's paging, order and filters, as the published
// API names them (IntegrationsApi.GetIntegrations): pageSize, pageNumber, sortBy, expand,
// nextPage, previousPage, ids, integrationType and reportedState. sortOrder is the emulator's
// own (see DESIGN.md).
type listQuery struct {
	pageSize, pageNumber int
	sortBy               string // "name" (the default) or "id"
	descending           bool
	ids                  map[string]bool // nil: no ids filter
	idList               []string        // ids in the order given, for the paging URIs
	integrationType      string
	reportedState        string // upper case
	expand               []string
}

// Listing limits and sort fields.
const (
	maxListIDs    = 100
	sortByName    = "name"
	sortByID      = "id"
	sortAscending = "ascending"
)

var reportedStates = []string{ReportedActive, ReportedActivating, ReportedInactive, ReportedDeactivating, ReportedError}

func parseListQuery(q url.Values) (listQuery, []fieldError) {
	var fields []fieldError
	lq := listQuery{sortBy: sortByName}
	var fe *fieldError
	if lq.pageSize, fe = pageParam(q, "pageSize", defaultPageSize, maxPageSize); fe != nil {
		fields = append(fields, *fe)
	}
	if lq.pageNumber, fe = pageParam(q, "pageNumber", 1, 0); fe != nil {
		fields = append(fields, *fe)
	}
	switch v := q.Get("sortBy"); v {
	case "", sortByName:
	case sortByID:
		lq.sortBy = sortByID
	default:
		fields = append(fields, fieldError{"sortBy", fmt.Sprintf("%q is not a field the emulator sorts by (name, id)", v)})
	}
	switch v := strings.ToLower(q.Get("sortOrder")); v {
	case "", "asc", sortAscending:
	case "desc", "descending":
		lq.descending = true
	default:
		fields = append(fields, fieldError{"sortOrder", fmt.Sprintf("%q is not ascending or descending", q.Get("sortOrder"))})
	}
	// nextPage and previousPage are cursors the service hands out; the listing's URIs here carry
	// page numbers, as the real service's do, so no cursor is ever valid.
	for _, name := range []string{"nextPage", "previousPage"} {
		if v := q.Get(name); v != "" {
			fields = append(fields, fieldError{name, fmt.Sprintf("%q is not a page token this service issued; follow nextUri and previousUri", v)})
		}
	}
	// ids is a collection: repeated (ids=a&ids=b, as most SDKs send it) or comma-separated
	// (ids=a,b, as the Go SDK and the CLI send it).
	for _, v := range q["ids"] {
		for _, id := range splitList(v) {
			if lq.ids == nil {
				lq.ids = map[string]bool{}
			}
			if !lq.ids[id] {
				lq.ids[id] = true
				lq.idList = append(lq.idList, id)
			}
		}
	}
	if len(lq.idList) > maxListIDs {
		fields = append(fields, fieldError{"ids", fmt.Sprintf("%d ids given; at most %d", len(lq.idList), maxListIDs)})
	}
	lq.integrationType = q.Get("integrationType")
	if v := q.Get("reportedState"); v != "" {
		lq.reportedState = strings.ToUpper(v)
		if !slices.Contains(reportedStates, lq.reportedState) {
			fields = append(fields, fieldError{"reportedState", fmt.Sprintf("%q is not one of %s", v, strings.Join(reportedStates, ", "))})
		}
	}
	for _, v := range q["expand"] {
		lq.expand = append(lq.expand, splitList(v)...)
	}
	return lq, fields
}

// matches reports whether rec passes the filters; rec is settled.
func (lq listQuery) matches(rec *integrationRecord) bool {
	return (lq.ids == nil || lq.ids[rec.ID]) &&
		(lq.integrationType == "" || lq.integrationType == rec.TypeID) &&
		(lq.reportedState == "" || lq.reportedState == rec.Reported)
}

// uri is the listing URI of page n with the same size, order and filters.
func (lq listQuery) uri(n int) string {
	q := url.Values{"pageSize": {strconv.Itoa(lq.pageSize)}, "pageNumber": {strconv.Itoa(n)}}
	if lq.sortBy != sortByName {
		q.Set("sortBy", lq.sortBy)
	}
	if lq.descending {
		q.Set("sortOrder", "descending")
	}
	if len(lq.idList) > 0 {
		q.Set("ids", strings.Join(lq.idList, ","))
	}
	if lq.integrationType != "" {
		q.Set("integrationType", lq.integrationType)
	}
	if lq.reportedState != "" {
		q.Set("reportedState", lq.reportedState)
	}
	if len(lq.expand) > 0 {
		q.Set("expand", strings.Join(lq.expand, ","))
	}
	return integrationsRoute + "?" + q.Encode()
}

const integrationsRoute = "/api/v2/integrations"

func (s *Server) handleListIntegrations(c *call) reply {
	lq, fields := parseListQuery(c.r.URL.Query())
	if len(fields) > 0 {
		return errorReply(errValidation(fields))
	}

	s.mu.Lock()
	var recs []*integrationRecord
	if o := s.orgs[c.principal.orgID]; o != nil {
		recs = make([]*integrationRecord, 0, len(o.integrations))
		for _, rec := range o.integrations {
			// An integration hidden from reads (read-404-after-create) is hidden from lists too.
			if rec.hidden(c.arrived) {
				continue
			}
			rec.settle(c.arrived)
			if lq.matches(rec) {
				recs = append(recs, rec)
			}
		}
	}
	if lq.sortBy == sortByID {
		slices.SortFunc(recs, func(a, b *integrationRecord) int { return strings.Compare(a.ID, b.ID) })
	} else {
		sortRecords(recs)
	}
	if lq.descending {
		slices.Reverse(recs)
	}
	total := len(recs)
	start := min((lq.pageNumber-1)*lq.pageSize, total)
	end := min(start+lq.pageSize, total)
	entities := make([]Integration, 0, end-start)
	for _, rec := range recs[start:end] {
		entities = append(entities, rec.view())
	}
	s.mu.Unlock()

	pageCount := (total + lq.pageSize - 1) / lq.pageSize
	out := IntegrationListing{
		Entities: entities, PageSize: lq.pageSize, PageNumber: lq.pageNumber, Total: total, PageCount: pageCount,
		FirstURI: lq.uri(1), SelfURI: lq.uri(lq.pageNumber), LastURI: lq.uri(max(pageCount, 1)),
	}
	if lq.pageNumber < pageCount {
		out.NextURI = lq.uri(lq.pageNumber + 1)
	}
	if lq.pageNumber > 1 {
		out.PreviousURI = lq.uri(min(lq.pageNumber-1, max(pageCount, 1)))
	}
	return reply{status: http.StatusOK, body: out}
}

// sortRecords orders integrations by name, then id, so pages are stable.
func sortRecords(recs []*integrationRecord) {
	slices.SortFunc(recs, func(a, b *integrationRecord) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
}

func pageParam(q url.Values, name string, fallback, limit int) (int, *fieldError) {
	raw := q.Get(name)
	if raw == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil || n < 1:
		return 0, &fieldError{name, fmt.Sprintf("%q is not a positive integer", raw)}
	case limit > 0 && n > limit:
		return 0, &fieldError{name, fmt.Sprintf("%d is over the maximum of %d", n, limit)}
	}
	return n, nil
}

type patchIntegrationRequest struct {
	IntendedState *string `json:"intendedState"`
}

func (s *Server) handlePatchIntegration(c *call) reply {
	body, aerr := c.readBody()
	if aerr != nil {
		return errorReply(aerr)
	}
	var in patchIntegrationRequest
	if err := decodeJSON(body, &in); err != nil {
		return errorReply(errBadRequest(messageMalformed))
	}
	switch {
	case in.IntendedState == nil:
		return errorReply(errValidation([]fieldError{{"intendedState", "is required"}}))
	case *in.IntendedState != StateEnabled && *in.IntendedState != StateDisabled:
		return errorReply(errValidation([]fieldError{{"intendedState", fmt.Sprintf("%q is not ENABLED or DISABLED", *in.IntendedState)}}))
	}
	want := *in.IntendedState

	s.mu.Lock()
	rec := s.lookupForWrite(c, c.params["id"])
	if rec == nil {
		s.mu.Unlock()
		return errorReply(errNotFound())
	}
	// Asking again for the state already wanted changes nothing, except that enabling an
	// integration that failed to activate tries again.
	retry := want == StateEnabled && rec.Reported == ReportedError && rec.Pending == nil
	changed := want != rec.Intended || retry
	if changed {
		s.startTransition(rec, want, c.arrived)
	}
	v := rec.view()
	s.mu.Unlock()
	if changed {
		s.changed()
	}
	return reply{status: http.StatusOK, body: v}
}

// startTransition moves rec towards want. Enabling an integration whose configuration has no
// url ends in ERROR, as the agent desktop would have nothing to load. The caller holds s.mu.
func (s *Server) startTransition(rec *integrationRecord, want string, now time.Time) {
	rec.Intended = want
	final, detail, passing := ReportedInactive, "", ReportedDeactivating
	if want == StateEnabled {
		final, passing = ReportedActive, ReportedActivating
		if u, _ := rec.Config.Properties["url"].(string); u == "" {
			final, detail = ReportedError, "the configuration has no url property"
		}
	}
	if s.cfg.ActivationDelay == 0 {
		rec.Reported, rec.Detail, rec.LastUpdated, rec.Pending = final, detail, now, nil
		return
	}
	rec.Reported, rec.Detail, rec.LastUpdated = passing, "", now
	rec.Pending = &transition{Code: final, Detail: detail, At: now.Add(s.cfg.ActivationDelay)}
}

func (s *Server) handleDeleteIntegration(c *call) reply {
	s.mu.Lock()
	rec := s.lookupForWrite(c, c.params["id"])
	if rec == nil {
		s.mu.Unlock()
		return errorReply(errNotFound())
	}
	delete(s.orgs[c.principal.orgID].integrations, rec.ID)
	v := rec.view()
	s.mu.Unlock()
	s.changed()
	return reply{status: http.StatusOK, body: v}
}

func (s *Server) handleGetConfig(c *call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.lookupForRead(c, c.params["id"])
	if rec == nil {
		return errorReply(errNotFound())
	}
	return reply{status: http.StatusOK, body: rec.configWire()}
}

// EmptyNotesPlaceholder is what the real service has been seen to answer for a configuration's
// empty notes (its storage cannot hold an empty string); the official provider maps it back
// to "". The emulator answers it too, so clients are tested against it.
const EmptyNotesPlaceholder = "node_dynamodb_empty_string"

// configWire is the configuration as GET and PUT .../config/current answer it.
func (rec *integrationRecord) configWire() configWire {
	cfg := rec.config()
	if cfg.Notes == "" {
		cfg.Notes = EmptyNotesPlaceholder
	}
	return configWire{ID: rec.ID, IntegrationConfig: cfg, SelfURI: "/api/v2/integrations/" + rec.ID + "/config/current"}
}

type putConfigRequest struct {
	Name        *string `json:"name"`
	Notes       *string `json:"notes"`
	Version     *int    `json:"version"`
	Properties  any     `json:"properties"`
	Advanced    any     `json:"advanced"`
	Credentials any     `json:"credentials"`
}

func (s *Server) handlePutConfig(c *call) reply {
	body, aerr := c.readBody()
	if aerr != nil {
		return errorReply(aerr)
	}
	var in putConfigRequest
	if err := decodeJSON(body, &in); err != nil {
		return errorReply(errBadRequest(messageMalformed))
	}
	var fields []fieldError
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		fields = append(fields, fieldError{"name", "is required"})
	}
	if in.Version == nil {
		fields = append(fields, fieldError{"version", "is required (the version being replaced)"})
	}
	properties, fe := objectField("properties", in.Properties)
	fields = appendIf(fields, fe)
	advanced, fe := objectField("advanced", in.Advanced)
	fields = appendIf(fields, fe)
	credentials, fe := objectField("credentials", in.Credentials)
	fields = appendIf(fields, fe)

	s.mu.Lock()
	rec := s.lookupForWrite(c, c.params["id"])
	if rec == nil {
		s.mu.Unlock()
		return errorReply(errNotFound())
	}
	if properties != nil {
		fields = append(fields, validateProperties(rec.TypeID, properties)...)
	}
	if len(fields) > 0 {
		s.mu.Unlock()
		return errorReply(errValidation(fields))
	}
	bumped := decideHandlerFault(s.faults, KindConcurrentConfigWrite, c.r.Method, c.r.URL.Path) != nil
	if bumped {
		// Someone else's write lands just before this one: the version sent is now stale.
		c.entry.Fault = joinFault(c.entry.Fault, string(KindConcurrentConfigWrite))
		rec.Config.Version++
	}
	if *in.Version != rec.Config.Version {
		current := rec.Config.Version
		s.mu.Unlock()
		if bumped {
			s.changed()
		}
		return errorReply(s.staleVersion(*in.Version, current))
	}
	rec.Name = *in.Name
	rec.Notes = deref(in.Notes)
	rec.Config = configRecord{
		Version:     rec.Config.Version + 1,
		Properties:  orEmpty(properties),
		Advanced:    orEmpty(advanced),
		Credentials: orEmpty(credentials),
	}
	out := rec.configWire()
	s.mu.Unlock()
	s.changed()
	return reply{status: http.StatusOK, body: out}
}

// staleVersion is the answer to a PUT of configuration version sent when current is the
// current one: 409, or the 400 some Genesys services answer instead (Config.StaleVersionStatus).
func (s *Server) staleVersion(sent, current int) *apiError {
	if s.cfg.StaleVersionStatus == http.StatusBadRequest {
		return errBadRequest(fmt.Sprintf("The version %d does not match the current version %d of the configuration.", sent, current))
	}
	return &apiError{
		Status:  http.StatusConflict,
		Code:    CodeConflict,
		Message: fmt.Sprintf("The configuration was changed: version %d is not the current version %d. Read it again and retry.", sent, current),
	}
}

// objectField accepts a JSON object or null for a field that must be an object.
func objectField(name string, v any) (map[string]any, *fieldError) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return t, nil
	default:
		return nil, &fieldError{name, "must be a JSON object"}
	}
}

func appendIf(fields []fieldError, fe *fieldError) []fieldError {
	if fe != nil {
		return append(fields, *fe)
	}
	return fields
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// decodeJSON decodes exactly one JSON value, keeping numbers exact (json.Number) so free-form
// configuration round-trips unchanged.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// cloneObject deep-copies decoded JSON so snapshots cannot alias server state.
func cloneObject(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneObject(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	case []string:
		return slices.Clone(t)
	default:
		return v
	}
}

// Integrations returns a snapshot of an org's integrations as the API would show them (hidden
// ones included), ordered by name then id.
func (s *Server) Integrations(orgID string) []Integration {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return nil
	}
	now := s.now()
	recs := make([]*integrationRecord, 0, len(o.integrations))
	for _, rec := range o.integrations {
		rec.settle(now)
		recs = append(recs, rec)
	}
	sortRecords(recs)
	out := make([]Integration, len(recs))
	for i, rec := range recs {
		out[i] = rec.view()
	}
	return out
}

// IntegrationConfig returns a copy of an integration's current configuration.
func (s *Server) IntegrationConfig(orgID, id string) (IntegrationConfig, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orgs[orgID]; o != nil {
		if rec := o.integrations[id]; rec != nil {
			return rec.config(), true
		}
	}
	return IntegrationConfig{}, false
}

// DeleteIntegrationOutOfBand deletes an integration as someone in the admin UI would (for drift
// tests). It reports whether the integration existed.
func (s *Server) DeleteIntegrationOutOfBand(orgID, id string) bool {
	s.mu.Lock()
	o := s.orgs[orgID]
	found := o != nil && o.integrations[id] != nil
	if found {
		delete(o.integrations, id)
	}
	s.mu.Unlock()
	if found {
		s.changed()
	}
	return found
}

// UpdateIntegrationOutOfBand changes an integration's configuration as someone in the admin UI
// would (for drift tests): mutate edits a copy, which becomes the current configuration with the
// version bumped by one whatever mutate did to Version. Name and Notes apply to the integration
// (an empty Name keeps the old one). No validation runs. It reports whether the integration existed.
func (s *Server) UpdateIntegrationOutOfBand(orgID, id string, mutate func(*IntegrationConfig)) bool {
	s.mu.Lock()
	o := s.orgs[orgID]
	var rec *integrationRecord
	if o != nil {
		rec = o.integrations[id]
	}
	if rec == nil {
		s.mu.Unlock()
		return false
	}
	cfg := rec.config()
	mutate(&cfg)
	if cfg.Name != "" {
		rec.Name = cfg.Name
	}
	rec.Notes = cfg.Notes
	rec.Config = configRecord{
		Version:     rec.Config.Version + 1,
		Properties:  cloneObject(cfg.Properties),
		Advanced:    cloneObject(cfg.Advanced),
		Credentials: cloneObject(cfg.Credentials),
	}
	s.mu.Unlock()
	s.changed()
	return true
}
