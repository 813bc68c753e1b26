// Package otlpreceiver is a small OpenTelemetry collector for tests and demos: an http.Handler
// that accepts OTLP/HTTP exports (protobuf, optionally gzipped) at /v1/traces and /v1/metrics,
// decodes them with the OTLP protocol's own Go types, and keeps what it received for inspection.
// It implements the receiving half of the OTLP/HTTP specification that the OpenTelemetry
// exporters use; it is not a collector for production (no forwarding, everything in memory).
package otlpreceiver

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	collmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	colltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Paths the OTLP/HTTP specification gives the two signals.
const (
	TracesPath  = "/v1/traces"
	MetricsPath = "/v1/metrics"
)

const maxBody = 16 << 20

// Span is a received span, decoded.
type Span struct {
	TraceID, SpanID, ParentSpanID string // hex
	Name                          string
	Kind                          string // e.g. SPAN_KIND_CLIENT
	Start, End                    time.Time
	Attributes                    map[string]any
	Events                        []Event
	StatusCode                    string // STATUS_CODE_UNSET, _OK or _ERROR
	StatusMessage                 string
	Resource                      map[string]any
	Scope                         string
}

// Event is a span event.
type Event struct {
	Name       string
	Time       time.Time
	Attributes map[string]any
}

// Point is the latest data point of one metric stream: one metric name, attribute set and start
// time (a cumulative stream starts when its provider process started).
type Point struct {
	Metric     string
	Unit       string
	Attributes map[string]any
	Resource   map[string]any
	Start      time.Time
	Value      float64 // sums and gauges
	Count      uint64  // histograms
	Sum        float64 // histograms
}

// Receiver keeps every span and the latest point of every metric stream it is sent. The zero
// value is not usable; call New.
type Receiver struct {
	// OnSpan, when set before serving, hears each span as it is received.
	OnSpan func(Span)

	mu          sync.Mutex
	requireName string
	requireVal  string
	spans       []Span
	points      map[string]Point
	order       []string
	requests    int
	refused     int
	changed     chan struct{} // closed and replaced on every accepted export
}

// New returns an empty Receiver.
func New() *Receiver {
	return &Receiver{points: map[string]Point{}, changed: make(chan struct{})}
}

// Require makes the receiver refuse (401) exports without header name set to value, as a
// collector behind an API key does.
func (r *Receiver) Require(name, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requireName, r.requireVal = name, value
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path != TracesPath && req.URL.Path != MetricsPath {
		http.NotFound(w, req)
		return
	}
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "OTLP/HTTP exports are POSTed", http.StatusMethodNotAllowed)
		return
	}
	r.mu.Lock()
	r.requests++
	name, want := r.requireName, r.requireVal
	if name != "" && req.Header.Get(name) != want {
		r.refused++
		r.mu.Unlock()
		http.Error(w, "missing or wrong "+name+" header", http.StatusUnauthorized)
		return
	}
	r.mu.Unlock()
	if ct, _, _ := strings.Cut(req.Header.Get("Content-Type"), ";"); ct != "application/x-protobuf" {
		http.Error(w, "this receiver accepts application/x-protobuf only", http.StatusUnsupportedMediaType)
		return
	}
	var body io.Reader = http.MaxBytesReader(w, req.Body, maxBody)
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			http.Error(w, "bad gzip body: "+err.Error(), http.StatusBadRequest)
			return
		}
		defer zr.Close()
		body = io.LimitReader(zr, maxBody)
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	var answer proto.Message
	if req.URL.Path == TracesPath {
		var export colltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(raw, &export); err != nil {
			http.Error(w, "not an ExportTraceServiceRequest: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.addSpans(&export)
		answer = &colltracepb.ExportTraceServiceResponse{}
	} else {
		var export collmetricpb.ExportMetricsServiceRequest
		if err := proto.Unmarshal(raw, &export); err != nil {
			http.Error(w, "not an ExportMetricsServiceRequest: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.addMetrics(&export)
		answer = &collmetricpb.ExportMetricsServiceResponse{}
	}
	out, _ := proto.Marshal(answer)
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (r *Receiver) addSpans(export *colltracepb.ExportTraceServiceRequest) {
	var got []Span
	for _, rs := range export.GetResourceSpans() {
		res := attributes(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				got = append(got, decodeSpan(s, res, ss.GetScope().GetName()))
			}
		}
	}
	r.mu.Lock()
	r.spans = append(r.spans, got...)
	r.notifyLocked()
	onSpan := r.OnSpan
	r.mu.Unlock()
	if onSpan != nil {
		for _, s := range got {
			onSpan(s)
		}
	}
}

func decodeSpan(s *tracepb.Span, res map[string]any, scope string) Span {
	out := Span{
		TraceID:       fmt.Sprintf("%x", s.GetTraceId()),
		SpanID:        fmt.Sprintf("%x", s.GetSpanId()),
		ParentSpanID:  fmt.Sprintf("%x", s.GetParentSpanId()),
		Name:          s.GetName(),
		Kind:          s.GetKind().String(),
		Start:         time.Unix(0, int64(s.GetStartTimeUnixNano())),
		End:           time.Unix(0, int64(s.GetEndTimeUnixNano())),
		Attributes:    attributes(s.GetAttributes()),
		StatusCode:    s.GetStatus().GetCode().String(),
		StatusMessage: s.GetStatus().GetMessage(),
		Resource:      res,
		Scope:         scope,
	}
	for _, e := range s.GetEvents() {
		out.Events = append(out.Events, Event{
			Name:       e.GetName(),
			Time:       time.Unix(0, int64(e.GetTimeUnixNano())),
			Attributes: attributes(e.GetAttributes()),
		})
	}
	return out
}

func (r *Receiver) addMetrics(export *collmetricpb.ExportMetricsServiceRequest) {
	var got []Point
	for _, rm := range export.GetResourceMetrics() {
		res := attributes(rm.GetResource().GetAttributes())
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				got = append(got, decodeMetric(m, res)...)
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range got {
		key := streamKey(p)
		if _, ok := r.points[key]; !ok {
			r.order = append(r.order, key)
		}
		r.points[key] = p
	}
	r.notifyLocked()
}

func decodeMetric(m *metricpb.Metric, res map[string]any) []Point {
	var out []Point
	number := func(dps []*metricpb.NumberDataPoint) {
		for _, dp := range dps {
			v := dp.GetAsDouble()
			if _, ok := dp.GetValue().(*metricpb.NumberDataPoint_AsInt); ok {
				v = float64(dp.GetAsInt())
			}
			out = append(out, Point{
				Metric: m.GetName(), Unit: m.GetUnit(), Attributes: attributes(dp.GetAttributes()), Resource: res,
				Start: time.Unix(0, int64(dp.GetStartTimeUnixNano())), Value: v,
			})
		}
	}
	switch {
	case m.GetSum() != nil:
		number(m.GetSum().GetDataPoints())
	case m.GetGauge() != nil:
		number(m.GetGauge().GetDataPoints())
	case m.GetHistogram() != nil:
		for _, dp := range m.GetHistogram().GetDataPoints() {
			out = append(out, Point{
				Metric: m.GetName(), Unit: m.GetUnit(), Attributes: attributes(dp.GetAttributes()), Resource: res,
				Start: time.Unix(0, int64(dp.GetStartTimeUnixNano())), Count: dp.GetCount(), Sum: dp.GetSum(),
			})
		}
	}
	return out
}

// streamKey identifies a metric stream. Gauges carry no start time, so theirs is the resource's
// service.instance.id or, failing that, all the resource's attributes.
func streamKey(p Point) string {
	keys := make([]string, 0, len(p.Attributes))
	for k, v := range p.Attributes {
		keys = append(keys, fmt.Sprintf("%s=%v", k, v))
	}
	slices.Sort(keys)
	res := make([]string, 0, len(p.Resource))
	for k, v := range p.Resource {
		res = append(res, fmt.Sprintf("%s=%v", k, v))
	}
	slices.Sort(res)
	return fmt.Sprintf("%s|%s|%d|%s", p.Metric, strings.Join(keys, ","), p.Start.UnixNano(), strings.Join(res, ","))
}

func (r *Receiver) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// Spans returns the spans received so far, in the order they came.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans)
}

// Points returns the latest point of every metric stream received so far.
func (r *Receiver) Points() []Point {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Point, 0, len(r.order))
	for _, k := range r.order {
		out = append(out, r.points[k])
	}
	return out
}

// Requests returns how many exports were posted, and how many of them were refused for a missing
// header.
func (r *Receiver) Requests() (total, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, r.refused
}

// Changed returns a channel closed at the next accepted export, for waiting without polling.
func (r *Receiver) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

func attributes(kvs []*commonpb.KeyValue) map[string]any {
	out := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		out[kv.GetKey()] = value(kv.GetValue())
	}
	return out
}

func value(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return x.BytesValue
	case *commonpb.AnyValue_ArrayValue:
		var out []any
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, value(e))
		}
		return out
	case *commonpb.AnyValue_KvlistValue:
		return attributes(x.KvlistValue.GetValues())
	}
	return nil
}
