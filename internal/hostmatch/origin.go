package hostmatch

import (
	"net/url"
	"strconv"
	"strings"
)

// Origin returns the host and port that Match compares with the allow-list for u, written the way
// a pattern that allows exactly that origin is written: the normalised host (IPv6 in brackets),
// followed by ":port" only when the port is not the scheme's default. ok is false for a URL that
// Match never allows whatever the patterns (user info, an opaque URL, a host NormalizeHost
// refuses).
//
// Listing Origin(u) in an allow-list always allows u, so it is the answer to "what should I add to
// allowed_origins for this URL?".
func Origin(u *url.URL) (origin string, ok bool) {
	t, ok := targetOf(u)
	if !ok {
		return "", false
	}
	host := t.host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if t.port != t.def {
		host += ":" + strconv.Itoa(t.port)
	}
	return host, true
}
