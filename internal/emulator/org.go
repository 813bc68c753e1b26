package emulator

import (
	"net/http"
	"strings"
	"time"
)

// orgData is everything one org owns. Orgs share nothing: every lookup starts from the org of
// the caller's token, so another org's ids are simply not found.
type orgData struct {
	integrations map[string]*integrationRecord
	popsByKey    map[string]*ScreenPop // keys still inside the idempotency window
	pops         []*ScreenPop          // every delivered pop, oldest first
	expired      int                   // pops[:expired] have left popsByKey
}

func newOrgData() *orgData {
	return &orgData{integrations: map[string]*integrationRecord{}, popsByKey: map[string]*ScreenPop{}}
}

// forgetExpiredKeys drops idempotency keys older than the window. Pops are in delivery order,
// so this walks forward from where it last stopped: O(1) amortized per pop.
func (o *orgData) forgetExpiredKeys(now time.Time) {
	for o.expired < len(o.pops) {
		p := o.pops[o.expired]
		if now.Before(p.DeliveredAt.Add(IdempotencyWindow)) {
			return
		}
		if o.popsByKey[p.IdempotencyKey] == p {
			delete(o.popsByKey, p.IdempotencyKey)
		}
		o.expired++
	}
}

// Organization is the answer of GET /api/v2/organizations/me.
type Organization struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	DefaultSiteID     string `json:"defaultSiteId,omitempty"`
	ThirdPartyOrgName string `json:"thirdPartyOrgName"`
	Domain            string `json:"domain"`
	State             string `json:"state"`
	SelfURI           string `json:"selfUri"`
}

func (s *Server) handleOrganizationMe(c *call) reply {
	id := c.principal.orgID
	short := orgShortName(id)
	return reply{status: http.StatusOK, body: Organization{
		ID:                id,
		Name:              s.orgNames[id],
		ThirdPartyOrgName: short,
		Domain:            short,
		State:             "active",
		SelfURI:           "/api/v2/organizations/" + id,
	}}
}

// orgShortName derives the org's short name (lower case letters, digits and dashes), as the
// real service uses for thirdPartyOrgName and domain.
func orgShortName(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}
