package client

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// credentialPattern matches an Authorization-style credential wherever it
// might surface in a message (an echoed header, a wrapped error).
var credentialPattern = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/=]+`)

const masked = "***"

// safeLogger is the only way this package logs. The entries it is given are
// built from method, path, status, timings and ids, never from headers or
// bodies; it still masks the client secret and any credential-looking text
// in every string field, so a future field cannot leak one by accident.
type safeLogger struct {
	next   Logger
	secret string
}

func newSafeLogger(next Logger, secret string) *safeLogger {
	return &safeLogger{next: next, secret: secret}
}

func (l *safeLogger) debug(ctx context.Context, msg string, fields map[string]any) {
	if l.next != nil {
		l.next.Debug(ctx, msg, l.clean(fields))
	}
}

func (l *safeLogger) warn(ctx context.Context, msg string, fields map[string]any) {
	if l.next != nil {
		l.next.Warn(ctx, msg, l.clean(fields))
	}
}

func (l *safeLogger) clean(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		switch v := v.(type) {
		case string:
			out[k] = l.mask(v)
		case error:
			out[k] = l.mask(v.Error())
		case fmt.Stringer:
			out[k] = l.mask(v.String())
		default:
			out[k] = v
		}
	}
	return out
}

func (l *safeLogger) mask(s string) string {
	if l.secret != "" {
		s = strings.ReplaceAll(s, l.secret, masked)
	}
	return maskCredentials(s)
}

// maskCredentials hides the credential of any "Bearer x" or "Basic x".
func maskCredentials(s string) string {
	return credentialPattern.ReplaceAllString(s, "$1 "+masked)
}
