package emulator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// OAuthClient is one client-credentials grant; each belongs to one org, so two clients = two orgs
// (promotion pipelines are tested with two).
type OAuthClient struct {
	ID, Secret, OrgID, OrgName string
}

// User is an agent that screen pops can be sent to. Users belong to one org: a token from
// another org's client cannot reach them.
type User struct {
	ID, Name, OrgID string
}

// Config configures a Server. The zero value is a working two-org emulator.
type Config struct {
	Clients         []OAuthClient    // empty: DefaultClients()
	Users           []User           // empty: DefaultUsers() (those whose org exists among Clients)
	RateLimit       int              // requests per minute per token (token.rate.per.minute); 0 means 300; negative disables
	TokenLifetime   time.Duration    // 0 means 24h (expires_in 86400)
	ActivationDelay time.Duration    // time spent in ACTIVATING / DEACTIVATING; 0 means the PATCH answer already reports ACTIVE/INACTIVE
	SigningSecret   string           // screen pop HMAC secret; "" means DefaultSigningSecret
	StatePath       string           // "" = in memory only; else load at New, save atomically on every change
	Faults          []Fault          // see Fault
	HostMap         []HostMapping    // where the agent desktop loads app hosts from (see HostMapping); empty: as configured
	Now             func() time.Time // nil = time.Now (tests inject a clock)
	Logger          *slog.Logger     // nil = discard

	// RateBurst is the capacity of each token's bucket: how many requests a fresh token may
	// send at once. 0 means RateLimit, so a burst never exceeds one minute's allowance (the real
	// service counts 300 per minute and lets a client spend them at once). Over any interval T
	// the emulator accepts at most RateBurst + RateLimit*T/1min requests per token; a benchmark
	// that wants to measure the steady rate quickly can lower RateBurst.
	RateBurst int

	// ClientRateLimit is the requests per minute an OAuth client may send with all of its tokens
	// together (Genesys' org.app.user.rate.per.minute): a request must fit both its token's
	// allowance and its client's. The bucket holds one minute's allowance. 0 means
	// DefaultClientRateLimit; negative disables this limit alone.
	ClientRateLimit int

	// TokenCreationLimit is how many tokens an OAuth client may create per minute at
	// POST /oauth/token; beyond it the grant is refused 400 invalid_request "rate limit
	// exceeded; ...". The bucket holds one minute's allowance. 0 means
	// DefaultTokenCreationLimit; negative disables this limit alone.
	TokenCreationLimit int

	// StaleVersionStatus is how a PUT .../config/current with a stale version is refused: 409
	// conflict (0 means 409), or 400 bad.request with a message saying the version "does not
	// match the current version". Genesys APIs have been seen answering both; a client must
	// take either as a version conflict.
	StaleVersionStatus int

	// DesktopPopWait is how long a screen pop's answer waits for an open agent desktop of its
	// agent to report that it showed the pop; a pop not shown by then is answered with
	// windowFocused false. 0 means 5 s. A browser test on a loaded machine raises it, so that
	// windowFocused says what the page did, not how soon the browser was scheduled.
	DesktopPopWait time.Duration
}

// DefaultSigningSecret signs screen pops when Config.SigningSecret is empty. It is public
// (it is in the docs), so it is only fit for demos and tests.
const DefaultSigningSecret = "emulator-signing-secret"

const (
	// DefaultRateLimit is the real service's limit: requests per minute per token
	// (token.rate.per.minute).
	DefaultRateLimit = 300
	// DefaultClientRateLimit is the real service's limit on requests per minute per OAuth
	// client across all its tokens (org.app.user.rate.per.minute).
	DefaultClientRateLimit = 3000
	// DefaultTokenCreationLimit is the emulator's limit on tokens created per minute per OAuth
	// client. Genesys publishes no figure; DESIGN.md says how this one was chosen.
	DefaultTokenCreationLimit = 60
	// DefaultTokenLifetime is the real service's default token lifetime (expires_in 86400).
	DefaultTokenLifetime = 24 * time.Hour
	// MaxBodyBytes is the largest request body the API accepts (the widget pipeline's 10 KiB
	// payload limit); larger bodies answer 400 "payload too large".
	MaxBodyBytes = 10240
)

// DefaultClients returns the two demo clients, one per org.
func DefaultClients() []OAuthClient {
	return []OAuthClient{
		{ID: "org-a-client", Secret: "org-a-secret", OrgID: "org-a", OrgName: "Org A"},
		{ID: "org-b-client", Secret: "org-b-secret", OrgID: "org-b", OrgName: "Org B"},
	}
}

// DefaultUsers returns the demo agents: agent-1 and agent-2 in org-a, agent-3 in org-b.
func DefaultUsers() []User {
	return []User{
		{ID: "agent-1", Name: "Agent One", OrgID: "org-a"},
		{ID: "agent-2", Name: "Agent Two", OrgID: "org-a"},
		{ID: "agent-3", Name: "Agent Three", OrgID: "org-b"},
	}
}

// ConfigError reports an unusable Config; Field names the offending setting.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "emulator config: " + e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// normalize fills the defaults in and rejects settings the server could not honour.
func normalize(cfg Config) (Config, error) {
	defaultedClients := len(cfg.Clients) == 0
	if defaultedClients {
		cfg.Clients = DefaultClients()
	} else {
		cfg.Clients = append([]OAuthClient(nil), cfg.Clients...)
	}
	orgNames := map[string]string{}
	clientIDs := map[string]bool{}
	for i, c := range cfg.Clients {
		field := fmt.Sprintf("Clients[%d]", i)
		switch {
		case c.ID == "":
			return cfg, &ConfigError{field, errors.New("client id is empty")}
		case c.Secret == "":
			return cfg, &ConfigError{field, fmt.Errorf("client %q has an empty secret", c.ID)}
		case c.OrgID == "":
			return cfg, &ConfigError{field, fmt.Errorf("client %q has an empty org id", c.ID)}
		case clientIDs[c.ID]:
			return cfg, &ConfigError{field, fmt.Errorf("client %q is listed twice", c.ID)}
		}
		clientIDs[c.ID] = true
		if c.OrgName == "" {
			c.OrgName = c.OrgID
			cfg.Clients[i] = c
		}
		if name, ok := orgNames[c.OrgID]; ok && name != c.OrgName {
			return cfg, &ConfigError{field, fmt.Errorf("org %q is named both %q and %q", c.OrgID, name, c.OrgName)}
		}
		orgNames[c.OrgID] = c.OrgName
	}

	if len(cfg.Users) == 0 {
		for _, u := range DefaultUsers() {
			if _, ok := orgNames[u.OrgID]; ok {
				cfg.Users = append(cfg.Users, u)
			}
		}
	} else {
		cfg.Users = append([]User(nil), cfg.Users...)
	}
	userIDs := map[string]bool{}
	for i, u := range cfg.Users {
		field := fmt.Sprintf("Users[%d]", i)
		switch {
		case u.ID == "":
			return cfg, &ConfigError{field, errors.New("user id is empty")}
		case strings.Contains(u.ID, "/"):
			return cfg, &ConfigError{field, fmt.Errorf("user id %q contains a slash", u.ID)}
		case userIDs[u.ID]:
			return cfg, &ConfigError{field, fmt.Errorf("user %q is listed twice", u.ID)}
		}
		if _, ok := orgNames[u.OrgID]; !ok {
			return cfg, &ConfigError{field, fmt.Errorf("user %q belongs to org %q, which no client has", u.ID, u.OrgID)}
		}
		userIDs[u.ID] = true
		if u.Name == "" {
			cfg.Users[i].Name = u.ID
		}
	}

	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateBurst < 0 {
		return cfg, &ConfigError{"RateBurst", fmt.Errorf("%d is negative", cfg.RateBurst)}
	}
	if cfg.RateBurst == 0 && cfg.RateLimit > 0 {
		cfg.RateBurst = cfg.RateLimit
	}
	if cfg.ClientRateLimit == 0 {
		cfg.ClientRateLimit = DefaultClientRateLimit
	}
	if cfg.TokenCreationLimit == 0 {
		cfg.TokenCreationLimit = DefaultTokenCreationLimit
	}
	switch {
	case cfg.TokenLifetime < 0:
		return cfg, &ConfigError{"TokenLifetime", fmt.Errorf("%s is negative", cfg.TokenLifetime)}
	case cfg.TokenLifetime == 0:
		cfg.TokenLifetime = DefaultTokenLifetime
	case cfg.TokenLifetime < time.Second:
		return cfg, &ConfigError{"TokenLifetime", fmt.Errorf("%s is under a second (expires_in counts seconds)", cfg.TokenLifetime)}
	}
	if cfg.ActivationDelay < 0 {
		return cfg, &ConfigError{"ActivationDelay", fmt.Errorf("%s is negative", cfg.ActivationDelay)}
	}
	switch {
	case cfg.DesktopPopWait < 0:
		return cfg, &ConfigError{"DesktopPopWait", fmt.Errorf("%s is negative", cfg.DesktopPopWait)}
	case cfg.DesktopPopWait == 0:
		cfg.DesktopPopWait = desktopPopWait
	}
	switch cfg.StaleVersionStatus {
	case 0:
		cfg.StaleVersionStatus = http.StatusConflict
	case http.StatusConflict, http.StatusBadRequest:
	default:
		return cfg, &ConfigError{"StaleVersionStatus", fmt.Errorf("%d is neither 409 nor 400", cfg.StaleVersionStatus)}
	}
	if cfg.SigningSecret == "" {
		cfg.SigningSecret = DefaultSigningSecret
	}
	if err := ValidateFaults(cfg.Faults); err != nil {
		return cfg, &ConfigError{"Faults", err}
	}
	cfg.Faults = append([]Fault(nil), cfg.Faults...)
	for i, m := range cfg.HostMap {
		if err := m.validate(); err != nil {
			return cfg, &ConfigError{fmt.Sprintf("HostMap[%d]", i), err}
		}
	}
	cfg.HostMap = append([]HostMapping(nil), cfg.HostMap...)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// ParseClients parses "id:secret:orgId:orgName,..." (the program's -clients flag). The org name
// may be left out (it defaults to the org id) and, being the last field, may contain colons;
// the other fields may not. Entries are separated by commas.
func ParseClients(spec string) ([]OAuthClient, error) {
	var out []OAuthClient
	for i, entry := range splitList(spec) {
		parts := strings.SplitN(entry, ":", 4)
		if len(parts) < 3 {
			return nil, fmt.Errorf("client %d: want id:secret:orgId[:orgName], got %d field(s)", i+1, len(parts))
		}
		c := OAuthClient{ID: parts[0], Secret: parts[1], OrgID: parts[2]}
		if len(parts) == 4 {
			c.OrgName = parts[3]
		}
		if c.ID == "" || c.Secret == "" || c.OrgID == "" {
			// The entry is not echoed: it holds a secret.
			return nil, fmt.Errorf("client %d: id, secret and org id must all be set", i+1)
		}
		out = append(out, c)
	}
	return out, nil
}

// ParseUsers parses "id:name:orgId,..." (the program's -users flag). The name may contain
// colons; the id and org id may not.
func ParseUsers(spec string) ([]User, error) {
	var out []User
	for i, entry := range splitList(spec) {
		first := strings.Index(entry, ":")
		last := strings.LastIndex(entry, ":")
		if first < 0 || first == last {
			return nil, fmt.Errorf("user %d (%q): want id:name:orgId", i+1, entry)
		}
		u := User{ID: entry[:first], Name: entry[first+1 : last], OrgID: entry[last+1:]}
		if u.ID == "" || u.OrgID == "" {
			return nil, fmt.Errorf("user %d (%q): id and org id must be set", i+1, entry)
		}
		out = append(out, u)
	}
	return out, nil
}

// splitList reads a comma list: entries trimmed of spaces, empty entries dropped. It is the
// emulator's one reading of comma lists (flags, query parameters, list properties);
// checkTokenList, which must report an empty entry, reads its own.
func splitList(spec string) []string {
	var out []string
	for _, entry := range strings.Split(spec, ",") {
		if entry = strings.TrimSpace(entry); entry != "" {
			out = append(out, entry)
		}
	}
	return out
}
