package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

// TestAccAgentWidget_movedFromOfficialProvider takes over a widget that a genesyscloud_integration
// manages, through a moved block: the state is translated, nothing is re-created, and the plan is
// empty. The official provider cannot be installed here, so a stand-in with its resource's schema
// (id, intended_state, integration_type, config[0].name/notes/properties/advanced/credentials)
// writes the state, after making the integration in the emulator as that provider does.
func TestAccAgentWidget_movedFromOfficialProvider(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	factories := withOfficialStandIn(&officialStandIn{apiURL: emu.URL})
	official := `
provider "genesyscloud" {}
resource "genesyscloud_integration" "dashboard" {
  intended_state   = "ENABLED"
  integration_type = "embedded-client-app"
  config {
    name = "Agent dashboard"
    properties = jsonencode({
      url         = "https://widgets.example.com/dashboard/index.html"
      displayType = "widget"
      sandbox     = "allow-scripts,allow-same-origin"
      permissions = "clipboard-write"
      groups      = []
    })
    advanced = jsonencode({ dimensions = { width = 750, height = 500 } })
    notes    = "Queue metrics"
  }
}
`
	ours := emu.providerBlock("a", "") + `
moved {
  from = genesyscloud_integration.dashboard
  to   = genesys_agent_widget.dashboard
}
resource "genesys_agent_widget" "dashboard" {
  name         = "Agent dashboard"
  description  = "Queue metrics"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/dashboard/index.html"
  sandbox      = ["allow-scripts", "allow-same-origin"]
  permissions  = ["clipboard-write"]
  dimensions   = { width = 750, height = 500 }
}
`
	var writes int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				Config: official,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("genesyscloud_integration.dashboard", tfjsonpath.New("id"), knownvalue.NotNull()),
				},
			},
			{
				PreConfig: emu.ResetJournal,
				Config:    ours,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("genesys_agent_widget.dashboard", plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("genesys_agent_widget.dashboard", tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue("genesys_agent_widget.dashboard", tfjsonpath.New("reported_state"), knownvalue.StringExact("ACTIVE")),
					statecheck.ExpectKnownValue("genesys_agent_widget.dashboard", tfjsonpath.New("config_version"), knownvalue.Int64Exact(2)),
				},
				Check: func(*terraform.State) error {
					// The move and its refresh may only read: not one create, config write or state change.
					for _, r := range emu.Journal() {
						if r.Method != "GET" && !strings.HasPrefix(r.Path, "/oauth/") {
							writes++
							t.Errorf("the move sent %s %s", r.Method, r.Path)
						}
					}
					if n := len(emu.Integrations("org-a")); n != 1 {
						t.Errorf("org-a has %d integrations after the move, want the 1 that moved", n)
					}
					return nil
				},
			},
			{
				Config:   ours,
				PlanOnly: true, // the plan after the move is empty
			},
		},
	})
	if writes > 0 {
		t.Fatalf("%d writes during the move", writes)
	}
}

// TestAccAgentWidget_movedFromOfficialProviderByType: an interaction widget moves as a client
// application does, and a moved block from an integration of any other type is refused at plan,
// saying what to do, with nothing sent but reads and the integration left to the official provider.
func TestAccAgentWidget_movedFromOfficialProviderByType(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	factories := withOfficialStandIn(&officialStandIn{apiURL: emu.URL})
	// The data actions integration is no widget; the stand-in keeps it in state only, as the
	// emulator knows the two widget types alone.
	officialProvider := `
provider "genesyscloud" {}
`
	official := officialProvider + `
resource "genesyscloud_integration" "actions" {
  intended_state   = "ENABLED"
  integration_type = "purecloud-data-actions"
  config {
    name = "Data actions"
  }
}
`
	panel := `
resource "genesyscloud_integration" "panel" {
  intended_state   = "DISABLED"
  integration_type = "embedded-client-app-interaction-widget"
  config {
    name = "CRM panel"
    properties = jsonencode({
      url                     = "https://widgets.example.com/crm/panel.html"
      sandbox                 = "allow-scripts"
      permissions             = ""
      groups                  = []
      communicationTypeFilter = "call,chat"
      queueIdFilterList       = ["queue-support"]
    })
    advanced = jsonencode({})
  }
}
`
	ours := emu.providerBlock("a", "") + `
moved {
  from = genesyscloud_integration.panel
  to   = genesys_agent_widget.panel
}
resource "genesys_agent_widget" "panel" {
  name                = "CRM panel"
  type                = "integration"
  status              = "inactive"
  manifest_url        = "https://widgets.example.com/crm/panel.html"
  sandbox             = ["allow-scripts"]
  communication_types = ["call", "chat"]
  queue_ids           = ["queue-support"]
}
`
	refused := `
moved {
  from = genesyscloud_integration.actions
  to   = genesys_agent_widget.actions
}
resource "genesys_agent_widget" "actions" {
  name         = "Data actions"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/actions/"
}
`
	onlyReads := func(*terraform.State) error {
		for _, r := range emu.Journal() {
			if r.Method != "GET" && !strings.HasPrefix(r.Path, "/oauth/") {
				return fmt.Errorf("the move sent %s %s", r.Method, r.Path)
			}
		}
		if n := len(emu.Integrations("org-a")); n != 1 {
			return fmt.Errorf("org-a has %d integrations after the move, want the 1 that moved", n)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{Config: official + panel},
			{
				PreConfig: emu.ResetJournal,
				Config:    official + ours,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("genesys_agent_widget.panel", plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("genesys_agent_widget.panel", tfjsonpath.New("reported_state"), knownvalue.StringExact("INACTIVE")),
					statecheck.ExpectKnownValue("genesys_agent_widget.panel", tfjsonpath.New("communication_types"), knownvalue.SetSizeExact(2)),
				},
				Check: onlyReads,
			},
			{Config: official + ours, PlanOnly: true},
			{
				PreConfig: emu.ResetJournal,
				Config:    officialProvider + ours + refused,
				PlanOnly:  true,
				ExpectError: messageRE("Not a custom agent widget", `is of integration type "purecloud-data-actions"`,
					"Remove this moved block and keep managing the integration with the genesyscloud provider"),
			},
			{
				// The refused move changed nothing: the plan without it is still empty.
				PreConfig: func() { mustCheck(t, onlyReads) },
				Config:    official + ours,
				PlanOnly:  true,
			},
		},
	})
}

// TestAccAgentWidget_importAndRemovedFromOfficialProvider: the guide's way over for CLIs without
// moves between providers: an import block takes the widget by its ID, a removed block forgets the
// genesyscloud_integration without destroying it, nothing but reads is sent, and the plan after is
// empty.
func TestAccAgentWidget_importAndRemovedFromOfficialProvider(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	// The integration the official provider made; its state is written in that provider's shape.
	id := emu.seedWidget(t, "Agent dashboard", client.WidgetConfig{
		Name: "Agent dashboard", Notes: "Queue metrics", Version: 1, URL: "https://widgets.example.com/dashboard/index.html",
		DisplayType: "widget", Sandbox: []string{"allow-scripts", "allow-same-origin"}, Permissions: []string{}, Groups: []string{},
	})
	factories := withOfficialStandIn(&officialStandIn{apiURL: emu.URL, adopt: id})
	official := `
provider "genesyscloud" {}
resource "genesyscloud_integration" "dashboard" {
  intended_state   = "ENABLED"
  integration_type = "embedded-client-app"
  config {
    name       = "Agent dashboard"
    notes      = "Queue metrics"
    properties = jsonencode({ url = "https://widgets.example.com/dashboard/index.html" })
  }
}
`
	ours := emu.providerBlock("a", "") + fmt.Sprintf(`
provider "genesyscloud" {}
import {
  to = genesys_agent_widget.dashboard
  id = %q
}
removed {
  from = genesyscloud_integration.dashboard
  lifecycle {
    destroy = false
  }
}
resource "genesys_agent_widget" "dashboard" {
  name         = "Agent dashboard"
  description  = "Queue metrics"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/dashboard/index.html"
  sandbox      = ["allow-scripts", "allow-same-origin"]
}
`, id)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             emu.checkNoIntegrations("org-a"),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		Steps: []resource.TestStep{
			{Config: official},
			{
				PreConfig: emu.ResetJournal,
				Config:    ours,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("genesys_agent_widget.dashboard", plancheck.ResourceActionNoop),
						expectForgotten("genesyscloud_integration.dashboard"),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("genesys_agent_widget.dashboard", tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue("genesys_agent_widget.dashboard", tfjsonpath.New("reported_state"), knownvalue.StringExact("ACTIVE")),
				},
				Check: func(*terraform.State) error {
					for _, r := range emu.Journal() {
						if r.Method != "GET" && !strings.HasPrefix(r.Path, "/oauth/") {
							return fmt.Errorf("the hand-over sent %s %s", r.Method, r.Path)
						}
					}
					return emu.checkIntegrationCount("org-a", 1)(nil)
				},
			},
			{Config: ours, PlanOnly: true},
		},
	})
}

// expectForgotten is a plan check: the plan forgets the resource at addr (a removed block with
// destroy = false) rather than destroying it.
type expectForgotten string

func (addr expectForgotten) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == string(addr) {
			if !rc.Change.Actions.Forget() {
				resp.Error = fmt.Errorf("%s is planned to %v, not to be forgotten", addr, rc.Change.Actions)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("the plan has no change for %s", addr)
}

// seedWidget makes an enabled widget of org-a through the API, as another tool would have made
// it, and returns its ID.
func (e *testEmulator) seedWidget(t *testing.T, name string, cfg client.WidgetConfig) string {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(client.Config{ClientID: "org-a-client", ClientSecret: "org-a-secret", APIURL: e.URL, LoginURL: e.URL})
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.CreateIntegration(ctx, name, client.TypeEmbeddedClientApp)
	if err == nil {
		_, err = c.PutIntegrationConfig(ctx, in.ID, cfg.IntegrationConfig())
	}
	if err == nil {
		in, err = c.SetIntendedState(ctx, in.ID, true)
	}
	if err == nil {
		_, err = c.WaitForReportedState(ctx, in, client.ReportedActive)
	}
	if err != nil {
		t.Fatalf("seeding widget %q: %v", name, err)
	}
	return in.ID
}

// TestMoveFromOfficialIntegration_refusesOtherTypes checks the error for an integration that is no
// widget, and that other providers' resources are left to other movers.
func TestMoveFromOfficialIntegration_refusesOtherTypes(t *testing.T) {
	ctx := context.Background()
	raw, _ := json.Marshal(map[string]any{
		"id": "7b0f", "intended_state": "ENABLED", "integration_type": "purecloud-data-actions",
		"config": []map[string]any{{"name": "Data actions"}},
	})
	var resp fwresource.MoveStateResponse
	moveFromOfficialIntegration(ctx, fwresource.MoveStateRequest{
		SourceProviderAddress: "registry.terraform.io/mypurecloud/genesyscloud",
		SourceTypeName:        "genesyscloud_integration",
		SourceRawState:        &tfprotov6.RawState{JSON: raw},
	}, &resp)
	if !resp.Diagnostics.HasError() || !regexp.MustCompile(`"purecloud-data-actions".*keep managing the integration with the genesyscloud provider`).
		MatchString(resp.Diagnostics.Errors()[0].Detail()) {
		t.Fatalf("want a refusal naming the type and what to do, got %v", resp.Diagnostics)
	}

	var other fwresource.MoveStateResponse
	moveFromOfficialIntegration(ctx, fwresource.MoveStateRequest{
		SourceProviderAddress: "registry.terraform.io/hashicorp/random",
		SourceTypeName:        "random_string",
		SourceRawState:        &tfprotov6.RawState{JSON: raw},
	}, &other)
	if other.Diagnostics.HasError() || !other.TargetState.Raw.IsNull() {
		t.Fatalf("a random_string must be left alone, got %v", other.Diagnostics)
	}
}

// officialStandIn is the smallest provider whose genesyscloud_integration has the state shape of
// the official Genesys Cloud provider's, creating the integration in the emulator (org-a) with
// this project's API client; with adopt set, it records that integration instead of making one.
// withOfficialStandIn returns the provider factories of a test that runs ours beside the
// stand-in for the official provider.
func withOfficialStandIn(standIn *officialStandIn) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"genesys":      testAccProtoV6ProviderFactories["genesys"],
		"genesyscloud": providerserver.NewProtocol6WithError(standIn),
	}
}

type officialStandIn struct {
	apiURL, adopt string
	c             *client.Client
}

func (p *officialStandIn) Metadata(_ context.Context, _ fwprovider.MetadataRequest, resp *fwprovider.MetadataResponse) {
	resp.TypeName = "genesyscloud"
}
func (p *officialStandIn) Schema(context.Context, fwprovider.SchemaRequest, *fwprovider.SchemaResponse) {
}
func (p *officialStandIn) Configure(_ context.Context, _ fwprovider.ConfigureRequest, resp *fwprovider.ConfigureResponse) {
	c, err := client.New(client.Config{ClientID: "org-a-client", ClientSecret: "org-a-secret", APIURL: p.apiURL, LoginURL: p.apiURL})
	if err != nil {
		resp.Diagnostics.AddError("stand-in client", err.Error())
		return
	}
	resp.ResourceData = p
	p.c = c
}
func (p *officialStandIn) Resources(context.Context) []func() fwresource.Resource {
	return []func() fwresource.Resource{func() fwresource.Resource { return &officialIntegration{} }}
}

type officialIntegration struct {
	c     *client.Client
	adopt string
}

type officialIntegrationModel struct {
	ID              types.String              `tfsdk:"id"`
	IntendedState   types.String              `tfsdk:"intended_state"`
	IntegrationType types.String              `tfsdk:"integration_type"`
	Config          []officialIntegrationConf `tfsdk:"config"`
}

type officialIntegrationConf struct {
	Name        types.String `tfsdk:"name"`
	Notes       types.String `tfsdk:"notes"`
	Properties  types.String `tfsdk:"properties"`
	Advanced    types.String `tfsdk:"advanced"`
	Credentials types.Map    `tfsdk:"credentials"`
}

func (r *officialIntegration) Metadata(_ context.Context, _ fwresource.MetadataRequest, resp *fwresource.MetadataResponse) {
	resp.TypeName = "genesyscloud_integration"
}

func (r *officialIntegration) Schema(_ context.Context, _ fwresource.SchemaRequest, resp *fwresource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":               schema.StringAttribute{Computed: true},
			"intended_state":   schema.StringAttribute{Required: true},
			"integration_type": schema.StringAttribute{Required: true},
		},
		Blocks: map[string]schema.Block{
			"config": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"name":        schema.StringAttribute{Optional: true},
				"notes":       schema.StringAttribute{Optional: true},
				"properties":  schema.StringAttribute{Optional: true},
				"advanced":    schema.StringAttribute{Optional: true},
				"credentials": schema.MapAttribute{Optional: true, ElementType: types.StringType},
			}}},
		},
	}
}

func (r *officialIntegration) Configure(_ context.Context, req fwresource.ConfigureRequest, _ *fwresource.ConfigureResponse) {
	if p, ok := req.ProviderData.(*officialStandIn); ok {
		r.c, r.adopt = p.c, p.adopt
	}
}

func (r *officialIntegration) Create(ctx context.Context, req fwresource.CreateRequest, resp *fwresource.CreateResponse) {
	var m officialIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	conf := m.Config[0]
	if r.adopt != "" {
		m.ID = types.StringValue(r.adopt)
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		return
	}
	if _, ok := widget.TypeForIntegration(m.IntegrationType.ValueString()); !ok {
		// The emulator knows only the widget types: other integrations exist in state alone.
		m.ID = types.StringValue("official-" + m.IntegrationType.ValueString())
		resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
		return
	}
	in, err := r.c.CreateIntegration(ctx, conf.Name.ValueString(), m.IntegrationType.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("create", err.Error())
		return
	}
	cfg := client.IntegrationConfig{Name: conf.Name.ValueString(), Notes: conf.Notes.ValueString(), Version: 1}
	for _, f := range []struct {
		text string
		into *map[string]any
	}{{conf.Properties.ValueString(), &cfg.Properties}, {conf.Advanced.ValueString(), &cfg.Advanced}} {
		if err := json.Unmarshal([]byte(f.text), f.into); err != nil {
			resp.Diagnostics.AddError("config JSON", err.Error())
			return
		}
	}
	if _, err := r.c.PutIntegrationConfig(ctx, in.ID, cfg); err != nil {
		resp.Diagnostics.AddError("config", err.Error())
		return
	}
	if m.IntendedState.ValueString() == client.StateEnabled {
		if in, err = r.c.SetIntendedState(ctx, in.ID, true); err != nil {
			resp.Diagnostics.AddError("state", err.Error())
			return
		}
		if _, err := r.c.WaitForReportedState(ctx, in, client.ReportedActive); err != nil {
			resp.Diagnostics.AddError("activation", err.Error())
			return
		}
	}
	m.ID = types.StringValue(in.ID)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *officialIntegration) Read(context.Context, fwresource.ReadRequest, *fwresource.ReadResponse) {
}
func (r *officialIntegration) Update(ctx context.Context, req fwresource.UpdateRequest, resp *fwresource.UpdateResponse) {
	resp.Diagnostics.AddAttributeError(path.Root("id"), "stand-in", "updates are not part of this test")
}
func (r *officialIntegration) Delete(context.Context, fwresource.DeleteRequest, *fwresource.DeleteResponse) {
}

func (p *officialStandIn) DataSources(context.Context) []func() datasource.DataSource { return nil }
