package contract

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Checking wraps an API handler (the emulator) so that every exchange on an endpoint of the
// contract is checked: the answer always, the request body when requests is true (tests that
// send malformed bodies on purpose turn it off). Each problem is passed to report with the
// method and path, as "POST /api/v2/integrations: answer 200: $.foo: is not a field of
// Integration". Paths outside the API (/_emulator/..., /) are not checked; an unknown /api/
// path must still answer an Errorbody. Connections the handler hijacks (injected resets) have
// no answer to check.
func Checking(h http.Handler, requests bool, report func(string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checked(r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		var reqBody []byte
		if r.Body != nil {
			reqBody, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		for _, p := range CheckExchange(r.Method, r.URL.Path, r.Header.Get("Content-Type"), reqBody, rec.status, rec.body.Bytes(), requests, rec.hijacked) {
			report(r.Method + " " + r.URL.Path + ": " + p)
		}
	})
}

func checked(path string) bool {
	return path == "/oauth/token" || strings.HasPrefix(path, "/api/")
}

// CheckExchange checks one request and its answer against the endpoint they belong to; it is
// what Checking does for each exchange, for callers that record exchanges some other way.
// status 0 (or hijacked) means there was no answer.
func CheckExchange(method, path, contentType string, reqBody []byte, status int, respBody []byte, requests, hijacked bool) []string {
	var out []string
	ep, known := Match(method, path)
	if requests && known && len(bytes.TrimSpace(reqBody)) > 0 {
		switch {
		case ep.Form:
			if !strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
				out = append(out, fmt.Sprintf("request: Content-Type %q, the contract says a form", contentType))
			}
		case ep.Request == "":
			out = append(out, "request: has a body; the contract says none")
		default:
			for _, p := range Check(ep.Request, reqBody) {
				out = append(out, "request: "+p.String())
			}
		}
	}
	if hijacked || status == 0 {
		return out
	}
	var models []string
	switch {
	case known && ep.Other[status] != "":
		models = []string{ep.Other[status]}
	case status >= 200 && status < 300 && known:
		models = []string{ep.Response}
		if ep.Response == "" {
			out = append(out, fmt.Sprintf("answer %d: the contract models no successful answer here (%s)", status, ep.Note))
			return out
		}
	case status >= 200 && status < 300:
		out = append(out, fmt.Sprintf("answer %d to an endpoint the contract does not have", status))
		return out
	default:
		models = ErrorModels(path)
	}
	// The answer passes if it fits one of the models; else the closest one's problems are told.
	var least []Problem
	for i, m := range models {
		p := Check(m, respBody)
		if i == 0 || len(p) < len(least) {
			least = p
		}
	}
	for _, p := range least {
		out = append(out, fmt.Sprintf("answer %d: %s", status, p))
	}
	return out
}

// recorder keeps a copy of the answer while passing it on.
type recorder struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets the emulator's connection-reset faults through.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("contract: %T cannot hijack", r.ResponseWriter)
	}
	r.hijacked = true
	return hj.Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
