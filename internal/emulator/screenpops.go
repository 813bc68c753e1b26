package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// IdempotencyWindow is how long a screen pop's Idempotency-Key is remembered: a key reused
// within it answers 409 with the original answer.
const IdempotencyWindow = 24 * time.Hour

// maxIdempotencyKeyLen bounds what a client may make the server remember per pop.
const maxIdempotencyKeyLen = 255

// ScreenPop is a delivered screen pop as the server keeps it. The API answers only ID, Status,
// WindowFocused and DeliveryTimeMs (see ScreenPopAnswer).
type ScreenPop struct {
	ID             string         `json:"id"`
	Status         string         `json:"status"`
	WindowFocused  bool           `json:"windowFocused"`
	DeliveryTimeMs int            `json:"deliveryTimeMs"`
	UserID         string         `json:"userId"`
	ApplicationID  string         `json:"applicationId"`
	URI            string         `json:"uri"`
	State          map[string]any `json:"state,omitempty"`
	IdempotencyKey string         `json:"idempotencyKey"`
	DeliveredAt    time.Time      `json:"deliveredAt"`
}

// ScreenPopAnswer is the body of POST /api/v2/users/{userId}/screenpops (200, and 409 replays).
type ScreenPopAnswer struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	WindowFocused  bool   `json:"windowFocused"`
	DeliveryTimeMs int    `json:"deliveryTimeMs"`
}

func (p *ScreenPop) answer() ScreenPopAnswer {
	return ScreenPopAnswer{ID: p.ID, Status: p.Status, WindowFocused: p.WindowFocused, DeliveryTimeMs: p.DeliveryTimeMs}
}

type screenPopRequest struct {
	ApplicationID  string `json:"applicationId"`
	URI            string `json:"uri"`
	State          any    `json:"state"`
	IdempotencyKey string `json:"idempotencyKey"`
}

var (
	errSignatureMissing = &apiError{Status: http.StatusUnauthorized, Code: CodeInvalidSignature,
		Message: "The X-Payload-Signature header is required: the base64 HMAC-SHA256 of the request body under the signing secret."}
	errSignatureMismatch = &apiError{Status: http.StatusUnauthorized, Code: CodeInvalidSignature,
		Message: "The X-Payload-Signature header does not match the request body."}
)

// handleScreenPop serves POST /api/v2/users/{userId}/screenpops. Checks run in this order:
// Idempotency-Key present (400), signature over the exact body bytes (401), user in the
// caller's org (404), body valid (400), key not used within IdempotencyWindow (409 with the
// original answer), then the pop is delivered.
func (s *Server) handleScreenPop(c *call) reply {
	body, aerr := c.readBody()
	if aerr != nil {
		return errorReply(aerr)
	}
	key := strings.TrimSpace(c.r.Header.Get("Idempotency-Key"))
	switch {
	case key == "":
		return errorReply(errBadRequest("The Idempotency-Key header is required.", fieldError{"Idempotency-Key", "header is required"}))
	case len(key) > maxIdempotencyKeyLen:
		return errorReply(errBadRequest("The Idempotency-Key header is too long.", fieldError{"Idempotency-Key", "is longer than 255 characters"}))
	}
	sig := strings.TrimSpace(c.r.Header.Get("X-Payload-Signature"))
	if sig == "" {
		return errorReply(errSignatureMissing)
	}
	if !s.signatureMatches(body, sig) {
		return errorReply(errSignatureMismatch)
	}
	user, ok := s.users[c.params["userId"]]
	if !ok || user.OrgID != c.principal.orgID {
		return errorReply(errNotFound())
	}

	var in screenPopRequest
	if err := decodeJSON(body, &in); err != nil {
		return errorReply(errBadRequest(messageMalformed))
	}
	var fields []fieldError
	if strings.TrimSpace(in.ApplicationID) == "" {
		fields = append(fields, fieldError{"applicationId", "is required"})
	}
	if msg := checkHTTPSURL(in.URI); msg != "" {
		fields = append(fields, fieldError{"uri", msg})
	}
	state, fe := objectField("state", in.State)
	fields = appendIf(fields, fe)
	if in.IdempotencyKey != "" && in.IdempotencyKey != key {
		fields = append(fields, fieldError{"idempotencyKey", "does not match the Idempotency-Key header"})
	}
	if len(fields) > 0 {
		return errorReply(errValidation(fields))
	}

	now := c.arrived
	s.mu.Lock()
	o := s.org(c.principal.orgID)
	o.forgetExpiredKeys(now)
	if prev := o.popsByKey[key]; prev != nil {
		ans := prev.answer()
		s.mu.Unlock()
		return reply{status: http.StatusConflict, body: ans}
	}
	focused := true
	if f := decideHandlerFault(s.faults, KindWindowUnfocused, c.r.Method, c.r.URL.Path); f != nil {
		focused = false
		c.entry.Fault = joinFault(c.entry.Fault, string(f.Kind))
	}
	pop := &ScreenPop{
		ID:             newUUID(),
		Status:         "delivered",
		WindowFocused:  focused,
		DeliveryTimeMs: int(time.Since(c.started).Milliseconds()),
		UserID:         user.ID,
		ApplicationID:  in.ApplicationID,
		URI:            in.URI,
		State:          state,
		IdempotencyKey: key,
		DeliveredAt:    now,
	}
	o.popsByKey[key] = pop
	o.pops = append(o.pops, pop)
	s.mu.Unlock()
	// An open desktop of the agent shows the pop; the answer reports what it saw.
	wait := s.desk.expectPop(c.principal.orgID, user.ID, pop.ID)
	s.changed()
	if wait != nil {
		s.awaitDesktop(c, pop, wait)
	}
	s.mu.Lock()
	ans := pop.answer()
	s.mu.Unlock()
	return reply{status: http.StatusOK, body: ans}
}

// signatureMatches checks sig (base64 of HMAC-SHA256 over the exact body bytes) in constant time.
func (s *Server) signatureMatches(body []byte, sig string) bool {
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(s.cfg.SigningSecret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// ScreenPops returns every pop delivered to an org's users (409 replays are not pops), oldest
// first. After a restart from a state file only pops within IdempotencyWindow remain.
func (s *Server) ScreenPops(orgID string) []ScreenPop {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgs[orgID]
	if o == nil {
		return nil
	}
	out := make([]ScreenPop, len(o.pops))
	for i, p := range o.pops {
		out[i] = *p
		out[i].State = cloneObject(p.State)
		if p.State == nil {
			out[i].State = nil
		}
	}
	return out
}
