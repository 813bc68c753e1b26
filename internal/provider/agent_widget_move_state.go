package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/widget"
)

var _ resource.ResourceWithMoveState = (*AgentWidgetResource)(nil)

// officialProviderType and officialIntegrationType name the resource of the official Genesys Cloud
// provider (registry.terraform.io/mypurecloud/genesyscloud) that a widget can move from. The
// provider's namespace and host are not compared, so a private registry's mirror moves too.
const (
	officialProviderType    = "genesyscloud"
	officialIntegrationType = "genesyscloud_integration"
)

// officialIntegrationState is the part of a genesyscloud_integration's state a widget is made of.
// The official provider keeps config as a list of at most one block, with properties and
// advanced as JSON text.
type officialIntegrationState struct {
	ID              string `json:"id"`
	IntendedState   string `json:"intended_state"`
	IntegrationType string `json:"integration_type"`
	Config          []struct {
		Name       string `json:"name"`
		Notes      string `json:"notes"`
		Properties string `json:"properties"`
		Advanced   string `json:"advanced"`
	} `json:"config"`
}

// MoveState lets a `moved` block (Terraform 1.8+) hand a genesyscloud_integration of a widget type
// over to genesys_agent_widget without re-creating it: the state is translated here, and the plan
// that follows only reads the widget back.
func (r *AgentWidgetResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: moveFromOfficialIntegration}}
}

// importInstead is the way over when a moved state cannot be translated.
const importInstead = "Import the widget instead: an import block with its id, and a removed block for the old resource."

func moveFromOfficialIntegration(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	addr := req.SourceProviderAddress
	if addr[strings.LastIndex(addr, "/")+1:] != officialProviderType || req.SourceTypeName != officialIntegrationType {
		return // not ours to move; the framework reports that no mover took it
	}
	if req.SourceRawState == nil {
		resp.Diagnostics.AddError("No state to move", "The moved genesyscloud_integration has no state to translate. "+importInstead)
		return
	}
	var src officialIntegrationState
	if err := json.Unmarshal(req.SourceRawState.JSON, &src); err != nil {
		resp.Diagnostics.AddError("Unreadable genesyscloud_integration state",
			fmt.Sprintf("The state of the moved resource (schema version %d) is not in the shape this provider knows: %v. "+
				"%s", req.SourceSchemaVersion, err, importInstead))
		return
	}
	if _, ok := widget.TypeForIntegration(src.IntegrationType); !ok {
		resp.Diagnostics.AddError("Not a custom agent widget",
			fmt.Sprintf("genesyscloud_integration %s is of integration type %q; genesys_agent_widget manages only %q and %q "+
				"integrations. Remove this moved block and keep managing the integration with the genesyscloud provider.",
				src.ID, src.IntegrationType, mustIntegrationType(widget.TypeWebapp), mustIntegrationType(widget.TypeIntegration)))
		return
	}
	if src.ID == "" || len(src.Config) != 1 {
		resp.Diagnostics.AddError("Incomplete genesyscloud_integration state",
			"The moved resource has no id or no config block, so there is no widget configuration to take over. "+importInstead)
		return
	}
	c := src.Config[0]
	cfg := client.IntegrationConfig{Name: c.Name, Notes: c.Notes}
	for _, f := range []struct {
		attr, text string
		into       *map[string]any
	}{{"config.properties", c.Properties, &cfg.Properties}, {"config.advanced", c.Advanced, &cfg.Advanced}} {
		if f.text == "" {
			continue
		}
		if err := json.Unmarshal([]byte(f.text), f.into); err != nil {
			resp.Diagnostics.AddError("Unreadable genesyscloud_integration configuration",
				fmt.Sprintf("%s of the moved resource is not a JSON object: %v. %s", f.attr, err, importInstead))
			return
		}
	}
	in := client.Integration{ID: src.ID, IntendedState: src.IntendedState}
	in.IntegrationType.ID = src.IntegrationType

	m := agentWidgetResourceModel{Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}}
	resp.Diagnostics.Append(modelFromAPI(ctx, &m.agentWidgetModel, &in, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The official state knows neither; the refresh of the plan that follows reads both.
	m.ReportedState = types.StringNull()
	m.ConfigVersion = types.Int64Null()
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, m)...)
}
