// Package provider is the Terraform surface of the genesys provider: the provider block, its
// resources, actions, data sources and list resources. It turns configuration into calls on
// internal/client and checks plans with the rules in internal/widget and internal/screenpop.
package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider/validators"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

var (
	_ provider.Provider                   = (*GenesysProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*GenesysProvider)(nil)
	_ provider.ProviderWithActions        = (*GenesysProvider)(nil)
	_ provider.ProviderWithListResources  = (*GenesysProvider)(nil)
	_ provider.ProviderWithFunctions      = (*GenesysProvider)(nil)
)

// GenesysProvider is the genesys provider. One instance serves one provider block: aliased blocks
// (one per org in a promotion pipeline) each get their own client, token and rate-limit budget.
type GenesysProvider struct {
	// version is the provider's release version, "dev" for local builds and "test" in tests.
	version string
}

// New returns the provider factory providerserver.Serve and the acceptance tests use.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &GenesysProvider{version: version}
	}
}

// genesysProviderModel maps the provider block.
type genesysProviderModel struct {
	ClientID          types.String            `tfsdk:"client_id"`
	ClientSecret      types.String            `tfsdk:"client_secret"`
	Environment       types.String            `tfsdk:"environment"`
	APIURL            types.String            `tfsdk:"api_url"`
	LoginURL          types.String            `tfsdk:"login_url"`
	AuditLogPath      types.String            `tfsdk:"audit_log_path"`
	MaxRetries        types.Number            `tfsdk:"max_retries"`
	MaxAccessTokens   types.Number            `tfsdk:"max_access_tokens"`
	MaxRateRetries    types.Number            `tfsdk:"max_rate_limit_retries"`
	WidgetConstraints *widgetConstraintsModel `tfsdk:"widget_constraints"`
	ScreenPop         *screenPopSettingsModel `tfsdk:"screenpop"`
	Telemetry         *telemetrySettingsModel `tfsdk:"telemetry"`
}

type widgetConstraintsModel struct {
	AllowedOrigins  types.List   `tfsdk:"allowed_origins"`
	MaxPayloadBytes types.Number `tfsdk:"max_payload_bytes"`
	MaxWidth        types.Number `tfsdk:"max_width"`
	MaxHeight       types.Number `tfsdk:"max_height"`
}

type screenPopSettingsModel struct {
	SigningSecret  types.String `tfsdk:"signing_secret"`
	AllowedDomains types.List   `tfsdk:"allowed_domains"`
	WebhookURL     types.String `tfsdk:"webhook_url"`
	EndpointURL    types.String `tfsdk:"endpoint_url"`
}

func (p *GenesysProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "genesys"
	resp.Version = p.version
}

func (p *GenesysProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	defaults := widget.Defaults()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Genesys Cloud custom agent widgets and triggers agent screen pops. " +
			"Each provider block is one Genesys Cloud org reached with an OAuth client-credentials grant; " +
			"use aliased blocks to promote widgets from one org to the next.\n\n" +
			"When every value of the block is known at plan, configuring the provider signs in, obtaining the OAuth token " +
			"its later requests use, so wrong credentials or a login service that cannot be reached fail `terraform plan`, " +
			"with the setting to change, before anything is planned against them. Terraform configures the provider afresh " +
			"for the plan and for the apply, and each signs in once. When a value is unknown until apply (it comes from " +
			"another resource), the check waits for the apply, which signs in before its first change.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				MarkdownDescription: "OAuth client ID of a client-credentials grant with the `integrations` permissions. " +
					"Falls back to `GENESYS_CLIENT_ID`.",
				Optional:   true,
				Validators: []validator.String{validators.Text(1, 0, true)},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "OAuth client secret of that grant. Falls back to `GENESYS_CLIENT_SECRET`. " +
					"Never written to state or logs.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{validators.Text(1, 0, true)},
			},
			"environment": schema.StringAttribute{
				MarkdownDescription: "Region domain of the org, such as `mypurecloud.com`, `usw2.pure.cloud` or `mypurecloud.ie`. " +
					"The API is reached at `https://api.{environment}` and the login service at `https://login.{environment}`. " +
					"Falls back to `GENESYS_ENVIRONMENT`. Any domain name is accepted when `api_url` is set.",
				Optional:   true,
				Validators: []validator.String{validators.Text(1, 0, true)},
			},
			"api_url": schema.StringAttribute{
				MarkdownDescription: "Overrides the API base URL, for the bundled emulator or a proxy, e.g. `http://127.0.0.1:8787`. " +
					"Falls back to `GENESYS_API_URL`.",
				Optional:   true,
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
			},
			"login_url": schema.StringAttribute{
				MarkdownDescription: "Overrides the login (OAuth) base URL. Defaults to `https://login.{environment}`, or to `api_url` " +
					"when only that is set (the emulator serves both). Falls back to `GENESYS_LOGIN_URL`.",
				Optional:   true,
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
			},
			"audit_log_path": schema.StringAttribute{
				MarkdownDescription: "File the provider appends one JSON line to for every widget change and screen pop " +
					"(created with mode 0600; no secret is ever written). Falls back to `GENESYS_AUDIT_LOG`. Unset: no audit log.",
				Optional:   true,
				Validators: []validator.String{validators.Text(1, 0, true)},
			},
			"max_retries": schema.NumberAttribute{
				MarkdownDescription: fmt.Sprintf("How many times one request is sent again after a server error (5xx other "+
					"than 501) or a failure without an answer (connection refused or reset, an attempt that timed out after "+
					"%s), waiting between tries with exponential backoff (random waits of up to %s, doubling to %s): a whole "+
					"number from 1 to 30. Default `%d`: the backoff waits add up to about a minute and a half, but a 503 that "+
					"says `Retry-After` waits what it asks instead (up to %s a try). Each request of an operation, the OAuth "+
					"token grant included, has its own count; a grant refused for the token creation limit while the "+
					"provider holds no token is asked again up to the same count. A widget's create is sent again only "+
					"when it provably did not arrive (the provider first looks for what it may have made). Rate limits (429) are counted by `max_rate_limit_retries`, the "+
					"webhooks have a budget of their own, and `timeouts` bounds an operation as a whole.",
					durationText(client.DefaultAttemptTimeout), client.DefaultRetryWaitMin, durationText(client.DefaultRetryWaitMax),
					client.DefaultRetryMax, durationText(client.DefaultRetryAfterCap)),
				Optional:   true,
				Validators: []validator.Number{validators.WholeNumber(1, 30, "retries")},
			},
			"max_access_tokens": schema.NumberAttribute{
				MarkdownDescription: fmt.Sprintf("How many OAuth access tokens the provider may hold at once: a whole number "+
					"from 1 to %[1]d. Default `%[2]d`. Genesys Cloud allows each token 300 requests a minute and each OAuth "+
					"client 3000 a minute across all its tokens, so one token caps a large apply at a tenth of what the "+
					"client may send, and %[2]d tokens are the fewest that can use all of it (more could never be used). "+
					"The provider starts with one token and mints another only when every token it holds would make a "+
					"request wait while the client's allowance has room, so small runs still use one; it keeps the sum of "+
					"all tokens within the client's allowance. `1` sends everything through one token.",
					maxAccessTokensLimit, defaultMaxAccessTokens),
				Optional:   true,
				Validators: []validator.Number{validators.WholeNumber(1, maxAccessTokensLimit, "tokens")},
			},
			"max_rate_limit_retries": schema.NumberAttribute{
				MarkdownDescription: fmt.Sprintf("How many times one request is sent again after Genesys Cloud refuses it "+
					"for its rate limit (429), each time after waiting as long as `Retry-After` says (at most %s): a whole "+
					"number from 0 (fail at the first 429) to 100. Default `%d`: a refusal by the per-minute limit waits at "+
					"most a minute, so `timeouts` ends a long storm before the count does, while short waits (a burst) are "+
					"ridden out. The provider paces its requests to the limit Genesys Cloud announces, so 429s mean that "+
					"other clients are using the org's allowance.", durationText(client.DefaultRetryAfterCap),
					client.DefaultRateLimitRetryMax),
				Optional:   true,
				Validators: []validator.Number{validators.WholeNumber(0, 100, "retries")},
			},
		},
		Blocks: map[string]schema.Block{
			"telemetry": telemetryBlock(),
			"widget_constraints": schema.SingleNestedBlock{
				MarkdownDescription: "Limits every `genesys_agent_widget` of this provider is checked against at plan time, " +
					"before any request is sent.",
				Attributes: map[string]schema.Attribute{
					"allowed_origins": schema.ListAttribute{
						MarkdownDescription: "Hosts a widget's `manifest_url` may point at: an exact host (`cdn.example.com`, " +
							"`cdn.example.com:8443`) or a wildcard (`*.cloudfront.net`) that allows any host below that domain. " +
							"Unset: any https host. " + hostRuleText,
						ElementType: types.StringType,
						Optional:    true,
						Validators: []validator.List{
							listvalidator.SizeAtLeast(1),
							listvalidator.ValueStringsAre(validators.HostPattern()),
						},
					},
					"max_payload_bytes": schema.NumberAttribute{
						MarkdownDescription: fmt.Sprintf("Largest widget configuration, in bytes as sent to the API: a whole number "+
							"from 256 to %d. Default `%d`.", 1<<20, defaults.MaxPayloadBytes),
						Optional:   true,
						Validators: []validator.Number{validators.WholeNumber(256, 1<<20, "bytes")},
					},
					"max_width": schema.NumberAttribute{
						MarkdownDescription: fmt.Sprintf("Widest render frame a widget may ask for, in pixels: a whole number of at "+
							"least 1. Default `%d`.", defaults.MaxWidth),
						Optional:   true,
						Validators: []validator.Number{validators.WholeNumber(1, 0, "pixels")},
					},
					"max_height": schema.NumberAttribute{
						MarkdownDescription: fmt.Sprintf("Tallest render frame a widget may ask for, in pixels: a whole number of at "+
							"least 1. Default `%d`.", defaults.MaxHeight),
						Optional:   true,
						Validators: []validator.Number{validators.WholeNumber(1, 0, "pixels")},
					},
				},
			},
			"screenpop": schema.SingleNestedBlock{
				MarkdownDescription: "Settings for `genesys_screenpop` resources and actions.",
				Attributes: map[string]schema.Attribute{
					"signing_secret": schema.StringAttribute{
						MarkdownDescription: "Shared secret every screen pop and webhook body is signed with (HMAC-SHA256, " +
							"`X-Payload-Signature`). At least 16 bytes. Falls back to `GENESYS_SCREENPOP_SIGNING_SECRET`. Never written to state or logs.",
						Optional:   true,
						Sensitive:  true,
						Validators: []validator.String{validators.Text(16, 0, true)},
					},
					"allowed_domains": schema.ListAttribute{
						MarkdownDescription: "Hosts a screen pop's `target_url` may point at: an exact host or a `*.domain` wildcard. " +
							"Unset: any https host. " + hostRuleText,
						ElementType: types.StringType,
						Optional:    true,
						Validators: []validator.List{
							listvalidator.SizeAtLeast(1),
							listvalidator.ValueStringsAre(validators.HostPattern()),
						},
					},
					"webhook_url": schema.StringAttribute{
						MarkdownDescription: "Default URL a `screenpop_activated` event is posted to after every delivered pop " +
							"(a productivity platform). A resource's own `webhook_url` wins.",
						Optional:   true,
						Validators: []validator.String{validators.URLWithScheme("https", "http")},
					},
					"endpoint_url": schema.StringAttribute{
						MarkdownDescription: "Base URL of the screen pop service (`POST /api/v2/users/{userId}/screenpops`). " +
							"Defaults to the API base URL; set it when a relay delivers pops for the org.",
						Optional:   true,
						Validators: []validator.String{validators.URLWithScheme("https", "http")},
					},
				},
			},
		},
	}
}

// ValidateConfig checks what can be checked from configuration alone, so mistakes surface at
// `terraform validate`. Values from the environment are checked in Configure.
func (p *GenesysProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg genesysProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	env := cfg.Environment
	if env.IsNull() || env.IsUnknown() {
		return
	}
	if err := checkEnvironment(env.ValueString(), !cfg.APIURL.IsNull()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("environment"), "Unknown Genesys Cloud environment", err.Error())
	}
}

func (p *GenesysProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg genesysProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A value that comes from another resource is unknown until apply. Terraform configures the
	// provider again then; until that, resources plan without a client and defer the checks that
	// need one rather than reporting them falsely.
	if cfg.hasUnknown() {
		tflog.Debug(ctx, "provider configuration has values unknown until apply; configuring later")
		return
	}

	settings, diags := resolveSettings(ctx, cfg, lookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	data, err := newProviderData(ctx, settings, p.version, req.TerraformVersion)
	if err != nil {
		resp.Diagnostics.AddError("Unable to configure the genesys provider", err.Error())
		return
	}
	// Every value is known here (with one unknown, Configure returned above and the check waits
	// for the apply, when Terraform configures the provider again with the values known), so the
	// provider signs in now: wrong credentials or a login service that cannot be reached fail
	// `terraform plan` before anything is planned against them, not halfway through an apply. The
	// token is the one every call of this provider process then uses.
	if err := data.client.Authenticate(ctx); err != nil {
		resp.Diagnostics.Append(signInDiagnostic(err, settings.loginFrom))
		_ = data.telemetry.Shutdown(ctx)
		return
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

func (p *GenesysProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewAgentWidgetResource,
		NewScreenPopResource,
	}
}

func (p *GenesysProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewOrganizationDataSource,
		NewAgentWidgetDataSource,
		NewAgentWidgetsDataSource,
	}
}

func (p *GenesysProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewAgentWidgetListResource,
	}
}

func (p *GenesysProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		NewScreenPopAction,
	}
}

// Functions are pure and offline: the plan-time rules of the resources, for a module's own check
// blocks and preconditions. Terraform 1.8 and later call them.
func (p *GenesysProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		NewOriginAllowedFunction,
		NewManifestOriginFunction,
		NewScreenpopURLFunction,
	}
}
