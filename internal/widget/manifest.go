package widget

import (
	"fmt"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// MaxManifestURLLength bounds a manifest URL, in bytes. 2048 is what every browser and
// intermediary is known to handle, and far more than a manifest location needs.
const MaxManifestURLLength = 2048

// ValidateManifestURL checks that raw can be the URL Genesys Cloud loads a widget from: an
// absolute https URL of at most MaxManifestURLLength bytes, with a host and without user info.
// A fragment is allowed: single-page apps route by it (".../#/agent"), and it is not part of the
// origin. The errors are *hostmatch.URLError for malformed URLs and *URLError otherwise.
func ValidateManifestURL(raw string) error {
	if len(raw) > MaxManifestURLLength {
		return &URLError{Reason: fmt.Sprintf("URL is %d bytes long; the limit is %d bytes; shorten it", len(raw), MaxManifestURLLength)}
	}
	u, err := hostmatch.ParseURL(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "https" {
		return &URLError{Reason: fmt.Sprintf("URL scheme is %q; Genesys Cloud loads widgets only over https, so use an https:// URL", u.Scheme)}
	}
	return nil
}

// URLError reports a manifest URL that is well-formed but not acceptable.
type URLError struct{ Reason string }

func (e *URLError) Error() string { return e.Reason }

// OriginError reports a manifest URL whose host is not on the allowed origins.
type OriginError = hostmatch.NotAllowedError

// CheckOrigin checks that the manifest URL raw is hosted on an origin allowed by the host patterns
// (see package hostmatch). An empty allow-list allows any host. A URL that ValidateManifestURL
// would refuse is refused here too, with the same error, so that no allow-list check can pass
// on a URL whose host is ambiguous.
func CheckOrigin(raw string, allowedPatterns []string) error {
	u, err := hostmatch.ParseURL(raw)
	if err != nil {
		return err
	}
	if len(allowedPatterns) == 0 {
		return nil
	}
	if _, ok := hostmatch.Match(u, allowedPatterns); ok {
		return nil
	}
	return hostmatch.NotAllowed(u, allowedPatterns, "origin")
}
