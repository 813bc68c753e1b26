package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// sandboxTokens are the iframe sandbox tokens a custom client application may ask for.
var sandboxTokens = []string{
	"allow-forms", "allow-modals", "allow-popups", "allow-popups-to-escape-sandbox",
	"allow-same-origin", "allow-scripts", "allow-downloads", "allow-top-navigation",
	"allow-top-navigation-by-user-activation", "allow-storage-access-by-user-activation",
	"allow-presentation", "allow-orientation-lock", "allow-pointer-lock",
}

// permissionNames are the iframe permissions (allow attribute) a custom client application may ask for.
var permissionNames = []string{"camera", "microphone", "geolocation", "clipboard-write", "fullscreen", "display-capture"}

// displayTypes are the values of the displayType property of a client application.
var displayTypes = []string{"standalone", "widget"}

// propertyKind says how a configuration property is checked.
type propertyKind int

const (
	propURL          propertyKind = iota // an absolute https URL (may carry {{placeholders}})
	propString                           // any string
	propDisplayType                      // one of displayTypes
	propSandbox                          // comma-separated sandboxTokens
	propPermissions                      // comma-separated permissionNames
	propStringList                       // a JSON array of strings
	propStringOrList                     // a JSON array of strings, or a comma-separated string
)

// propertySchemas lists the properties each integration type accepts; any other is rejected,
// so a misspelt property is an error rather than a setting that silently does nothing.
var propertySchemas = map[string]map[string]propertyKind{
	TypeClientApp: {
		"url": propURL, "displayType": propDisplayType, "featureCategory": propString,
		"sandbox": propSandbox, "permissions": propPermissions, "groups": propStringList,
	},
	TypeInteractionWidget: {
		"url": propURL, "sandbox": propSandbox, "permissions": propPermissions, "groups": propStringList,
		"communicationTypeFilter": propString, "queueIdFilterList": propStringOrList,
	},
}

// validateProperties checks a configuration's properties against its integration type.
// null is accepted for every property (the real API sends "permissions": null).
func validateProperties(typeID string, props map[string]any) []fieldError {
	schema := propertySchemas[typeID]
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys) // errors in a stable order
	var out []fieldError
	for _, k := range keys {
		v := props[k]
		field := "properties." + k
		kind, known := schema[k]
		if !known {
			out = append(out, fieldError{field, fmt.Sprintf("is not a property of %s", typeID)})
			continue
		}
		if v == nil {
			continue
		}
		if msg := checkProperty(kind, v); msg != "" {
			out = append(out, fieldError{field, msg})
		}
	}
	return out
}

func checkProperty(kind propertyKind, v any) string {
	switch kind {
	case propStringList:
		return checkStringList(v)
	case propStringOrList:
		if _, ok := v.(string); ok {
			return ""
		}
		return checkStringList(v)
	}
	s, ok := v.(string)
	if !ok {
		return "must be a string"
	}
	switch kind {
	case propURL:
		return checkHTTPSURL(s)
	case propDisplayType:
		if !slices.Contains(displayTypes, s) {
			return fmt.Sprintf("%q is not one of %s", s, strings.Join(displayTypes, ", "))
		}
	case propSandbox:
		return checkTokenList(s, sandboxTokens, "sandbox token")
	case propPermissions:
		return checkTokenList(s, permissionNames, "permission")
	}
	return ""
}

func checkStringList(v any) string {
	list, ok := v.([]any)
	if !ok {
		return "must be a JSON array of strings"
	}
	for i, e := range list {
		if s, ok := e.(string); !ok || s == "" {
			return fmt.Sprintf("element %d must be a non-empty string", i)
		}
	}
	return ""
}

// checkHTTPSURL accepts absolute https URLs with a host. Template placeholders such as
// {{gcConversationId}} are legal: the agent desktop fills them in before loading the page.
func checkHTTPSURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "must not be empty"
	case err != nil:
		return "is not a valid URL"
	case !u.IsAbs() || u.Host == "":
		return fmt.Sprintf("%q is not an absolute URL", s)
	case u.Scheme != "https":
		return fmt.Sprintf("%q must use https", s)
	case u.User != nil:
		return "must not carry credentials"
	}
	return ""
}

// checkTokenList accepts a comma-separated list (spaces around commas allowed) of known tokens.
// The empty string is the empty list.
func checkTokenList(s string, allowed []string, what string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	for _, tok := range strings.Split(s, ",") {
		tok = strings.TrimSpace(tok)
		switch {
		case tok == "":
			return "has an empty entry"
		case !slices.Contains(allowed, tok):
			return fmt.Sprintf("unknown %s %q", what, tok)
		}
	}
	return ""
}
