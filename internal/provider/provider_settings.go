package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

// Environment variables the provider block falls back to.
const (
	envClientID      = "GENESYS_CLIENT_ID"
	envClientSecret  = "GENESYS_CLIENT_SECRET"
	envEnvironment   = "GENESYS_ENVIRONMENT"
	envAPIURL        = "GENESYS_API_URL"
	envLoginURL      = "GENESYS_LOGIN_URL"
	envSigningSecret = "GENESYS_SCREENPOP_SIGNING_SECRET"
	envAuditLog      = "GENESYS_AUDIT_LOG"
)

// checkEnvironment refuses what is not a region domain, or, with api_url set (anyDomain), what
// is not a domain name at all: the value then names only the login service,
// https://login.{value}, and may be a Genesys environment the region list does not hold. The
// value is repeated only when it is a domain name: anything else may be a URL carrying
// credentials, which no diagnostic may echo.
func checkEnvironment(env string, anyDomain bool) error {
	domain := hostmatch.IsDomainName(env)
	if client.IsRegion(env) || (anyDomain && domain) {
		return nil
	}
	if anyDomain {
		return errors.New("the value is not a domain name such as mypurecloud.com. With api_url set, environment " +
			"only names the login service (https://login.{environment}): set it to a domain, or remove it and set " +
			"login_url")
	}
	what := "the value (it looks like a URL or holds characters no domain has)"
	if domain {
		what = strconv.Quote(env)
	}
	return fmt.Errorf("%s is not a Genesys Cloud region domain. Use one of %s, or set api_url (and login_url) to "+
		"reach another endpoint such as the bundled emulator", what, strings.Join(client.Regions, ", "))
}

// providerSettings is the provider block after environment fallbacks and defaults: everything
// Configure needs, with nothing left unknown or unset.
type providerSettings struct {
	clientID     string
	clientSecret string
	environment  string // the region domain, or the API host when only api_url was given
	apiURL       string
	loginURL     string
	auditLogPath string
	maxRetries   int
	maxTokens    int
	// maxRateRetries is the client's RateLimitRetryMax: negative for none.
	maxRateRetries int
	// loginFrom is the setting the login service's URL came from: a sign-in that fails names it.
	loginFrom   settingSource
	constraints widget.Constraints
	screenPop   screenPopSettings
	telemetry   telemetrySettings
}

type screenPopSettings struct {
	signingSecret  []byte
	allowedDomains []string
	webhookURL     string
	endpointURL    string
}

// defaultMaxAccessTokens is the fewest tokens that can spend an OAuth client's whole allowance
// at Genesys Cloud's documented limits (3000 requests a minute per client, 300 per token); the
// pool grows to it only as pacing requires. maxAccessTokensLimit is the most that can be set:
// at those limits no more could ever be used.
const (
	genesysTokenRateLimit  = 300 // requests a minute per token (token.rate.per.minute)
	defaultMaxAccessTokens = client.DefaultClientRateLimit / genesysTokenRateLimit
	maxAccessTokensLimit   = defaultMaxAccessTokens
)

func lookupEnv(name string) string { return os.Getenv(name) }

// hasUnknown reports whether any value of the block is unknown until apply.
func (m genesysProviderModel) hasUnknown() bool {
	values := []attr.Value{m.ClientID, m.ClientSecret, m.Environment, m.APIURL, m.LoginURL, m.AuditLogPath, m.MaxRetries,
		m.MaxRateRetries, m.MaxAccessTokens}
	if w := m.WidgetConstraints; w != nil {
		values = append(values, w.AllowedOrigins, w.MaxPayloadBytes, w.MaxWidth, w.MaxHeight)
	}
	if s := m.ScreenPop; s != nil {
		values = append(values, s.SigningSecret, s.AllowedDomains, s.WebhookURL, s.EndpointURL)
	}
	values = append(values, m.Telemetry.values()...)
	return slices.ContainsFunc(values, attr.Value.IsUnknown)
}

// settingSource is where a value of the provider block came from: the attribute a diagnostic
// points at, and the words a message names it by (the environment variable, when it came from one).
type settingSource struct {
	attr  string
	words string
	at    string // for the login service: where the provider signs in, and why there
}

func sourceOf(v types.String, attr, env string) settingSource {
	if !v.IsNull() {
		return settingSource{attr: attr, words: attr}
	}
	return settingSource{attr: attr, words: env + " (" + attr + " is unset)"}
}

// resolveSettings applies environment fallbacks and defaults, and reports every missing or
// malformed value against the attribute (and environment variable) it came from.
func resolveSettings(ctx context.Context, m genesysProviderModel, getenv func(string) string) (providerSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	var s providerSettings

	pick := func(v types.String, env string) string {
		if !v.IsNull() {
			return v.ValueString()
		}
		return getenv(env)
	}

	s.clientID = pick(m.ClientID, envClientID)
	if s.clientID == "" {
		diags.AddAttributeError(path.Root("client_id"), "Missing Genesys Cloud client ID",
			"Set client_id in the provider block or the "+envClientID+" environment variable to the ID of an OAuth "+
				"client-credentials grant of the org.")
	}
	s.clientSecret = pick(m.ClientSecret, envClientSecret)
	if s.clientSecret == "" {
		diags.AddAttributeError(path.Root("client_secret"), "Missing Genesys Cloud client secret",
			"Set client_secret in the provider block or the "+envClientSecret+" environment variable to the secret of "+
				"the OAuth client-credentials grant.")
	}

	apiURL, loginURL := pick(m.APIURL, envAPIURL), pick(m.LoginURL, envLoginURL)
	region := pick(m.Environment, envEnvironment)
	for _, u := range []struct{ value, attr, env string }{
		{apiURL, "api_url", envAPIURL},
		{loginURL, "login_url", envLoginURL},
	} {
		if u.value == "" {
			continue
		}
		if err := validators.CheckURL(u.value, "https", "http"); err != nil {
			diags.AddAttributeError(path.Root(u.attr), "Invalid "+u.attr,
				fmt.Sprintf("%s (from the provider block or %s): %s.", u.attr, u.env, err))
		}
	}
	switch {
	case region == "" && apiURL == "":
		diags.AddAttributeError(path.Root("environment"), "Missing Genesys Cloud environment",
			"Set environment in the provider block or the "+envEnvironment+" environment variable to the org's region "+
				"domain (for example mypurecloud.com or mypurecloud.ie), or set api_url to reach another endpoint such as the "+
				"bundled emulator.")
	case region != "":
		// Checked beside api_url too: the login URL is still derived from it, and a URL written
		// here (credentials and all) must not reach a sign-in error, the audit trail or telemetry.
		if err := checkEnvironment(region, apiURL != ""); err != nil {
			diags.AddAttributeError(path.Root("environment"), "Unknown Genesys Cloud environment",
				fmt.Sprintf("environment (from the provider block or %s): %s.", envEnvironment, err))
		}
	}
	endpoints := client.ResolveEndpoints(region, apiURL, loginURL)
	s.apiURL, s.loginURL, s.environment = endpoints.APIURL, endpoints.LoginURL, endpoints.Environment
	// The order is ResolveEndpoints': login_url, else the region's login service, else api_url.
	switch {
	case loginURL != "":
		s.loginFrom = sourceOf(m.LoginURL, "login_url", envLoginURL)
		s.loginFrom.at = "at " + s.loginFrom.words
	case region != "":
		s.loginFrom = sourceOf(m.Environment, "environment", envEnvironment)
		s.loginFrom.at = "at " + s.loginURL + ", the login service of " + s.loginFrom.words + " (login_url overrides it)"
	default:
		s.loginFrom = sourceOf(m.APIURL, "api_url", envAPIURL)
		s.loginFrom.at = "at " + s.loginFrom.words + ", as login_url and environment are unset"
	}
	s.auditLogPath = pick(m.AuditLogPath, envAuditLog)
	s.maxRetries = client.DefaultRetryMax
	if !m.MaxRetries.IsNull() {
		s.maxRetries = int(validators.Int64Of(m.MaxRetries.ValueBigFloat()))
	}
	s.maxTokens = defaultMaxAccessTokens
	if !m.MaxAccessTokens.IsNull() {
		s.maxTokens = int(validators.Int64Of(m.MaxAccessTokens.ValueBigFloat()))
	}
	s.maxRateRetries = client.DefaultRateLimitRetryMax
	if !m.MaxRateRetries.IsNull() {
		s.maxRateRetries = int(validators.Int64Of(m.MaxRateRetries.ValueBigFloat()))
		if s.maxRateRetries == 0 {
			s.maxRateRetries = -1 // the client reads 0 as its default
		}
	}

	s.constraints = widget.Defaults()
	if w := m.WidgetConstraints; w != nil {
		if !w.AllowedOrigins.IsNull() {
			diags.Append(w.AllowedOrigins.ElementsAs(ctx, &s.constraints.AllowedOrigins, false)...)
		}
		if !w.MaxPayloadBytes.IsNull() {
			s.constraints.MaxPayloadBytes = validators.Int64Of(w.MaxPayloadBytes.ValueBigFloat())
		}
		if !w.MaxWidth.IsNull() {
			s.constraints.MaxWidth = validators.Int64Of(w.MaxWidth.ValueBigFloat())
		}
		if !w.MaxHeight.IsNull() {
			s.constraints.MaxHeight = validators.Int64Of(w.MaxHeight.ValueBigFloat())
		}
	}
	if err := s.constraints.Validate(); err != nil {
		diags.AddAttributeError(path.Root("widget_constraints"), "Invalid widget_constraints", err.Error())
	}

	secret := getenv(envSigningSecret)
	if sp := m.ScreenPop; sp != nil {
		if !sp.SigningSecret.IsNull() {
			secret = sp.SigningSecret.ValueString()
		}
		if !sp.AllowedDomains.IsNull() {
			diags.Append(sp.AllowedDomains.ElementsAs(ctx, &s.screenPop.allowedDomains, false)...)
		}
		s.screenPop.webhookURL = sp.WebhookURL.ValueString()
		s.screenPop.endpointURL = strings.TrimRight(sp.EndpointURL.ValueString(), "/")
	}
	if secret != "" {
		s.screenPop.signingSecret = []byte(secret)
	}
	for _, p := range s.screenPop.allowedDomains {
		if err := hostmatch.ValidatePattern(p); err != nil {
			diags.AddAttributeError(path.Root("screenpop").AtName("allowed_domains"), "Invalid host pattern", err.Error())
		}
	}
	if s.screenPop.endpointURL == "" {
		s.screenPop.endpointURL = s.apiURL
	}
	var telemetryDiags diag.Diagnostics
	s.telemetry, telemetryDiags = resolveTelemetry(ctx, m.Telemetry, getenv, s.screenPop.signingSecret)
	diags.Append(telemetryDiags...)
	return s, diags
}
