package provider

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Provider-defined functions need Terraform 1.8 (OpenTofu 1.7); they need no provider
// configuration and send no request, so these tests run without an emulator.
var functionVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

// TestAccFunctions_examples applies each function's documentation example and checks the value
// its comment promises.
func TestAccFunctions_examples(t *testing.T) {
	cases := map[string]statecheck.StateCheck{
		"functions/origin_allowed":  statecheck.ExpectKnownOutputValue("dashboard_allowed", knownvalue.Bool(true)),
		"functions/manifest_origin": statecheck.ExpectKnownOutputValue("origin", knownvalue.StringExact("widgets.example.com:8443")),
		"functions/screenpop_url": statecheck.ExpectKnownOutputValue("pop_url",
			knownvalue.StringExact("https://crm.example.com/customer#customerId=42&topic=billing%20%26%20refunds")),
	}
	// Every function's example is here: one without a case fails, as in TestAccExamples.
	dirs, err := filepath.Glob(filepath.Join(examplesDir, "functions", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no function examples under %s: %v", examplesDir, err)
	}
	for _, d := range dirs {
		rel, _ := filepath.Rel(examplesDir, d)
		if _, ok := cases[filepath.ToSlash(rel)]; !ok {
			t.Errorf("example %s has no case: add the value it promises", filepath.ToSlash(rel))
		}
	}
	for dir, check := range cases {
		t.Run(dir, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   functionVersionChecks,
				Steps: []resource.TestStep{{
					Config:            readExample(t, dir),
					ConfigStateChecks: []statecheck.StateCheck{check},
				}},
			})
		})
	}
}

func TestAccFunctionOriginAllowed(t *testing.T) {
	outputs := `
locals { patterns = ["widgets.example.com", "*.cloudfront.net", "cdn.example.com:8443"] }
output "exact"           { value = provider::genesys::origin_allowed("https://widgets.example.com/a", local.patterns) }
output "case_and_port"   { value = provider::genesys::origin_allowed("https://WIDGETS.example.com:443/a", local.patterns) }
output "wildcard"        { value = provider::genesys::origin_allowed("https://d1.cloudfront.net/a", local.patterns) }
output "wildcard_apex"   { value = provider::genesys::origin_allowed("https://cloudfront.net/a", local.patterns) }
output "lookalike"       { value = provider::genesys::origin_allowed("https://widgets.example.com.evil.net/a", local.patterns) }
output "other_port"      { value = provider::genesys::origin_allowed("https://widgets.example.com:8443/a", local.patterns) }
output "listed_port"     { value = provider::genesys::origin_allowed("https://cdn.example.com:8443/a", local.patterns) }
output "empty_allows"    { value = provider::genesys::origin_allowed("https://anywhere.example.org/", []) }
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   functionVersionChecks,
		Steps: []resource.TestStep{
			{
				Config: outputs,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("exact", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("case_and_port", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("wildcard", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("wildcard_apex", knownvalue.Bool(false)),
					statecheck.ExpectKnownOutputValue("lookalike", knownvalue.Bool(false)),
					statecheck.ExpectKnownOutputValue("other_port", knownvalue.Bool(false)),
					statecheck.ExpectKnownOutputValue("listed_port", knownvalue.Bool(true)),
					statecheck.ExpectKnownOutputValue("empty_allows", knownvalue.Bool(true)),
				},
			},
			{
				// A URL the resource refuses whatever the allow-list is an error, not false.
				Config:      `output "x" { value = provider::genesys::origin_allowed("http://widgets.example.com/", ["widgets.example.com"]) }`,
				ExpectError: regexp.MustCompile(`(?s)url: URL scheme is "http".*https://`),
				PlanOnly:    true,
			},
			{
				Config:      `output "x" { value = provider::genesys::origin_allowed("https://widgets.example.com/", ["*.com"]) }`,
				ExpectError: regexp.MustCompile(`patterns\[0\]: host pattern "\*\.com"`),
				PlanOnly:    true,
			},
		},
	})
}

func TestAccFunctionManifestOrigin(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   functionVersionChecks,
		Steps: []resource.TestStep{
			{
				Config: `
output "plain"    { value = provider::genesys::manifest_origin("https://Widgets.Example.COM/app") }
output "default"  { value = provider::genesys::manifest_origin("https://widgets.example.com:443/app") }
output "idn"      { value = provider::genesys::manifest_origin("https://bücher.example/app") }
output "ipv6"     { value = provider::genesys::manifest_origin("https://[2001:DB8::1]:9443/app") }
# What the function returns, listed as an allowed origin, allows the URL: the two agree.
output "roundtrip" {
  value = provider::genesys::origin_allowed("https://bücher.example/app", [provider::genesys::manifest_origin("https://bücher.example/app")])
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("plain", knownvalue.StringExact("widgets.example.com")),
					statecheck.ExpectKnownOutputValue("default", knownvalue.StringExact("widgets.example.com")),
					statecheck.ExpectKnownOutputValue("idn", knownvalue.StringExact("xn--bcher-kva.example")),
					statecheck.ExpectKnownOutputValue("ipv6", knownvalue.StringExact("[2001:db8::1]:9443")),
					statecheck.ExpectKnownOutputValue("roundtrip", knownvalue.Bool(true)),
				},
			},
			{
				Config:      `output "x" { value = provider::genesys::manifest_origin("https://user@widgets.example.com/") }`,
				ExpectError: regexp.MustCompile(`url: URL must not contain user info`),
				PlanOnly:    true,
			},
		},
	})
}

func TestAccFunctionScreenpopURL(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   functionVersionChecks,
		Steps: []resource.TestStep{
			{
				Config: `
output "sorted"   { value = provider::genesys::screenpop_url("https://crm.example.com/c?x=1", { b = "2 3", a = "é/?" }) }
output "fragment" { value = provider::genesys::screenpop_url("https://crm.example.com/c#view=full", { id = "7" }) }
output "empty"    { value = provider::genesys::screenpop_url("https://crm.example.com/c", {}) }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("sorted", knownvalue.StringExact("https://crm.example.com/c?x=1#a=%C3%A9%2F%3F&b=2%203")),
					statecheck.ExpectKnownOutputValue("fragment", knownvalue.StringExact("https://crm.example.com/c#view=full&id=7")),
					statecheck.ExpectKnownOutputValue("empty", knownvalue.StringExact("https://crm.example.com/c")),
				},
			},
			{
				Config:      `output "x" { value = provider::genesys::screenpop_url("https://crm.example.com/c", { sessionToken = "t" }) }`,
				ExpectError: regexp.MustCompile(`reserved for the session token`),
				PlanOnly:    true,
			},
			{
				Config:      `output "x" { value = provider::genesys::screenpop_url("https://crm.example.com/c#/route", { id = "1" }) }`,
				ExpectError: regexp.MustCompile(`fragment that is not key=value pairs`),
				PlanOnly:    true,
			},
			{
				Config:      `output "x" { value = provider::genesys::screenpop_url("ftp://crm.example.com/c", {}) }`,
				ExpectError: regexp.MustCompile(`target_url: URL scheme is "ftp"`),
				PlanOnly:    true,
			},
		},
	})
}
