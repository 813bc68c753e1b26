// Package audit keeps the provider's audit trail: a JSON Lines file with one line per widget
// change or screen pop, carrying running success rate and average latency.
//
// Nothing written here may carry a secret. Callers pass redacted URLs, and Record checks again:
// a URL fragment (where screen pops carry the session token and customer data) or user info in
// any field is replaced before the line is written.
package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"time"
)

// Operations recorded by the provider. Record accepts any non-empty operation.
const (
	OpCreate     = "create"
	OpUpdate     = "update"
	OpActivate   = "activate"
	OpDeactivate = "deactivate"
	OpDelete     = "delete"
	OpScreenPop  = "screenpop"
)

// Statuses of an entry.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
)

// Entry is one line of the audit log. Fields that do not apply are left out of the line.
type Entry struct {
	// Timestamp is when the operation finished; Record sets it when zero and writes it in UTC,
	// RFC 3339 with nanoseconds.
	Timestamp     time.Time `json:"timestamp"`
	Operation     string    `json:"operation"`
	WidgetID      string    `json:"widget_id,omitempty"`
	WidgetName    string    `json:"widget_name,omitempty"`
	Environment   string    `json:"environment,omitempty"`
	Status        string    `json:"status"` // StatusSuccess or StatusFailure
	LatencyMs     float64   `json:"latency_ms"`
	CorrelationID string    `json:"correlation_id,omitempty"`
	Error         string    `json:"error,omitempty"`

	// SuccessRate and AvgLatencyMs are running figures over every entry recorded by this Log,
	// this one included, since it was opened: per provider process, not per file. Record sets
	// them; values passed in are ignored.
	SuccessRate  float64 `json:"success_rate"`
	AvgLatencyMs float64 `json:"avg_latency_ms"`

	// Screen pops.
	UserID         string `json:"user_id,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	PopID          string `json:"pop_id,omitempty"`
	WindowFocused  *bool  `json:"window_focused,omitempty"`
	TargetURL      string `json:"target_url,omitempty"` // redacted by the caller, and again by Record
}

// Stats are the running figures of a Log.
type Stats struct {
	Total        int64
	Succeeded    int64
	SuccessRate  float64 // Succeeded / Total; 0 before the first entry
	AvgLatencyMs float64
}

// Log appends entries to a JSON Lines file. It is safe for concurrent use.
//
// Each entry is a single write(2) of one complete line to a file opened with O_APPEND, so lines
// from concurrent goroutines never interleave, and neither do lines from several processes
// sharing the file (several provider processes in one Terraform run, or parallel runs) on a
// local file system, where the kernel appends each write whole. Network file systems such as
// NFS do not promise that; give each run its own file there.
//
// A nil *Log, and the Log Open returns for an empty path, write nothing, so callers need no
// checks; the latter still keeps Stats.
type Log struct {
	mu         sync.Mutex
	f          *os.File
	closed     bool
	total      int64
	succeeded  int64
	latencySum float64
	now        func() time.Time
}

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("audit log is closed")

// Open opens the audit log at path for appending, creating it with mode 0600. An existing file
// keeps its mode: Open never loosens it, and does not tighten it either, so an operator may let a
// log shipper's group read it on purpose (no secret is ever written to it). The path must be a
// regular file or not exist; its directory must exist. An empty path gives a Log that writes
// nothing.
func Open(path string) (*Log, error) {
	l := &Log{now: time.Now}
	if path == "" {
		return l, nil
	}
	// Checked before opening: opening a FIFO for writing would block until a reader appears.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file; the audit log must be a file", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file; the audit log must be a file", path)
	}
	l.f = f
	return l, nil
}

// Record appends e as one line, after setting its timestamp (when zero), its running figures,
// and replacing any URL fragment or user info in its fields. A latency that is negative or not
// a number counts as 0. The figures count every entry passed to Record, also when writing it
// fails; an error only means the line is not in the file.
func (l *Log) Record(e Entry) error {
	if l == nil {
		return nil
	}
	if e.Operation == "" {
		return errors.New("audit entry has no operation")
	}
	if e.Status != StatusSuccess && e.Status != StatusFailure {
		return fmt.Errorf("audit entry status is %q; want %q or %q", e.Status, StatusSuccess, StatusFailure)
	}
	if math.IsNaN(e.LatencyMs) || math.IsInf(e.LatencyMs, 0) || e.LatencyMs < 0 {
		e.LatencyMs = 0
	}
	scrubEntry(&e)

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if e.Timestamp.IsZero() {
		e.Timestamp = l.now()
	}
	e.Timestamp = e.Timestamp.UTC()
	l.total++
	if e.Status == StatusSuccess {
		l.succeeded++
	}
	l.latencySum += e.LatencyMs
	st := l.statsLocked()
	e.SuccessRate, e.AvgLatencyMs = st.SuccessRate, st.AvgLatencyMs
	if l.f == nil {
		return nil
	}

	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil { // Encode ends the line with "\n"
		return fmt.Errorf("encoding the audit entry: %w", err)
	}
	if _, err := l.f.Write(line.Bytes()); err != nil {
		return fmt.Errorf("appending to the audit log: %w", err)
	}
	return nil
}

// Stats returns the running figures.
func (l *Log) Stats() Stats {
	if l == nil {
		return Stats{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statsLocked()
}

func (l *Log) statsLocked() Stats {
	s := Stats{Total: l.total, Succeeded: l.succeeded}
	if l.total > 0 {
		s.SuccessRate = float64(l.succeeded) / float64(l.total)
		// Microsecond resolution is all a latency in milliseconds needs.
		s.AvgLatencyMs = math.Round(l.latencySum/float64(l.total)*1000) / 1000
	}
	return s
}

// Close closes the file. Record fails with ErrClosed afterwards.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}
