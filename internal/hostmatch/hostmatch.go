// Package hostmatch decides whether a URL's host is on an allow-list of host patterns.
//
// A pattern is one of
//
//   - an exact host: "cdn.example.com", "cdn.example.com:8443", "127.0.0.1:8443", "[2001:db8::1]";
//   - a wildcard "*.example.com" (optionally with a port) that matches every host at any depth
//     below example.com ("a.example.com", "a.b.example.com") but not "example.com" itself. List
//     both "example.com" and "*.example.com" to allow both.
//
// Hosts in URLs and patterns must be written in canonical form (CanonicalHost), so the host that
// is checked is the host that is sent: ASCII case is ignored, but a host that only becomes an
// allowed host once full-width letters, ideographic full stops ("。", "．", "｡"), invisible
// characters (U+200B, U+00AD) or non-ASCII upper case are folded is refused with the form to
// write instead, and so is a trailing dot. An internationalised name may be written as punycode
// ("xn--bcher-kva.example") or in its normalised Unicode form ("bücher.example").
//
// Hosts and patterns are compared in one canonical form, so the comparison is exact and cannot be
// fooled by look-alikes: names go through IDNA (UTS #46, the Lookup profile of
// golang.org/x/net/idna) to lower-case ASCII on both sides, and IP addresses to their canonical
// text. A wildcard only ever matches on a label boundary, so "*.example.com" matches neither
// "evilexample.com" nor "example.com.evil.net". Hosts that a browser would read differently from
// Go, or that exist only to confuse a reader, never match: user info ("example.com@evil.net"),
// a trailing dot ("example.com."), percent-encoding, IPv6 zones, and IPv4 addresses in
// non-standard forms ("0x7f.1", "2130706433").
//
// Ports are part of the match. A pattern without a port matches only the scheme's default port
// (443 for https and wss, 80 for http and ws; for other schemes only a URL without a port); a
// pattern with a port matches only that port, so "cdn.example.com:443" and "cdn.example.com" are
// the same pattern for https URLs.
//
// Single-label wildcards such as "*.com" are refused because they allow a whole top-level domain.
// Without a public suffix list the package cannot refuse "*.co.uk"; that one is on the user.
package hostmatch

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Limits from RFC 1035, applied to the ASCII form of a name.
const (
	maxNameLength  = 253
	maxLabelLength = 63
)

// HostError reports a host that cannot be normalised, or that is not written in its canonical
// form. Host is the input as given; Canonical, when set, is how it should be written.
type HostError struct {
	Host      string
	Canonical string
	Reason    string
}

func (e *HostError) Error() string { return fmt.Sprintf("host %q %s", e.Host, e.Reason) }

// PatternError reports an allow-list entry that is not a valid pattern. Pattern is the entry as
// given and Reason says how to write it instead.
type PatternError struct {
	Pattern string
	Reason  string
}

func (e *PatternError) Error() string { return fmt.Sprintf("host pattern %q %s", e.Pattern, e.Reason) }

// IsDomainName reports whether s is a host name of two labels or more, written as one (such as
// mypurecloud.com): no scheme, port, user info, path, query or escapes, and no IPv6 address. A
// value that passes cannot carry credentials, so an error may quote it.
func IsDomainName(s string) bool {
	if strings.Contains(s, ":") || !strings.Contains(s, ".") {
		return false
	}
	_, err := NormalizeHost(s)
	return err == nil
}

// NormalizeHost returns the canonical form of a host name or IP address given without a port:
// lower-case ASCII (punycode for internationalised names) without a trailing dot, or the
// canonical text of an IP address (IPv6 without brackets; brackets in the input are accepted).
// Two hosts are the same host exactly when their normalised forms are equal.
func NormalizeHost(h string) (string, error) {
	if h == "" {
		return "", &HostError{Host: h, Reason: "is empty"}
	}
	if len(h) > 4*maxNameLength {
		return "", &HostError{Host: h, Reason: "is too long for a host name"}
	}
	if !utf8.ValidString(h) {
		// idna would map the bad bytes to U+FFFD and happily encode that.
		return "", &HostError{Host: h, Reason: "is not valid UTF-8"}
	}
	if strings.HasPrefix(h, "[") || strings.Contains(h, ":") {
		return normalizeIPv6(h)
	}
	if strings.Contains(h, "%") {
		return "", &HostError{Host: h, Reason: "is percent-encoded; write the host name itself"}
	}
	if strings.IndexFunc(h, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", &HostError{Host: h, Reason: "contains whitespace or control characters"}
	}
	ascii, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", &HostError{Host: h, Reason: "is not a valid host name (" + idnaReason(err) + ")"}
	}
	// Checked after mapping: UTS #46 maps "。" and "．" to ".", so a trailing dot may appear only now.
	if strings.HasSuffix(ascii, ".") {
		return "", &HostError{Host: h, Reason: "ends with a dot; remove the trailing dot"}
	}
	if len(ascii) > maxNameLength {
		return "", &HostError{Host: h, Reason: fmt.Sprintf("is longer than %d characters", maxNameLength)}
	}
	labels := strings.Split(ascii, ".")
	for _, l := range labels {
		switch {
		case l == "":
			return "", &HostError{Host: h, Reason: "has an empty label (two dots in a row, or a leading dot)"}
		case len(l) > maxLabelLength:
			return "", &HostError{Host: h, Reason: fmt.Sprintf("has a label longer than %d characters", maxLabelLength)}
		case strings.IndexFunc(l, notLDH) >= 0:
			// The Lookup profile applies the STD3 rules already; this keeps the guarantee local.
			return "", &HostError{Host: h, Reason: "may contain only letters, digits, hyphens and dots"}
		}
	}
	// A name whose last label is a number is an IPv4 address to a browser (WHATWG URL, "ends in a
	// number"), which also reads forms like "0x7f.1" or "2130706433". Accept only the one standard
	// dotted-decimal form and refuse the rest rather than guess which address they mean.
	if endsInNumber(labels[len(labels)-1]) {
		addr, err := netip.ParseAddr(ascii)
		if err != nil || !addr.Is4() {
			return "", &HostError{Host: h, Reason: "looks like an IPv4 address in a non-standard form; write it as four decimal numbers such as 192.0.2.10"}
		}
		return addr.String(), nil
	}
	return ascii, nil
}

// CanonicalHost is NormalizeHost for a host as written in a URL or an allow-list entry, where it
// must already be in canonical form: what is checked must be what is sent, and a browser, a proxy
// or Genesys Cloud may fold a host differently from this package (or not at all). A host is
// accepted as written when, ASCII case aside, it is its own canonical form (punycode for
// internationalised names, no trailing dot; IPv6 addresses in brackets, compressed), or, for an
// internationalised name, the Unicode form of that ("bücher.example" for
// "xn--bcher-kva.example"). ASCII case is the one folding allowed, because RFC 3986 makes it
// insignificant and every client folds it alike. Anything that only becomes the host after
// another folding (full-width letters, ideographic full stops, invisible characters such as
// U+200B, non-ASCII upper case) is refused with a *HostError whose Canonical says how to write it.
func CanonicalHost(h string) (string, error) {
	n, err := NormalizeHost(h)
	if err != nil {
		return "", err
	}
	written := h
	h = asciiLower(h)
	if _, ipErr := netip.ParseAddr(n); ipErr == nil {
		want := n
		if strings.Contains(n, ":") {
			want = "[" + n + "]"
		}
		if h == want || h == n && !strings.Contains(n, ":") {
			return n, nil
		}
		return "", &HostError{Host: written, Canonical: want, Reason: fmt.Sprintf("is not written in its canonical form; write it as %q", want)}
	}
	if h == n {
		return n, nil
	}
	if u, err := idna.Lookup.ToUnicode(n); err == nil && u == h {
		return n, nil
	}
	return "", &HostError{Host: written, Canonical: n, Reason: fmt.Sprintf("is read as %q once full-width letters, "+
		"ideographic full stops, invisible characters and non-ASCII upper case are folded; write it as %q, which is "+
		"the host that is matched and the host that is sent", n, n)}
}

// asciiLower lower-cases ASCII letters only: RFC 3986 makes a host's ASCII case insignificant,
// and every HTTP stack folds it the same way, unlike the Unicode mappings of UTS #46.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func normalizeIPv6(h string) (string, error) {
	inner := h
	if strings.HasPrefix(h, "[") {
		if !strings.HasSuffix(h, "]") {
			return "", &HostError{Host: h, Reason: "has an opening '[' without a closing ']'"}
		}
		inner = h[1 : len(h)-1]
	}
	addr, err := netip.ParseAddr(inner)
	if err != nil || !addr.Is6() {
		return "", &HostError{Host: h, Reason: "is neither a host name nor an IPv6 address (a port goes after the host, not in it)"}
	}
	if addr.Zone() != "" {
		return "", &HostError{Host: h, Reason: "has an IPv6 zone, which cannot be used in a URL host"}
	}
	return addr.String(), nil
}

func notLDH(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
}

// endsInNumber reports whether a label is a number to the WHATWG IPv4 parser: all decimal
// digits, or "0x" followed by hex digits (possibly none).
func endsInNumber(label string) bool {
	if strings.HasPrefix(label, "0x") {
		return strings.IndexFunc(label[2:], func(r rune) bool { return !isHex(r) }) < 0
	}
	return strings.IndexFunc(label, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

func isHex(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' }

// idnaReason strips the package prefix from an idna error: the message is shown to users.
func idnaReason(err error) string {
	return strings.TrimPrefix(err.Error(), "idna: ")
}

// pattern is a parsed allow-list entry.
type pattern struct {
	wildcard bool
	host     string // normalised; for a wildcard, the domain below which hosts match
	port     int    // 0: the scheme's default port
}

// ValidatePattern reports whether p is a valid allow-list entry, and if not, how to write it.
// Match ignores entries that would fail here, so configuration should be checked with it first.
func ValidatePattern(p string) error {
	_, err := parsePattern(p)
	return err
}

func parsePattern(p string) (pattern, error) {
	fail := func(format string, a ...any) (pattern, error) {
		return pattern{}, &PatternError{Pattern: p, Reason: fmt.Sprintf(format, a...)}
	}
	switch {
	case p == "":
		return fail("is empty; write a host such as \"cdn.example.com\" or a wildcard such as \"*.example.com\"")
	case strings.TrimSpace(p) != p:
		return fail("has leading or trailing spaces; remove them")
	case strings.IndexFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fail("contains whitespace or control characters")
	case strings.Contains(p, "://"):
		if u, err := url.Parse(p); err == nil && u.Host != "" && u.User == nil {
			return fail("is a URL; write only its host, for example %q", u.Host)
		}
		return fail("is a URL; write only its host, such as \"cdn.example.com\"")
	case strings.ContainsAny(p, "/\\"):
		return fail("contains a path or a slash; write only the host, such as \"cdn.example.com\"")
	case strings.ContainsAny(p, "?#"):
		return fail("contains a query or fragment; write only the host, such as \"cdn.example.com\"")
	case strings.Contains(p, "@"):
		return fail("contains user info ('@'); write only the host, such as \"cdn.example.com\"")
	case strings.Contains(p, "%"):
		return fail("is percent-encoded; write the host name itself")
	case p == "*" || strings.HasPrefix(p, "*:"):
		return fail("would allow every host; to allow any host leave the allow-list unset")
	}

	if strings.HasPrefix(p, "*.[") {
		return fail("puts a wildcard in front of an IP address; list the address itself")
	}
	hostPart, portPart, hasPort, err := splitHostPort(p)
	if err != nil {
		return fail("%s", err)
	}
	var pat pattern
	if hasPort {
		port, ok := parsePort(portPart, false)
		if !ok {
			return fail("has port %q; a port must be a number from 1 to 65535", portPart)
		}
		pat.port = port
	}

	if rest, ok := strings.CutPrefix(hostPart, "*."); ok {
		if rest == "" {
			return fail("has nothing after \"*.\"; write a domain, as in \"*.example.com\"")
		}
		pat.wildcard = true
		hostPart = rest
	}
	if strings.Contains(hostPart, "*") {
		return fail("may use '*' only as the whole first label, as in \"*.example.com\"")
	}
	host, err := CanonicalHost(hostPart)
	if err != nil {
		var he *HostError
		if errors.As(err, &he) {
			if he.Canonical != "" {
				canonical := strings.Replace(p, hostPart, he.Canonical, 1)
				return fail("is read as %q once full-width letters, ideographic full stops, invisible characters and "+
					"non-ASCII upper case are folded; write it as %q", canonical, canonical)
			}
			return fail("%s", he.Reason)
		}
		return fail("is not a valid host: %v", err)
	}
	if pat.wildcard {
		if _, err := netip.ParseAddr(host); err == nil {
			return fail("puts a wildcard in front of an IP address; list the address itself")
		}
		if !strings.Contains(host, ".") {
			return fail("would allow every host under the top-level domain %q; name a domain with at least two labels, such as \"*.example.%s\"", host, host)
		}
	}
	pat.host = host
	return pat, nil
}

// splitHostPort splits a pattern into host and port. IPv6 addresses need brackets when a port
// follows, and the pattern insists on them whenever it sees more than one colon, so that
// "2001:db8::1:443" cannot mean two things.
func splitHostPort(p string) (host, port string, hasPort bool, err error) {
	if strings.HasPrefix(p, "[") {
		end := strings.Index(p, "]")
		if end < 0 {
			return "", "", false, errors.New("has an opening '[' without a closing ']'")
		}
		host, rest := p[:end+1], p[end+1:]
		if rest == "" {
			return host, "", false, nil
		}
		port, ok := strings.CutPrefix(rest, ":")
		if !ok {
			return "", "", false, errors.New("has text after ']' that is not a port")
		}
		return host, port, true, nil
	}
	switch strings.Count(p, ":") {
	case 0:
		return p, "", false, nil
	case 1:
		host, port, _ := strings.Cut(p, ":")
		return host, port, true, nil
	default:
		return "", "", false, errors.New("looks like an IPv6 address; put it in brackets, as in \"[2001:db8::1]\" or \"[2001:db8::1]:8443\"")
	}
}

// parsePort parses a decimal port number from 1 to 65535. Leading zeros are refused in
// configuration (lenient=false) but accepted in URLs, where browsers read "0443" as 443.
func parsePort(s string, lenient bool) (int, bool) {
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, false
	}
	if s[0] == '0' {
		if !lenient {
			return 0, false
		}
		s = strings.TrimLeft(s, "0")
	}
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 65535
}

// DefaultPort returns the port a URL of the given scheme uses when it names none, or 0 when
// the scheme has no default known here.
func DefaultPort(scheme string) int {
	switch strings.ToLower(scheme) {
	case "https", "wss":
		return 443
	case "http", "ws":
		return 80
	}
	return 0
}

// target is the part of a URL that patterns are matched against.
type target struct {
	host string // normalised
	port int    // effective port; 0 when neither the URL nor its scheme gives one
	def  int    // the scheme's default port, or 0
}

func targetOf(u *url.URL) (target, bool) {
	if u == nil || u.User != nil || u.Opaque != "" || u.Host == "" {
		return target{}, false
	}
	host, err := NormalizeHost(urlHostname(u))
	if err != nil {
		return target{}, false
	}
	t := target{host: host, def: DefaultPort(u.Scheme)}
	t.port = t.def
	if p := u.Port(); p != "" {
		n, ok := parsePort(p, true)
		if !ok {
			return target{}, false
		}
		t.port = n
	}
	return t, true
}

// urlHostname is u.Hostname() with the brackets kept, so that NormalizeHost accepts only IPv6
// addresses inside them, as browsers do ("[127.0.0.1]" is no host at all to a browser).
func urlHostname(u *url.URL) string {
	if strings.HasPrefix(u.Host, "[") {
		return "[" + u.Hostname() + "]"
	}
	return u.Hostname()
}

func (p pattern) matches(t target) bool {
	port := p.port
	if port == 0 {
		port = t.def
	}
	if port != t.port {
		return false
	}
	if p.wildcard {
		return strings.HasSuffix(t.host, "."+p.host)
	}
	return t.host == p.host
}

// Match reports whether u's host and port are allowed by any of patterns, and which pattern (as
// given) allowed them. It never matches a URL with user info, an opaque URL, or a host that
// NormalizeHost refuses. Invalid patterns never match anything; check configuration with
// ValidatePattern so they are reported instead of silently ignored.
func Match(u *url.URL, patterns []string) (matched string, ok bool) {
	t, ok := targetOf(u)
	if !ok {
		return "", false
	}
	for _, raw := range patterns {
		p, err := parsePattern(raw)
		if err != nil {
			continue
		}
		if p.matches(t) {
			return raw, true
		}
	}
	return "", false
}

// Hint explains a near miss when Match refused u: a wildcard whose own domain is the host
// (wildcards match only below their domain), or an allowed host on another port. It returns ""
// when there is nothing more useful to say than "not allowed". Callers append it to their error.
func Hint(u *url.URL, patterns []string) string {
	t, ok := targetOf(u)
	if !ok {
		return ""
	}
	for _, raw := range patterns {
		p, err := parsePattern(raw)
		if err != nil {
			continue
		}
		if p.wildcard && t.host == p.host {
			return fmt.Sprintf("%q matches hosts below %s but not %s itself; list %q as well", raw, p.host, p.host, u.Host)
		}
		moved := p
		moved.port = t.port
		if moved.matches(t) {
			if p.port == 0 && t.def == 0 {
				return fmt.Sprintf("%q allows only URLs without a port; list %q to allow port %d", raw, u.Host, t.port)
			}
			if p.port == 0 {
				return fmt.Sprintf("%q allows only the default port %d; list %q to allow port %d", raw, t.def, u.Host, t.port)
			}
			return fmt.Sprintf("%q allows only port %d", raw, p.port)
		}
	}
	return ""
}
