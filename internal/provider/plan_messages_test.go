package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// planRefusal is a configuration that must be refused at plan, with a message that names the
// attribute and says how to fix it.
type planRefusal struct {
	config string
	want   *regexp.Regexp
}

// runPlanRefusals plans each configuration with the real CLI and checks the message, and that the
// refusal came before any request to the integrations or screen pop endpoints.
func runPlanRefusals(t *testing.T, emu *testEmulator, cases map[string]planRefusal) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			emu.ResetJournal()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.config, PlanOnly: true, ExpectError: tc.want}},
			})
			for _, prefix := range []string{"/api/v2/integrations", "/api/v2/users/"} {
				if n := emu.countRequests(prefix); n != 0 {
					t.Errorf("a refused plan sent %d requests to %s; want none", n, prefix)
				}
			}
		})
	}
}

// TestAccPlanMessages_hostsInCanonicalForm: a host that only matches an allowed one after Unicode
// folding is refused at plan with the form to write, in URLs and in allow-lists alike.
func TestAccPlanMessages_hostsInCanonicalForm(t *testing.T) {
	emu := newPopEmulator(t)
	origins := `
  widget_constraints {
    allowed_origins = ["widgets.example.com"]
  }`
	widget := func(constraints, manifest string) string {
		return emu.widgetConfig(constraints, overrideBody(widgetBody, `manifest_url = "`+manifest+`"`))
	}
	pop := func(target string) string {
		return emu.screenPopConfig("", strings.Replace(popResource("v1"), "https://crm.example.com/agent-view", target, 1))
	}
	runPlanRefusals(t, emu, map[string]planRefusal{
		"full-width letters in manifest_url": {widget(origins, "https://ｗｉｄｇｅｔｓ.example.com/w/"),
			messageRE("Invalid manifest_url", `write it as "widgets.example.com"`, "the host that is sent")},
		"ideographic full stop in manifest_url": {widget(origins, "https://widgets。example.com/w/"),
			messageRE("Invalid manifest_url", `write it as "widgets.example.com"`)},
		"full-width full stop without an allow-list": {widget("", "https://widgets．example．com/w/"),
			messageRE("Invalid manifest_url", `write it as "widgets.example.com"`)},
		"trailing dot in manifest_url": {widget(origins, "https://widgets.example.com./w/"),
			messageRE("Invalid manifest_url", "remove the trailing dot")},
		"zero-width space in target_url": {pop(`https://crm\u200b.example.com/agent-view`),
			messageRE("Invalid target_url", `write it as "crm.example.com"`)},
		"half-width ideographic full stop in target_url": {pop("https://crm｡example.com/agent-view"),
			messageRE("Invalid target_url", `write it as "crm.example.com"`)},
		"full-width allowed origin": {widget(`
  widget_constraints {
    allowed_origins = ["*.ｅｘａｍｐｌｅ.com"]
  }`, "https://widgets.example.com/w/"),
			messageRE("Invalid host pattern", "widget_constraints.allowed_origins[0]", `write it as "*.example.com"`)},
		"trailing dot in target_url": {pop("https://crm.example.com./agent-view"),
			messageRE("Invalid target_url", "remove the trailing dot")},
		"trailing dot in an allowed origin": {widget(`
  widget_constraints {
    allowed_origins = ["widgets.example.com."]
  }`, "https://widgets.example.com/w/"),
			messageRE("Invalid host pattern", "widget_constraints.allowed_origins[0]", "remove the trailing dot")},
		"full-width allowed domain": {emu.providerBlock("a", `
  screenpop {
    signing_secret  = "`+testSigningKey+`"
    allowed_domains = ["crm．example.com"]
  }`) + popResource("v1"),
			messageRE("Invalid host pattern", "screenpop.allowed_domains[0]", `write it as "crm.example.com"`)},
	})
}

// ASCII case is the one folding every client does alike, so it is accepted in URLs and patterns,
// of widgets and screen pops alike.
func TestAccPlanMessages_asciiCaseIsAccepted(t *testing.T) {
	emu := newPopEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.widgetConfig(`
  widget_constraints {
    allowed_origins = ["Widgets.Example.com"]
  }`, overrideBody(widgetBody, `manifest_url = "https://WIDGETS.example.COM/w/"`)),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}, {
			// The screen pop block allows "crm.example.com" and "*.example.net".
			Config: emu.screenPopConfig("", strings.Replace(popResource("v1"), "https://crm.example.com/agent-view",
				"https://CRM.Example.COM/agent-view", 1)) + `
resource "genesys_screenpop" "wildcard" {
  user_id        = "agent-1"
  application_id = "com.example.crm"
  target_url     = "https://App.EXAMPLE.net/agent-view"
}
`,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// TestAccPlanMessages_screenPopInputs: what a screen pop would open is checked at plan, with the
// attribute to change and the fix, before anything is sent.
func TestAccPlanMessages_screenPopInputs(t *testing.T) {
	emu := newPopEmulator(t)
	pop := func(old, replacement string) string {
		return emu.screenPopConfig("", strings.Replace(popResource("v1"), old, replacement, 1))
	}
	const target = `target_url     = "https://crm.example.com/agent-view"`
	big := strings.Repeat("x", 8200)
	runPlanRefusals(t, emu, map[string]planRefusal{
		"target with a route fragment": {pop(target, `target_url = "https://crm.example.com/agent-view#/customers"`),
			messageRE("Invalid target_url", "fragment that is not key=value pairs", "remove the fragment or make it key=value pairs")},
		"context key already in the target": {pop(target, `target_url = "https://crm.example.com/agent-view#customer_id=7"`),
			messageRE("Invalid customer_data", `customer data key "customer_id" is already in the target URL's fragment`, "rename it or remove it")},
		"session token key in the target": {pop(target, `target_url = "https://crm.example.com/agent-view#sessionToken=x"
  session_token = "`+testSessionToken+`"`),
			messageRE("Invalid target_url", "already has a sessionToken", "remove it from the target URL")},
		"reserved customer data key": {pop(`customer_id = "C-1042"`, `sessionToken = "C-1042"`),
			messageRE("Invalid customer_data", `key "sessionToken" is reserved for the session token; rename it`)},
		"URL with its context over the limit": {pop(`tier = "gold"`, `notes = "`+big+`"`),
			messageRE("Invalid customer_data", "over the limit of 8192 bytes", "the customer data", `"notes" 8207`, "shorten the customer data")},
		"target alone over the limit": {pop(target, `target_url = "https://crm.example.com/`+big+`"`),
			messageRE("Invalid target_url", "URL is 8224 bytes long; the limit is 8192 bytes", "shorten it")},
		"user_id with a slash":   {pop(`"agent-1"`, `"agent-1/../agent-2"`), messageRE("Invalid user_id", "contains '/'", "write the agent's user ID itself")},
		"user_id with a query":   {pop(`"agent-1"`, `"agent-1?x=1"`), messageRE("Invalid user_id", "'?'", "not a URL or a path")},
		"user_id with a hash":    {pop(`"agent-1"`, `"agent-1#x"`), messageRE("Invalid user_id", "'#'")},
		"user_id dot dot":        {pop(`"agent-1"`, `".."`), messageRE("Invalid user_id", "is a path segment, not an ID")},
		"user_id of white space": {pop(`"agent-1"`, `"   "`), messageRE("Invalid user_id", "user ID is empty")},
		"blank application_id":   {pop(`"com.example.crm"`, `" "`), messageRE("Invalid application_id", "only white space")},
		"short idempotency_key": {pop(`state          = { uiMode = "focused" }`, `idempotency_key = "short"`),
			messageRE("Invalid idempotency_key", "is 5 bytes long; it must be at least 8 bytes")},
		"empty target_url": {pop(target, `target_url = ""`), messageRE("Invalid target_url", "URL is empty; write an absolute URL")},
		"leading space":    {pop(target, `target_url = " https://crm.example.com/agent-view"`), messageRE("Invalid target_url", "starts or ends with whitespace; remove it")},
		"not an https URL": {pop(target, `target_url = "http://crm.example.com/agent-view"`), messageRE("Invalid target_url", "use an https:// URL")},
	})
}

// A fragment of key=value pairs is kept and the context merged after it: that plans.
func TestAccPlanMessages_targetFragmentIsMerged(t *testing.T) {
	emu := newPopEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: emu.screenPopConfig("", strings.Replace(popResource("v1"),
				"https://crm.example.com/agent-view", "https://crm.example.com/agent-view#tab=notes", 1)),
			Check: func(*terraform.State) error {
				pops := emu.ScreenPops("org-a")
				if len(pops) != 1 {
					return fmt.Errorf("%d pops, want 1", len(pops))
				}
				if want := "https://crm.example.com/agent-view#tab=notes&customer_id=C-1042&tier=gold"; pops[0].URI != want {
					return fmt.Errorf("pop opened %q, want %q", pops[0].URI, want)
				}
				return nil
			},
		}},
	})
}

// The action checks the same rules at plan.
func TestAccPlanMessages_screenPopActionInputs(t *testing.T) {
	emu := newPopEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{{
			Config: emu.screenPopConfig("", strings.Replace(popAction(""), "https://crm.example.com/agent-view",
				"https://crm.example.com/agent-view#/route", 1)),
			PlanOnly:    true,
			ExpectError: messageRE("Invalid target_url", "fragment that is not key=value pairs"),
		}},
	})
	if n := emu.countRequests("/api/v2/users/"); n != 0 {
		t.Errorf("a refused plan sent %d screen pop requests", n)
	}
}

// TestAccPlanMessages_textsAndPayload: blank names are refused, limits that count bytes say
// bytes, and a configuration over the size limit names the attribute that made it large.
func TestAccPlanMessages_textsAndPayload(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	small := `
  widget_constraints {
    max_payload_bytes = 1024
  }`
	widget := func(constraints, override string) string {
		return emu.widgetConfig(constraints, overrideBody(widgetBody, override))
	}
	groups := make([]string, 40)
	for i := range groups {
		groups[i] = fmt.Sprintf("%q", fmt.Sprintf("6f3b3f1e-9b8a-4c53-a1b3-%012d", i))
	}
	runPlanRefusals(t, emu, map[string]planRefusal{
		"blank name": {widget("", `name = "   "`),
			messageRE("Invalid name", "name is only white space", "write a value with letters or digits")},
		"name of tabs and newlines": {widget("", `name = "\t\n"`),
			messageRE("Invalid name", "only white space")},
		"name over the limit in bytes": {widget("", `name = "`+strings.Repeat("é", 101)+`"`),
			messageRE("Invalid name", "name is 202 bytes long; the limit is 200 bytes", "a letter outside ASCII takes 2 to 4 bytes", "shorten it")},
		"blank group id": {widget("", `groups = [" "]`),
			messageRE("Invalid groups", "only white space")},
		"description makes the payload large": {widget(small, `description = "`+strings.Repeat("d", 1500)+`"`),
			messageRE("Widget configuration too large", "over the limit of 1024 bytes", "The largest parts are description 1500 bytes", "Shorten description")},
		"groups make the payload large": {widget(small, `groups = [`+strings.Join(groups, ", ")+`]`),
			messageRE("Widget configuration too large", "The largest parts are groups", "Shorten groups")},
		"short signing secret": {emu.providerBlock("a", `
  screenpop {
    signing_secret = "short"
  }`) + `data "genesys_organization" "this" {}`,
			messageRE("Invalid screenpop.signing_secret", "is 5 bytes long; it must be at least 16 bytes")},
		"blank telemetry service_name": {emu.providerBlock("a", `
  telemetry {
    service_name = " "
  }`) + `data "genesys_organization" "this" {}`,
			messageRE("Invalid telemetry.service_name", "telemetry.service_name is only white space")},
	})
}

// TestAccPlanMessages_wholeNumbers: a fraction or a number too large for any count gets a message
// of ours naming the attribute and the range, never the framework's conversion error.
func TestAccPlanMessages_wholeNumbers(t *testing.T) {
	emu := newPopEmulator(t)
	widget := func(constraints, override string) string {
		return emu.widgetConfig(constraints, overrideBody(widgetBody, override))
	}
	runPlanRefusals(t, emu, map[string]planRefusal{
		"fractional width": {widget("", `dimensions = { width = 750.5, height = 500 }`),
			messageRE("Invalid dimensions.width", "is 750.5, which has a fraction", "a whole number of pixels", "Write it without a decimal part")},
		"oversized height": {widget("", `dimensions = { width = 750, height = 1e30 }`),
			messageRE("Invalid dimensions.height", "it must be a whole number of pixels, at least 1")},
		"fractional refresh interval": {widget("", `refresh_interval_ms = 1500.25`),
			messageRE("Invalid refresh_interval_ms", "has a fraction", "from 1000 to 86400000")},
		"oversized refresh interval": {widget("", `refresh_interval_ms = 99999999999999999999`),
			messageRE("Invalid refresh_interval_ms", "99999999999999999999", "from 1000 to 86400000")},
		"fractional max_width": {widget(`
  widget_constraints {
    max_width = 640.5
  }`, ""), messageRE("Invalid widget_constraints.max_width", "has a fraction")},
		"fractional max_retries": {emu.providerBlock("a", "  max_retries = 2.5") + `data "genesys_organization" "this" {}`,
			messageRE("Invalid max_retries", "has a fraction", "from 1 to 30")},
		"too many access tokens": {emu.providerBlock("a", "  max_access_tokens = 11") + `data "genesys_organization" "this" {}`,
			messageRE("Invalid max_access_tokens", "is 11", "from 1 to 10")},
		"negative max_rate_limit_retries": {emu.providerBlock("a", "  max_rate_limit_retries = -1") + `data "genesys_organization" "this" {}`,
			messageRE("Invalid max_rate_limit_retries", "from 0 to 100")},
		"fractional session_token_version": {emu.screenPopConfig("", strings.Replace(popResource("v1"),
			`state          = { uiMode = "focused" }`, `session_token_version = 1.5`, 1)),
			messageRE("Invalid session_token_version", "has a fraction")},
		"negative session_token_version": {emu.screenPopConfig("", strings.Replace(popResource("v1"),
			`state          = { uiMode = "focused" }`, `session_token_version = -1`, 1)),
			messageRE("Invalid session_token_version", "is -1; it must be a whole number")},
	})
}

// TestAccPlanMessages_emptyAndSpacedURLs: an empty URL says it is empty and a URL with a leading
// space says to remove the space, whichever URL attribute holds it.
func TestAccPlanMessages_emptyAndSpacedURLs(t *testing.T) {
	emu := newPopEmulator(t)
	pop := func(extra string) string {
		return emu.screenPopConfig("", strings.Replace(popResource("v1"), `state          = { uiMode = "focused" }`, extra, 1))
	}
	runPlanRefusals(t, emu, map[string]planRefusal{
		"empty webhook_url":         {pop(`webhook_url = ""`), messageRE("Invalid URL", "webhook_url", "the URL is empty")},
		"webhook_url with a space":  {pop(`webhook_url = " https://hooks.example.com/x"`), messageRE("Invalid URL", "webhook_url", "remove it")},
		"empty manifest_url":        {emu.widgetConfig("", overrideBody(widgetBody, `manifest_url = ""`)), messageRE("Invalid manifest_url", "URL is empty")},
		"manifest_url with a space": {emu.widgetConfig("", overrideBody(widgetBody, `manifest_url = "https://widgets.example.com/w/ "`)), messageRE("Invalid manifest_url", "starts or ends with whitespace; remove it")},
	})
}

// TestAccPlanMessages_dataSourceInputs: what the data sources are asked to find is checked at
// plan, with the attribute and the fix, before any listing is read: names and IDs of white space,
// lengths in bytes, states as the API spells them, and one of id and name.
func TestAccPlanMessages_dataSourceInputs(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	one := func(body string) string {
		return emu.providerBlock("a", "") + `data "genesys_agent_widget" "x" {` + body + "}\n"
	}
	all := func(body string) string {
		return emu.providerBlock("a", "") + `data "genesys_agent_widgets" "x" {` + body + "}\n"
	}
	long := strings.Repeat("é", 101)
	runPlanRefusals(t, emu, map[string]planRefusal{
		"name of white space": {one(`name = "  "`), messageRE("Invalid name", "name is only white space", "write a value with letters or digits")},
		"name over the limit in bytes": {one(`name = "` + long + `"`),
			messageRE("Invalid name", "name is 202 bytes long; the limit is 200 bytes", "a letter outside ASCII takes 2 to 4 bytes", "shorten it")},
		"id of white space":      {one(`id = " "`), messageRE("Invalid id", "id is only white space")},
		"id over the limit":      {one(`id = "` + strings.Repeat("0", 65) + `"`), messageRE("Invalid id", "id is 65 bytes long; the limit is 64 bytes")},
		"neither id nor name":    {one(`type = "webapp"`), messageRE("Exactly one of these attributes must be configured: [id,name]")},
		"empty name_prefix":      {all(`name_prefix = ""`), messageRE("Invalid name_prefix", "name_prefix is empty; write at least 1 byte")},
		"name filter over limit": {all(`name = "` + long + `"`), messageRE("Invalid name", "202 bytes long; the limit is 200 bytes")},
		"state in lower case": {all(`reported_state = "active"`),
			messageRE("reported_state", `value must be one of: ["ACTIVE" "INACTIVE" "ACTIVATING" "DEACTIVATING" "ERROR"], got: "active"`)},
		"regex that does not compile": {all(`name_regex = "(unclosed"`),
			messageRE("Invalid regular expression", "name_regex is not a regular expression in RE2 syntax", "Escape characters such as ( [ . * + ? with a backslash")},
	})
}

// TestAccPlanMessages_urlsAndAllowLists: every refusal of a widget's manifest_url or a pop's
// target_url names the attribute and says what to write instead, including a host outside the
// allow-list, which is checked at plan even when other values of the widget wait for apply.
func TestAccPlanMessages_urlsAndAllowLists(t *testing.T) {
	emu := newPopEmulator(t)
	origins := `
  widget_constraints {
    allowed_origins = ["widgets.example.com"]
    max_width       = 640
  }`
	widget := func(constraints, override string) string {
		return emu.widgetConfig(constraints, overrideBody(widgetBody, override))
	}
	pop := func(old, replacement string) string {
		return emu.screenPopConfig("", strings.Replace(popResource("v1"), old, replacement, 1))
	}
	runPlanRefusals(t, emu, map[string]planRefusal{
		"manifest over http": {widget("", `manifest_url = "http://widgets.example.com/w/"`),
			messageRE("Invalid manifest_url", `URL scheme is "http"`, "use an https:// URL")},
		"manifest with user info": {widget("", `manifest_url = "https://user:pw@widgets.example.com/w/"`),
			messageRE("Invalid manifest_url", "must not contain user info", "write only the host")},
		"relative manifest": {widget("", `manifest_url = "/widgets/index.html"`),
			messageRE("Invalid manifest_url", "URL must be absolute, with a scheme and a host, such as", "https://cdn.example.com/path")},
		"manifest without a host": {widget("", `manifest_url = "https:///index.html"`),
			messageRE("Invalid manifest_url", "URL has no host; write an absolute URL such as")},
		"manifest over the limit": {widget("", `manifest_url = "https://widgets.example.com/`+strings.Repeat("x", 2100)+`"`),
			messageRE("Invalid manifest_url", "URL is 2128 bytes long; the limit is 2048 bytes; shorten it")},
		"manifest origin not allowed": {widget(origins, `manifest_url = "https://evil.example.net/w/"`),
			messageRE("Manifest origin not allowed", `manifest_url: host "evil.example.net" is not an allowed origin (allowed: "widgets.example.com")`,
				"add it to widget_constraints.allowed_origins or host the manifest on an allowed origin")},
		"manifest origin not allowed while the name waits for apply": {`
resource "terraform_data" "name" {
  input = "Agent dashboard"
}
` + widget(origins, "name = terraform_data.name.output\n  manifest_url = \"https://evil.example.net/w/\""),
			messageRE("Manifest origin not allowed", `manifest_url: host "evil.example.net"`, "add it to widget_constraints.allowed_origins")},
		"wider than the frame": {widget(origins, `dimensions = { width = 641, height = 400 }`),
			messageRE("Widget exceeds the render frame",
				"dimensions.width: width 641 exceeds the render frame limit of 640 pixels; lower it or raise widget_constraints.max_width")},
		"standalone interaction widget": {widget("", "type = \"integration\"\n  display_type = \"standalone\""),
			messageRE("Invalid display_type", `display_type "standalone" applies only to type = "webapp"`, `Remove display_type or set it to "widget"`)},
		"queue filter on a webapp": {widget("", `queue_ids = ["queue-support"]`),
			messageRE("Invalid queue_ids", `applies only to type = "integration"`, `Remove it, or change type to "integration"`)},
		"unknown sandbox token": {widget("", `sandbox = ["allow-scripts", "allow-everything"]`),
			messageRE("sandbox", "value must be one of", `"allow-scripts"`, `got: "allow-everything"`)},
		"target domain not allowed": {pop("crm.example.com", "crm.example.com.evil.net"),
			messageRE("Screen pop target not allowed", `target_url: host "crm.example.com.evil.net" is not an allowed screen pop domain`,
				"add it to screenpop.allowed_domains or point the screen pop at an allowed domain")},
		"target not a URL": {pop("https://crm.example.com/agent-view", "crm"),
			messageRE("Invalid target_url", "target_url: URL must be absolute, with a scheme and a host, such as")},
		"user_id with a backslash": {pop(`"agent-1"`, `"agent-1\\x"`), messageRE("Invalid user_id", `'\'`, "write the agent's user ID itself")},
		"user_id with a percent":   {pop(`"agent-1"`, `"agent%2F1"`), messageRE("Invalid user_id", "'%'")},
		"user_id of one dot":       {pop(`"agent-1"`, `"."`), messageRE("Invalid user_id", "is a path segment, not an ID")},
	})
}

// TestAccPlanMessages_targetKnownOnlyAtApply: a target_url that comes from another resource is
// checked before the pop is sent, at apply, with the same message; the plan cannot know it and
// says nothing.
func TestAccPlanMessages_targetKnownOnlyAtApply(t *testing.T) {
	emu := newPopEmulator(t)
	config := `
resource "terraform_data" "target" {
  input = "https://crm.example.com.evil.net/agent-view"
}
` + emu.screenPopConfig("", strings.Replace(popResource("v1"), `"https://crm.example.com/agent-view"`, "terraform_data.target.output", 1))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				Config: config,
				ExpectError: messageRE("Screen pop target not allowed", `target_url: host "crm.example.com.evil.net" is not an allowed screen pop domain`,
					"add it to screenpop.allowed_domains"),
			},
		},
	})
	if n := emu.countRequests("/api/v2/users/"); n != 0 {
		t.Errorf("a target outside the allowed domains was sent %d times", n)
	}
}

// TestAccPlanMessages_sessionTokenTooLong: the session token travels in the pop's URL too, so one
// that makes the URL too long is refused at plan against session_token (write-only, so Terraform
// 1.11 and later), with what to do.
func TestAccPlanMessages_sessionTokenTooLong(t *testing.T) {
	emu := newPopEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: emu.screenPopConfig("", strings.Replace(popResource("v1"), `state          = { uiMode = "focused" }`,
				`session_token = "`+strings.Repeat("t", 8200)+`"`, 1)),
			PlanOnly:    true,
			ExpectError: messageRE("Invalid session_token", "over the limit of 8192 bytes", "the session token adds 8214", "use a shorter session token"),
		}},
	})
	if n := emu.countRequests("/api/v2/users/"); n != 0 {
		t.Errorf("a refused plan sent %d screen pop requests", n)
	}
}
