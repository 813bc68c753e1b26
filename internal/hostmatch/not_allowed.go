package hostmatch

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// NotAllowedError reports a URL whose host no pattern of an allow-list matches. Each rule that
// uses an allow-list (widget origins, screen pop domains) names what the list is of; the caller,
// which knows where the list is configured, says how to fix the refusal.
type NotAllowedError struct {
	Host    string   // the URL's host, with its port if it names one
	Allowed []string // the allow-list, as configured
	Hint    string   // a near miss worth pointing out, or ""
	What    string   // what the list allows, e.g. "origin"
}

func (e *NotAllowedError) Error() string {
	quoted := make([]string, len(e.Allowed))
	for i, s := range e.Allowed {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	msg := fmt.Sprintf("host %q is not an allowed %s (allowed: %s)", e.Host, e.What, strings.Join(quoted, ", "))
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// NotAllowed is the refusal of u under patterns, which Match did not accept.
func NotAllowed(u *url.URL, patterns []string, what string) *NotAllowedError {
	host := strings.TrimSuffix(u.Host, ":")
	if p := u.Port(); p != "" {
		host = net.JoinHostPort(u.Hostname(), p)
	}
	return &NotAllowedError{Host: host, Allowed: patterns, Hint: Hint(u, patterns), What: what}
}
