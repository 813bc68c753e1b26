package main

import (
	"bytes"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/cliflag"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// credentials is the least environment the program starts with.
func credentials(more map[string]string) map[string]string {
	env := map[string]string{
		envClientID:      "client-id",
		envClientSecret:  "client-S3CRET",
		envSigningSecret: "signing-S3CRET",
	}
	for k, v := range more {
		env[k] = v
	}
	return env
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, o options)
	}{
		{"defaults", nil, credentials(map[string]string{"GENESYS_ENVIRONMENT": "mypurecloud.ie"}), func(t *testing.T, o options) {
			if o.listen != "127.0.0.1:8788" || o.allowRemote || o.verbose || o.timeout != 30*time.Second ||
				o.clientID != "client-id" || o.clientSecret != "client-S3CRET" || string(o.signingSecret) != "signing-S3CRET" ||
				o.environment != "mypurecloud.ie" || o.apiURL != "https://api.mypurecloud.ie" || o.loginURL != "https://login.mypurecloud.ie" ||
				o.screenPopURL != "" || o.allowedDomains != nil || o.applicationID != "" || o.targetURL != "" ||
				o.webhookURL != "" || o.auditLog != "" {
				t.Errorf("defaults = %+v", o)
			}
		}},
		{"flags", []string{
			"-listen", "localhost:9000", "-environment", "MyPureCloud.de", "-login-url", "https://login.example.net/",
			"-screenpop-url", "https://relay.example.net/pops", "-allowed-domains", " app.example.com, *.crm.example.com ,",
			"-application-id", "com.example.app", "-target-url", "https://app.example.com/view",
			"-webhook-url", "https://hooks.example.net/T0KEN", "-audit-log", "/var/log/pops.jsonl", "-timeout", "1m", "-verbose",
		}, credentials(nil), func(t *testing.T, o options) {
			if o.listen != "localhost:9000" || !o.verbose || o.timeout != time.Minute || o.environment != "mypurecloud.de" ||
				o.apiURL != "https://api.mypurecloud.de" || o.loginURL != "https://login.example.net" ||
				o.screenPopURL != "https://relay.example.net/pops" ||
				!slices.Equal(o.allowedDomains, []string{"app.example.com", "*.crm.example.com"}) ||
				o.applicationID != "com.example.app" || o.targetURL != "https://app.example.com/view" ||
				o.webhookURL != "https://hooks.example.net/T0KEN" || o.auditLog != "/var/log/pops.jsonl" {
				t.Errorf("flags = %+v", o)
			}
		}},
		{"environment variables", nil, credentials(map[string]string{
			"GENESYS_SCREENPOP_TRIGGER_LISTEN": "0.0.0.0:9000", "GENESYS_SCREENPOP_TRIGGER_ALLOW_REMOTE": "true",
			"GENESYS_API_URL": "http://127.0.0.1:8787", "GENESYS_SCREENPOP_ALLOWED_DOMAINS": "app.example.com",
			"GENESYS_SCREENPOP_APPLICATION_ID": "env-app", "GENESYS_SCREENPOP_TARGET_URL": "https://app.example.com/env",
			"GENESYS_SCREENPOP_WEBHOOK_URL": "http://127.0.0.1:9999/hook", "GENESYS_AUDIT_LOG": "/tmp/env.jsonl",
			"GENESYS_SCREENPOP_TRIGGER_TIMEOUT": "5s", "GENESYS_SCREENPOP_TRIGGER_VERBOSE": "1",
			"GENESYS_SCREENPOP_ENDPOINT_URL": "http://127.0.0.1:8789",
		}), func(t *testing.T, o options) {
			if o.listen != "0.0.0.0:9000" || !o.allowRemote || !o.verbose || o.timeout != 5*time.Second ||
				o.apiURL != "http://127.0.0.1:8787" || o.loginURL != "http://127.0.0.1:8787" || o.environment != "127.0.0.1:8787" ||
				o.screenPopURL != "http://127.0.0.1:8789" || !slices.Equal(o.allowedDomains, []string{"app.example.com"}) ||
				o.applicationID != "env-app" || o.targetURL != "https://app.example.com/env" ||
				o.webhookURL != "http://127.0.0.1:9999/hook" || o.auditLog != "/tmp/env.jsonl" {
				t.Errorf("environment = %+v", o)
			}
		}},
		{"flags win over the environment", []string{"-api-url", "https://api.flag.example", "-timeout", "10s"},
			credentials(map[string]string{"GENESYS_API_URL": "https://api.env.example", "GENESYS_SCREENPOP_TRIGGER_TIMEOUT": "20s",
				"GENESYS_SCREENPOP_APPLICATION_ID": "from-env"}),
			func(t *testing.T, o options) {
				if o.apiURL != "https://api.flag.example" || o.timeout != 10*time.Second || o.applicationID != "from-env" {
					t.Errorf("precedence = %+v", o)
				}
			}},
		{"an api url with an environment takes the environment's login", []string{"-api-url", "https://relay.example", "-environment", "mypurecloud.com"},
			credentials(nil), func(t *testing.T, o options) {
				if o.apiURL != "https://relay.example" || o.loginURL != "https://login.mypurecloud.com" || o.environment != "mypurecloud.com" {
					t.Errorf("urls = %+v", o)
				}
			}},
		{"an explicitly false boolean", []string{"-allow-remote=false", "-api-url", "http://127.0.0.1:8787"},
			credentials(map[string]string{"GENESYS_SCREENPOP_TRIGGER_ALLOW_REMOTE": "true"}), func(t *testing.T, o options) {
				if o.allowRemote {
					t.Error("-allow-remote=false lost to the environment")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, envOf(tt.env), &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}

func TestParseOptionsRejects(t *testing.T) {
	const webhookCredential = "hooks-T0KEN-in-the-path"
	api := []string{"-api-url", "http://127.0.0.1:8787"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // the error mentions this
	}{
		{"no client id", api, map[string]string{envClientSecret: "s"}, envClientID},
		{"no client secret", api, map[string]string{envClientID: "c"}, envClientSecret},
		{"a client secret flag", append([]string{"-client-secret", "flag-S3CRET"}, api...), credentials(nil), "-client-secret"},
		{"a signing secret flag", append([]string{"-signing-secret", "flag-S3CRET"}, api...), credentials(nil), "-signing-secret"},
		{"no environment or api url", nil, credentials(nil), "-environment"},
		{"a URL as environment", []string{"-environment", "https://api.mypurecloud.com"}, credentials(nil), "not a URL"},
		{"a word as environment", []string{"-environment", "production"}, credentials(nil), "region domain"},
		{"a bad environment variable", nil, credentials(map[string]string{"GENESYS_ENVIRONMENT": "a b"}), "GENESYS_ENVIRONMENT"},
		{"an api url without a scheme", []string{"-api-url", "api.mypurecloud.com"}, credentials(nil), "-api-url"},
		{"an api url with user info", []string{"-api-url", "https://user:pw@api.example.com"}, credentials(nil), "user info"},
		{"a login url with a query", append([]string{"-login-url", "https://login.example.com/?x=1"}, api...), credentials(nil), "-login-url"},
		{"a bad allowed domain", append([]string{"-allowed-domains", "app.example.com,*.com"}, api...), credentials(nil), "-allowed-domains"},
		{"a webhook url that is not one", append([]string{"-webhook-url", "ftp://" + webhookCredential}, api...), credentials(nil), "-webhook-url"},
		{"a short timeout", append([]string{"-timeout", "10ms"}, api...), credentials(nil), "-timeout"},
		{"a timeout that is not one", api, credentials(map[string]string{"GENESYS_SCREENPOP_TRIGGER_TIMEOUT": "soon"}), "GENESYS_SCREENPOP_TRIGGER_TIMEOUT"},
		{"a bad boolean", api, credentials(map[string]string{"GENESYS_SCREENPOP_TRIGGER_VERBOSE": "maybe"}), "true or false"},
		{"a remote listen address", append([]string{"-listen", "0.0.0.0:8788"}, api...), credentials(nil), "-allow-remote"},
		{"every interface", append([]string{"-listen", ":8788"}, api...), credentials(nil), "every interface"},
		{"a listen address without a port", append([]string{"-listen", "127.0.0.1"}, api...), credentials(nil), "-listen"},
		{"an argument", append(api, "extra"), credentials(nil), `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOptions(tt.args, envOf(tt.env), &bytes.Buffer{})
			var ue *cliflag.UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want a usage error mentioning %q", err, tt.want)
			}
			for _, secret := range []string{"flag-S3CRET", "client-S3CRET", "signing-S3CRET", webhookCredential, ":pw@"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q repeats %q", err, secret)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	env := credentials(map[string]string{"GENESYS_SCREENPOP_WEBHOOK_URL": "https://hooks.example.net/do-not-print-me"})
	_, err := parseOptions([]string{"-h"}, envOf(env), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v; want flag.ErrHelp", err)
	}
	help := out.String()
	for _, s := range settings {
		if !strings.Contains(help, "-"+s.Name) || !strings.Contains(help, "env "+s.Env) {
			t.Errorf("the help does not explain -%s and %s", s.Name, s.Env)
		}
	}
	for _, want := range []string{envClientID, envClientSecret, envSigningSecret, "never flags", triggerPath, healthPath,
		"Idempotency-Key", "already-delivered", "curl", "SIGTERM"} {
		if !strings.Contains(help, want) {
			t.Errorf("the help does not mention %q", want)
		}
	}
	for _, secret := range []string{"client-S3CRET", "signing-S3CRET", "do-not-print-me"} {
		if strings.Contains(help, secret) {
			t.Errorf("the help prints %q", secret)
		}
	}
}
