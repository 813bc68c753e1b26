package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestStringValidators(t *testing.T) {
	cases := []struct {
		name      string
		validator validator.String
		value     types.String
		wantErr   string // "" = valid
	}{
		{"https URL", URLWithScheme("https"), types.StringValue("https://api.mypurecloud.com"), ""},
		{"http allowed when asked", URLWithScheme("https", "http"), types.StringValue("http://127.0.0.1:8787"), ""},
		{"http refused", URLWithScheme("https"), types.StringValue("http://crm.example.com"), `must use scheme "https"`},
		{"no scheme", URLWithScheme("https"), types.StringValue("crm.example.com/x"), `must use scheme`},
		{"no host", URLWithScheme("https"), types.StringValue("https:///x"), "has no host"},
		{"user info", URLWithScheme("https"), types.StringValue("https://u:p@crm.example.com"), "user info"},
		{"credentials are not echoed", URLWithScheme("https"), types.StringValue("https://u:hunter2@crm.example.com"), "user info"},
		// Every other branch keeps a credential out of its message too.
		{"credentials, wrong scheme", URLWithScheme("https"), types.StringValue("ftp://u:hunter2@crm.example.com"), `scheme is "ftp"`},
		{"credentials, no scheme", URLWithScheme("https"), types.StringValue("//u:hunter2@crm.example.com"), "no scheme"},
		{"credentials, no host", URLWithScheme("https"), types.StringValue("https://u:hunter2@/x"), "user info"},
		{"credentials, unparsable", URLWithScheme("https"), types.StringValue("https://u:hunter2@crm example.com"), "not a URL"},
		{"credentials, bad escape", URLWithScheme("https"), types.StringValue("https://u:hunter2@crm.example.com/%zz"), "not a URL"},
		{"credentials, bad port", URLWithScheme("https"), types.StringValue("https://u:hunter2@crm.example.com:x/"), "not a URL"},
		{"empty URL", URLWithScheme("https"), types.StringValue(""), "the URL is empty; write one such as https://"},
		{"URL with a leading space", URLWithScheme("https"), types.StringValue(" https://crm.example.com"), "starts or ends with whitespace; remove it"},
		{"unknown is not judged", URLWithScheme("https"), types.StringUnknown(), ""},
		{"null is not judged", URLWithScheme("https"), types.StringNull(), ""},
		{"exact host", HostPattern(), types.StringValue("cdn.example.com"), ""},
		{"host and port", HostPattern(), types.StringValue("cdn.example.com:8443"), ""},
		{"wildcard", HostPattern(), types.StringValue("*.cloudfront.net"), ""},
		{"bare star", HostPattern(), types.StringValue("*"), "Invalid host pattern"},
		{"scheme in pattern", HostPattern(), types.StringValue("https://cdn.example.com"), "Invalid host pattern"},
		{"inner wildcard", HostPattern(), types.StringValue("a.*.example.com"), "Invalid host pattern"},
		{"manifest", ManifestURL(), types.StringValue("https://widgets.example.com/w/index.html"), ""},
		{"manifest over http", ManifestURL(), types.StringValue("http://widgets.example.com/w/"), "Invalid manifest_url"},
		{"manifest relative", ManifestURL(), types.StringValue("/w/index.html"), "Invalid manifest_url"},
		{"manifest with credentials", ManifestURL(), types.StringValue("https://u:hunter2@widgets.example.com/w/"), "user info"},
		{"manifest with credentials over http", ManifestURL(), types.StringValue("http://u:hunter2@widgets.example.com/w/"), "user info"},
		{"manifest with credentials, unparsable", ManifestURL(), types.StringValue("https://u:hunter2@widgets example.com/"), "Invalid manifest_url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := &validator.StringResponse{}
			tc.validator.ValidateString(context.Background(), validator.StringRequest{
				Path:        path.Root("attr"),
				ConfigValue: tc.value,
			}, resp)
			if tc.wantErr == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				return
			}
			if !resp.Diagnostics.HasError() {
				t.Fatalf("no error, want one mentioning %q", tc.wantErr)
			}
			d := resp.Diagnostics.Errors()[0]
			text := d.Summary() + ": " + d.Detail()
			if strings.Contains(text, "hunter2") {
				t.Fatalf("the diagnostic repeats a credential: %s", text)
			}
			if !strings.Contains(text, tc.wantErr) {
				t.Fatalf("diagnostic %q does not mention %q", text, tc.wantErr)
			}
			if tc.validator.Description(context.Background()) == "" {
				t.Fatal("validator has no description")
			}
		})
	}
}
