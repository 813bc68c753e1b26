package emulator

import (
	"fmt"
	"net/http"
	"strconv"
)

// ErrorBody is the Genesys Cloud error document every failed API call answers with.
// Per-field validation problems are listed in Errors, each naming its field in
// MessageParams["field"].
type ErrorBody struct {
	Message       string            `json:"message"`
	Code          string            `json:"code"`
	Status        int               `json:"status"`
	MessageParams map[string]string `json:"messageParams,omitempty"`
	ContextID     string            `json:"contextId"`
	Details       []ErrorDetail     `json:"details"`
	Errors        []ErrorBody       `json:"errors"`
}

// ErrorDetail is an entry of ErrorBody.Details (always empty here, kept for shape).
type ErrorDetail struct {
	ErrorCode  string `json:"errorCode,omitempty"`
	FieldName  string `json:"fieldName,omitempty"`
	EntityID   string `json:"entityId,omitempty"`
	EntityName string `json:"entityName,omitempty"`
}

// Error codes the emulator answers with (the real service's codes where it has one).
const (
	CodeBadRequest            = "bad.request"
	CodeAuthenticationNeeded  = "authentication.required"
	CodeBadCredentials        = "bad.credentials"
	CodeInvalidSignature      = "invalid.signature"
	CodeNotFound              = "not.found"
	CodeMethodNotAllowed      = "method.not.allowed"
	CodeConflict              = "conflict"
	CodeTooManyRequests       = "too.many.requests.retry.after"
	CodeInternalServerError   = "internal.server.error"
	CodeBadGateway            = "bad.gateway"
	CodeServiceUnavailable    = "service.unavailable"
	messageMalformed          = "The request could not be understood by the server due to malformed syntax."
	messagePayloadTooLarge    = "payload too large"
	messageNotFound           = "The requested resource was not found."
	messageRateLimitedPattern = "Rate limit exceeded the maximum. Retry the request in [%d] seconds"
)

// fieldError is one per-field validation problem.
type fieldError struct {
	Field   string
	Message string
}

// apiError is an answer in the Genesys error shape; handlers return it and the server renders it
// with the request's correlation id as contextId.
type apiError struct {
	Status     int
	Code       string
	Message    string
	Fields     []fieldError
	RetryAfter int // seconds; sets Retry-After when positive
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func (e *apiError) body(contextID string) ErrorBody {
	b := ErrorBody{
		Message:   e.Message,
		Code:      e.Code,
		Status:    e.Status,
		ContextID: contextID,
		Details:   []ErrorDetail{},
		Errors:    []ErrorBody{},
	}
	for _, f := range e.Fields {
		b.Errors = append(b.Errors, ErrorBody{
			Message:       f.Field + ": " + f.Message,
			Code:          e.Code,
			Status:        e.Status,
			MessageParams: map[string]string{"field": f.Field},
			ContextID:     contextID,
			Details:       []ErrorDetail{},
			Errors:        []ErrorBody{},
		})
	}
	return b
}

func errBadRequest(message string, fields ...fieldError) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: message, Fields: fields}
}

func errValidation(fields []fieldError) *apiError {
	msg := "The request failed validation"
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	} else {
		msg += " (" + strconv.Itoa(len(fields)) + " problems)"
	}
	return errBadRequest(msg, fields...)
}

func errNotFound() *apiError {
	return &apiError{Status: http.StatusNotFound, Code: CodeNotFound, Message: messageNotFound}
}

func errRateLimited(retryAfter int) *apiError {
	return &apiError{
		Status:     http.StatusTooManyRequests,
		Code:       CodeTooManyRequests,
		Message:    fmt.Sprintf(messageRateLimitedPattern, retryAfter),
		RetryAfter: retryAfter,
	}
}

// OAuthError is the login service's error document (/oauth/token). Both spellings of the
// description are sent: Genesys uses "description", RFC 6749 clients read "error_description".
type OAuthError struct {
	Error            string `json:"error"`
	Description      string `json:"description"`
	ErrorDescription string `json:"error_description"`
}
