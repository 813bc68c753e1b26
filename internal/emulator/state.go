package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// stateFormat is the version of the state file layout.
const stateFormat = 1

// stateFile is what Config.StatePath holds: integrations and the screen pops still inside the
// idempotency window, per org. Tokens are not kept: clients fetch new ones after a restart.
type stateFile struct {
	Format  int                  `json:"format"`
	SavedAt time.Time            `json:"savedAt"`
	Orgs    map[string]*orgState `json:"orgs"`
}

type orgState struct {
	Integrations []*integrationRecord `json:"integrations"`
	ScreenPops   []*ScreenPop         `json:"screenPops"`
}

// StateError reports a state file that cannot be read or written.
type StateError struct {
	Path string
	Err  error
}

func (e *StateError) Error() string { return "emulator state file " + e.Path + ": " + e.Err.Error() }
func (e *StateError) Unwrap() error { return e.Err }

// encodeState serializes the state under s.mu (a consistent snapshot), sorted so that equal
// states give equal files.
func (s *Server) encodeState() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	f := stateFile{Format: stateFormat, SavedAt: now.UTC(), Orgs: map[string]*orgState{}}
	for id, o := range s.orgs {
		o.forgetExpiredKeys(now)
		st := &orgState{Integrations: make([]*integrationRecord, 0, len(o.integrations)), ScreenPops: o.pops[o.expired:]}
		for _, rec := range o.integrations {
			st.Integrations = append(st.Integrations, rec)
		}
		sortRecords(st.Integrations)
		if len(st.Integrations) > 0 || len(st.ScreenPops) > 0 {
			f.Orgs[id] = st
		}
	}
	return json.MarshalIndent(f, "", "  ")
}

// loadState reads the state file; a missing file is an empty state.
func (s *Server) loadState(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &StateError{path, err}
	}
	var f stateFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return &StateError{path, fmt.Errorf("not a state file: %w", err)}
	}
	if f.Format != stateFormat {
		return &StateError{path, fmt.Errorf("format %d, want %d", f.Format, stateFormat)}
	}
	now := s.now()
	for orgID, st := range f.Orgs {
		if st == nil {
			continue
		}
		o := newOrgData()
		for _, rec := range st.Integrations {
			if rec == nil || rec.ID == "" || integrationTypes[rec.TypeID].ID == "" {
				return &StateError{path, fmt.Errorf("org %s: an integration has no id or an unknown type", orgID)}
			}
			rec.Config.Properties = orEmpty(rec.Config.Properties)
			rec.Config.Advanced = orEmpty(rec.Config.Advanced)
			rec.Config.Credentials = orEmpty(rec.Config.Credentials)
			o.integrations[rec.ID] = rec
		}
		pops := slices.DeleteFunc(st.ScreenPops, func(p *ScreenPop) bool { return p == nil || p.IdempotencyKey == "" })
		slices.SortStableFunc(pops, func(a, b *ScreenPop) int { return a.DeliveredAt.Compare(b.DeliveredAt) })
		o.pops = pops
		for _, p := range pops {
			o.popsByKey[p.IdempotencyKey] = p
		}
		o.forgetExpiredKeys(now)
		s.orgs[orgID] = o
	}
	s.log.Info("state loaded", "path", path, "orgs", len(s.orgs))
	return nil
}

// stateStore writes the state file in the background: every change kicks it, and changes that
// arrive while a write is under way are folded into the next write. A benchmark making thousands
// of changes therefore costs a bounded number of writes, not one full rewrite per change.
type stateStore struct {
	path   string
	encode func() ([]byte, error)
	log    *slog.Logger

	kicks chan struct{}
	stop  chan struct{}
	done  chan struct{}

	writeMu   sync.Mutex
	closeOnce sync.Once
	closeErr  error
}

func newStateStore(path string, encode func() ([]byte, error), log *slog.Logger) *stateStore {
	st := &stateStore{
		path:   path,
		encode: encode,
		log:    log,
		kicks:  make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go st.loop()
	return st
}

func (st *stateStore) kick() {
	select {
	case st.kicks <- struct{}{}:
	default: // a write is already due; it will include this change
	}
}

func (st *stateStore) loop() {
	defer close(st.done)
	for {
		select {
		case <-st.stop:
			return
		case <-st.kicks:
			if err := st.saveNow(); err != nil {
				st.log.Error("saving state failed", "error", err)
			}
		}
	}
}

// saveNow encodes the current state and replaces the file atomically.
func (st *stateStore) saveNow() error {
	st.writeMu.Lock()
	defer st.writeMu.Unlock()
	data, err := st.encode()
	if err != nil {
		return &StateError{st.path, err}
	}
	if err := writeFileAtomic(st.path, data); err != nil {
		return &StateError{st.path, err}
	}
	return nil
}

// close stops the background writer and writes once more, so nothing changed before Close is lost.
func (st *stateStore) close() error {
	st.closeOnce.Do(func() {
		close(st.stop)
		<-st.done
		st.closeErr = st.saveNow()
	})
	return st.closeErr
}

// writeFileAtomic writes data to a temporary file beside path (same file system), syncs it, and
// renames it over path, so a reader or a crash sees the old file or the new one, never half of
// one. The file is private (0600): it names the orgs' integrations.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = tmp.Write(append(data, '\n')); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil { // make the rename durable where the OS allows
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
