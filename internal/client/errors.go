package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
)

// APIError is an error answer from Genesys Cloud: the last one the client
// received for a call, after whatever retries the call was allowed.
type APIError struct {
	Status        int           // HTTP status code
	Code          string        // Genesys error code, e.g. "not.found", "conflict"
	Message       string        // Genesys error message
	CorrelationID string        // ININ-Correlation-Id (or the body's contextId)
	RetryAfter    time.Duration // the answer's Retry-After, if it had one
	Errors        []string      // per-field messages from the body's errors/details, if any

	Method   string // HTTP method of the call
	Path     string // request path, without the query
	Attempts int    // how many times the request was sent

	// StopReason says why the client stopped retrying an answer it would
	// otherwise have retried (retry budget spent, context deadline too
	// close); empty when the answer was final in itself.
	StopReason string
	atDeadline bool // stopped because the next try would have passed the context's deadline
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %q", e.Message)
	}
	if len(e.Errors) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(e.Errors, "; "))
	}
	var notes []string
	if e.CorrelationID != "" {
		notes = append(notes, "correlation id "+e.CorrelationID)
	}
	if e.Attempts > 1 {
		notes = append(notes, fmt.Sprintf("after %d attempts", e.Attempts))
	}
	if e.StopReason != "" {
		notes = append(notes, "stopped: "+e.StopReason)
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
	}
	return b.String()
}

// CorrelationID is the ININ-Correlation-Id of the last answer behind err (what Genesys Cloud
// support asks for), or "" when err carries none.
func CorrelationID(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.CorrelationID
	}
	var reqErr *RequestError
	if errors.As(err, &reqErr) && reqErr.Last != nil {
		return reqErr.Last.CorrelationID
	}
	return ""
}

// IsNotFound reports whether err is, or wraps, a 404 answer.
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound
}

// IsRateLimited reports whether err is, or wraps, a 429 answer: the client stopped retrying a
// request the service kept refusing for its rate limit.
func IsRateLimited(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusTooManyRequests
}

// IsVersionConflict reports whether err is, or wraps, a refusal of a stale
// version: a 409, or the 400 some Genesys services answer instead, whose
// message says the version "does not match the current version".
func IsVersionConflict(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.Status == http.StatusConflict ||
		apiErr.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(apiErr.Message), "does not match the current version")
}

// RequestError is a call that ended without a final answer: the network
// failed, the context ended, or an OAuth token could not be had. Last holds
// the last error answer seen before that, if there was one.
type RequestError struct {
	Method, Path string
	Attempts     int
	Last         *APIError // the last error answer received, if any
	StopReason   string    // why retrying stopped, when the client chose to stop
	atDeadline   bool      // stopped because the next try would have passed the context's deadline
	// MayHaveArrived is true when some attempt may have reached the server
	// before its answer was lost (a reset or timeout after the request was
	// written, or an error answer that a retry then lost): the server may
	// have acted on the call. False proves nothing was received.
	MayHaveArrived bool
	Err            error
}

func (e *RequestError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	switch e.Attempts {
	case 0:
		b.WriteString("not sent: ")
	case 1:
		b.WriteString("no answer: ")
	default:
		fmt.Fprintf(&b, "no answer after %d attempts: ", e.Attempts)
	}
	if f := Failure(e.Err); f != FailureOther && !strings.Contains(e.Err.Error(), string(f)) {
		fmt.Fprintf(&b, "%s (%s)", f, e.Err)
	} else {
		b.WriteString(e.Err.Error())
	}
	if e.StopReason != "" {
		fmt.Fprintf(&b, " (stopped: %s)", e.StopReason)
	}
	if e.Last != nil {
		fmt.Fprintf(&b, "; last answer: %d", e.Last.Status)
		if e.Last.Code != "" {
			fmt.Fprintf(&b, " %s", e.Last.Code)
		}
		if e.Last.Message != "" {
			fmt.Fprintf(&b, ": %q", e.Last.Message)
		}
		if e.Last.CorrelationID != "" {
			fmt.Fprintf(&b, " (correlation id %s)", e.Last.CorrelationID)
		}
	}
	return b.String()
}

func (e *RequestError) Unwrap() error { return e.Err }

// FailureKind names why a request got no answer, in the words of the network rather than of Go's
// error chain, so a message can say "connection refused" where the cause is a refused connection
// and "timed out" only where something timed out.
type FailureKind string

const (
	FailureRefused    FailureKind = "connection refused"                       // nothing listens at the address
	FailureReset      FailureKind = "connection reset"                         // the server or a middlebox dropped the connection
	FailureClosed     FailureKind = "connection closed before the answer came" // EOF where an answer was due
	FailureNoSuchHost FailureKind = "no such host"                             // the name does not resolve
	FailureDNS        FailureKind = "name lookup failed"                       // the resolver itself failed
	FailureTLS        FailureKind = "TLS handshake failed"                     // certificate or protocol refused
	FailureTimeout    FailureKind = "timed out"                                // a deadline passed
	FailureCanceled   FailureKind = "canceled"                                 // the caller gave up (Ctrl-C, a stopped run)
	FailureUnreach    FailureKind = "network unreachable"                      // no route to the host
	FailureOther      FailureKind = ""                                         // none of the above; the error says what
)

// Failure classifies err, a failure without an answer (it may be wrapped in
// a *RequestError). It looks at the error types and errnos the standard
// library uses, never at timing, so a refused connection is never called a
// timeout.
func Failure(err error) FailureKind {
	if err == nil {
		return FailureOther
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return FailureNoSuchHost
		}
		if dns.IsTimeout {
			return FailureTimeout
		}
		return FailureDNS
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verification     *tls.CertificateVerificationError
		record           tls.RecordHeaderError
		alert            tls.AlertError
	)
	switch {
	case errors.As(err, &verification), errors.As(err, &unknownAuthority), errors.As(err, &hostname),
		errors.As(err, &invalid), errors.As(err, &record), errors.As(err, &alert):
		return FailureTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		return FailureRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return FailureReset
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return FailureUnreach
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return FailureClosed
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return FailureTimeout
	case errors.Is(err, context.Canceled):
		return FailureCanceled
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return FailureTimeout
	}
	// TLS alerts from the peer and some handshake failures have no exported type, nor has
	// net/http's report of a server that answered the TLS hello in plain HTTP.
	if msg := err.Error(); strings.Contains(msg, "tls: ") || strings.Contains(msg, "server gave HTTP response to HTTPS client") {
		return FailureTLS
	}
	return FailureOther
}

// StoppedByDeadline reports whether err is a call the client stopped retrying because the wait
// before its next try would have ended after the context's deadline: the deadline, not the
// service, is why it failed, although it has not passed yet.
func StoppedByDeadline(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.atDeadline
	}
	var reqErr *RequestError
	return errors.As(err, &reqErr) && reqErr.atDeadline
}

// MayHaveArrived reports whether err is a call that got no final answer
// although the server may have received it and acted: the caller cannot
// tell whether it happened. It is false for error answers, which are final,
// and for failures that prove nothing was sent.
func MayHaveArrived(err error) bool {
	var reqErr *RequestError
	return errors.As(err, &reqErr) && reqErr.MayHaveArrived
}

// IsCredentialsRefused reports whether err is, or wraps, the OAuth service
// refusing the client's credentials (invalid_client, unauthorized_client, or
// a 401 from the token endpoint): the client ID or secret is wrong.
func IsCredentialsRefused(err error) bool {
	var te *TokenError
	if !errors.As(err, &te) {
		return false
	}
	return te.Status == http.StatusUnauthorized || te.Code == "invalid_client" || te.Code == "unauthorized_client"
}

// IsTokenCreationLimited reports whether err is, or wraps, a token grant
// refused because the OAuth client creates tokens too fast: Genesys' login
// service answers 400 invalid_request with a description that begins
// "rate limit exceeded".
func IsTokenCreationLimited(err error) bool {
	var te *TokenError
	return errors.As(err, &te) && te.Status == http.StatusBadRequest && te.Code == "invalid_request" &&
		strings.Contains(strings.ToLower(te.Description), "rate limit")
}

// IsSignatureRefused reports whether err is, or wraps, a screen pop whose
// X-Payload-Signature the service refused: the signing secret differs from
// the service's.
func IsSignatureRefused(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized &&
		strings.Contains(strings.ToLower(apiErr.Code), "signature")
}

// TokenError is a failed OAuth client-credentials grant. It never carries
// the client secret or a token.
type TokenError struct {
	Status      int    // HTTP status of the token answer, 0 if there was none
	Code        string // OAuth error code, e.g. "invalid_client"
	Description string
	Err         error // the underlying failure when there was no answer
	// Refusals counts grants refused in a row because the client creates
	// tokens too fast, when more than this one was tried.
	Refusals int
}

func (e *TokenError) Error() string {
	var b strings.Builder
	b.WriteString("oauth client-credentials grant failed")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %q", e.Description)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Refusals > 1 {
		fmt.Fprintf(&b, " (refused %d times in a row: the login service limits how fast one OAuth client may create tokens)", e.Refusals)
	}
	return b.String()
}

func (e *TokenError) Unwrap() error { return e.Err }

// ErrCreateOutcomeUnknown is wrapped by CreateIntegration's error when a
// create may or may not have landed and the client could not find out
// (the context ended, or the attempts ran out). An integration of that name
// may exist without being known to the caller.
var ErrCreateOutcomeUnknown = errors.New("create outcome unknown")

// AmbiguousCreateError means a create's outcome was unknown and more than one
// integration could be the one it made; the client adopts none of them
// rather than guess. The IDs name the candidates.
type AmbiguousCreateError struct {
	Name, TypeID string
	IDs          []string
}

func (e *AmbiguousCreateError) Error() string {
	return fmt.Sprintf("create of integration %q (type %s) had an unknown outcome and %d untouched integrations of that name and type appeared since it began (%s); adopting none: import the right one and delete the others",
		e.Name, e.TypeID, len(e.IDs), strings.Join(e.IDs, ", "))
}

// ReportedStateError means an integration reported a state it cannot leave
// on its own (ERROR) while the client waited for another.
type ReportedStateError struct {
	ID    string
	Want  string
	State ReportedState
}

func (e *ReportedStateError) Error() string {
	msg := fmt.Sprintf("integration %s reports %s while waiting for %s", e.ID, e.State.Code, e.Want)
	if e.State.Detail != nil && e.State.Detail.Message != "" {
		msg += ": " + e.State.Detail.Message
	}
	return msg
}

// errorBody is the Genesys Cloud error answer.
type errorBody struct {
	Message   string            `json:"message"`
	Code      string            `json:"code"`
	Status    int               `json:"status"`
	ContextID string            `json:"contextId"`
	Details   []json.RawMessage `json:"details"`
	Errors    []json.RawMessage `json:"errors"`
}

// newAPIError reads a Genesys error answer. Bodies that are not the Genesys
// shape still give a usable error from the status line.
func newAPIError(method, path string, status int, header http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{
		Status:        status,
		Method:        method,
		Path:          path,
		CorrelationID: header.Get(headerCorrelationID),
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		e.Code = eb.Code
		e.Message = eb.Message
		if e.CorrelationID == "" {
			e.CorrelationID = eb.ContextID
		}
		for _, raw := range append(eb.Errors, eb.Details...) {
			if s := itemMessage(raw); s != "" {
				e.Errors = append(e.Errors, s)
			}
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	// A server that echoes the request's credentials must not put them in
	// an error message, which Terraform prints.
	e.Message = maskCredentials(e.Message)
	for i := range e.Errors {
		e.Errors[i] = maskCredentials(e.Errors[i])
	}
	if d, ok := parseRetryAfter(header.Get("Retry-After"), now); ok {
		e.RetryAfter = d
	}
	return e
}

// errorItem is an entry of an error body's errors (a nested error body,
// whose message names its field) or details (a field detail).
type errorItem struct {
	Message   string `json:"message"`
	FieldName string `json:"fieldName"`
	ErrorCode string `json:"errorCode"`
}

// itemMessage renders one entry of an error body's errors or details list,
// whose shape varies: a string, a nested error body, or a field detail.
func itemMessage(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var item errorItem
	if json.Unmarshal(raw, &item) != nil {
		return ""
	}
	field := item.FieldName
	msg := item.Message
	if msg == "" {
		msg = item.ErrorCode
	}
	switch {
	case field != "" && msg != "":
		return field + ": " + msg
	case msg != "":
		return msg
	default:
		return field
	}
}

// unwrapURLError drops net/http's *url.Error wrapper, whose message repeats
// the whole URL, keeping what actually failed.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
