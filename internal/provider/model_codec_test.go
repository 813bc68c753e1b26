package provider

import (
	"context"
	"math/big"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func widgetResourceSchemaForTest(t *testing.T) tfsdk.State {
	t.Helper()
	var resp resource.SchemaResponse
	NewAgentWidgetResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	ctx := context.Background()
	return tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
}

// widgetModelsForTest are models that exercise each kind of attribute: null, unknown and known
// strings, sets, the nested object, numbers, and the timeouts block.
func widgetModelsForTest(t *testing.T) map[string]agentWidgetResourceModel {
	t.Helper()
	ctx := context.Background()
	set := func(vs ...string) types.Set {
		s, diags := types.SetValueFrom(ctx, types.StringType, vs)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return s
	}
	dimTypes := map[string]attr.Type{"width": types.NumberType, "height": types.NumberType}
	dims, diags := types.ObjectValue(dimTypes, map[string]attr.Value{
		"width": types.NumberValue(big.NewFloat(640)), "height": types.NumberValue(big.NewFloat(480)),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	tt, diags := types.ObjectValue(timeoutsAttrTypes(), map[string]attr.Value{
		"create": types.StringValue("10m"), "update": types.StringNull(), "delete": types.StringUnknown(),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	nulls := agentWidgetResourceModel{agentWidgetModel: agentWidgetModel{
		Sandbox: types.SetNull(types.StringType), Permissions: types.SetNull(types.StringType),
		Groups: types.SetNull(types.StringType), Dimensions: types.ObjectNull(dimTypes),
		CommunicationTypes: types.SetNull(types.StringType), QueueIDs: types.SetNull(types.StringType),
	}, Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}}
	full := agentWidgetResourceModel{agentWidgetModel: agentWidgetModel{
		ID: types.StringValue("id-1"), Name: types.StringValue("w"), Description: types.StringValue(""),
		Type: types.StringValue("webapp"), ManifestURL: types.StringValue("https://example.com/"),
		Status: types.StringValue("active"), DisplayType: types.StringValue("widget"),
		Sandbox: set("allow-scripts", "allow-forms"), Permissions: set(), Groups: set("g"),
		Dimensions: dims, RefreshIntervalMs: types.NumberValue(big.NewFloat(1500)),
		CommunicationTypes: types.SetUnknown(types.StringType), QueueIDs: set(),
		IntegrationType: types.StringValue("embedded-client-app"), ReportedState: types.StringUnknown(),
		ConfigVersion: types.Int64Value(7),
	}, Timeouts: timeouts.Value{Object: tt}}
	return map[string]agentWidgetResourceModel{"nulls": nulls, "full": full}
}

// The fast path writes what State.Set writes and reads back what State.Get reads.
func TestModelCodecAgreesWithTheFramework(t *testing.T) {
	ctx := context.Background()
	empty := widgetResourceSchemaForTest(t)
	for name, model := range widgetModelsForTest(t) {
		t.Run(name, func(t *testing.T) {
			want := empty
			if diags := want.Set(ctx, model); diags.HasError() {
				t.Fatal(diags)
			}
			fast, ok := encodeModel(ctx, empty.Schema.Type(), model)
			if !ok {
				t.Fatal("encodeModel fell back to the framework for the widget model")
			}
			if !fast.Equal(want.Raw) {
				t.Fatalf("encodeModel = %v\nState.Set = %v", fast, want.Raw)
			}
			got := empty
			if diags := setState(ctx, &got, model); diags.HasError() || !got.Raw.Equal(want.Raw) {
				t.Fatalf("setState = %v (%v), want %v", got.Raw, diags, want.Raw)
			}

			var viaFramework, viaCodec agentWidgetResourceModel
			if diags := want.Get(ctx, &viaFramework); diags.HasError() {
				t.Fatal(diags)
			}
			if !decodeModel(ctx, want.Schema.Type(), want.Raw, &viaCodec) {
				t.Fatal("decodeModel fell back to the framework for the widget model")
			}
			// Every field, compared as the framework compares values.
			fw, _ := encodeModel(ctx, want.Schema.Type(), viaFramework)
			cd, _ := encodeModel(ctx, want.Schema.Type(), viaCodec)
			if !fw.Equal(cd) || !cd.Equal(want.Raw) {
				t.Fatalf("decodeModel read %v, State.Get %v", cd, fw)
			}
			if !viaCodec.Timeouts.Equal(viaFramework.Timeouts) || !viaCodec.Dimensions.Equal(viaFramework.Dimensions) {
				t.Fatal("nested values differ between decodeModel and State.Get")
			}
		})
	}
}

// What the fast path does not handle goes to the framework, with the framework's answer.
func TestModelCodecFallsBack(t *testing.T) {
	ctx := context.Background()
	st := widgetResourceSchemaForTest(t)

	// A null object (a resource being destroyed): the framework's error, not a silent zero model.
	var m agentWidgetResourceModel
	if decodeModel(ctx, st.Schema.Type(), st.Raw, &m) {
		t.Fatal("decodeModel decoded a null object")
	}
	if diags := getState(ctx, st, &m); !diags.HasError() {
		t.Fatal("getState of a null state: no error, want the framework's")
	}

	// A struct whose fields do not match the schema.
	type partial struct {
		ID types.String `tfsdk:"id"`
	}
	if _, ok := encodeModel(ctx, st.Schema.Type(), partial{ID: types.StringValue("x")}); ok {
		t.Fatal("encodeModel accepted a struct missing attributes")
	}
	if diags := setState(ctx, &st, partial{ID: types.StringValue("x")}); !diags.HasError() {
		t.Fatal("setState of a partial struct: no error, want the framework's")
	}

	// A value of the wrong type for its attribute (a set of numbers for a set of strings).
	bad := widgetModelsForTest(t)["nulls"]
	bad.Sandbox = types.SetNull(types.NumberType)
	if _, ok := encodeModel(ctx, st.Schema.Type(), bad); ok {
		t.Fatal("encodeModel accepted a value of the wrong type")
	}
	if diags := setState(ctx, &st, bad); !diags.HasError() {
		t.Fatal("setState of a mistyped value: no error, want the framework's Value Conversion Error")
	}
}

func TestLayoutOf(t *testing.T) {
	type inner struct {
		A types.String `tfsdk:"a"`
	}
	type outer struct {
		inner
		B types.Int64 `tfsdk:"b"`
		C string      `tfsdk:"-"`
	}
	l := layoutOf(reflect.TypeFor[outer]())
	if !l.ok || len(l.names) != 2 || l.names[0] != "a" || l.names[1] != "b" {
		t.Fatalf("layout of a struct embedding another = %+v", l)
	}
	type dup struct {
		A types.String `tfsdk:"a"`
		B types.String `tfsdk:"a"`
	}
	if layoutOf(reflect.TypeFor[dup]()).ok {
		t.Fatal("two fields with one name accepted")
	}
	type plain struct {
		A string `tfsdk:"a"`
	}
	if layoutOf(reflect.TypeFor[plain]()).ok {
		t.Fatal("a field that is not an attr.Value accepted")
	}
}

// A set with a duplicate element fails SetType's check: the framework reports it, on read as on
// write.
func TestModelCodecLeavesInvalidValuesToTheFramework(t *testing.T) {
	ctx := context.Background()
	st := widgetResourceSchemaForTest(t)
	if diags := st.Set(ctx, widgetModelsForTest(t)["full"]); diags.HasError() {
		t.Fatal(diags)
	}
	var values map[string]tftypes.Value
	if err := st.Raw.As(&values); err != nil {
		t.Fatal(err)
	}
	str := tftypes.NewValue(tftypes.String, "allow-forms")
	values["sandbox"] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{str, str})
	st.Raw = tftypes.NewValue(st.Raw.Type(), values)

	var m agentWidgetResourceModel
	if decodeModel(ctx, st.Schema.Type(), st.Raw, &m) {
		t.Fatal("decodeModel read a set with a duplicate element")
	}
	if diags := getState(ctx, st, &m); !diags.HasError() {
		t.Fatal("getState of a set with a duplicate element: no error, want the framework's")
	}
}

// stringsOf, stringSet and dimensionsOf answer as ElementsAs, SetValueFrom and Object.As do,
// errors included.
func TestConversionsAgreeWithTheFramework(t *testing.T) {
	ctx := context.Background()
	str := func(vs ...attr.Value) types.Set {
		s, diags := types.SetValue(types.StringType, vs)
		if diags.HasError() {
			t.Fatal(diags)
		}
		return s
	}
	for name, set := range map[string]types.Set{
		"empty":           str(),
		"two":             str(types.StringValue("b"), types.StringValue("a")),
		"unknown element": str(types.StringValue("a"), types.StringUnknown()),
		"null element":    str(types.StringNull()),
		"unknown":         types.SetUnknown(types.StringType),
	} {
		var want, got []string
		wantDiags := set.ElementsAs(ctx, &want, false)
		gotDiags := stringsOf(ctx, set, &got)
		if !reflect.DeepEqual(got, want) || !gotDiags.Equal(wantDiags) {
			t.Errorf("%s: stringsOf = %#v %v, ElementsAs = %#v %v", name, got, gotDiags, want, wantDiags)
		}
	}

	for name, items := range map[string][]string{
		"nil": nil, "empty": {}, "two": {"b", "a"}, "duplicate": {"a", "b", "a"},
	} {
		want, wantDiags := types.SetValueFrom(ctx, types.StringType, items)
		got, gotDiags := stringSet(ctx, items)
		if !got.Equal(want) || !gotDiags.Equal(wantDiags) {
			t.Errorf("%s: stringSet = %v %v, SetValueFrom = %v %v", name, got, gotDiags, want, wantDiags)
		}
	}

	num := func(f float64) types.Number { return types.NumberValue(big.NewFloat(f)) }
	obj := func(w, h attr.Value) types.Object {
		o, diags := types.ObjectValue(dimensionsAttrTypes, map[string]attr.Value{"width": w, "height": h})
		if diags.HasError() {
			t.Fatal(diags)
		}
		return o
	}
	for name, dims := range map[string]types.Object{
		"known":           obj(num(640), num(480)),
		"unknown width":   obj(types.NumberUnknown(), num(480)),
		"null height":     obj(num(640), types.NumberNull()),
		"unknown object":  types.ObjectUnknown(dimensionsAttrTypes),
		"null object":     types.ObjectNull(dimensionsAttrTypes),
		"other attribute": types.ObjectValueMust(map[string]attr.Type{"width": types.StringType}, map[string]attr.Value{"width": types.StringValue("x")}),
	} {
		var want dimensionsModel
		wantDiags := dims.As(ctx, &want, objectAsOptions)
		got, gotDiags := dimensionsOf(ctx, dims)
		if !got.Width.Equal(want.Width) || !got.Height.Equal(want.Height) || !gotDiags.Equal(wantDiags) {
			t.Errorf("%s: dimensionsOf = %v %v, As = %v %v", name, got, gotDiags, want, wantDiags)
		}
	}
}

// setIdentity writes what ResourceIdentity.Set writes.
func TestSetIdentityAgreesWithTheFramework(t *testing.T) {
	ctx := context.Background()
	var resp resource.IdentitySchemaResponse
	NewAgentWidgetResource().(*AgentWidgetResource).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &resp)
	empty := tfsdk.ResourceIdentity{Schema: resp.IdentitySchema, Raw: tftypes.NewValue(resp.IdentitySchema.Type().TerraformType(ctx), nil)}
	for _, id := range []types.String{types.StringValue("id-1"), types.StringNull()} {
		want, got := empty, empty
		wantDiags := want.Set(ctx, agentWidgetIdentityModel{ID: id})
		gotDiags := setIdentity(ctx, &got, agentWidgetIdentityModel{ID: id})
		if !got.Raw.Equal(want.Raw) || !gotDiags.Equal(wantDiags) {
			t.Errorf("id %v: setIdentity = %v %v, Set = %v %v", id, got.Raw, gotDiags, want.Raw, wantDiags)
		}
	}
}
