// Package contract is the Genesys Cloud Platform API v2, as far as this project speaks it, written
// down as data: the models its endpoints exchange, each field with its JSON type, and which
// model each endpoint takes and answers. The facts come from the published API
// (MyPureCloud/platform-client-sdk-go, package platformclientv2, version 188: one Go struct per
// model, whose json tags and field types are what is recorded here), not from this project's
// client or emulator, so both can be held to it: Check reports any field a JSON body carries that
// its model lacks, or carries with another type, and Reads reports any field a Go wire struct
// reads that its model lacks.
//
// Only what the project touches is transcribed. Models are named as the SDK names them (its
// capitalisation: Integrationtype, not IntegrationType). The screen pop endpoint has no
// published model (Genesys publishes no such endpoint); its models follow the project's own
// contract (DESIGN.md) and are marked so.
package contract

// Kind is a JSON type as the models use it.
type Kind int

const (
	String   Kind = iota + 1 // a JSON string
	Integer                  // a JSON number without fraction or exponent (the SDK's int)
	Number                   // any JSON number (the SDK's float)
	Boolean                  // true or false
	DateTime                 // a string holding an ISO-8601 date and time (the SDK's time.Time)
	Object                   // an object of the model named by Type.Model
	Array                    // an array whose elements are Type.Elem
	Map                      // an object with any keys whose values are Type.Elem
	Any                      // any JSON value (the SDK's interface{}: free-form configuration)
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Integer:
		return "integer"
	case Number:
		return "number"
	case Boolean:
		return "boolean"
	case DateTime:
		return "date-time string"
	case Object:
		return "object"
	case Array:
		return "array"
	case Map:
		return "map"
	case Any:
		return "any"
	}
	return "unknown kind"
}

// Type is the JSON type of a field.
type Type struct {
	Kind  Kind
	Model string // Object: the model's name
	Elem  *Type  // Array and Map: the type of the elements or values
}

func (t Type) String() string {
	switch t.Kind {
	case Object:
		return t.Model
	case Array:
		return "array of " + t.Elem.String()
	case Map:
		return "map of " + t.Elem.String()
	}
	return t.Kind.String()
}

// Model is one published model: its fields by JSON name.
type Model struct {
	Name string
	// Source says where the facts come from: the SDK file, or "project" for the screen pop
	// models, which Genesys does not publish.
	Source string
	Fields map[string]Type
}

var (
	str      = Type{Kind: String}
	integer  = Type{Kind: Integer}
	boolean  = Type{Kind: Boolean}
	dateTime = Type{Kind: DateTime}
	anyJSON  = Type{Kind: Any}
)

func obj(model string) Type { return Type{Kind: Object, Model: model} }
func arr(elem Type) Type    { return Type{Kind: Array, Elem: &elem} }
func mapOf(elem Type) Type  { return Type{Kind: Map, Elem: &elem} }

func sdk(name string) string { return "platformclientv2/" + lower(name) + ".go" }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// listing is the paging envelope the SDK's *entitylisting models share, around entities of elem.
func listing(elem string) map[string]Type {
	return map[string]Type{
		"entities": arr(obj(elem)), "pageSize": integer, "pageNumber": integer, "total": integer,
		"firstUri": str, "nextUri": str, "previousUri": str, "lastUri": str, "selfUri": str,
		"pageCount": integer,
	}
}

// Models is every model the contract knows, by name.
var Models = func() map[string]Model {
	ms := []Model{
		// An integration: a custom agent widget is one whose type is a client application.
		// attributes are read-only strings the service may attach.
		{Name: "Integration", Fields: map[string]Type{
			"id": str, "name": str, "integrationType": obj("Integrationtype"), "notes": str,
			"intendedState": str, "config": obj("Integrationconfigurationinfo"),
			"reportedState": obj("Integrationstatusinfo"), "attributes": mapOf(str), "selfUri": str,
		}},
		// The body of POST /api/v2/integrations: nothing but an id, an optional name and the type;
		// configuration and state cannot ride on a create.
		{Name: "Createintegrationrequest", Fields: map[string]Type{
			"id": str, "name": str, "integrationType": obj("Integrationtype"), "selfUri": str,
		}},
		// What kind of integration it is, with the vendor's links and what credentials it needs.
		{Name: "Integrationtype", Fields: map[string]Type{
			"id": str, "name": str, "description": str, "provider": str, "category": str,
			"images": arr(obj("Image")), "configPropertiesSchemaUri": str, "configAdvancedSchemaUri": str,
			"helpUri": str, "termsOfServiceUri": str, "vendorName": str, "vendorWebsiteUri": str,
			"marketplaceUri": str, "faqUri": str, "privacyPolicyUri": str, "supportContactUri": str,
			"salesContactUri": str, "helpLinks": arr(obj("Helplink")),
			"credentials": mapOf(obj("Credentialspecification")), "nonInstallable": boolean,
			"maxInstances": integer, "userPermissions": arr(str), "vendorOAuthClientIds": arr(str),
			"selfUri": str,
		}},
		{Name: "Image", Fields: map[string]Type{"resolution": str, "imageUri": str}},
		{Name: "Helplink", Fields: map[string]Type{"uri": str, "title": str, "description": str}},
		{Name: "Credentialspecification", Fields: map[string]Type{
			"required": boolean, "title": str, "credentialTypes": arr(str),
		}},
		// Points at the current configuration (a whole Integrationconfiguration model, of
		// which the service fills only some fields here).
		{Name: "Integrationconfigurationinfo", Fields: map[string]Type{"current": obj("Integrationconfiguration")}},
		// GET and PUT .../config/current. The SDK types properties and advanced as any JSON;
		// they are objects (each integration type publishes a JSON object schema for them,
		// configPropertiesSchemaUri and configAdvancedSchemaUri), with free values, and are
		// recorded so. credentials map a credential slot to a stored credential.
		{Name: "Integrationconfiguration", Fields: map[string]Type{
			"id": str, "name": str, "version": integer, "properties": mapOf(anyJSON), "advanced": mapOf(anyJSON),
			"notes": str, "credentials": mapOf(obj("Credentialinfo")), "selfUri": str,
		}},
		{Name: "Credentialinfo", Fields: map[string]Type{
			"id": str, "name": str, "createdDate": dateTime, "modifiedDate": dateTime,
			"type": obj("Credentialtype"), "selfUri": str,
		}},
		{Name: "Credentialtype", Fields: map[string]Type{
			"id": str, "name": str, "properties": anyJSON, "displayOrder": arr(str), "required": arr(str),
		}},
		// The reported state: a code (ACTIVE, INACTIVE, ACTIVATING, DEACTIVATING, ERROR), its
		// display text, an optional explanation, and when it last changed.
		{Name: "Integrationstatusinfo", Fields: map[string]Type{
			"code": str, "effective": str, "detail": obj("Messageinfo"), "lastUpdated": dateTime,
		}},
		{Name: "Messageinfo", Fields: map[string]Type{
			"localizableMessageCode": str, "message": str, "messageWithParams": str, "messageParams": mapOf(str),
		}},
		{Name: "Integrationentitylisting", Fields: listing("Integration")},
		{Name: "Integrationtypeentitylisting", Fields: listing("Integrationtype")},
		// GET /api/v2/organizations/me. features is a map of feature name to on/off.
		{Name: "Organization", Fields: map[string]Type{
			"id": str, "name": str, "defaultLanguage": str, "defaultCountryCode": str,
			"thirdPartyOrgName": str, "thirdPartyURI": str, "domain": str, "features": mapOf(boolean),
			"version": integer, "state": str, "defaultSiteId": str, "supportURI": str,
			"voicemailEnabled": boolean, "productPlatform": str, "selfUri": str,
		}},
		// GET /api/v2/authorization/products: the enabled products, each only an id. This
		// listing has no URIs, unlike the others.
		{Name: "Organizationproductentitylisting", Fields: map[string]Type{
			"entities": arr(obj("Domainorganizationproduct")), "pageSize": integer, "pageNumber": integer,
			"total": integer, "pageCount": integer,
		}},
		{Name: "Domainorganizationproduct", Fields: map[string]Type{"id": str}},
		// Every failed API call. errors nests more of the same; limit names a limit that was hit.
		{Name: "Errorbody", Fields: map[string]Type{
			"message": str, "code": str, "status": integer, "entityId": str, "entityName": str,
			"messageWithParams": str, "messageParams": mapOf(str), "contextId": str,
			"details": arr(obj("Detail")), "errors": arr(obj("Errorbody")), "limit": obj("Limit"),
		}},
		{Name: "Detail", Fields: map[string]Type{"errorCode": str, "fieldName": str, "entityId": str, "entityName": str}},
		{Name: "Limit", Fields: map[string]Type{"key": str, "namespace": str, "value": integer}},
		// The login service's answers (the SDK's configuration.go, not a generated model).
		{Name: "AuthResponse", Source: "platformclientv2/configuration.go", Fields: map[string]Type{
			"access_token": str, "refresh_token": str, "token_type": str, "expires_in": integer,
		}},
		{Name: "AuthErrorResponse", Source: "platformclientv2/configuration.go", Fields: map[string]Type{
			"error": str, "description": str, "error_description": str,
		}},
		// Screen pops: the project's contract (seed 003, DESIGN.md); Genesys publishes none.
		{Name: "ScreenPopRequest", Source: "project", Fields: map[string]Type{
			"applicationId": str, "uri": str, "state": anyJSON, "idempotencyKey": str,
		}},
		{Name: "ScreenPop", Source: "project", Fields: map[string]Type{
			"id": str, "status": str, "windowFocused": boolean, "deliveryTimeMs": integer,
		}},
	}
	out := make(map[string]Model, len(ms))
	for _, m := range ms {
		if m.Source == "" {
			m.Source = sdk(m.Name)
		}
		out[m.Name] = m
	}
	return out
}()

// Endpoint is one method on one path, with the model of its request body ("" = none) and of
// its successful answer. Failed answers are Errorbody, except on the login service, whose
// errors are AuthErrorResponse.
type Endpoint struct {
	Method   string
	Path     string // with {placeholders}, e.g. /api/v2/integrations/{id}
	Request  string
	Response string // "" when no successful answer is modelled (see Note)
	Form     bool   // the request is a form, not JSON
	// Other models answers of some error statuses that are not Errorbody.
	Other map[int]string
	Note  string
}

// Endpoints is every endpoint the emulator serves and the client calls.
var Endpoints = []Endpoint{
	{Method: "POST", Path: "/oauth/token", Form: true, Response: "AuthResponse"},
	{Method: "GET", Path: "/api/v2/organizations/me", Response: "Organization"},
	{Method: "GET", Path: "/api/v2/authorization/products", Response: "Organizationproductentitylisting"},
	{Method: "GET", Path: "/api/v2/users/me", Note: "answers a user (UserMe) only to a token with a user; a client-credentials token, the only kind here, gets a 400"},
	{Method: "GET", Path: "/api/v2/integrations", Response: "Integrationentitylisting"},
	{Method: "POST", Path: "/api/v2/integrations", Request: "Createintegrationrequest", Response: "Integration"},
	{Method: "GET", Path: "/api/v2/integrations/types", Response: "Integrationtypeentitylisting"},
	{Method: "GET", Path: "/api/v2/integrations/types/{typeId}", Response: "Integrationtype"},
	{Method: "GET", Path: "/api/v2/integrations/{id}", Response: "Integration"},
	{Method: "PATCH", Path: "/api/v2/integrations/{id}", Request: "Integration", Response: "Integration"},
	{Method: "DELETE", Path: "/api/v2/integrations/{id}", Response: "Integration"},
	{Method: "GET", Path: "/api/v2/integrations/{id}/config/current", Response: "Integrationconfiguration"},
	{Method: "PUT", Path: "/api/v2/integrations/{id}/config/current", Request: "Integrationconfiguration", Response: "Integrationconfiguration"},
	{Method: "POST", Path: "/api/v2/users/{userId}/screenpops", Request: "ScreenPopRequest", Response: "ScreenPop",
		Other: map[int]string{409: "ScreenPop"}, Note: "a reused idempotency key answers 409 with the original answer"},
}

// ErrorModels are the models a failed answer on path may have: the login service answers its
// own refusals as AuthErrorResponse, and what the gateway in front of it refuses (429, 5xx,
// methods) as Errorbody.
func ErrorModels(path string) []string {
	if path == "/oauth/token" {
		return []string{"AuthErrorResponse", "Errorbody"}
	}
	return []string{"Errorbody"}
}
