package emulator

import (
	"io"
	"net/http"
	"strconv"
)

// serveAdmin serves /_emulator/*: journal, reset, fault profile, health. These endpoints are
// for the tests and benchmarks driving the emulator: they need no token, are not rate limited,
// faulted or journaled. They are why the program listens on loopback unless told otherwise.
//
//	GET    /_emulator/requests  the journal as JSON; optional filters method, pathPrefix, route, clientId, status
//	DELETE /_emulator/requests  empty the journal
//	POST   /_emulator/reset     Reset: forget integrations, pops, tokens, journal; rewind faults
//	GET    /_emulator/faults    the fault profile
//	PUT    /_emulator/faults    replace the fault profile (a JSON array of faults, or one fault)
//	GET    /_emulator/health    {"status":"ok"}
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, corr string) {
	path := r.URL.Path[len(adminPrefix):]
	methodNotAllowed := func(allowed string) {
		out := errorReply(&apiError{Status: http.StatusMethodNotAllowed, Code: CodeMethodNotAllowed, Message: "The method " + r.Method + " is not allowed here."})
		out.header = http.Header{"Allow": {allowed}}
		writeReply(w, out, corr)
	}
	switch path {
	case "requests":
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			f := JournalFilter{Method: q.Get("method"), PathPrefix: q.Get("pathPrefix"), Route: q.Get("route"), ClientID: q.Get("clientId")}
			if st := q.Get("status"); st != "" {
				n, err := strconv.Atoi(st)
				if err != nil {
					writeReply(w, errorReply(errBadRequest("status must be an integer", fieldError{"status", "is not an integer"})), corr)
					return
				}
				f.Status = n
			}
			entries := s.JournalWhere(f)
			if entries == nil {
				entries = []JournalEntry{}
			}
			writeReply(w, reply{status: http.StatusOK, body: entries}, corr)
		case http.MethodDelete:
			s.ResetJournal()
			w.WriteHeader(http.StatusNoContent)
		default:
			methodNotAllowed("GET, DELETE")
		}
	case "reset":
		if r.Method != http.MethodPost {
			methodNotAllowed("POST")
			return
		}
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case "faults":
		switch r.Method {
		case http.MethodGet:
			writeReply(w, reply{status: http.StatusOK, body: s.Faults()}, corr)
		case http.MethodPut:
			data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				writeReply(w, errorReply(errBadRequest("the body could not be read")), corr)
				return
			}
			faults, err := ParseFaults(data)
			if err != nil {
				writeReply(w, errorReply(errBadRequest(err.Error(), fieldError{"faults", err.Error()})), corr)
				return
			}
			s.SetFaults(faults)
			writeReply(w, reply{status: http.StatusOK, body: s.Faults()}, corr)
		default:
			methodNotAllowed("GET, PUT")
		}
	case "health":
		writeReply(w, reply{status: http.StatusOK, body: map[string]string{"status": "ok"}}, corr)
	default:
		writeReply(w, errorReply(errNotFound()), corr)
	}
}
