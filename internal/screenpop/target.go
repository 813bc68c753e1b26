package screenpop

import (
	"fmt"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// URLError reports a target URL that is well-formed but not acceptable.
type URLError struct{ Reason string }

func (e *URLError) Error() string { return e.Reason }

// DomainError reports a target URL whose host is not on the allowed domains.
type DomainError = hostmatch.NotAllowedError

// CheckTargetURL checks the URL a screen pop opens: an absolute https URL of at most
// MaxURLLength bytes whose host is matched by one of allowedDomains (host patterns of package
// hostmatch: "app.example.com", "*.example.com", with optional ports). Matching is on whole
// labels of the normalised host, so neither "app.example.com.evil.net",
// "app.example.com@evil.net" nor "app.example.comevil.net" passes for "app.example.com". An
// empty allow-list allows any https host. Malformed URLs are *hostmatch.URLError.
func CheckTargetURL(raw string, allowedDomains []string) error {
	if len(raw) > MaxURLLength {
		return &URLError{Reason: fmt.Sprintf("URL is %d bytes long; the limit is %d bytes, customer context included; shorten it", len(raw), MaxURLLength)}
	}
	u, err := hostmatch.ParseURL(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "https" {
		return &URLError{Reason: fmt.Sprintf("URL scheme is %q; a screen pop opens only https URLs, so use an https:// URL", u.Scheme)}
	}
	if len(allowedDomains) == 0 {
		return nil
	}
	if _, ok := hostmatch.Match(u, allowedDomains); ok {
		return nil
	}
	return hostmatch.NotAllowed(u, allowedDomains, "screen pop domain")
}
