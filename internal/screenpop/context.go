package screenpop

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxURLLength bounds a target URL with its customer context, in bytes. 8 KiB is the default
// request-line limit of common web servers and proxies, so every hop between the screen pop
// service and the agent's browser carries it intact; data that does not fit belongs behind an id
// the app looks up, not in a URL.
const MaxURLLength = 8192

// SessionTokenKey is the fragment key of the session token.
const SessionTokenKey = "sessionToken"

// Redacted replaces every fragment value in RedactURL.
const Redacted = "REDACTED"

// Part names the input of a screen pop that a *ContextError is about, so a caller can point at
// the attribute or field the user wrote.
type Part int

const (
	PartTarget       Part = iota + 1 // the target URL
	PartCustomerData                 // the customer data
	PartSessionToken                 // the session token
)

// ContextError reports context that cannot be added to a target URL. Its message names keys but
// never a value or the token.
type ContextError struct {
	Part   Part   // the input to change
	Key    string // the customer data key concerned, if any
	Reason string
}

func (e *ContextError) Error() string { return e.Reason }

func contextErr(part Part, key, format string, args ...any) error {
	return &ContextError{Part: part, Key: key, Reason: fmt.Sprintf(format, args...)}
}

// InjectContext returns target with the session token and the customer data in its fragment,
// where they reach the app in the agent's browser but are never sent to a server or written to
// an access log.
//
// The fragment is application/x-www-form-urlencoded key=value pairs joined by "&", in a fixed
// order: the target's own fragment pairs first (kept byte for byte), then sessionToken (left out
// when empty), then the customer data keys sorted. Keys and values are percent-encoded except for
// the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~); a space is "%20", never "+", so both
// decodeURIComponent and URLSearchParams read the values back unchanged, and so does
// ParseContext. Everything before the fragment is kept byte for byte.
//
// A target that already has a fragment of key=value pairs keeps it, and the context is merged
// after it; keys may not repeat.
//
// It refuses a target whose fragment is not key=value pairs (a single-page app route such as
// "#/agent"), a customer data key that is empty, equal to sessionToken, or already in the
// target's fragment, text that is not valid UTF-8, and a result longer than MaxURLLength. Every
// error is a *ContextError naming the Part to change; it names keys but never a value or the
// token.
func InjectContext(target string, sessionToken string, customerData map[string]string) (string, error) {
	base, frag, _ := strings.Cut(target, "#")
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", contextErr(PartTarget, "", `target URL must be an absolute URL such as "https://app.example.com/agent-view"`)
	}
	var existing []pair
	if frag != "" {
		existing, err = parseForm(frag)
		if err != nil {
			return "", contextErr(PartTarget, "", "target URL has a fragment that is not key=value pairs (such as a page route after '#'), so the customer context cannot be added to it; remove the fragment or make it key=value pairs")
		}
	}
	taken := make(map[string]bool, len(existing)+1)
	for _, p := range existing {
		taken[p.key] = true
	}

	var parts []string
	if frag != "" {
		parts = append(parts, frag)
	}
	if sessionToken != "" {
		if taken[SessionTokenKey] {
			return "", contextErr(PartTarget, SessionTokenKey, "target URL's fragment already has a %s; remove it from the target URL", SessionTokenKey)
		}
		if !utf8.ValidString(sessionToken) {
			return "", contextErr(PartSessionToken, "", "the session token is not valid UTF-8")
		}
		parts = append(parts, SessionTokenKey+"="+escape(sessionToken))
	}
	keys := make([]string, 0, len(customerData))
	for k := range customerData {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch {
		case k == "":
			return "", contextErr(PartCustomerData, k, "customer data has an empty key; every value needs a name")
		case !utf8.ValidString(k):
			return "", contextErr(PartCustomerData, k, "customer data key %q is not valid UTF-8", k)
		case k == SessionTokenKey:
			return "", contextErr(PartCustomerData, k, "customer data key %q is reserved for the session token; rename it", k)
		case taken[k]:
			return "", contextErr(PartCustomerData, k, "customer data key %q is already in the target URL's fragment; rename it or remove it from the target URL", k)
		case !utf8.ValidString(customerData[k]):
			return "", contextErr(PartCustomerData, k, "customer data value of key %q is not valid UTF-8", k)
		}
		parts = append(parts, escape(k)+"="+escape(customerData[k]))
	}
	if len(parts) == 0 {
		return target, nil
	}
	out := base + "#" + strings.Join(parts, "&")
	if len(out) > MaxURLLength {
		return "", sizeError(out, target, sessionToken, customerData)
	}
	return out, nil
}

// RedactURL returns raw fit for logs and the audit trail: every value in its fragment replaced
// by REDACTED with the keys kept ("#sessionToken=REDACTED&customer_id=REDACTED"), so a reader
// still sees which context a pop carried; a fragment that is not key=value pairs becomes
// "#REDACTED" as a whole; user info becomes REDACTED. A URL that cannot be parsed and has user
// info is replaced entirely.
func RedactURL(raw string) string {
	base, frag, hasFrag := strings.Cut(raw, "#")
	if strings.Contains(base, "@") {
		u, err := url.Parse(base)
		switch {
		case err != nil:
			base = Redacted
		case u.User != nil:
			u.User = url.User(Redacted)
			base = u.String()
		}
	}
	if !hasFrag || frag == "" {
		return base
	}
	pairs, err := parseForm(frag)
	if err != nil {
		return base + "#" + Redacted
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = escape(p.key) + "=" + Redacted
	}
	return base + "#" + strings.Join(parts, "&")
}

type pair struct{ key, value string }

var errNotForm = errors.New("fragment is not key=value pairs joined by '&'")

// parseForm reads form-encoded pairs strictly: only characters RFC 3986 allows in a fragment, no
// empty pairs, every pair has "=", keys are non-empty and unique, escapes are well-formed, and the
// decoded text is valid UTF-8.
func parseForm(s string) ([]pair, error) {
	if strings.IndexFunc(s, notFragmentChar) >= 0 {
		return nil, errors.New("fragment contains characters that must be percent-encoded")
	}
	var pairs []pair
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, "&") {
		rawKey, rawValue, ok := strings.Cut(part, "=")
		if !ok || rawKey == "" {
			return nil, errNotForm
		}
		key, err := unescape(rawKey)
		if err != nil {
			return nil, err
		}
		value, err := unescape(rawValue)
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, fmt.Errorf("fragment has the key %q more than once", key)
		}
		seen[key] = true
		pairs = append(pairs, pair{key, value})
	}
	return pairs, nil
}

// escape percent-encodes everything but the RFC 3986 unreserved characters.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// notFragmentChar reports a character RFC 3986 does not allow as such in a fragment ("%" is
// allowed here; unescape checks the escapes).
func notFragmentChar(r rune) bool {
	switch {
	case 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		return false
	case strings.ContainsRune("-._~!$&'()*+,;=:@/?%", r):
		return false
	}
	return true
}

func unescape(s string) (string, error) {
	v, err := url.QueryUnescape(s)
	if err != nil {
		return "", errors.New("fragment has a malformed percent-escape")
	}
	if !utf8.ValidString(v) {
		return "", errors.New("fragment decodes to text that is not valid UTF-8")
	}
	return v, nil
}

// sizeError reports a URL with context over MaxURLLength, saying what made it long, in bytes:
// the target itself, the session token, and the largest customer data values.
func sizeError(out, target, sessionToken string, data map[string]string) error {
	tokenBytes := 0
	if sessionToken != "" {
		tokenBytes = len(SessionTokenKey) + 2 + len(escape(sessionToken))
	}
	dataBytes := len(out) - len(target) - tokenBytes
	type share struct {
		key   string
		bytes int
	}
	var shares []share
	for k, v := range data {
		shares = append(shares, share{k, len(escape(k)) + 2 + len(escape(v))})
	}
	slices.SortFunc(shares, func(a, b share) int {
		if a.bytes != b.bytes {
			return b.bytes - a.bytes
		}
		return strings.Compare(a.key, b.key)
	})
	var largest []string
	for i, sh := range shares {
		if i == 3 {
			break
		}
		largest = append(largest, fmt.Sprintf("%q %d", sh.key, sh.bytes))
	}
	part, fix := PartCustomerData, "shorten the customer data, or pass an id the app can look the data up by"
	switch {
	case len(target) >= dataBytes && len(target) >= tokenBytes:
		part, fix = PartTarget, "shorten the target URL"
	case tokenBytes > dataBytes:
		part, fix = PartSessionToken, "use a shorter session token"
	}
	detail := fmt.Sprintf("the target URL is %d bytes, the session token adds %d and the customer data %d", len(target), tokenBytes, dataBytes)
	if len(largest) > 0 {
		detail += " (largest keys, percent-encoded: " + strings.Join(largest, ", ") + ")"
	}
	return contextErr(part, "", "target URL with its customer context is %d bytes, over the limit of %d bytes: %s; %s",
		len(out), MaxURLLength, detail, fix)
}

// MaxUserIDLength bounds a user ID, in bytes. Genesys Cloud user IDs are 36-byte GUIDs; the
// bound leaves room for relays that use their own IDs.
const MaxUserIDLength = 128

// CheckUserID checks that id can be the ID of the agent a pop is for: it becomes one segment of
// the screen pop URL (/api/v2/users/{userId}/screenpops), so it must be non-empty, at most
// MaxUserIDLength bytes, and free of what would make it another path: "/", "\\", "?", "#", "%",
// white space, control characters, and the segments "." and "..".
func CheckUserID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return errors.New(`user ID is empty; write the agent's user ID, a GUID such as "6f3b3f1e-9b8a-4c53-a1b3-2f0f6d9e2a11"`)
	case len(id) > MaxUserIDLength:
		return fmt.Errorf("user ID is %d bytes long; the limit is %d bytes", len(id), MaxUserIDLength)
	case id == "." || id == "..":
		return fmt.Errorf("user ID %q is a path segment, not an ID; write the agent's user ID", id)
	case strings.ContainsAny(id, "/\\?#%"):
		return fmt.Errorf("user ID %q contains '/', '\\', '?', '#' or '%%', which no user ID has and which would change the "+
			"request's path; write the agent's user ID itself, not a URL or a path", id)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("user ID %q contains white space or control characters; remove them", id)
	case !utf8.ValidString(id):
		return errors.New("user ID is not valid UTF-8")
	}
	return nil
}
