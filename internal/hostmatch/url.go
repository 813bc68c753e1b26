package hostmatch

import (
	"errors"
	"net/url"
	"strings"
	"unicode"
)

// URLError reports a URL that cannot be matched safely against an allow-list. Its message never
// repeats the URL: the query or fragment may carry credentials or session tokens.
type URLError struct {
	Reason string
	Err    error // the underlying parse or host error, if any
}

func (e *URLError) Error() string { return e.Reason }
func (e *URLError) Unwrap() error { return e.Err }

// ParseURL parses raw the strict way every allow-listed URL must be parsed: absolute, with a host
// written in the form CanonicalHost accepts (so the host that is checked is the host that is sent)
// and a valid port, and without anything that makes Go and browsers
// disagree about the host (user info, backslashes, percent-encoded hosts, whitespace). The scheme
// is not checked; callers decide which schemes they accept.
func ParseURL(raw string) (*url.URL, error) {
	switch {
	case strings.TrimFunc(raw, unicode.IsSpace) == "":
		return nil, &URLError{Reason: `URL is empty; write an absolute URL such as "https://cdn.example.com/path"`}
	case strings.TrimFunc(raw, unicode.IsSpace) != raw:
		return nil, &URLError{Reason: "URL starts or ends with whitespace; remove it"}
	case strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return nil, &URLError{Reason: "URL contains whitespace or control characters; percent-encode them (a space is %20)"}
	case strings.Contains(raw, `\`):
		return nil, &URLError{Reason: `URL contains a backslash, which browsers read as "/"; use "/"`}
	}
	u, err := ParseQuiet(raw)
	if err != nil {
		return nil, &URLError{Reason: "URL is not valid: " + err.Error(), Err: err}
	}
	authority, hasAuthority := rawAuthority(raw)
	switch {
	case u.Scheme == "" || u.Opaque != "" || !hasAuthority:
		return nil, &URLError{Reason: `URL must be absolute, with a scheme and a host, such as "https://cdn.example.com/path"`}
	case u.User != nil || strings.Contains(authority, "@"):
		return nil, &URLError{Reason: `URL must not contain user info before an "@" (in "https://a.example@b.example" the host is b.example); write only the host`}
	case strings.Contains(authority, "%"):
		return nil, &URLError{Reason: "URL host is percent-encoded; write the host name itself"}
	case u.Hostname() == "":
		return nil, &URLError{Reason: `URL has no host; write an absolute URL such as "https://cdn.example.com/path"`}
	}
	if p := u.Port(); p != "" {
		if _, ok := parsePort(p, true); !ok {
			return nil, &URLError{Reason: "URL port " + p + " is not a number from 1 to 65535"}
		}
	}
	if _, err := CanonicalHost(urlHostname(u)); err != nil {
		return nil, &URLError{Reason: "URL " + err.Error(), Err: err}
	}
	return u, nil
}

// ParseQuiet is url.Parse with an error that never repeats raw: a *url.Error quotes the whole URL,
// whose user info or query may carry credentials, so only its reason is kept (such as
// "invalid port \":x\" after host"); the caller names what was parsed. It checks nothing beyond
// url.Parse (ParseURL is the strict parse for allow-listed URLs).
func ParseQuiet(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	return u, nil
}

// rawAuthority returns the authority of raw exactly as written (between "scheme://" and the next
// "/", "?" or "#"), and whether raw has one at all.
func rawAuthority(raw string) (string, bool) {
	_, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutPrefix(rest, "//")
	if !ok {
		return "", false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}
