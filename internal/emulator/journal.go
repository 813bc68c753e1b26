package emulator

import (
	"slices"
	"strings"
	"time"
)

// JournalEntry records one request to the login service or the API (admin calls are not
// journaled). Status is 0 when the connection was reset before any answer (reset-before);
// with reset-after-commit it is the answer the client never received.
type JournalEntry struct {
	Time           time.Time     `json:"time"`
	Method         string        `json:"method"`
	Path           string        `json:"path"` // without the query
	Query          string        `json:"query,omitempty"`
	Route          string        `json:"route,omitempty"` // the matched route, e.g. "/api/v2/integrations/{id}"; "" when none matched
	Status         int           `json:"status"`
	Latency        time.Duration `json:"latencyNs"`
	ClientID       string        `json:"clientId,omitempty"` // the OAuth client the token belongs to ("" if none)
	OrgID          string        `json:"orgId,omitempty"`
	Token          string        `json:"token,omitempty"` // a short non-secret fingerprint of the bearer token (never the token)
	IdempotencyKey string        `json:"idempotencyKey,omitempty"`
	CorrelationID  string        `json:"correlationId"`
	Fault          string        `json:"fault,omitempty"` // name of the fault injected on this request ("latency+500" when several), "" if none
	// Limit names the rate limit that refused the request (LimitPerToken, LimitPerClient or
	// LimitTokenCreation), "" if none did; an injected 429 is a Fault, not a Limit.
	Limit string `json:"limit,omitempty"`
	// CreatedID is the id of what a create made (POST /api/v2/integrations), also when its
	// answer never reached the client (reset-after-commit): with Query, it lets a run be
	// diagnosed from the journal alone.
	CreatedID string `json:"createdId,omitempty"`
}

// journalLimit bounds the journal of a long-running demo; when it is exceeded the oldest tenth is
// dropped, so appends stay amortized O(1).
const journalLimit = 200_000

func (s *Server) appendJournal(e JournalEntry) {
	s.jmu.Lock()
	defer s.jmu.Unlock()
	if len(s.journal) >= journalLimit {
		drop := journalLimit / 10
		n := copy(s.journal, s.journal[drop:])
		clear(s.journal[n:])
		s.journal = s.journal[:n]
	}
	s.journal = append(s.journal, e)
}

// Journal returns a copy of the journal, in arrival order (entries are appended when the answer
// is complete, so concurrent requests appear in completion order).
func (s *Server) Journal() []JournalEntry {
	s.jmu.Lock()
	defer s.jmu.Unlock()
	return slices.Clone(s.journal)
}

// ResetJournal empties the journal.
func (s *Server) ResetJournal() {
	s.jmu.Lock()
	defer s.jmu.Unlock()
	s.journal = nil
}

// JournalFilter selects journal entries; empty fields match everything.
type JournalFilter struct {
	Method     string
	PathPrefix string
	Route      string
	ClientID   string
	Status     int
}

// Match reports whether e passes the filter.
func (f JournalFilter) Match(e JournalEntry) bool {
	return (f.Method == "" || f.Method == e.Method) &&
		strings.HasPrefix(e.Path, f.PathPrefix) &&
		(f.Route == "" || f.Route == e.Route) &&
		(f.ClientID == "" || f.ClientID == e.ClientID) &&
		(f.Status == 0 || f.Status == e.Status)
}

// JournalWhere returns the entries that pass f, in journal order.
func (s *Server) JournalWhere(f JournalFilter) []JournalEntry {
	s.jmu.Lock()
	defer s.jmu.Unlock()
	var out []JournalEntry
	for _, e := range s.journal {
		if f.Match(e) {
			out = append(out, e)
		}
	}
	return out
}
