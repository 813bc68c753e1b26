package audit

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// redacted replaces whatever must not be written.
const redacted = "REDACTED"

// maxFieldBytes bounds every text field of an entry, so that one runaway error message cannot
// make a line too large to be appended in one write.
const maxFieldBytes = 4096

// scrubEntry removes from e anything that may carry a session token, customer data or
// credentials. target_url is a URL: its whole fragment goes unless it is already redacted to
// "key=REDACTED" pairs. Free text may quote URLs (Go's HTTP errors do): their fragments and user
// info go too, and so does any sessionToken=value outside a URL.
func scrubEntry(e *Entry) {
	e.TargetURL = truncate(scrubTokens(scrubURL(e.TargetURL)))
	for _, f := range []*string{
		&e.Operation, &e.WidgetID, &e.WidgetName, &e.Environment, &e.Status, &e.CorrelationID,
		&e.Error, &e.UserID, &e.IdempotencyKey, &e.PopID,
	} {
		*f = truncate(scrubText(*f))
	}
}

// scrubURL redacts the fragment and the user info of a URL written as text.
func scrubURL(s string) string {
	base, frag, hasFrag := strings.Cut(s, "#")
	base = scrubUserinfo(base)
	if !hasFrag {
		return base
	}
	if isRedactedFragment(frag) {
		return base + "#" + frag
	}
	return base + "#" + redacted
}

// scrubUserinfo replaces everything before the last "@" of a URL's authority.
func scrubUserinfo(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	start := i + 3
	end := len(s)
	if j := strings.IndexAny(s[start:], "/?#"); j >= 0 {
		end = start + j
	}
	at := strings.LastIndex(s[start:end], "@")
	if at < 0 {
		return s
	}
	return s[:start] + redacted + s[start+at:]
}

// isRedactedFragment reports whether a fragment is "REDACTED" or key=REDACTED pairs with plain
// keys, the forms screenpop.RedactURL writes.
func isRedactedFragment(frag string) bool {
	if frag == redacted {
		return true
	}
	for part := range strings.SplitSeq(frag, "&") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || k == "" || v != redacted || strings.IndexFunc(k, notPlainKey) >= 0 {
			return false
		}
	}
	return true
}

func notPlainKey(r rune) bool {
	return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~%", r))
}

var (
	// A URL in free text: a scheme, "://", and everything up to a space or a quote.
	urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>` + "`" + `]*`)
	// A session token outside any URL.
	tokenInText = regexp.MustCompile(`(sessionToken=)[^&\s"'<>` + "`" + `]*`)
)

// ScrubText is free text as the audit log writes it, for other records of the same events (the
// widget webhook): no URL fragment, user info or session token, and at most maxFieldBytes.
func ScrubText(s string) string { return truncate(scrubText(s)) }

func scrubText(s string) string {
	if s == "" {
		return s
	}
	return scrubTokens(urlInText.ReplaceAllStringFunc(s, scrubURL))
}

func scrubTokens(s string) string {
	return tokenInText.ReplaceAllStringFunc(s, func(m string) string {
		if m == "sessionToken="+redacted {
			return m
		}
		return "sessionToken=" + redacted
	})
}

// truncate cuts s to at most maxFieldBytes on a rune boundary, saying so.
func truncate(s string) string {
	if len(s) <= maxFieldBytes {
		return s
	}
	const mark = "…(truncated)"
	cut := maxFieldBytes - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
