package provider

import (
	"context"
	"encoding/json"
	"math/big"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// rpcBench drives the provider's protocol server as Terraform does for one genesys_agent_widget,
// without Terraform or its plugin transport: the provider's share of genesys-bench's CPU per
// widget, measured where a shared machine cannot blur it (allocations per widget are exact).
// go test -run - -bench AgentWidgetRPC -benchmem ./internal/provider/ (DESIGN.md, Benchmark).
type rpcBench struct {
	srv        tfprotov6.ProviderServer
	widgetType tftypes.Object
}

func newRPCBench(b *testing.B) *rpcBench {
	b.Helper()
	emu, err := emulator.New(emulator.Config{RateLimit: -1, ClientRateLimit: -1, TokenCreationLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(emu)
	b.Cleanup(func() { ts.Close(); _ = emu.Close() })
	srv, err := providerserver.NewProtocol6WithError(New("bench")())()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	providerType := schemas.Provider.ValueType().(tftypes.Object)
	cfg := rpcObject(providerType, map[string]tftypes.Value{
		"client_id":     tftypes.NewValue(tftypes.String, "org-a-client"),
		"client_secret": tftypes.NewValue(tftypes.String, "org-a-secret"),
		"api_url":       tftypes.NewValue(tftypes.String, ts.URL),
	})
	dv, _ := tfprotov6.NewDynamicValue(providerType, cfg)
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &dv})
	if err != nil || len(resp.Diagnostics) > 0 {
		b.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	return &rpcBench{
		srv:        srv,
		widgetType: schemas.ResourceSchemas["genesys_agent_widget"].ValueType().(tftypes.Object),
	}
}

// rpcObject is an object of typ with the given attributes and every other one null.
func rpcObject(typ tftypes.Object, vals map[string]tftypes.Value) tftypes.Value {
	all := map[string]tftypes.Value{}
	for name, t := range typ.AttributeTypes {
		if v, ok := vals[name]; ok {
			all[name] = v
		} else {
			all[name] = tftypes.NewValue(t, nil)
		}
	}
	return tftypes.NewValue(typ, all)
}

// config is a widget of genesys-bench's configuration (cmd/genesys-bench widgetsTF).
func (r *rpcBench) config(description string) tftypes.Value {
	dims := r.widgetType.AttributeTypes["dimensions"].(tftypes.Object)
	return rpcObject(r.widgetType, map[string]tftypes.Value{
		"name":         tftypes.NewValue(tftypes.String, "bench-widget-0001"),
		"description":  tftypes.NewValue(tftypes.String, description),
		"type":         tftypes.NewValue(tftypes.String, "webapp"),
		"manifest_url": tftypes.NewValue(tftypes.String, "https://widgets.example.com/bench/1/index.html"),
		"dimensions": tftypes.NewValue(dims, map[string]tftypes.Value{
			"width": tftypes.NewValue(tftypes.Number, 640), "height": tftypes.NewValue(tftypes.Number, 480),
		}),
	})
}

// proposed is what Terraform proposes: the configuration, with the prior state's value for
// every computed attribute the configuration leaves null.
func (r *rpcBench) proposed(config, prior tftypes.Value, computed map[string]bool) tftypes.Value {
	var c, p map[string]tftypes.Value
	_ = config.As(&c)
	if prior.IsNull() {
		p = map[string]tftypes.Value{}
	} else {
		_ = prior.As(&p)
	}
	out := map[string]tftypes.Value{}
	for name, v := range c {
		if v.IsNull() && computed[name] {
			if pv, ok := p[name]; ok {
				v = pv
			}
		}
		out[name] = v
	}
	return tftypes.NewValue(r.widgetType, out)
}

// rpcDyn is v as Terraform sends it.
func rpcDyn(b *testing.B, t tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	b.Helper()
	dv, err := tfprotov6.NewDynamicValue(t, v)
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// rpcFail ends the benchmark when a call failed: a failing call measures nothing.
func rpcFail(b *testing.B, what string, err error, diags []*tfprotov6.Diagnostic) {
	b.Helper()
	if err != nil {
		b.Fatalf("%s: %v", what, err)
	}
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			b.Fatalf("%s: %s: %s", what, d.Summary, d.Detail)
		}
	}
}

// BenchmarkAgentWidgetRPC is one widget's share of genesys-bench's update phase: the
// provider's calls in Terraform's plan walk (upgrade, validate, read, plan) and apply walk
// (upgrade, validate, plan again, apply), against the in-process emulator.
func BenchmarkAgentWidgetRPC(b *testing.B) {
	r := newRPCBench(b)
	ctx := context.Background()
	const typeName = "genesys_agent_widget"
	computed := map[string]bool{}
	schemas, _ := r.srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	for _, a := range schemas.ResourceSchemas[typeName].Block.Attributes {
		computed[a.Name] = a.Computed
	}

	// Create one widget to update.
	cfg := r.config("as created")
	plan, err := r.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: rpcDyn(b, r.widgetType, tftypes.NewValue(r.widgetType, nil)),
		ProposedNewState: rpcDyn(b, r.widgetType, r.proposed(cfg, tftypes.NewValue(r.widgetType, nil), computed)),
		Config:           rpcDyn(b, r.widgetType, cfg),
	})
	rpcFail(b, "plan create", err, plan.Diagnostics)
	applied, err := r.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: typeName, PriorState: rpcDyn(b, r.widgetType, tftypes.NewValue(r.widgetType, nil)),
		PlannedState: plan.PlannedState, Config: rpcDyn(b, r.widgetType, cfg), PlannedIdentity: plan.PlannedIdentity,
	})
	rpcFail(b, "create", err, applied.Diagnostics)
	state, _ := applied.NewState.Unmarshal(r.widgetType)
	identity := applied.NewIdentity

	descriptions := []string{"as updated", "as created"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		cfg := r.config(descriptions[i%2])
		cfgDV := rpcDyn(b, r.widgetType, cfg)
		for walk := range 2 {
			up, err := r.srv.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
				TypeName: typeName, RawState: &tfprotov6.RawState{JSON: stateJSON(b, state)},
			})
			rpcFail(b, "upgrade", err, up.Diagnostics)
			v, err := r.srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: cfgDV})
			rpcFail(b, "validate", err, v.Diagnostics)
			prior := state
			if walk == 0 {
				read, err := r.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
					TypeName: typeName, CurrentState: up.UpgradedState, CurrentIdentity: identity,
				})
				rpcFail(b, "read", err, read.Diagnostics)
				prior, _ = read.NewState.Unmarshal(r.widgetType)
			}
			plan, err := r.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: typeName, PriorState: rpcDyn(b, r.widgetType, prior),
				ProposedNewState: rpcDyn(b, r.widgetType, r.proposed(cfg, prior, computed)),
				Config:           cfgDV, PriorIdentity: identity,
			})
			rpcFail(b, "plan", err, plan.Diagnostics)
			if walk == 1 {
				applied, err := r.srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
					TypeName: typeName, PriorState: rpcDyn(b, r.widgetType, prior), PlannedState: plan.PlannedState,
					Config: cfgDV, PlannedIdentity: plan.PlannedIdentity,
				})
				rpcFail(b, "apply", err, applied.Diagnostics)
				state, _ = applied.NewState.Unmarshal(r.widgetType)
				var attrs map[string]tftypes.Value
				var got string
				if err := state.As(&attrs); err != nil || attrs["description"].As(&got) != nil || got != descriptions[i%2] {
					b.Fatalf("after the update the state's description is %q, want %q", got, descriptions[i%2])
				}
			}
		}
	}
}

// stateJSON is a state as Terraform stores it, and sends it to UpgradeResourceState.
func stateJSON(b *testing.B, v tftypes.Value) []byte {
	b.Helper()
	raw, err := json.Marshal(jsonOf(v))
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func jsonOf(v tftypes.Value) any {
	if v.IsNull() {
		return nil
	}
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case v.Type().Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return json.Number(f.Text('g', -1))
	case v.Type().Is(tftypes.Bool):
		var x bool
		_ = v.As(&x)
		return x
	case v.Type().Is(tftypes.Object{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := map[string]any{}
		for k, e := range m {
			out[k] = jsonOf(e)
		}
		return out
	default:
		var l []tftypes.Value
		_ = v.As(&l)
		out := []any{}
		for _, e := range l {
			out = append(out, jsonOf(e))
		}
		return out
	}
}
