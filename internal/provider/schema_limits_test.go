package provider

import (
	"context"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// TestEveryEnforcedLimitIsDocumented: the docs are written from the attributes' descriptions
// (make docs), so an attribute whose validator enforces a bound (a length in bytes, a range) or a
// closed set of values must say so in its own description: every number of the validator's rule
// and every value it accepts appears there. The rules that need more than one attribute (the URL
// with its context, the payload, the frame) are in the descriptions by hand; this test keeps the
// validators' share from drifting.
func TestEveryEnforcedLimitIsDocumented(t *testing.T) {
	ctx := context.Background()
	schemas := map[string]any{}
	var ps fwprovider.SchemaResponse
	New("test")().Schema(ctx, fwprovider.SchemaRequest{}, &ps)
	schemas["provider"] = ps.Schema
	for _, r := range []func() resource.Resource{NewAgentWidgetResource, NewScreenPopResource} {
		var resp resource.SchemaResponse
		r().Schema(ctx, resource.SchemaRequest{}, &resp)
		schemas[reflect.TypeOf(r()).String()] = resp.Schema
	}
	for _, d := range []func() datasource.DataSource{NewAgentWidgetDataSource, NewAgentWidgetsDataSource, NewOrganizationDataSource} {
		var resp datasource.SchemaResponse
		d().Schema(ctx, datasource.SchemaRequest{}, &resp)
		schemas[reflect.TypeOf(d()).String()] = resp.Schema
	}
	var as action.SchemaResponse
	NewScreenPopAction().Schema(ctx, action.SchemaRequest{}, &as)
	schemas["action"] = as.Schema
	var ls list.ListResourceSchemaResponse
	NewAgentWidgetListResource().ListResourceConfigSchema(ctx, list.ListResourceSchemaRequest{}, &ls)
	schemas["list resource"] = ls.Schema

	checked := 0
	for name, s := range schemas {
		walkAttributes(name, reflect.ValueOf(s), func(path string, attr any) {
			d, ok := attr.(interface{ GetMarkdownDescription() string })
			if !ok {
				return
			}
			desc := d.GetMarkdownDescription()
			for _, rule := range validatorDescriptions(ctx, attr) {
				checked++
				for _, want := range documentedParts(rule) {
					if !strings.Contains(desc, want) {
						t.Errorf("%s: its validator enforces %q, but its description does not say %s:\n%s", path, rule, want, desc)
					}
				}
			}
		})
	}
	if checked < 20 {
		t.Fatalf("only %d validators found: the walk misses attributes", checked)
	}
}

// walkAttributes calls visit for every attribute of a schema (a struct with Attributes and maybe
// Blocks), nested ones included.
func walkAttributes(path string, v reflect.Value, visit func(string, any)) {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	for _, field := range []string{"Attributes", "Blocks"} {
		m := v.FieldByName(field)
		if !m.IsValid() || m.Kind() != reflect.Map {
			continue
		}
		iter := m.MapRange()
		for iter.Next() {
			child := path + "." + iter.Key().String()
			visit(child, iter.Value().Interface())
			walkAttributes(child, iter.Value(), visit)
		}
	}
	if nested := v.FieldByName("NestedObject"); nested.IsValid() {
		walkAttributes(path, nested, visit)
	}
}

// validatorDescriptions are the descriptions of an attribute's validators, whatever its type.
func validatorDescriptions(ctx context.Context, attr any) []string {
	var out []string
	add := func(d interface{ Description(context.Context) string }) { out = append(out, d.Description(ctx)) }
	if a, ok := attr.(interface{ StringValidators() []validator.String }); ok {
		for _, v := range a.StringValidators() {
			add(v)
		}
	}
	if a, ok := attr.(interface{ NumberValidators() []validator.Number }); ok {
		for _, v := range a.NumberValidators() {
			add(v)
		}
	}
	if a, ok := attr.(interface{ SetValidators() []validator.Set }); ok {
		for _, v := range a.SetValidators() {
			add(v)
		}
	}
	if a, ok := attr.(interface{ ListValidators() []validator.List }); ok {
		for _, v := range a.ListValidators() {
			add(v)
		}
	}
	if a, ok := attr.(interface{ MapValidators() []validator.Map }); ok {
		for _, v := range a.MapValidators() {
			add(v)
		}
	}
	return out
}

var (
	ruleNumber = regexp.MustCompile(`(?:at least|at most|from|to) (\d+)|(\d+) to `)
	ruleValues = regexp.MustCompile(`must be one of: \[([^\]]*)\]`)
	ruleQuoted = regexp.MustCompile(`"([^"]*)"`)
)

// documentedParts is what a description must repeat of a validator's rule: its bounds ("at least
// 16", "1 to 200", "from 1000 to 86400000"; 0 and 1, which every text and count has, and "no upper
// bound" left out; examples after "such as" are no bounds) and the values of a closed set.
func documentedParts(rule string) []string {
	var parts []string
	if m := ruleValues.FindStringSubmatch(rule); m != nil {
		for _, q := range ruleQuoted.FindAllStringSubmatch(m[1], -1) {
			parts = append(parts, "`"+q[1]+"`")
		}
		return parts
	}
	for _, m := range ruleNumber.FindAllStringSubmatch(rule, -1) {
		n := m[1] + m[2]
		if n == "0" || n == "1" || n == strconv.FormatInt(math.MaxInt64, 10) {
			continue
		}
		parts = append(parts, n)
	}
	return parts
}
