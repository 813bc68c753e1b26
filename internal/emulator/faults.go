package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// A Fault applies to requests matching Method ("" = any) and PathPrefix ("" = any; e.g.
// "/api/v2/integrations"). Which matching requests it hits is deterministic when Pattern is set
// (one character per matching request: 'x' = inject, '.' = pass; after the pattern runs out the
// fault is spent), otherwise by Probability (0..1, seeded by Seed so runs repeat).
//
// Every fault that matches a request consumes one step of its pattern (or one draw of its
// random stream), whether or not another fault pre-empts it, so each fault's sequence depends
// only on the requests it matches. Latency faults add up; of the other kinds, the first one in
// the list that fires is injected.
//
// Request faults (429, 5xx, latency, resets) are decided after authentication and rate
// limiting, as a gateway behind the limiter would fail: they consume a token of the bucket and
// carry the rate-limit headers. They also apply to POST /oauth/token when it matches.
// KindReadNotFoundAfterCreate, KindWindowUnfocused and KindConcurrentConfigWrite are decided by
// their handlers: the first on each integration created (POST /api/v2/integrations), the second
// on each screen pop delivered, the third on each valid PUT of a configuration.
//
// A test that counts resets should know that Go's http.Transport quietly retries a request once
// when a reused keep-alive connection dies before any answer, if it can replay the request: GET,
// HEAD, OPTIONS, TRACE, or any method with an Idempotency-Key header (a screen pop), provided the
// body can be re-read. Disable keep-alives in such tests, or expect the journal to show the retry.
//
// In JSON (the -faults flag, PUT /_emulator/faults) durations are strings such as "250ms".
type Fault struct {
	Kind        FaultKind     `json:"kind"`
	Method      string        `json:"method,omitempty"`
	PathPrefix  string        `json:"pathPrefix,omitempty"`
	Pattern     string        `json:"pattern,omitempty"`
	Probability float64       `json:"probability,omitempty"`
	Seed        int64         `json:"seed,omitempty"`
	RetryAfter  int           `json:"retryAfter,omitempty"` // seconds, for Kind429 (default 1) and Kind503 (none by default)
	Latency     time.Duration `json:"latency,omitempty"`    // for KindLatency
	For         time.Duration `json:"for,omitempty"`        // for KindReadNotFoundAfterCreate: how long after a create reads answer 404
}

// FaultKind names what a Fault does to the requests it hits.
type FaultKind string

const (
	Kind429                     FaultKind = "429"
	Kind500                     FaultKind = "500"
	Kind502                     FaultKind = "502"
	Kind503                     FaultKind = "503"
	KindLatency                 FaultKind = "latency"
	KindResetBeforeHandling     FaultKind = "reset-before"          // hijack + close, nothing happens
	KindResetAfterCommit        FaultKind = "reset-after-commit"    // the request takes effect, then the connection is reset
	KindReadNotFoundAfterCreate FaultKind = "read-404-after-create" // GETs of a new integration 404 for Fault.For
	// KindWindowUnfocused delivers the screen pop but reports windowFocused false (the agent's
	// browser did not bring the window forward), to exercise focus-rate tracking.
	KindWindowUnfocused FaultKind = "window-unfocused"
	// KindConcurrentConfigWrite makes someone else's configuration write land just before a
	// PUT .../config/current: the version goes up by one and the PUT, now stale, is refused
	// (409, or 400 with Config.StaleVersionStatus), to exercise a client's re-read and retry.
	KindConcurrentConfigWrite FaultKind = "concurrent-config-write"
)

var knownFaultKinds = map[FaultKind]bool{
	Kind429: true, Kind500: true, Kind502: true, Kind503: true, KindLatency: true,
	KindResetBeforeHandling: true, KindResetAfterCommit: true,
	KindReadNotFoundAfterCreate: true, KindWindowUnfocused: true, KindConcurrentConfigWrite: true,
}

// handlerFaultKinds are decided inside a handler rather than around it.
func (k FaultKind) decidedByHandler() bool {
	return k == KindReadNotFoundAfterCreate || k == KindWindowUnfocused || k == KindConcurrentConfigWrite
}

// FaultError reports an invalid fault profile entry.
type FaultError struct {
	Index int // position in the profile
	Err   error
}

func (e *FaultError) Error() string { return fmt.Sprintf("fault %d: %v", e.Index, e.Err) }
func (e *FaultError) Unwrap() error { return e.Err }

// Validate reports why f could never behave as its author meant.
func (f Fault) Validate() error {
	switch {
	case !knownFaultKinds[f.Kind]:
		return fmt.Errorf("unknown kind %q", f.Kind)
	case f.Pattern != "" && f.Probability != 0:
		return errors.New("set Pattern or Probability, not both")
	case f.Pattern == "" && f.Probability == 0:
		return errors.New("set Pattern (e.g. \"x..x\") or Probability (0 < p <= 1): the fault would never fire")
	case strings.Trim(f.Pattern, "x.") != "":
		return fmt.Errorf("pattern %q may only contain 'x' (inject) and '.' (pass)", f.Pattern)
	case f.Probability < 0 || f.Probability > 1:
		return fmt.Errorf("probability %v is outside 0..1", f.Probability)
	case f.RetryAfter < 0:
		return fmt.Errorf("retryAfter %d is negative", f.RetryAfter)
	case f.Kind == KindLatency && f.Latency <= 0:
		return errors.New("a latency fault needs a positive Latency")
	case f.Kind == KindReadNotFoundAfterCreate && f.For <= 0:
		return errors.New("a read-404-after-create fault needs a positive For")
	case f.Method != "" && strings.ToUpper(f.Method) != f.Method:
		return fmt.Errorf("method %q must be upper case", f.Method)
	case f.PathPrefix != "" && !strings.HasPrefix(f.PathPrefix, "/"):
		return fmt.Errorf("pathPrefix %q must start with /", f.PathPrefix)
	}
	return nil
}

// ValidateFaults checks a whole profile; the error is a *FaultError naming the first bad entry.
func ValidateFaults(faults []Fault) error {
	for i, f := range faults {
		if err := f.Validate(); err != nil {
			return &FaultError{Index: i, Err: err}
		}
	}
	return nil
}

// ParseFaults reads a fault profile from JSON: an array of faults or a single fault. Unknown
// fields are errors, so a typo cannot silently disable a fault.
func ParseFaults(data []byte) ([]Fault, error) {
	data = bytes.TrimSpace(data)
	var faults []Fault
	if len(data) > 0 && data[0] == '{' {
		var f Fault
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, err
		}
		faults = []Fault{f}
	} else if err := json.Unmarshal(data, &faults); err != nil {
		return nil, err
	}
	if err := ValidateFaults(faults); err != nil {
		return nil, err
	}
	return faults, nil
}

type faultJSON struct {
	Kind        FaultKind `json:"kind"`
	Method      string    `json:"method,omitempty"`
	PathPrefix  string    `json:"pathPrefix,omitempty"`
	Pattern     string    `json:"pattern,omitempty"`
	Probability float64   `json:"probability,omitempty"`
	Seed        int64     `json:"seed,omitempty"`
	RetryAfter  int       `json:"retryAfter,omitempty"`
	Latency     string    `json:"latency,omitempty"`
	For         string    `json:"for,omitempty"`
}

// MarshalJSON writes durations as Go duration strings ("250ms").
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{
		Kind: f.Kind, Method: f.Method, PathPrefix: f.PathPrefix, Pattern: f.Pattern,
		Probability: f.Probability, Seed: f.Seed, RetryAfter: f.RetryAfter,
	}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	if f.For != 0 {
		j.For = f.For.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads durations as strings ("250ms", "2s") and rejects unknown fields.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("fault: %w (durations are strings such as \"250ms\")", err)
	}
	out := Fault{
		Kind: j.Kind, Method: j.Method, PathPrefix: j.PathPrefix, Pattern: j.Pattern,
		Probability: j.Probability, Seed: j.Seed, RetryAfter: j.RetryAfter,
	}
	var err error
	if j.Latency != "" {
		if out.Latency, err = time.ParseDuration(j.Latency); err != nil {
			return fmt.Errorf("fault latency: %w", err)
		}
	}
	if j.For != "" {
		if out.For, err = time.ParseDuration(j.For); err != nil {
			return fmt.Errorf("fault for: %w", err)
		}
	}
	*f = out
	return nil
}

// faultState is a fault with its position in its pattern or random stream.
type faultState struct {
	Fault
	next int
	rng  *rand.Rand
}

func newFaultStates(faults []Fault) []*faultState {
	out := make([]*faultState, 0, len(faults))
	for _, f := range faults {
		out = append(out, &faultState{
			Fault: f,
			rng:   rand.New(rand.NewPCG(uint64(f.Seed), 0x9e3779b97f4a7c15)),
		})
	}
	return out
}

func (f *faultState) matches(method, path string) bool {
	return (f.Method == "" || f.Method == method) && strings.HasPrefix(path, f.PathPrefix)
}

// fire consumes one step and says whether the fault hits this request.
func (f *faultState) fire() bool {
	if f.Pattern != "" {
		if f.next >= len(f.Pattern) {
			return false
		}
		hit := f.Pattern[f.next] == 'x'
		f.next++
		return hit
	}
	return f.rng.Float64() < f.Probability
}

// faultDecision is what the request faults chose for one request.
type faultDecision struct {
	latency time.Duration
	action  *Fault // first non-latency fault that fired, nil if none
	names   []string
}

func (d faultDecision) name() string { return strings.Join(d.names, "+") }

// decideRequestFaults runs every request fault that matches; the caller holds s.mu.
func decideRequestFaults(states []*faultState, method, path string) faultDecision {
	var d faultDecision
	for _, f := range states {
		if f.Kind.decidedByHandler() || !f.matches(method, path) || !f.fire() {
			continue
		}
		if f.Kind == KindLatency {
			d.latency += f.Latency
			d.names = append(d.names, string(f.Kind))
			continue
		}
		if d.action == nil {
			d.action = &f.Fault
			d.names = append(d.names, string(f.Kind))
		}
	}
	return d
}

// decideHandlerFault runs the faults of one handler-decided kind; the first that fires wins.
// The caller holds s.mu.
func decideHandlerFault(states []*faultState, kind FaultKind, method, path string) *Fault {
	var hit *Fault
	for _, f := range states {
		if f.Kind != kind || !f.matches(method, path) || !f.fire() {
			continue
		}
		if hit == nil {
			hit = &f.Fault
		}
	}
	return hit
}

// resetConnection makes the client see a TCP reset: the connection is taken from net/http and
// closed with SO_LINGER 0, so the kernel sends RST instead of FIN. Where the connection cannot
// be hijacked (HTTP/2, a ResponseRecorder) the handler is aborted, which net/http turns into a
// dropped connection or stream.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
