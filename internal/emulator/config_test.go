package emulator

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestNormalizeDefaults(t *testing.T) {
	cfg, err := normalize(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cfg.Clients) != fmt.Sprint(DefaultClients()) || fmt.Sprint(cfg.Users) != fmt.Sprint(DefaultUsers()) {
		t.Errorf("clients %v users %v", cfg.Clients, cfg.Users)
	}
	if cfg.RateLimit != 300 || cfg.RateBurst != 300 || cfg.ClientRateLimit != 3000 || cfg.TokenCreationLimit != 60 || cfg.TokenLifetime != 24*time.Hour ||
		cfg.SigningSecret != DefaultSigningSecret || cfg.Now == nil || cfg.Logger == nil {
		t.Errorf("defaults not filled: %+v", cfg)
	}

	disabled, err := normalize(Config{RateLimit: -1, ClientRateLimit: -1, TokenCreationLimit: -1})
	if err != nil || disabled.RateLimit != -1 || newRateLimiter(LimitPerToken, disabled.RateLimit, disabled.RateBurst).enabled ||
		disabled.ClientRateLimit != -1 || disabled.TokenCreationLimit != -1 {
		t.Errorf("negative limits are not kept as switched off: %+v %v", disabled, err)
	}

	custom, err := normalize(Config{Clients: []OAuthClient{{ID: "c", Secret: "s", OrgID: "org-a"}, {ID: "d", Secret: "s", OrgID: "org-z"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(custom.Users) != 2 || custom.Users[0].ID != "agent-1" || custom.Users[1].ID != "agent-2" {
		t.Errorf("default users for custom orgs = %v, want org-a's only", custom.Users)
	}
	if custom.Clients[1].OrgName != "org-z" {
		t.Errorf("an empty org name is not defaulted to the org id: %+v", custom.Clients[1])
	}

	emu, err := New(Config{Clients: []OAuthClient{{ID: "x", Secret: "y", OrgID: "second"}, {ID: "w", Secret: "y", OrgID: "first"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := emu.OrgIDs(); fmt.Sprint(got) != "[second first]" {
		t.Errorf("OrgIDs = %v, want the clients' order", got)
	}
}

func TestNormalizeRejects(t *testing.T) {
	client := OAuthClient{ID: "c", Secret: "s", OrgID: "o"}
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"client without id", Config{Clients: []OAuthClient{{Secret: "s", OrgID: "o"}}}, "Clients[0]"},
		{"client without secret", Config{Clients: []OAuthClient{{ID: "c", OrgID: "o"}}}, "Clients[0]"},
		{"client without org", Config{Clients: []OAuthClient{{ID: "c", Secret: "s"}}}, "Clients[0]"},
		{"duplicate client", Config{Clients: []OAuthClient{client, client}}, "Clients[1]"},
		{"org with two names", Config{Clients: []OAuthClient{{ID: "a", Secret: "s", OrgID: "o", OrgName: "One"}, {ID: "b", Secret: "s", OrgID: "o", OrgName: "Two"}}}, "Clients[1]"},
		{"user in unknown org", Config{Clients: []OAuthClient{client}, Users: []User{{ID: "u", OrgID: "nowhere"}}}, "Users[0]"},
		{"user without id", Config{Clients: []OAuthClient{client}, Users: []User{{OrgID: "o"}}}, "Users[0]"},
		{"user id with a slash", Config{Clients: []OAuthClient{client}, Users: []User{{ID: "a/b", OrgID: "o"}}}, "Users[0]"},
		{"duplicate user", Config{Clients: []OAuthClient{client}, Users: []User{{ID: "u", OrgID: "o"}, {ID: "u", OrgID: "o"}}}, "Users[1]"},
		{"negative token lifetime", Config{TokenLifetime: -time.Second}, "TokenLifetime"},
		{"sub-second token lifetime", Config{TokenLifetime: time.Millisecond}, "TokenLifetime"},
		{"negative activation delay", Config{ActivationDelay: -time.Second}, "ActivationDelay"},
		{"negative desktop pop wait", Config{DesktopPopWait: -time.Second}, "DesktopPopWait"},
		{"negative burst", Config{RateBurst: -1}, "RateBurst"},
		{"bad fault", Config{Faults: []Fault{{Kind: Kind500}}}, "Faults"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Errorf("New = %v, want a ConfigError on %s", err, tt.field)
			}
			if err != nil && strings.Contains(err.Error(), "\"s\"") {
				t.Errorf("error echoes a secret: %v", err)
			}
		})
	}
}

func TestParseClients(t *testing.T) {
	tests := []struct {
		spec string
		want []OAuthClient
		err  string
	}{
		{"a:sa:org-a:Org A, b:sb:org-b:Org B", []OAuthClient{{"a", "sa", "org-a", "Org A"}, {"b", "sb", "org-b", "Org B"}}, ""},
		{"a:sa:org-a", []OAuthClient{{"a", "sa", "org-a", ""}}, ""},
		{"a:sa:org-a:Name: with colon", []OAuthClient{{"a", "sa", "org-a", "Name: with colon"}}, ""},
		{"", nil, ""},
		{"a:sa", nil, "want id:secret:orgId"},
		{"a::org", nil, "must all be set"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseClients(tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "sa") {
					t.Errorf("error echoes the secret: %v", err)
				}
				return
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseUsers(t *testing.T) {
	tests := []struct {
		spec string
		want []User
		err  string
	}{
		{"agent-1:Agent One:org-a,agent-9:Nine: the Agent:org-b", []User{{"agent-1", "Agent One", "org-a"}, {"agent-9", "Nine: the Agent", "org-b"}}, ""},
		{"u::org", []User{{"u", "", "org"}}, ""},
		{"u:org", nil, "want id:name:orgId"},
		{":name:org", nil, "must be set"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseUsers(tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
