package provider

import (
	"context"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The functions here do what Config.Get, Plan.Get, State.Get, Plan.Set and State.Set do for a
// model struct, for the resources Terraform calls once per instance (so hundreds of times per
// command). The framework's reflection reads the struct's tags afresh on every call and compiles
// a regular expression for each field it checks (internal/reflect.isValidFieldName, v1.19):
// measured with GENESYS_PROVIDER_CPUPROFILE, that was a tenth of the provider's CPU time in a
// refresh of 500 widgets and as much again in the garbage it left. Here the layout of a model
// type is read once, and each call converts the fields with the schema's own attribute types, as
// the framework does, with the same checks. Anything off the simple path (a field that is not an
// attr.Value, an object whose attributes do not match the fields one for one, a null or unknown
// object, a value of the wrong type or that fails its type's check, a value that validates
// itself) is handed to the framework, so its results and errors stay the reference. The same
// goes for the widget's sets, its dimensions and its identity: stringsOf, stringSet,
// dimensionsOf and setIdentity stand in for ElementsAs, SetValueFrom, Object.As and
// ResourceIdentity.Set, which reflect afresh on every call.

// modelLayout is where each attribute of a model struct lives.
type modelLayout struct {
	names []string // attribute names, in field order
	index [][]int  // reflect field index of each, through embedded structs
	ok    bool     // every field is an attr.Value tagged with its attribute's name
}

var (
	modelLayouts   sync.Map // reflect.Type -> *modelLayout
	attrValueIface = reflect.TypeFor[attr.Value]()
)

// layoutOf reads the tfsdk tags of a struct type once. Embedded structs without a tag
// contribute their fields, as the framework allows; `tfsdk:"-"` fields are skipped.
func layoutOf(t reflect.Type) *modelLayout {
	if l, ok := modelLayouts.Load(t); ok {
		return l.(*modelLayout) //nolint:errcheck,forcetypeassert // only *modelLayout is stored
	}
	l := &modelLayout{ok: true}
	seen := map[string]bool{}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			idx := append(append([]int(nil), prefix...), i)
			tag, tagged := f.Tag.Lookup("tfsdk")
			switch {
			case tag == "-":
			case f.Anonymous && !tagged && f.Type.Kind() == reflect.Struct:
				walk(f.Type, idx)
			case !tagged || tag == "" || seen[tag] || !f.IsExported() || !f.Type.Implements(attrValueIface):
				l.ok = false
			default:
				seen[tag] = true
				l.names = append(l.names, tag)
				l.index = append(l.index, idx)
			}
		}
	}
	walk(t, nil)
	actual, _ := modelLayouts.LoadOrStore(t, l)
	return actual.(*modelLayout) //nolint:errcheck,forcetypeassert // only *modelLayout is stored
}

// objectAttrTypes is the attribute types of a schema's object type, or false.
func objectAttrTypes(schemaType attr.Type) (map[string]attr.Type, bool) {
	ot, ok := schemaType.(basetypes.ObjectType)
	return ot.AttrTypes, ok
}

// decodeModel fills target (a pointer to a model struct) from raw, whose schema type is
// schemaType. It reports false, having changed nothing, when the framework must do it.
func decodeModel(ctx context.Context, schemaType attr.Type, raw tftypes.Value, target any) bool {
	rv := reflect.ValueOf(target)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	l := layoutOf(rv.Elem().Type())
	attrTypes, ok := objectAttrTypes(schemaType)
	if !ok || !l.ok || len(l.names) != len(attrTypes) || !raw.IsKnown() || raw.IsNull() {
		return false
	}
	var values map[string]tftypes.Value
	if err := raw.As(&values); err != nil || len(values) != len(l.names) {
		return false
	}
	out := reflect.New(rv.Elem().Type()).Elem()
	for i, name := range l.names {
		typ, ok := attrTypes[name]
		v, found := values[name]
		if !ok || !found {
			return false
		}
		av, err := typ.ValueFromTerraform(ctx, v)
		if err != nil {
			return false
		}
		// The framework checks values as it reads them, as it does when it sets them (encodeModel).
		if _, validates := av.(xattr.ValidateableAttribute); validates {
			return false
		}
		if tv, ok := typ.(xattr.TypeWithValidate); ok && tv.Validate(ctx, v, path.Root(name)).HasError() { //nolint:staticcheck // see encodeModel
			return false
		}
		field := out.FieldByIndex(l.index[i])
		got := reflect.ValueOf(av)
		if got.Type() != field.Type() {
			return false
		}
		field.Set(got)
	}
	rv.Elem().Set(out)
	return true
}

// encodeModel is model (a model struct) as a value of schemaType, or false when the framework
// must do it.
func encodeModel(ctx context.Context, schemaType attr.Type, model any) (tftypes.Value, bool) {
	rv := reflect.ValueOf(model)
	if rv.Kind() != reflect.Struct {
		return tftypes.Value{}, false
	}
	l := layoutOf(rv.Type())
	attrTypes, ok := objectAttrTypes(schemaType)
	if !ok || !l.ok || len(l.names) != len(attrTypes) {
		return tftypes.Value{}, false
	}
	values := make(map[string]tftypes.Value, len(l.names))
	for i, name := range l.names {
		typ, ok := attrTypes[name]
		if !ok {
			return tftypes.Value{}, false
		}
		av, ok := rv.FieldByIndex(l.index[i]).Interface().(attr.Value)
		if !ok { // layoutOf keeps only attr.Value fields; a nil interface field is not one
			return tftypes.Value{}, false
		}
		// The framework validates values of custom types as it sets them; those go its way.
		if _, validates := av.(xattr.ValidateableAttribute); validates {
			return tftypes.Value{}, false
		}
		if !typ.TerraformType(ctx).Equal(av.Type(ctx).TerraformType(ctx)) {
			return tftypes.Value{}, false // the framework's "Value Conversion Error" says which
		}
		v, err := av.ToTerraformValue(ctx)
		if err != nil {
			return tftypes.Value{}, false
		}
		// Sets (no duplicate elements) and Int64s (whole numbers in range) check their values
		// through this older interface, as the framework does when it sets them; a value that
		// fails goes to the framework for its error.
		if tv, ok := typ.(xattr.TypeWithValidate); ok { //nolint:staticcheck // deprecated, but the framework still calls it
			if tv.Validate(ctx, v, path.Root(name)).HasError() {
				return tftypes.Value{}, false
			}
		}
		values[name] = v
	}
	objType := schemaType.TerraformType(ctx)
	if err := tftypes.ValidateValue(objType, values); err != nil {
		return tftypes.Value{}, false
	}
	return tftypes.NewValue(objType, values), true
}

// getConfig is config.Get(ctx, target).
func getConfig(ctx context.Context, config tfsdk.Config, target any) diag.Diagnostics {
	if decodeModel(ctx, config.Schema.Type(), config.Raw, target) {
		return nil
	}
	return config.Get(ctx, target)
}

// getPlan is plan.Get(ctx, target).
func getPlan(ctx context.Context, plan tfsdk.Plan, target any) diag.Diagnostics {
	if decodeModel(ctx, plan.Schema.Type(), plan.Raw, target) {
		return nil
	}
	return plan.Get(ctx, target)
}

// getState is state.Get(ctx, target).
func getState(ctx context.Context, state tfsdk.State, target any) diag.Diagnostics {
	if decodeModel(ctx, state.Schema.Type(), state.Raw, target) {
		return nil
	}
	return state.Get(ctx, target)
}

// setPlan is plan.Set(ctx, model).
func setPlan(ctx context.Context, plan *tfsdk.Plan, model any) diag.Diagnostics {
	if v, ok := encodeModel(ctx, plan.Schema.Type(), model); ok {
		plan.Raw = v
		return nil
	}
	return plan.Set(ctx, model)
}

// setState is state.Set(ctx, model).
func setState(ctx context.Context, state *tfsdk.State, model any) diag.Diagnostics {
	if v, ok := encodeModel(ctx, state.Schema.Type(), model); ok {
		state.Raw = v
		return nil
	}
	return state.Set(ctx, model)
}

// setIdentity is identity.Set(ctx, model).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, model any) diag.Diagnostics {
	if v, ok := encodeModel(ctx, identity.Schema.Type(), model); ok {
		identity.Raw = v
		return nil
	}
	return identity.Set(ctx, model)
}

// stringsOf is set.ElementsAs(ctx, into, false) for a set of strings: the elements' values, in
// the set's order, into *into. A null or unknown set or element goes the framework's way, for its
// error.
func stringsOf(ctx context.Context, set types.Set, into *[]string) diag.Diagnostics {
	if set.IsNull() || set.IsUnknown() {
		return set.ElementsAs(ctx, into, false)
	}
	elems := set.Elements()
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			return set.ElementsAs(ctx, into, false)
		}
		out = append(out, s.ValueString())
	}
	*into = out
	return nil
}

// stringSet is types.SetValueFrom(ctx, types.StringType, items). A nil slice (a null set) and
// duplicate items (an error) go the framework's way.
func stringSet(ctx context.Context, items []string) (types.Set, diag.Diagnostics) {
	if items == nil {
		return types.SetValueFrom(ctx, types.StringType, items)
	}
	elems := make([]attr.Value, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, item := range items {
		if seen[item] {
			return types.SetValueFrom(ctx, types.StringType, items)
		}
		seen[item] = true
		elems = append(elems, types.StringValue(item))
	}
	return types.SetValue(types.StringType, elems)
}

// dimensionsOf is dims.As(ctx, &model, objectAsOptions) for a known object, read without the
// framework's reflection; anything else goes its way.
func dimensionsOf(ctx context.Context, dims types.Object) (dimensionsModel, diag.Diagnostics) {
	attrs := dims.Attributes()
	w, wok := attrs["width"].(types.Number)
	h, hok := attrs["height"].(types.Number)
	if dims.IsNull() || dims.IsUnknown() || len(attrs) != 2 || !wok || !hok {
		var d dimensionsModel
		diags := dims.As(ctx, &d, objectAsOptions)
		return d, diags
	}
	return dimensionsModel{Width: w, Height: h}, nil
}
