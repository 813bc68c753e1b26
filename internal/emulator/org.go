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

// Organization is the answer of GET /api/v2/organizations/me: the published Organization
// model, every field filled (the official provider reads defaultCountryCode at start-up and
// fails without it).
type Organization struct {
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	DefaultLanguage    string          `json:"defaultLanguage"`
	DefaultCountryCode string          `json:"defaultCountryCode"`
	ThirdPartyOrgName  string          `json:"thirdPartyOrgName"`
	ThirdPartyURI      string          `json:"thirdPartyURI"`
	Domain             string          `json:"domain"`
	Features           map[string]bool `json:"features"`
	Version            int             `json:"version"`
	State              string          `json:"state"`
	DefaultSiteID      string          `json:"defaultSiteId"`
	SupportURI         string          `json:"supportURI"`
	VoicemailEnabled   bool            `json:"voicemailEnabled"`
	ProductPlatform    string          `json:"productPlatform"`
	SelfURI            string          `json:"selfUri"`
}

// The emulator's orgs are all alike in what it does not model: an English-speaking US org on
// the Genesys Cloud platform, at its first version, with no optional features switched on.
const (
	orgDefaultLanguage    = "en-us"
	orgDefaultCountryCode = "US"
	orgProductPlatform    = "PureCloud"
)

// orgProducts are the products every emulated org has enabled (GET
// /api/v2/authorization/products); engage is the Genesys Cloud CX product that carries
// integrations and the agent desktop.
var orgProducts = []string{"engage"}

func (s *Server) handleOrganizationMe(c *call) reply {
	id := c.principal.orgID
	short := orgShortName(id)
	return reply{status: http.StatusOK, body: Organization{
		ID:                 id,
		Name:               s.orgNames[id],
		DefaultLanguage:    orgDefaultLanguage,
		DefaultCountryCode: orgDefaultCountryCode,
		ThirdPartyOrgName:  short,
		ThirdPartyURI:      "",
		Domain:             short,
		Features:           map[string]bool{},
		Version:            1,
		State:              "active",
		DefaultSiteID:      "",
		SupportURI:         "",
		VoicemailEnabled:   true,
		ProductPlatform:    orgProductPlatform,
		SelfURI:            "/api/v2/organizations/" + id,
	}}
}

// ProductListing is the answer of GET /api/v2/authorization/products.
type ProductListing struct {
	Entities   []Product `json:"entities"`
	PageSize   int       `json:"pageSize"`
	PageNumber int       `json:"pageNumber"`
	Total      int       `json:"total"`
	PageCount  int       `json:"pageCount"`
}

// Product is an enabled product: only its id.
type Product struct {
	ID string `json:"id"`
}

func (s *Server) handleProducts(c *call) reply {
	out := ProductListing{Entities: []Product{}, PageSize: len(orgProducts), PageNumber: 1, Total: len(orgProducts), PageCount: 1}
	for _, p := range orgProducts {
		out.Entities = append(out.Entities, Product{ID: p})
	}
	return reply{status: http.StatusOK, body: out}
}

// messageNoUserContext is the real service's answer to GET /api/v2/users/me (and other
// user-only resources) with a client-credentials token.
const messageNoUserContext = "This request requires a user context. Client credentials cannot be used for requests to this resource."

// handleUsersMe answers as the real service does to a client-credentials token, the only kind
// the emulator issues: 400, not a user.
func (s *Server) handleUsersMe(c *call) reply {
	return errorReply(&apiError{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: messageNoUserContext})
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
