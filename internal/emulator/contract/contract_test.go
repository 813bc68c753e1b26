package contract

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const integrationJSON = `{
  "id": "0f4b", "name": "Agent dashboard", "notes": "node_dynamodb_empty_string",
  "integrationType": {"id": "embedded-client-app", "name": "Client Application", "images": [], "credentials": {}},
  "intendedState": "ENABLED",
  "config": {"current": {"id": "0f4b", "name": "Agent dashboard", "version": 2, "selfUri": "/api/v2/integrations/0f4b/config/current"}},
  "reportedState": {"code": "ACTIVE", "effective": "Active", "lastUpdated": "2025-03-01T12:00:00.000Z", "detail": null},
  "attributes": {"k": "v"},
  "selfUri": "/api/v2/integrations/0f4b"
}`

func TestCheckAcceptsTheModel(t *testing.T) {
	if p := Check("Integration", []byte(integrationJSON)); len(p) > 0 {
		t.Errorf("a faithful Integration was refused: %v", p)
	}
	cfg := `{"id":"x","name":"n","version":3,"notes":"","properties":{"url":"https://a","groups":["g"],"permissions":null},"advanced":{"dimensions":{"width":1.5}},"credentials":{}}`
	if p := Check("Integrationconfiguration", []byte(cfg)); len(p) > 0 {
		t.Errorf("free-form properties and advanced were refused: %v", p)
	}
}

// TestCheckFindsAPlantedField is the contract failing as it must: one field the model does not
// have, planted at the top and deep inside, is reported with its path.
func TestCheckFindsAPlantedField(t *testing.T) {
	tests := []struct {
		name, model, body, want string
	}{
		{"top level", "Integration", strings.Replace(integrationJSON, `"selfUri": "/api/v2/integrations/0f4b"`, `"selfUri": "/api/v2/integrations/0f4b", "createdBy": "me"`, 1),
			"$.createdBy: is not a field of Integration"},
		{"nested", "Integration", strings.Replace(integrationJSON, `"code": "ACTIVE"`, `"code": "ACTIVE", "since": 3`, 1),
			"$.reportedState.since: is not a field of Integrationstatusinfo"},
		{"in a listing", "Integrationentitylisting", `{"entities":[` + strings.Replace(integrationJSON, `"version": 2`, `"version": 2, "etag": "x"`, 1) + `],"total":1}`,
			"$.entities[0].config.current.etag: is not a field of Integrationconfiguration"},
		{"in an error", "Errorbody", `{"message":"m","code":"c","status":400,"errors":[{"message":"x","field":"name"}]}`,
			"$.errors[0].field: is not a field of Errorbody"},
		{"in an organization", "Organization", `{"id":"o","name":"n","defaultCountryCode":"US","region":"us-east-1"}`,
			"$.region: is not a field of Organization"},
		{"wrong type", "Integrationconfiguration", `{"version":"3"}`,
			"$.version: is a string, the contract says integer"},
		{"fraction for an integer", "Errorbody", `{"status":400.5}`,
			"$.status: is the number 400.5, the contract says integer"},
		{"not a date", "Integrationstatusinfo", `{"lastUpdated":"yesterday"}`,
			`$.lastUpdated: is the string "yesterday", not an ISO-8601 date-time, the contract says date-time string`},
		{"map values", "Organization", `{"features":{"a":true,"b":"yes"}}`,
			"$.features[b]: is a string, the contract says boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.model, []byte(tt.body))
			if len(got) != 1 || got[0].String() != tt.want {
				t.Errorf("Check = %v\nwant [%s]", got, tt.want)
			}
		})
	}
}

func TestCheckRefusesWhatIsNotOneJSONValue(t *testing.T) {
	for _, body := range []string{"", "not json", `{"id":"a"} {"id":"b"}`, `[]`} {
		if p := Check("Integration", []byte(body)); len(p) != 1 {
			t.Errorf("Check(%q) = %v, want one problem", body, p)
		}
	}
	if p := Check("Nothing", []byte(`{}`)); len(p) != 1 || !strings.Contains(p[0].What, "no model") {
		t.Errorf("an unknown model was not reported: %v", p)
	}
}

// Every Object in the contract names a model it has, and every endpoint's models exist.
func TestContractIsClosed(t *testing.T) {
	var walk func(where string, ty Type)
	walk = func(where string, ty Type) {
		switch ty.Kind {
		case Object:
			if _, ok := Models[ty.Model]; !ok {
				t.Errorf("%s names model %q, which the contract lacks", where, ty.Model)
			}
		case Array, Map:
			if ty.Elem == nil {
				t.Fatalf("%s: %s without an element type", where, ty.Kind)
			}
			walk(where+"[]", *ty.Elem)
		case 0:
			t.Errorf("%s has no type", where)
		}
	}
	for name, m := range Models {
		if m.Name != name || m.Source == "" {
			t.Errorf("model %q: name %q, source %q", name, m.Name, m.Source)
		}
		for f, ty := range m.Fields {
			walk(name+"."+f, ty)
		}
	}
	for _, e := range Endpoints {
		for _, m := range []string{e.Request, e.Response} {
			if _, ok := Models[m]; m != "" && !ok {
				t.Errorf("%s %s names model %q, which the contract lacks", e.Method, e.Path, m)
			}
		}
		if e.Response == "" && e.Note == "" {
			t.Errorf("%s %s models no answer and says not why", e.Method, e.Path)
		}
	}
}

func TestMatchPrefersLiteralSegments(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"GET", "/api/v2/integrations/types", "/api/v2/integrations/types"},
		{"GET", "/api/v2/integrations/abc", "/api/v2/integrations/{id}"},
		{"GET", "/api/v2/integrations/types/embedded-client-app", "/api/v2/integrations/types/{typeId}"},
		{"PUT", "/api/v2/integrations/abc/config/current", "/api/v2/integrations/{id}/config/current"},
		{"PATCH", "/api/v2/integrations/abc", "/api/v2/integrations/{id}"},
	}
	for _, tt := range tests {
		e, ok := Match(tt.method, tt.path)
		if !ok || e.Path != tt.want {
			t.Errorf("Match(%s %s) = %q, %v; want %q", tt.method, tt.path, e.Path, ok, tt.want)
		}
	}
	for _, miss := range [][2]string{{"GET", "/api/v2/nothing"}, {"PUT", "/api/v2/integrations"}, {"GET", "/api/v2/integrations/a/b"}} {
		if e, ok := Match(miss[0], miss[1]); ok {
			t.Errorf("Match(%s %s) = %q, want no endpoint", miss[0], miss[1], e.Path)
		}
	}
}

type wireType struct {
	ID   string `json:"id"`
	Code string `json:"code"`
}

type wireState struct {
	Code        string `json:"code"`
	LastUpdated string `json:"lastUpdated"`
	Since       int    `json:"since"` // planted
}

type wireIntegration struct {
	ID            string          `json:"id"`
	Type          wireType        `json:"integrationType"`
	State         wireState       `json:"reportedState"`
	Config        map[string]any  `json:"config"`
	Attributes    map[string]bool `json:"attributes"`
	Ignored       string          `json:"-"`
	internal      int
	Embedded      `json:",omitempty"`
	NotesAsNumber int `json:"notes"`
}

type Embedded struct {
	Name string `json:"name"`
}

// TestReadsFindsFieldsTheServiceNeverSends is Reads failing as it must, on a struct with one
// planted field, one field of the wrong model, and fields of the wrong Go type.
func TestReadsFindsFieldsTheServiceNeverSends(t *testing.T) {
	_ = wireIntegration{}.internal
	got := Reads(reflect.TypeFor[wireIntegration](), "Integration")
	var s []string
	for _, p := range got {
		s = append(s, p.String())
	}
	want := []string{
		`wireIntegration.Type.Code: reads "code", which is not a field of Integrationtype`,
		`wireIntegration.State.Since: reads "since", which is not a field of Integrationstatusinfo`,
		`wireIntegration.Attributes[]: Go type bool cannot hold string`,
		`wireIntegration.NotesAsNumber: Go type int cannot hold string`,
	}
	if !slices.Equal(s, want) {
		t.Errorf("Reads =\n  %s\nwant\n  %s", strings.Join(s, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestReadsAcceptsEitherOfTwoModels(t *testing.T) {
	type tokenError struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
		Code        string `json:"code"`
	}
	if p := Reads(reflect.TypeFor[tokenError](), "AuthErrorResponse", "Errorbody"); len(p) > 0 {
		t.Errorf("fields of either model were refused: %v", p)
	}
	if p := Reads(reflect.TypeFor[tokenError](), "AuthErrorResponse"); len(p) != 2 {
		t.Errorf("message and code are not AuthErrorResponse fields, yet Reads = %v", p)
	}
}

// TestCheckingReportsAPlantedField runs the middleware over a handler that answers with one
// field too many, and over a request with one: both are reported, a hijacked answer is not.
func TestCheckingReportsAPlantedField(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v2/organizations/me":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "o", "name": "Org", "defaultCountryCode": "US", "planted": true})
		case "/api/v2/integrations":
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, integrationJSON)
		case "/api/v2/integrations/x":
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"not found","code":"not.found","status":404,"contextId":"c","details":[],"errors":[]}`)
		}
	})
	var reports []string
	srv := httptest.NewServer(Checking(api, true, func(s string) { reports = append(reports, s) }))
	defer srv.Close()
	get := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
	}
	get("GET", "/api/v2/organizations/me", "")
	get("POST", "/api/v2/integrations", `{"name":"n","integrationType":{"id":"embedded-client-app"},"config":{}}`)
	get("GET", "/api/v2/integrations/x", "")
	get("GET", "/api/v2/nowhere", "")
	get("GET", "/_emulator/requests", "")
	want := []string{
		"GET /api/v2/organizations/me: answer 200: $.planted: is not a field of Organization",
		"POST /api/v2/integrations: request: $.config: is not a field of Createintegrationrequest",
	}
	if !slices.Equal(reports, want) {
		t.Errorf("reports =\n  %s\nwant\n  %s", strings.Join(reports, "\n  "), strings.Join(want, "\n  "))
	}
}
