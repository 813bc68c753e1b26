package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/delivery"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/screenpop"
)

const (
	triggerPath = "/trigger-screenpop"
	healthPath  = "/healthz"

	// maxRequestBytes bounds a trigger request. A pop's URL, context included, is at most
	// screenpop.MaxURLLength; this leaves room for JSON escaping and state without letting a
	// caller make the server buffer arbitrary amounts.
	maxRequestBytes = 64 << 10

	// maxFieldNameLen bounds an unknown field's name where an error repeats it.
	maxFieldNameLen = 64

	// maxIdempotencyKeyLen is the screen pop service's limit on Idempotency-Key.
	maxIdempotencyKeyLen = 255

	statusDelivered        = "delivered"
	statusAlreadyDelivered = "already-delivered"
)

// triggerRequest is the body of POST /trigger-screenpop. SessionToken and the CustomerData
// values are the caller's secrets: they go into the pop's URL fragment and nowhere else.
type triggerRequest struct {
	UserID         string            `json:"userId"`
	CustomerData   map[string]string `json:"customerData"`
	SessionToken   string            `json:"sessionToken"`
	State          map[string]string `json:"state"`
	TargetURL      string            `json:"targetUrl"`
	ApplicationID  string            `json:"applicationId"`
	IdempotencyKey string            `json:"idempotencyKey"`
}

// triggerResponse is the answer to a pop that reached the agent.
type triggerResponse struct {
	Status         string   `json:"status"` // statusDelivered or statusAlreadyDelivered
	PopID          string   `json:"popId"`
	LatencyMs      float64  `json:"latencyMs"`
	WindowFocused  bool     `json:"windowFocused"`
	IdempotencyKey string   `json:"idempotencyKey"`
	Warnings       []string `json:"warnings,omitempty"`
}

// errorResponse is every answer that is not a delivered pop.
type errorResponse struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"` // the request field at fault, for a 400
	// IdempotencyKey is the key a failed delivery was sent under: retrying with it as the
	// Idempotency-Key header cannot pop twice, whether or not the failed try landed.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	UpstreamStatus int    `json:"upstreamStatus,omitempty"`
	CorrelationID  string `json:"correlationId,omitempty"`
}

// trigger serves the endpoint. Everything a pop does happens in Sender; trigger only turns HTTP
// into a delivery.Pop and the outcome back into HTTP.
type trigger struct {
	sender        *delivery.Sender
	applicationID string        // default when a request names none
	targetURL     string        // default when a request names none
	timeout       time.Duration // one pop; 0 = the request's own lifetime
	allowRemote   bool          // accept any Host header
	logger        *slog.Logger
}

// handler routes the trigger's paths. Unless remote use is allowed, requests must name a loopback
// host: a web page cannot then reach the endpoint by pointing its own domain at 127.0.0.1 (DNS
// rebinding).
func (t *trigger) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(triggerPath, t.serveTrigger)
	mux.HandleFunc(healthPath, serveHealth)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, errorResponse{Error: "not found; POST " + triggerPath + " or GET " + healthPath})
	})
	if t.allowRemote {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostmatch.IsLoopback(r.Host) {
			writeJSON(w, http.StatusForbidden, errorResponse{Error: "the Host header must name this machine (localhost or a loopback address); see -allow-remote"})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSON(w, http.StatusMethodNotAllowed, errorResponse{Error: "method not allowed; use " + allow})
}

// requestError is a request the trigger refuses before anything is sent.
type requestError struct {
	status int
	field  string
	msg    string
}

func badField(field, format string, a ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, field: field, msg: field + ": " + fmt.Sprintf(format, a...)}
}

func (t *trigger) serveTrigger(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, http.MethodPost)
		return
	}
	p, reqErr := t.readPop(w, r)
	if reqErr != nil {
		attrs := []any{"status", reqErr.status, "error", reqErr.msg}
		if reqErr.field != "" {
			attrs = append(attrs, "field", reqErr.field)
		}
		t.logger.Info("trigger request refused", attrs...)
		writeJSON(w, reqErr.status, errorResponse{Error: reqErr.msg, Field: reqErr.field})
		return
	}

	ctx := r.Context()
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	progress := func(step string) { t.logger.Debug(step, "user", p.UserID, "idempotencyKey", p.IdempotencyKey) }
	res, err := t.sender.Send(ctx, p, progress)
	if err != nil {
		t.writeSendError(w, r, p, err)
		return
	}

	out := triggerResponse{
		Status:         statusDelivered,
		PopID:          res.PopID,
		LatencyMs:      float64(res.Latency.Microseconds()) / 1000,
		WindowFocused:  res.WindowFocused,
		IdempotencyKey: p.IdempotencyKey,
	}
	if res.Replayed {
		out.Status = statusAlreadyDelivered
	}
	if res.WebhookErr != nil {
		out.Warnings = append(out.Warnings, "the pop was delivered, but the screenpop_activated event did not reach the webhook: "+res.WebhookErr.Error())
	}
	if res.AuditErr != nil {
		out.Warnings = append(out.Warnings, "the pop was delivered, but its audit entry could not be written: "+res.AuditErr.Error())
	}
	msg := "screen pop delivered"
	if res.Replayed {
		msg = "screen pop already delivered under this idempotency key; not popped again"
	}
	t.logger.Info(msg,
		"user", p.UserID, "pop", res.PopID, "idempotencyKey", p.IdempotencyKey, "targetHost", hostOf(p.TargetURL),
		"customerDataKeys", len(p.CustomerData), "latencyMs", out.LatencyMs, "windowFocused", res.WindowFocused)
	for _, warning := range out.Warnings {
		t.logger.Warn(warning, "user", p.UserID, "pop", res.PopID, "idempotencyKey", p.IdempotencyKey)
	}
	w.Header().Set("Idempotency-Key", p.IdempotencyKey)
	writeJSON(w, http.StatusOK, out)
}

// readPop decodes and checks a request, fills in the defaults, and picks the idempotency key.
func (t *trigger) readPop(w http.ResponseWriter, r *http.Request) (delivery.Pop, *requestError) {
	var in triggerRequest
	if err := decodeRequest(w, r, &in); err != nil {
		return delivery.Pop{}, err
	}
	p := delivery.Pop{
		UserID:        strings.TrimSpace(in.UserID),
		ApplicationID: strings.TrimSpace(in.ApplicationID),
		TargetURL:     strings.TrimSpace(in.TargetURL),
		SessionToken:  in.SessionToken,
		CustomerData:  in.CustomerData,
		State:         in.State,
	}
	if p.UserID == "" {
		return p, badField("userId", "is required: the Genesys Cloud user id of the agent whose screen pops")
	}
	if p.ApplicationID == "" {
		if t.applicationID == "" {
			return p, badField("applicationId", "is required: this trigger has no -application-id default")
		}
		p.ApplicationID = t.applicationID
	}
	if p.TargetURL == "" {
		if t.targetURL == "" {
			return p, badField("targetUrl", "is required: this trigger has no -target-url default")
		}
		p.TargetURL = t.targetURL
	}
	// Checked here as well as in Send, so that a refused target is the caller's 400 and never
	// mistaken for a delivery failure.
	if err := t.sender.Check(p.TargetURL); err != nil {
		var targetErr *delivery.TargetError
		if !errors.As(err, &targetErr) {
			return p, &requestError{status: http.StatusInternalServerError, msg: err.Error()}
		}
		return p, badField("targetUrl", "%s", describeTargetError(targetErr))
	}

	key, reqErr := pickIdempotencyKey(r.Header.Get("Idempotency-Key"), in.IdempotencyKey)
	if reqErr != nil {
		return p, reqErr
	}
	p.IdempotencyKey = key
	return p, nil
}

// describeTargetError adds this program's fix to a refused target: the setting is its flag.
func describeTargetError(err *delivery.TargetError) string {
	var domainErr *screenpop.DomainError
	if !errors.As(err, &domainErr) {
		return err.Error()
	}
	return err.Error() + "; add it to the trigger's -allowed-domains or point the screen pop at an allowed domain"
}

// pickIdempotencyKey prefers the caller's key (header, or body), so that an automation retrying
// its own request reuses it and the agent sees one pop; a request without one gets a fresh key.
func pickIdempotencyKey(header, body string) (string, *requestError) {
	header, body = strings.TrimSpace(header), strings.TrimSpace(body)
	key := header
	switch {
	case header != "" && body != "" && header != body:
		return "", badField("idempotencyKey", "differs from the Idempotency-Key header; send one, or the same in both")
	case key == "":
		key = body
	}
	if key == "" {
		fresh, err := screenpop.NewIdempotencyKey()
		if err != nil {
			return "", &requestError{status: http.StatusInternalServerError, msg: "no idempotency key could be generated: " + err.Error()}
		}
		return fresh, nil
	}
	if len(key) > maxIdempotencyKeyLen {
		return "", badField("idempotencyKey", "is longer than %d characters", maxIdempotencyKeyLen)
	}
	for _, c := range key {
		if c <= ' ' || c > '~' {
			return "", badField("idempotencyKey", "may hold only printable ASCII without spaces")
		}
	}
	return key, nil
}

// decodeRequest reads exactly one JSON object of known fields. Its errors name the field at
// fault but never repeat a value: any of them may be a session token or customer data.
func decodeRequest(w http.ResponseWriter, r *http.Request, in *triggerRequest) *requestError {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		// Requiring JSON also keeps web pages out: a cross-origin request with this content type
		// needs a CORS preflight, which the trigger never grants.
		return &requestError{status: http.StatusUnsupportedMediaType, msg: "Content-Type must be application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(in)
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			return &requestError{status: http.StatusBadRequest, msg: "request body must hold one JSON object and nothing after it"}
		}
		return nil
	}
	var maxErr *http.MaxBytesError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		return &requestError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body is larger than %d bytes", maxRequestBytes)}
	case errors.Is(err, io.EOF):
		return &requestError{status: http.StatusBadRequest, msg: "request body is empty; want a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &requestError{status: http.StatusBadRequest, msg: "request body is not valid JSON: it ends too soon"}
	case errors.As(err, &syntaxErr):
		return &requestError{status: http.StatusBadRequest, msg: fmt.Sprintf("request body is not valid JSON (at byte %d)", syntaxErr.Offset)}
	case errors.As(err, &typeErr):
		// Value is "number 5" or "string": keep only the kind, never the value.
		kind, _, _ := strings.Cut(typeErr.Value, " ")
		if typeErr.Field == "" {
			return &requestError{status: http.StatusBadRequest, msg: "request body must be a JSON object, not " + kind}
		}
		field, _, _ := strings.Cut(typeErr.Field, ".")
		return badField(field, "want %s, not a JSON %s", describeType(field), kind)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		if len(name) > maxFieldNameLen {
			name = strings.ToValidUTF8(name[:maxFieldNameLen], "") + "..."
		}
		return badField(name, "is not a field of a trigger request (userId, customerData, sessionToken, state, targetUrl, applicationId, idempotencyKey)")
	}
	return &requestError{status: http.StatusBadRequest, msg: "request body cannot be read as a trigger request"}
}

func describeType(field string) string {
	switch field {
	case "customerData", "state":
		return "an object of string values"
	default:
		return "a string"
	}
}

// writeSendError answers a pop that was not delivered.
func (t *trigger) writeSendError(w http.ResponseWriter, r *http.Request, p delivery.Pop, err error) {
	var contextErr *delivery.ContextError
	var targetErr *delivery.TargetError
	var userErr *delivery.UserIDError
	out := errorResponse{Error: err.Error()}
	status := http.StatusBadGateway
	switch {
	case errors.As(err, &userErr):
		status, out.Field, out.Error = http.StatusBadRequest, "userId", "userId: "+userErr.Error()
	case errors.As(err, &contextErr):
		field := "customerData"
		var part *screenpop.ContextError
		if errors.As(err, &part) && part.Part == screenpop.PartTarget {
			field = "targetUrl"
		}
		status, out.Field, out.Error = http.StatusBadRequest, field, field+": "+contextErr.Error()
	case errors.As(err, &targetErr):
		status, out.Field, out.Error = http.StatusBadRequest, "targetUrl", "targetUrl: "+describeTargetError(targetErr)
	case errors.Is(err, delivery.ErrNoSigningSecret):
		status = http.StatusInternalServerError
	case r.Context().Err() != nil:
		// The caller is gone; nobody reads the answer, but the log says what happened.
		status = http.StatusServiceUnavailable
		out.Error = "the request was cancelled before the pop was delivered: " + err.Error()
		out.IdempotencyKey = p.IdempotencyKey
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusGatewayTimeout
		out.Error = fmt.Sprintf("the pop was not confirmed within %v (it may still arrive); retry with this idempotency key to be sure it pops once: %v", t.timeout, err)
		out.IdempotencyKey = p.IdempotencyKey
	default:
		out.Error = "the pop was not delivered: " + err.Error()
		out.IdempotencyKey = p.IdempotencyKey
		var apiErr *client.APIError
		if errors.As(err, &apiErr) {
			out.UpstreamStatus, out.CorrelationID = apiErr.Status, apiErr.CorrelationID
		}
	}
	level := slog.LevelWarn
	if status == http.StatusBadRequest {
		level = slog.LevelInfo
	}
	t.logger.Log(r.Context(), level, "screen pop not delivered", "status", status, "user", p.UserID,
		"idempotencyKey", p.IdempotencyKey, "targetHost", hostOf(p.TargetURL), "error", out.Error)
	writeJSON(w, status, out)
}

// hostOf is a URL's host for the log: the rest of a target may carry context.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the caller may be gone; there is no one else to tell
}
