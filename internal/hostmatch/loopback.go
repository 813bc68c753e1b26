package hostmatch

import (
	"net"
	"strings"
)

// IsLoopback reports whether host names this machine only: "localhost" (in any case) or a
// loopback address. host may carry a port and IPv6 brackets, as a Host header or a listen address
// does ("127.0.0.1:8787", "[::1]:80", "LOCALHOST"); an empty host (every interface) is not
// loopback. It is the one loopback rule of the project: what may be reached over plain http, what
// a local server answers, and where one may listen without saying it is meant.
func IsLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
