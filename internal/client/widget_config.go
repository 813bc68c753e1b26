package client

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// The names a custom client application's configuration uses on the wire. Properties are strings,
// lists among them joined by commas, except groups and queueIdFilterList, which are JSON arrays;
// the render settings travel in advanced, which the API keeps as free JSON. This file is the only
// place that knows them: callers speak WidgetConfig.
const (
	propURL                = "url"
	propDisplayType        = "displayType"
	propSandbox            = "sandbox"
	propPermissions        = "permissions"
	propGroups             = "groups"
	propCommunicationTypes = "communicationTypeFilter"
	propQueueIDs           = "queueIdFilterList"
	advDimensions          = "dimensions"
	advDimensionsWidth     = "width"
	advDimensionsHeight    = "height"
	advRefreshIntervalMs   = "refreshIntervalMs"
)

// WidgetConfig is the configuration of a custom agent widget (a custom client application
// integration) in typed form. IntegrationConfig encodes it into the body the config PUT sends;
// DecodeWidgetConfig reads it back from what the API answers.
type WidgetConfig struct {
	Name    string
	Notes   string
	Version int // the version the PUT replaces; the API answers with the next one

	// Interaction is true for an integration of type TypeInteractionWidget. Such a widget always
	// shows beside a conversation, so it has no displayType; only it filters by conversation.
	Interaction bool

	URL         string
	DisplayType string // "" when the integration has none (interaction widgets)
	Sandbox     []string
	Permissions []string
	Groups      []string

	CommunicationTypes []string // interaction widgets only
	QueueIDs           []string // interaction widgets only

	Dimensions        *Dimensions // nil: the widget asks for no render frame
	RefreshIntervalMs int64       // 0: the widget does not refresh
}

// Dimensions is the render frame a widget asks for, in pixels.
type Dimensions struct {
	Width, Height int64
}

// IntegrationConfig is the body of the config PUT for w. Lists are written in the order given
// (callers sort them when the order carries no meaning) and are never null: an empty list is "" or
// [] as its property's form requires.
func (w WidgetConfig) IntegrationConfig() IntegrationConfig {
	properties := map[string]any{
		propURL:         w.URL,
		propSandbox:     FormatList(w.Sandbox),
		propPermissions: FormatList(w.Permissions),
		propGroups:      nonNil(w.Groups),
	}
	if w.Interaction {
		properties[propCommunicationTypes] = FormatList(w.CommunicationTypes)
		properties[propQueueIDs] = nonNil(w.QueueIDs)
	} else {
		properties[propDisplayType] = w.DisplayType
	}
	advanced := map[string]any{}
	if w.Dimensions != nil {
		advanced[advDimensions] = map[string]any{advDimensionsWidth: w.Dimensions.Width, advDimensionsHeight: w.Dimensions.Height}
	}
	if w.RefreshIntervalMs > 0 {
		advanced[advRefreshIntervalMs] = w.RefreshIntervalMs
	}
	return IntegrationConfig{
		Name:        w.Name,
		Notes:       w.Notes,
		Version:     w.Version,
		Properties:  properties,
		Advanced:    advanced,
		Credentials: map[string]any{},
	}
}

// DecodeWidgetConfig reads the configuration of an integration of the given type (Integration's
// IntegrationType.ID). It is lenient, as it must be for configurations written by hand in the
// Genesys Cloud admin UI or by other tools: a property of the wrong JSON type reads as empty, a list
// may come as a comma list or a JSON array, and numbers may be written as JSON numbers or strings.
// Lists come back in the order the API gives them, never nil.
func DecodeWidgetConfig(cfg IntegrationConfig, integrationType string) WidgetConfig {
	p, a := cfg.Properties, cfg.Advanced
	w := WidgetConfig{
		Name:               cfg.Name,
		Notes:              cfg.Notes,
		Version:            cfg.Version,
		Interaction:        integrationType == TypeInteractionWidget,
		URL:                stringProp(p, propURL),
		Sandbox:            listProp(p, propSandbox),
		Permissions:        listProp(p, propPermissions),
		Groups:             listProp(p, propGroups),
		CommunicationTypes: listProp(p, propCommunicationTypes),
		QueueIDs:           listProp(p, propQueueIDs),
	}
	if !w.Interaction {
		w.DisplayType = stringProp(p, propDisplayType)
	}
	if dims, ok := a[advDimensions].(map[string]any); ok {
		w.Dimensions = &Dimensions{Width: int64Of(dims[advDimensionsWidth]), Height: int64Of(dims[advDimensionsHeight])}
	}
	w.RefreshIntervalMs = int64Of(a[advRefreshIntervalMs])
	return w
}

// FormatList writes a list the way comma-list properties (sandbox, permissions,
// communicationTypeFilter) carry it: comma-separated, without spaces, in the order given.
func FormatList(items []string) string { return strings.Join(items, ",") }

// ParseList reads a comma-list property, tolerating the spaces and empty entries that
// hand-edited configurations contain. An empty property is an empty list, never nil.
func ParseList(s string) []string { return trimmed(strings.Split(s, ",")) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func stringProp(props map[string]any, key string) string {
	s, _ := props[key].(string)
	return s
}

// listProp reads a list property, which may be a JSON array, read as it is (entries that are not
// strings are skipped), or a comma list.
func listProp(props map[string]any, key string) []string {
	switch v := props[key].(type) {
	case []any:
		items := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				items = append(items, s)
			}
		}
		return items
	case []string:
		return slices.Clone(v)
	case string:
		return ParseList(v)
	}
	return []string{}
}

// trimmed is items without surrounding spaces and without empty entries, never nil.
func trimmed(items []string) []string {
	out := make([]string, 0, len(items))
	for _, item := range items {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// int64Of reads a whole number: a JSON number (float64 once decoded into map[string]any), a Go
// integer (a config built in memory) or a decimal string. Anything else, including fractions and
// values beyond int64, reads as 0.
func int64Of(v any) int64 {
	switch n := v.(type) {
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n)
		}
	case int64:
		return n
	case int:
		return int64(n)
	case string:
		if i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
			return i
		}
	}
	return 0
}
