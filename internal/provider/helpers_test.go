package provider

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// countRequests counts the journaled API requests whose path starts with prefix.
func (e *testEmulator) countRequests(prefix string) int {
	n := 0
	for _, r := range e.Journal() {
		if strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

func (e *testEmulator) checkRequests(prefix string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := e.countRequests(prefix); got != want {
			var lines []string
			for _, r := range e.Journal() {
				lines = append(lines, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
			}
			return fmt.Errorf("%d requests to %s, want %d:\n%s", got, prefix, want, strings.Join(lines, "\n"))
		}
		return nil
	}
}

func (e *testEmulator) checkIntegrationCount(org string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(e.Integrations(org)); got != want {
			return fmt.Errorf("org %s has %d integrations, want %d", org, got, want)
		}
		return nil
	}
}

func (e *testEmulator) checkNoIntegrations(org string) resource.TestCheckFunc {
	return e.checkIntegrationCount(org, 0)
}

// checkUniqueNames fails when two integrations share a name: a create that was sent twice.
func (e *testEmulator) checkUniqueNames(org string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		seen := map[string]string{}
		for _, in := range e.Integrations(org) {
			if other, dup := seen[in.Name]; dup {
				return fmt.Errorf("integration %q exists twice (%s and %s): a create was duplicated", in.Name, other, in.ID)
			}
			seen[in.Name] = in.ID
		}
		return nil
	}
}

// checkFaultsInjected guards the fault tests themselves: a run that injected nothing proves nothing.
func (e *testEmulator) checkFaultsInjected() resource.TestCheckFunc {
	return func(*terraform.State) error {
		kinds := map[string]int{}
		for _, r := range e.Journal() {
			if r.Fault != "" {
				kinds[r.Fault]++
			}
		}
		if len(kinds) < 3 {
			return fmt.Errorf("only these faults were injected: %v; the test proves too little", kinds)
		}
		return nil
	}
}

// onlyIntegrationID is the id of the org's one integration, for a test that changes it out of
// band; it fails the test when the org holds any other number.
func (e *testEmulator) onlyIntegrationID(t *testing.T, org string) string {
	t.Helper()
	ins := e.Integrations(org)
	if len(ins) != 1 {
		t.Fatalf("org %s has %d integrations, want 1", org, len(ins))
	}
	return ins[0].ID
}

// apiCall does what an admin would do outside Terraform, through the real wire contract.
func (e *testEmulator) apiCall(t *testing.T, org, method, path, body string) {
	t.Helper()
	e.apiCallBody(t, org, method, path, body)
}

// apiCallBody is apiCall that returns the answer's body, as the service sent it.
func (e *testEmulator) apiCallBody(t *testing.T, org, method, path, body string) []byte {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.SetBasicAuth("org-"+org+"-client", "org-"+org+"-secret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := between(string(raw), `"access_token":"`, `"`)

	req, _ = http.NewRequest(method, e.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: status %d", method, path, resp.StatusCode)
	}
	return raw
}

func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}
