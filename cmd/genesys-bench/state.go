package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Where Terraform keeps each run's state (-state). Terraform's local backend rewrites
// terraform.tfstate after every resource it applies, one resource at a time; its other
// backends keep the state in memory during an apply and save it every so often
// (TF_STATE_PERSIST_INTERVAL, 20 s). The http backend, served here in memory, stands for
// those: it measures the provider where a pipeline's remote state does not bind.
const (
	stateLocal = "local"
	stateHTTP  = "http"
)

// stateKinds is what -state accepts, in the order its help names them.
var stateKinds = []string{stateLocal, stateHTTP}

// stateStore is the benchmark's Terraform http backend: one state document per path, kept in
// memory. Terraform GETs it (404: no state yet), POSTs the whole document to replace it and
// DELETEs it; without lock_address it never locks.
type stateStore struct {
	mu   sync.Mutex
	docs map[string][]byte
}

func newStateStore() *stateStore { return &stateStore{docs: map[string][]byte{}} }

func (s *stateStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		doc, ok := s.get(r.URL.Path)
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	case http.MethodPost:
		doc, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.docs[r.URL.Path] = doc
		s.mu.Unlock()
	case http.MethodDelete:
		s.mu.Lock()
		delete(s.docs, r.URL.Path)
		s.mu.Unlock()
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *stateStore) get(path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, ok := s.docs[path]
	return doc, ok
}

// startStateStore serves a stateStore on a loopback port; url is its base address.
func startStateStore(ctx context.Context) (store *stateStore, url string, stop func(), err error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	store = newStateStore()
	srv := &http.Server{Handler: store, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return store, "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// statePath is the http backend's path for a Terraform working directory: its path under the
// benchmark's working directory, so every run and configuration has one of its own.
func (b *bench) statePath(dir string) string {
	rel, err := filepath.Rel(b.work, dir)
	if err != nil {
		rel = filepath.Base(dir)
	}
	return "/state/" + filepath.ToSlash(rel)
}

// backendTF is the terraform block's backend for dir: none (Terraform's local backend) or the
// benchmark's http one.
func (b *bench) backendTF(dir string) string {
	if b.opts.state != stateHTTP {
		return ""
	}
	return fmt.Sprintf("  backend \"http\" {\n    address = %q\n  }\n", b.stateURL+b.statePath(dir))
}

// readState is dir's state document, wherever -state keeps it; nil when there is none yet.
func (b *bench) readState(dir string) ([]byte, error) {
	if b.opts.state == stateHTTP {
		doc, _ := b.states.get(b.statePath(dir))
		return doc, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// readStateWidgets reads the genesys_agent_widget instances of dir's state.
func (b *bench) readStateWidgets(dir string) ([]stateWidget, error) {
	data, err := b.readState(dir)
	if err != nil || data == nil {
		return nil, err
	}
	return parseStateWidgets(data)
}

func validState(kind string) error {
	for _, k := range stateKinds {
		if kind == k {
			return nil
		}
	}
	return fmt.Errorf("-state: %q is not one of %s", kind, strings.Join(stateKinds, ", "))
}
