package emulator

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// HostMapSamples is the HostMapping target that serves a host's pages from the emulator's own
// sample apps, so the demo's widget URLs render offline.
const HostMapSamples = "samples"

// HostMapping makes the agent desktop load an app host's pages from somewhere else: the
// emulator's sample apps (Target HostMapSamples) or a local development server (Target a
// loopback http or https base URL). Pattern is a host name or "*.domain", which matches any
// host under domain (at least one label more) but not domain itself. Only the desktop's frames
// are rewritten; the API keeps and answers the configured URLs unchanged.
type HostMapping struct {
	Pattern string
	Target  string
}

// ParseHostMap parses "pattern=target,..." (the program's -host-map flag), for example
// "widgets.example.com=samples,*.cloudfront.net=http://127.0.0.1:3000".
func ParseHostMap(spec string) ([]HostMapping, error) {
	var out []HostMapping
	for i, entry := range splitList(spec) {
		pattern, target, ok := strings.Cut(entry, "=")
		m := HostMapping{Pattern: strings.ToLower(strings.TrimSpace(pattern)), Target: strings.TrimSpace(target)}
		if !ok {
			return nil, fmt.Errorf("host map entry %d (%q): want host=samples or host=http://127.0.0.1:port", i+1, entry)
		}
		if err := m.validate(); err != nil {
			return nil, fmt.Errorf("host map entry %d (%q): %w", i+1, entry, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func (m HostMapping) validate() error {
	host := strings.TrimPrefix(m.Pattern, "*.")
	if host == "" || strings.ContainsAny(host, "*/:@ ") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return errors.New(`the host must be a name such as widgets.example.com or *.cloudfront.net`)
	}
	if m.Target == HostMapSamples {
		return nil
	}
	u, err := url.Parse(m.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return errors.New(`the target must be "samples" or a base URL such as http://127.0.0.1:3000`)
	}
	if !hostmatch.IsLoopback(u.Hostname()) {
		return fmt.Errorf("the target %s is not on this machine: the desktop only loads frames from loopback", u.Host)
	}
	return nil
}

// matches reports whether host (lower case, no port) is covered by the pattern.
func (m HostMapping) matches(host string) bool {
	if domain, ok := strings.CutPrefix(m.Pattern, "*."); ok {
		return strings.HasSuffix(host, "."+domain) && len(host) > len(domain)+1
	}
	return host == m.Pattern
}

// targetOrigin is the origin the mapping loads frames from: appsOrigin for the sample apps.
func (m HostMapping) targetOrigin(appsOrigin string) string {
	if m.Target == HostMapSamples {
		return appsOrigin
	}
	u, _ := url.Parse(m.Target)
	return u.Scheme + "://" + u.Host
}

// mapAppURL returns the address the desktop loads raw from, and where it is served ("" when
// the URL is loaded as configured). Sample apps are served at appsOrigin + /apps/{host}/{path};
// a development server gets the path, query and fragment appended to its base URL.
func mapAppURL(raw string, hostMap []HostMapping, appsOrigin string) (src, servedBy string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw, ""
	}
	host := strings.ToLower(u.Hostname())
	for _, m := range hostMap {
		if !m.matches(host) {
			continue
		}
		tail := u.EscapedPath()
		if tail == "" {
			tail = "/"
		}
		if u.RawQuery != "" {
			tail += "?" + u.RawQuery
		}
		if u.Fragment != "" || u.RawFragment != "" {
			tail += "#" + u.EscapedFragment()
		}
		if m.Target == HostMapSamples {
			return appsOrigin + appsPrefix + host + tail, "sample app"
		}
		return strings.TrimSuffix(m.Target, "/") + tail, m.Target
	}
	return raw, ""
}

// Placeholders Genesys Cloud substitutes in a client application's URL when the agent desktop
// loads it (Genesys' client apps documentation, "URL Interpolation"). The pc* names are the
// older spellings and still honoured.
const (
	PlaceholderConversationID   = "gcConversationId"
	PlaceholderPCConversationID = "pcConversationId"
	PlaceholderHostOrigin       = "gcHostOrigin"
	PlaceholderTargetEnv        = "gcTargetEnv"
	PlaceholderLangTag          = "gcLangTag"
	PlaceholderPCLangTag        = "pcLangTag"
	PlaceholderPCEnvironment    = "pcEnvironment"
	PlaceholderUsePopupAuth     = "gcUsePopupAuth"
)

// The values the emulated desktop fills in: an agent of the us-east-1 production environment
// using the browser client in US English.
const (
	desktopEnvironment = "mypurecloud.com"
	desktopTargetEnv   = "prod"
	desktopLangTag     = "en-US"
)

// placeholderValues are what the desktop at hostOrigin substitutes; conversationID is "" outside
// a conversation.
func placeholderValues(hostOrigin, conversationID string) map[string]string {
	return map[string]string{
		PlaceholderConversationID:   conversationID,
		PlaceholderPCConversationID: conversationID,
		PlaceholderHostOrigin:       hostOrigin,
		PlaceholderTargetEnv:        desktopTargetEnv,
		PlaceholderLangTag:          desktopLangTag,
		PlaceholderPCLangTag:        strings.ToLower(desktopLangTag),
		PlaceholderPCEnvironment:    desktopEnvironment,
		PlaceholderUsePopupAuth:     "false",
	}
}

// fillPlaceholders replaces every {{name}} of values in raw with the value, query-escaped (the
// placeholders stand in query values, and gcHostOrigin is a URL). Unknown {{names}} are left
// as they are, so an app that shows them reveals a misspelt placeholder.
func fillPlaceholders(raw string, values map[string]string) string {
	if !strings.Contains(raw, "{{") {
		return raw
	}
	var b strings.Builder
	rest := raw
	for {
		start := strings.Index(rest, "{{")
		if start < 0 {
			break
		}
		end := strings.Index(rest[start:], "}}")
		if end < 0 {
			break
		}
		name := rest[start+2 : start+end]
		b.WriteString(rest[:start])
		if v, ok := values[strings.TrimSpace(name)]; ok {
			b.WriteString(url.QueryEscape(v))
		} else {
			b.WriteString(rest[start : start+end+2])
		}
		rest = rest[start+end+2:]
	}
	b.WriteString(rest)
	return b.String()
}
