package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*OrganizationDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*OrganizationDataSource)(nil)
)

// NewOrganizationDataSource returns the genesys_organization data source.
func NewOrganizationDataSource() datasource.DataSource {
	return &OrganizationDataSource{}
}

// OrganizationDataSource reads the org the provider block's credentials belong to, so a promotion
// pipeline can assert that each aliased provider really points at the org it is meant to.
type OrganizationDataSource struct {
	data *providerData
}

type organizationDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Domain      types.String `tfsdk:"domain"`
	State       types.String `tfsdk:"state"`
	Environment types.String `tfsdk:"environment"`
}

func (d *OrganizationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_organization"
}

func (d *OrganizationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Genesys Cloud org the provider block's OAuth client belongs to " +
			"(`GET /api/v2/organizations/me`). Use it to check that each aliased provider of a promotion " +
			"pipeline reaches the org it is meant to.",
		Attributes: map[string]schema.Attribute{
			"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "Org ID."},
			"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Org name."},
			"domain":      schema.StringAttribute{Computed: true, MarkdownDescription: "Org short name used at login."},
			"state":       schema.StringAttribute{Computed: true, MarkdownDescription: "Org state, such as `active`."},
			"environment": schema.StringAttribute{Computed: true, MarkdownDescription: "Region domain (or API host) the provider block reaches."},
		},
	}
}

func (d *OrganizationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *OrganizationDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		resp.Diagnostics.Append(providerNotConfigured("genesys_organization cannot be read"))
		return
	}
	org, err := d.data.client.OrganizationMe(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the Genesys Cloud organization", clientErrorDetail(err, serviceAPI))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, organizationDataSourceModel{
		ID:          types.StringValue(org.ID),
		Name:        types.StringValue(org.Name),
		Domain:      types.StringValue(org.Domain),
		State:       types.StringValue(org.State),
		Environment: types.StringValue(d.data.environment),
	})...)
}
