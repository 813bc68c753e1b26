// Package widget holds the rules a Genesys Cloud custom agent widget (a "custom client
// application" integration) must follow: its type, the iframe sandbox tokens and permissions
// Genesys Cloud accepts, where its manifest may be hosted, and the render and size limits of the
// sandbox. The same functions serve plan-time validation and the check the provider runs before
// its first request at apply (for values that were unknown at plan), so a widget that passes at
// plan time is the widget that is sent.
//
// Error messages are written to stand as the detail of a diagnostic whose summary names the
// attribute ("Invalid manifest_url"): they start in lower case, describe the value, and say how
// to fix it. They never repeat a whole URL, whose query may carry credentials (a pre-signed
// manifest URL, for instance); they name its host instead.
package widget

import (
	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
)

// Widget types as written in configuration.
const (
	TypeWebapp      = "webapp"      // a widget or standalone app in the agent desktop
	TypeIntegration = "integration" // a widget shown beside an interaction
)

// Display types (the displayType property).
const (
	DisplayStandalone = "standalone"
	DisplayWidget     = "widget"
)

// Statuses as written in configuration; active maps to intendedState ENABLED.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

var integrationTypes = map[string]string{
	TypeWebapp:      client.TypeEmbeddedClientApp,
	TypeIntegration: client.TypeInteractionWidget,
}

// IntegrationTypeFor returns the Genesys Cloud integration type id for a widget type.
func IntegrationTypeFor(t string) (string, bool) {
	id, ok := integrationTypes[t]
	return id, ok
}

// TypeForIntegration returns the widget type for a Genesys Cloud integration type id, so that a
// read or an import can tell which kind of widget it found.
func TypeForIntegration(id string) (string, bool) {
	for t, i := range integrationTypes {
		if i == id {
			return t, true
		}
	}
	return "", false
}

// The vocabularies below are sorted, ready for stringvalidator.OneOf(widget.SandboxTokens...).
// They are shared: treat them as read-only (slices.Clone before changing one).
var (
	// Types are the widget types.
	Types = []string{TypeIntegration, TypeWebapp}

	// DisplayTypes are the values of the displayType property.
	DisplayTypes = []string{DisplayStandalone, DisplayWidget}

	// Statuses are the widget statuses.
	Statuses = []string{StatusActive, StatusInactive}

	// SandboxTokens are the iframe sandbox tokens the Genesys Cloud client application frame
	// accepts.
	SandboxTokens = []string{
		"allow-downloads",
		"allow-forms",
		"allow-modals",
		"allow-orientation-lock",
		"allow-pointer-lock",
		"allow-popups",
		"allow-popups-to-escape-sandbox",
		"allow-presentation",
		"allow-same-origin",
		"allow-scripts",
		"allow-storage-access-by-user-activation",
		"allow-top-navigation",
		"allow-top-navigation-by-user-activation",
	}

	// CommunicationTypes are the kinds of conversation an interaction widget can be limited to
	// (the communicationTypeFilter property).
	CommunicationTypes = []string{"call", "callback", "chat", "email", "message", "socialExpression", "video"}

	// DefaultSandbox is the sandbox Genesys Cloud recommends for a new client application.
	DefaultSandbox = []string{"allow-forms", "allow-modals", "allow-popups", "allow-same-origin", "allow-scripts"}

	// Permissions are the iframe permissions (the allow attribute) a client application may be
	// granted.
	Permissions = []string{"camera", "clipboard-write", "display-capture", "fullscreen", "geolocation", "microphone"}
)
