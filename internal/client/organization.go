package client

import (
	"context"
	"net/http"
)

// Organization is the org the client's credentials belong to.
type Organization struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	DefaultSiteID     string `json:"defaultSiteId,omitempty"`
	ThirdPartyOrgName string `json:"thirdPartyOrgName,omitempty"`
	Domain            string `json:"domain,omitempty"`
	State             string `json:"state,omitempty"`
	SelfURI           string `json:"selfUri,omitempty"`
}

// OrganizationMe reads the org the credentials belong to; it is the
// cheapest call that proves the credentials and the region work.
func (c *Client) OrganizationMe(ctx context.Context) (*Organization, error) {
	var org Organization
	if _, err := c.do(ctx, c.apiCall(http.MethodGet, "/api/v2/organizations/me", nil, nil), &org); err != nil {
		return nil, err
	}
	return &org, nil
}
