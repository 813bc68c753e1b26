package client

import (
	"context"
	"net/http"
)

// Organization is the org the client's credentials belong to (the
// published Organization model).
type Organization struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	DefaultLanguage    string          `json:"defaultLanguage,omitempty"`
	DefaultCountryCode string          `json:"defaultCountryCode,omitempty"`
	ThirdPartyOrgName  string          `json:"thirdPartyOrgName,omitempty"`
	ThirdPartyURI      string          `json:"thirdPartyURI,omitempty"`
	Domain             string          `json:"domain,omitempty"`
	Features           map[string]bool `json:"features,omitempty"`
	Version            int             `json:"version,omitempty"`
	State              string          `json:"state,omitempty"`
	DefaultSiteID      string          `json:"defaultSiteId,omitempty"`
	SupportURI         string          `json:"supportURI,omitempty"`
	VoicemailEnabled   bool            `json:"voicemailEnabled,omitempty"`
	ProductPlatform    string          `json:"productPlatform,omitempty"`
	SelfURI            string          `json:"selfUri,omitempty"`
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
