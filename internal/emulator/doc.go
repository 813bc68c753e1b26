// Package emulator is a local Genesys Cloud org: the login service and the slice of the
// Platform API v2 the provider uses, as one http.Handler. Tests start it with httptest; the
// genesys-emulator program serves it for demos and benchmarks. It imports nothing of the
// provider, so it is an independent oracle for the client's and the provider's behaviour.
//
//	emu, err := emulator.New(emulator.Config{})   // org-a and org-b, default clients and users
//	srv := httptest.NewServer(emu)
//	// login_url and api_url both point at srv.URL
//
// # What is faithful to the real service
//
//   - OAuth client credentials at POST /oauth/token (HTTP Basic, or client_id/client_secret in
//     the form), answering {access_token, token_type "bearer", expires_in}; bad credentials
//     answer 401 {"error":"invalid_client", ...}. Every /api/v2 call needs a bearer token:
//     missing is 401 authentication.required, unknown or expired is 401 bad.credentials.
//   - Errors use the Genesys document {message, code, status, contextId, details, errors}; the
//     contextId is the ININ-Correlation-Id header, which every answer carries.
//   - The rate limits Genesys documents: 300 requests per minute per access token
//     (token.rate.per.minute, Config.RateLimit) and 3000 per minute per OAuth client across all
//     its tokens (org.app.user.rate.per.minute, Config.ClientRateLimit). A call must fit both;
//     else it answers 429 with Retry-After, code too.many.requests.retry.after and the message
//     "Rate limit exceeded the maximum. Retry the request in [N] seconds", whichever refused.
//     inin-ratelimit-count, -allowed and -reset are on every answer to an authenticated call.
//     New tokens are limited per OAuth client too (Config.TokenCreationLimit): past it,
//     POST /oauth/token answers 400 {"error":"invalid_request","description":"rate limit
//     exceeded; ...", "error_description": the same}, as the login service does.
//   - Integrations: create, get, list with paging ({entities, pageSize, pageNumber, total,
//     pageCount, firstUri, selfUri, nextUri, previousUri, lastUri}; pageSize 1..100, default 25)
//     and the documented filters ids (at most 100, repeated or comma-separated), integrationType
//     and reportedState (case-insensitive), sortBy and expand; the paging URIs keep the filters.
//     config/current get and put with optimistic versions (a stale version is 409),
//     PATCH intendedState with reportedState passing through ACTIVATING or DEACTIVATING, delete.
//     A create needs no name (the integration is then named after its type); a stale version
//     can answer 400 "does not match the current version" instead (Config.StaleVersionStatus);
//     empty configuration notes read back as the placeholder node_dynamodb_empty_string.
//     Orgs are isolated: another org's integration is a 404.
//   - What a client meets at start-up: GET /api/v2/organizations/me (the whole Organization
//     model), /api/v2/authorization/products, /api/v2/users/me (400: a client-credentials token
//     has no user), /api/v2/integrations/types and /types/{typeId}. Every answer is held to the
//     published models by the tests (package contract); DESIGN.md lists every difference.
//
// # What is not
//
//   - Each limit is a token bucket that holds one minute's allowance (the token's: RateBurst,
//     by default a minute's) and refills steadily, kept exactly in integer time (GCRA). Genesys
//     does not publish its windows; its headers (count 1, reset 61 after a first call, in a
//     published SDK trace) look like a minute opened by the first call. Buckets are used
//     because they are exact under an injected clock (the benchmark's floor, burst + rate*T,
//     holds to the request), because two of them compose (a call needs room in both; a refused
//     call spends from neither; Retry-After is the exact wait for the next call), and because no
//     moment admits more than a minute's allowance, where a fixed window admits two across its
//     edge. So Retry-After here is the wait for one more call (a second or so), where the real
//     service is seen answering up to a minute; Kind429 faults give such waits.
//   - The headers describe one bucket: the binding one, with the fewest calls left (the
//     token's on a tie, so the token's whenever it is the tighter, as in Genesys' traces), or on
//     a 429 the one that refused. count is the calls in use in it, allowed its rate per minute,
//     reset the seconds until it is full; allowed-count is what may still be sent at once.
//   - The token creation limit's size (DefaultTokenCreationLimit, 60 a minute) is the
//     emulator's choice, Genesys publishing none (DESIGN.md says why 60); the description after
//     "rate limit exceeded;" is the emulator's own, and the 400 carries no Retry-After or
//     rate-limit headers. Refused and failed grants are not counted.
//   - A negative RateLimit, ClientRateLimit or TokenCreationLimit switches that limit off
//     alone; with both API limits off, no rate-limit headers are sent. JournalEntry.Limit names
//     the limit that refused a call.
//   - The list's sortBy takes name (the default: name, then id) or id; sortOrder (ascending,
//     descending) is the emulator's own, as the published GET /api/v2/integrations has no such
//     parameter; expand is accepted and changes nothing; nextPage and previousPage are refused
//     (400), as the listing's URIs here carry page numbers and no cursor is ever handed out.
//     Unknown sortBy and reportedState values are 400s rather than ignored, so a typo shows.
//   - Only the two custom client application types exist, and their configuration is checked
//     strictly: properties not in the type's schema, sandbox tokens and permissions outside the
//     iframe allow-lists, and a url that is not an absolute https URL are 400s, as is any body
//     over MaxBodyBytes (10 KiB, the widget pipeline's payload limit). The real service is laxer
//     in places and stricter in others (it checks groups and queues exist; this does not).
//   - Enabling an integration whose configuration has no url ends in reportedState ERROR; the
//     real service's reasons for ERROR are many and unspecified. PUT config always replaces the
//     whole configuration (name and notes included) and does not restart an activation.
//   - Screen pops (POST /api/v2/users/{userId}/screenpops) follow the project's contract, not a
//     published Genesys endpoint: X-Payload-Signature is the base64 HMAC-SHA256 of the exact body
//     bytes (missing or wrong: 401 invalid.signature), Idempotency-Key is required (400), a key
//     reused within 24 hours in the same org answers 409 with the original answer, and unknown
//     users (or another org's) are 404. Nothing is shown to anyone: a pop is "delivered" once
//     recorded; deliveryTimeMs is the emulator's own handling time.
//   - Faults (see Fault) are the emulator's own: 429 storms, 500/502/503, latency, connection
//     resets before handling or after a change is committed, reads that 404 for a while after a
//     create (eventual consistency), and unfocused screen pop windows, each by exact pattern or
//     seeded probability.
//   - The journal (Server.Journal, GET /_emulator/requests) and the admin endpoints under
//     /_emulator/ are the emulator's own; they need no token, are not rate limited, faulted or
//     journaled, and must not be exposed beyond the machine.
//   - The agent desktop (/desktop/, desktop.go) is the emulator's own: Genesys Cloud's agent UI
//     is not an API. It shows what the API holds as an agent would see it (active widgets in a
//     panel, standalone apps in a menu, interaction widgets beside simulated conversations that
//     match their filters, each app in a frame with the integration's sandbox tokens, permissions
//     as the allow attribute and dimensions within the 800x600 render frame, URL placeholders
//     filled in) and the agent's screen pops, live over server-sent events. While a desktop of a
//     pop's agent is open, the pop's answer waits (up to 5 s) for the desktop to report that it
//     showed the pop, and windowFocused and deliveryTimeMs say what it reported; with no desktop
//     open, pops are answered at once as before. Session tokens are masked before anything
//     reaches the page, so an app framed by the desktop receives "********" in their place.
//     Users have no groups here, so the groups property is shown but not applied. Config.HostMap
//     serves app hosts from the built-in sample apps (/apps/) or a local development server.
//   - State survives a restart only with Config.StatePath (integrations and screen pops within
//     the idempotency window; never tokens). The file is rewritten atomically in the background
//     after changes and once more by Close; a crash can lose the last moments, never corrupt it.
package emulator
