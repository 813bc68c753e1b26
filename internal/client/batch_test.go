package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// createWidgets makes n integrations through c and returns their ids.
func createWidgets(t *testing.T, c *Client, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		in, err := c.CreateIntegration(context.Background(), fmt.Sprintf("widget-%03d", i), TypeEmbeddedClientApp)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = in.ID
	}
	return ids
}

// readAll reads every id at once, one goroutine each, and fails the test
// on any error or wrong answer.
func readAll(t *testing.T, c *Client, ids []string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			in, err := c.GetIntegration(context.Background(), id)
			if err != nil || in.ID != id {
				t.Errorf("GetIntegration(%s) = %+v, %v", id, in, err)
			}
		})
	}
	wg.Wait()
}

// integrationReads is the journal's reads of integrations, as "GET id" for
// a read by id, "LIST n" for a list of n ids and "PAGE n" for page n of the
// whole listing (see readAhead).
func (e *emu) integrationReads(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, j := range e.server.Journal() {
		switch {
		case j.Method != http.MethodGet:
		case j.Route == "/api/v2/integrations":
			q, err := url.ParseQuery(j.Query)
			if err != nil {
				t.Fatal(err)
			}
			if ids := q.Get("ids"); ids != "" {
				out = append(out, fmt.Sprintf("LIST %d", len(strings.Split(ids, ","))))
			} else {
				out = append(out, "PAGE "+q.Get("pageNumber"))
			}
		case j.Route == "/api/v2/integrations/{id}":
			out = append(out, "GET "+strings.TrimPrefix(j.Path, "/api/v2/integrations/"))
		}
	}
	return out
}

// slowReadUnderWay clears the journal, makes every read of an integration
// take latency to answer, and starts a read of id through c. It returns
// once that read is under way, with the channel its error will come on:
// reads started after it queue behind it.
func slowReadUnderWay(e *emu, c *Client, id string, latency time.Duration) <-chan error {
	e.server.ResetJournal()
	e.setFaults(emulator.Fault{Kind: emulator.KindLatency, Method: http.MethodGet, PathPrefix: "/api/v2/integrations", Pattern: "x", Latency: latency})
	done := make(chan error, 1)
	go func() {
		_, err := c.GetIntegration(context.Background(), id)
		done <- err
	}()
	synctest.Wait()
	return done
}

// TestReadsThatArriveTogetherShareAListRead: a read goes out alone; the 40
// that arrive while it is under way go together in one list read by ids.
// Whether they arrived "together" is decided by the first read still being
// in flight, never by a timing window.
func TestReadsThatArriveTogetherShareAListRead(t *testing.T) {
	synctest.Test(t, testReadsThatArriveTogetherShareAListRead)
}

func testReadsThatArriveTogetherShareAListRead(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	ids := createWidgets(t, c, 41)
	first := slowReadUnderWay(e, c, ids[0], time.Second)
	start := time.Now()
	readAll(t, c, ids[1:])
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	e.wantReads(t, "in all", "GET "+ids[0], "LIST 40")
	if waited := time.Since(start); waited != time.Second {
		t.Errorf("the 40 waited %v, want the second the read ahead of them took", waited)
	}
}

// TestBatchedReadsFillPagesInOrder: 250 reads queued behind one go in
// lists of at most a page (100 ids), in the order they came.
func TestBatchedReadsFillPagesInOrder(t *testing.T) {
	synctest.Test(t, testBatchedReadsFillPagesInOrder)
}

func testBatchedReadsFillPagesInOrder(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	c := e.client()
	ids := createWidgets(t, c, 251)
	slowReadUnderWay(e, c, ids[0], time.Second)
	// Half the reads twice: a repeated id costs nothing more.
	readAll(t, c, slices.Concat(ids[1:], ids[1:126]))
	synctest.Wait()
	e.wantReads(t, "in all", "GET "+ids[0], "LIST 100", "LIST 100", "LIST 50")
}

// TestBatchedReadsFallBackToSingleReads: an id the list does not hold is
// read on its own under the read-after-write rule: one that lags its create
// is found once reads catch up, one deleted elsewhere is not found once the
// lag window has passed.
func TestBatchedReadsFallBackToSingleReads(t *testing.T) {
	synctest.Test(t, testBatchedReadsFallBackToSingleReads)
}

func testBatchedReadsFallBackToSingleReads(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	ids := createWidgets(t, c, 4)
	// A fifth widget whose reads lag its create by 100 ms (within the
	// client's 150 ms read-lag window).
	e.setFaults(emulator.Fault{Kind: emulator.KindReadNotFoundAfterCreate, Pattern: "x", For: 100 * time.Millisecond})
	lagging, err := c.CreateIntegration(context.Background(), "lagging", TypeEmbeddedClientApp)
	if err != nil {
		t.Fatal(err)
	}
	gone := ids[3]
	if !e.server.DeleteIntegrationOutOfBand("org-a", gone) {
		t.Fatal("could not delete out of band")
	}
	slowReadUnderWay(e, c, ids[0], 10*time.Millisecond)
	results := make(map[string]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range []string{ids[1], ids[2], gone, lagging.ID} {
		wg.Go(func() {
			in, err := c.GetIntegration(context.Background(), id)
			if err == nil && in.ID != id {
				err = fmt.Errorf("read %s, got %s", id, in.ID)
			}
			mu.Lock()
			results[id] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, id := range []string{ids[1], ids[2], lagging.ID} {
		if results[id] != nil {
			t.Errorf("read of %s: %v", id, results[id])
		}
	}
	if !IsNotFound(results[gone]) {
		t.Errorf("read of the deleted widget: %v, want not found", results[gone])
	}
	reads := e.integrationReads(t)
	if len(reads) < 4 || reads[0] != "GET "+ids[0] || reads[1] != "LIST 4" {
		t.Fatalf("reads sent: %v, want the lone read, a list of 4, then single reads", reads)
	}
	for _, r := range reads[2:] {
		if r != "GET "+gone && r != "GET "+lagging.ID {
			t.Errorf("single read %q of a widget the list held", r)
		}
	}
}

// TestLoneReadKeepsTheNotFoundRule: a read that goes alone and meets a 404
// continues the read-after-write rule from that answer; one the client
// deleted itself is gone at once.
func TestLoneReadKeepsTheNotFoundRule(t *testing.T) {
	synctest.Test(t, testLoneReadKeepsTheNotFoundRule)
}

func testLoneReadKeepsTheNotFoundRule(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	ids := createWidgets(t, c, 2)
	e.server.DeleteIntegrationOutOfBand("org-a", ids[0])
	start := time.Now()
	if _, err := c.GetIntegration(context.Background(), ids[0]); !IsNotFound(err) {
		t.Fatalf("read of a widget deleted elsewhere = %v, want not found", err)
	}
	if waited := time.Since(start); waited < c.readLagWindow {
		t.Errorf("a 404 was believed after %v, before the read-lag window of %v", waited, c.readLagWindow)
	}
	if err := c.DeleteIntegration(context.Background(), ids[1]); err != nil {
		t.Fatal(err)
	}
	e.server.ResetJournal()
	if _, err := c.GetIntegration(context.Background(), ids[1]); !IsNotFound(err) {
		t.Fatalf("read of a widget this client deleted = %v, want not found", err)
	}
	if got := e.integrationReads(t); len(got) != 1 {
		t.Errorf("reads of a widget this client deleted: %v, want one", got)
	}
}

// TestRefusedListReadsAlone: a service that refuses lists by ids (a 400) is
// read one integration at a time from then on, and every read is answered.
func TestRefusedListReadsAlone(t *testing.T) { synctest.Test(t, testRefusedListReadsAlone) }

func testRefusedListReadsAlone(t *testing.T) {
	var lists, singles atomic.Int64
	release := make(chan struct{})
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/integrations" {
			lists.Add(1)
			writeGenesysError(w, http.StatusBadRequest, "bad.request", "ids is not supported", "corr-400")
			return
		}
		if singles.Add(1) == 1 {
			<-release
		}
		id := strings.TrimPrefix(r.URL.Path, "/api/v2/integrations/")
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "name": id, "integrationType": map[string]string{"id": TypeEmbeddedClientApp}})
	})
	c := fake.client(t)
	go func() { _, _ = c.GetIntegration(context.Background(), "first") }()
	synctest.Wait()
	done := make(chan struct{})
	go func() {
		defer close(done)
		readAll(t, c, []string{"a", "b", "c"})
	}()
	synctest.Wait()
	close(release)
	<-done
	readAll(t, c, []string{"d", "e"})
	if lists.Load() != 1 || singles.Load() != 6 {
		t.Errorf("%d lists, %d single reads; want the one list refused, then every read alone", lists.Load(), singles.Load())
	}
}

// TestRefreshCost is a refresh as Terraform runs one, in miniature: ten
// workers (Terraform's default parallelism) each read a widget with its
// configuration, widget after widget, every request taking the same time.
// The reads of widgets share lists, so a widget costs about one request
// (its configuration) and a share of a list: with every flight waiting for
// its readers' configuration reads, one list per round of the ten workers.
func TestRefreshCost(t *testing.T) { synctest.Test(t, testRefreshCost) }

func testRefreshCost(t *testing.T) {
	const widgets, workers = 200, 10
	e := newEmu(t, emulator.Config{RateLimit: -1})
	c := e.client()
	ids := createWidgets(t, c, widgets)
	e.server.ResetJournal()
	e.setFaults(emulator.Fault{Kind: emulator.KindLatency, PathPrefix: "/api/v2/", Probability: 1, Latency: 20 * time.Millisecond})

	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= widgets {
					return
				}
				if _, _, err := c.GetIntegrationAndConfig(context.Background(), ids[i]); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	requests := len(e.server.JournalWhere(emulator.JournalFilter{PathPrefix: "/api/v2/"}))
	perWidget := float64(requests) / widgets
	t.Logf("refresh of %d widgets by %d workers: %d requests, %.2f per widget, in %v", widgets, workers, requests, perWidget, time.Since(start))
	if perWidget > 1.1 {
		t.Errorf("%.2f requests per widget, want at most 1.1", perWidget)
	}
	// Each widget's read follows its configuration's: two round trips, as
	// when the two were read one after the other.
	if want := widgets / workers * 2 * 20 * time.Millisecond; time.Since(start) != want {
		t.Errorf("the refresh took %v, want %v", time.Since(start), want)
	}
}

// TestFlightWaitsForCompanions: a read whose caller still waits for its
// other read (the configuration) holds the flight until that is answered,
// and the reads that queue meanwhile go in the same list.
func TestFlightWaitsForCompanions(t *testing.T) { synctest.Test(t, testFlightWaitsForCompanions) }

func testFlightWaitsForCompanions(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	ids := createWidgets(t, c, 3)
	e.server.ResetJournal()
	companion := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := c.getIntegration(context.Background(), ids[0], companion); err != nil {
			t.Error(err)
		}
	})
	e.noIntegrationReadsYet(t, "while the first caller's other read was under way")
	for _, id := range ids[1:] {
		wg.Go(func() {
			if _, err := c.GetIntegration(context.Background(), id); err != nil {
				t.Error(err)
			}
		})
	}
	synctest.Wait()
	close(companion)
	wg.Wait()
	e.wantReads(t, "in all", "LIST 3")
}

// TestReadWithConfigNotFound: a widget deleted elsewhere is not found,
// with its configuration, once the read-after-write rule has run its
// course.
func TestReadWithConfigNotFound(t *testing.T) { synctest.Test(t, testReadWithConfigNotFound) }

func testReadWithConfigNotFound(t *testing.T) {
	e := newEmu(t, emulator.Config{})
	c := e.client()
	ids := createWidgets(t, c, 2)
	in, cfg, err := c.GetIntegrationAndConfig(context.Background(), ids[1])
	if err != nil || in.ID != ids[1] || cfg.Name != "widget-001" {
		t.Fatalf("GetIntegrationAndConfig = %+v, %+v, %v", in, cfg, err)
	}
	e.server.DeleteIntegrationOutOfBand("org-a", ids[0])
	if _, _, err := c.GetIntegrationAndConfig(context.Background(), ids[0]); !IsNotFound(err) {
		t.Fatalf("read of a widget deleted elsewhere = %v, want not found", err)
	}
}

// configGates holds each configuration read of the ids it was made for
// until the test answers it: a send of 0 lets the emulator answer, any
// other status refuses the read with it. The send returns once the read
// has arrived.
type configGates map[string]chan int

// gateConfigReads holds every GET of the configuration of ids (see
// configGates) from now on.
func (e *emu) gateConfigReads(ids []string) configGates {
	gates := configGates{}
	for _, id := range ids {
		gates[id] = make(chan int)
	}
	intercept := func(w http.ResponseWriter, r *http.Request) bool {
		id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/api/v2/integrations/"), "/config/current")
		gate := gates[id]
		if !ok || gate == nil || r.Method != http.MethodGet {
			return false
		}
		if status := <-gate; status != 0 {
			writeGenesysError(w, status, "not.authorized", "refused by the test", "corr-gate")
			return true
		}
		return false
	}
	e.intercept.Store(&intercept)
	return gates
}

// wantReads reports the reads of integrations sent so far unless they
// are want; when says at what point.
func (e *emu) wantReads(t *testing.T, when string, want ...string) {
	t.Helper()
	if got := e.integrationReads(t); !slices.Equal(got, want) {
		t.Errorf("reads sent %s: %v, want %v", when, got, want)
	}
}

// noIntegrationReadsYet reports any read of an integration sent once
// everything under way has settled.
func (e *emu) noIntegrationReadsYet(t *testing.T, when string) {
	t.Helper()
	synctest.Wait()
	e.wantReads(t, when)
}

// gatedWidgets is an emulator with no rate limit holding n widgets, a
// client of it, the widgets' ids, and gates on their configuration reads;
// the journal starts empty.
func gatedWidgets(t *testing.T, n int) (*emu, *Client, []string, configGates) {
	t.Helper()
	e := newEmu(t, emulator.Config{RateLimit: -1})
	c := e.client()
	ids := createWidgets(t, c, n)
	gates := e.gateConfigReads(ids)
	e.server.ResetJournal()
	return e, c, ids, gates
}

// refreshWidget reads id with its configuration, as a refresh does, and
// reports a wrong answer.
func refreshWidget(t *testing.T, c *Client, id string) {
	in, cfg, err := c.GetIntegrationAndConfig(context.Background(), id)
	if err != nil || in.ID != id || cfg == nil {
		t.Errorf("GetIntegrationAndConfig(%s) = %+v, %+v, %v", id, in, cfg, err)
	}
}

// TestFlightWaitsForEveryPendingCompanion: ten refreshes arrive one after
// another, each while the configuration read of the one before is still
// under way, and those reads are answered one at a time (as pacing spreads
// them). The flight keeps waiting while any queued read's configuration is
// pending, so the ten integrations go in one list, and none alone.
func TestFlightWaitsForEveryPendingCompanion(t *testing.T) {
	synctest.Test(t, testFlightWaitsForEveryPendingCompanion)
}

func testFlightWaitsForEveryPendingCompanion(t *testing.T) {
	e, c, ids, gates := gatedWidgets(t, 10)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { refreshWidget(t, c, id) })
		synctest.Wait()
		if i > 0 {
			gates[ids[i-1]] <- 0
		}
		e.noIntegrationReadsYet(t, fmt.Sprintf("with %d configurations answered and one pending", i))
	}
	gates[ids[9]] <- 0
	wg.Wait()
	e.wantReads(t, "in all", "LIST 10")
}

// TestReadWithoutCompanionWaitsOnlyForThoseAhead: a plain read waits for
// the configuration reads already pending when it queued, not for those of
// refreshes that queue after it; those go in its list all the same.
func TestReadWithoutCompanionWaitsOnlyForThoseAhead(t *testing.T) {
	synctest.Test(t, testReadWithoutCompanionWaitsOnlyForThoseAhead)
}

func testReadWithoutCompanionWaitsOnlyForThoseAhead(t *testing.T) {
	e, c, ids, gates := gatedWidgets(t, 4)
	ahead, plain, behind := ids[:2], ids[2], ids[3]
	var wg sync.WaitGroup
	for _, id := range ahead {
		wg.Go(func() { refreshWidget(t, c, id) })
		synctest.Wait()
	}
	plainDone := make(chan struct{})
	wg.Go(func() {
		defer close(plainDone)
		if in, err := c.GetIntegration(context.Background(), plain); err != nil || in.ID != plain {
			t.Errorf("GetIntegration(%s) = %+v, %v", plain, in, err)
		}
	})
	synctest.Wait()
	wg.Go(func() { refreshWidget(t, c, behind) })
	gates[ahead[0]] <- 0
	e.noIntegrationReadsYet(t, "with a configuration ahead of the plain read pending")
	gates[ahead[1]] <- 0
	synctest.Wait()
	select {
	case <-plainDone:
	default:
		t.Error("the plain read still waits, for a configuration read that queued behind it")
	}
	e.wantReads(t, "in all", "LIST 4")
	gates[behind] <- 0
	wg.Wait()
}

// TestCallerThatGivesUpIsNotWaitedFor: a caller whose context ends while
// its read is queued returns at once; its read no longer holds the flight,
// nor goes in it.
func TestCallerThatGivesUpIsNotWaitedFor(t *testing.T) {
	synctest.Test(t, testCallerThatGivesUpIsNotWaitedFor)
}

func testCallerThatGivesUpIsNotWaitedFor(t *testing.T) {
	e, c, ids, _ := gatedWidgets(t, 3) // companions of the test's own making
	held, never := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := c.getIntegration(context.Background(), ids[0], held); err != nil {
			t.Error(err)
		}
	})
	synctest.Wait()
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		_, err := c.getIntegration(ctx, ids[1], never)
		gaveUp <- err
	}()
	synctest.Wait()
	// A plain read queues last, so it waits for both companions ahead.
	wg.Go(func() {
		if _, err := c.GetIntegration(context.Background(), ids[2]); err != nil {
			t.Error(err)
		}
	})
	synctest.Wait()
	cancel()
	synctest.Wait()
	select {
	case err := <-gaveUp:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the caller that gave up got %v, want %v", err, context.Canceled)
		}
	default:
		t.Error("the caller that gave up still waits")
	}
	e.noIntegrationReadsYet(t, "with the first caller's companion pending")
	close(held)
	wg.Wait() // would hang if the abandoned read's companion held the flight
	e.wantReads(t, "in all, the abandoned read not among them", "LIST 2")
}

// TestFailedConfigReadReleasesTheFlight: a refresh whose configuration read
// fails ends with that error, and its integration read neither holds the
// flight nor goes in it.
func TestFailedConfigReadReleasesTheFlight(t *testing.T) {
	synctest.Test(t, testFailedConfigReadReleasesTheFlight)
}

func testFailedConfigReadReleasesTheFlight(t *testing.T) {
	e, c, ids, gates := gatedWidgets(t, 3)
	var wg sync.WaitGroup
	for _, id := range []string{ids[0], ids[2]} {
		wg.Go(func() { refreshWidget(t, c, id) })
	}
	failed := make(chan error, 1)
	go func() {
		_, _, err := c.GetIntegrationAndConfig(context.Background(), ids[1])
		failed <- err
	}()
	synctest.Wait()
	gates[ids[0]] <- 0
	gates[ids[2]] <- 0
	e.noIntegrationReadsYet(t, "with one configuration read pending")
	gates[ids[1]] <- http.StatusForbidden
	wg.Wait()
	var apiErr *APIError
	if err := <-failed; !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden {
		t.Errorf("the refresh whose configuration read failed got %v, want the 403", err)
	}
	e.wantReads(t, "in all", "LIST 2")
}

// TestFullPageFliesAtOnce: a page of distinct ids goes at once, companions
// pending or not; the flight waits no longer than one list can carry.
func TestFullPageFliesAtOnce(t *testing.T) { synctest.Test(t, testFullPageFliesAtOnce) }

func testFullPageFliesAtOnce(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	c := e.client()
	ids := createWidgets(t, c, listPageSize+1)
	e.server.ResetJournal()
	held := make(chan struct{})
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			if _, err := c.getIntegration(context.Background(), id, held); err != nil {
				t.Error(err)
			}
		})
		if i < listPageSize-1 {
			e.noIntegrationReadsYet(t, fmt.Sprintf("with %d reads queued", i+1))
		} else {
			synctest.Wait()
		}
	}
	e.wantReads(t, "with a page and one queued", fmt.Sprintf("LIST %d", listPageSize))
	close(held)
	wg.Wait()
	e.wantReads(t, "in all", fmt.Sprintf("LIST %d", listPageSize), "GET "+ids[listPageSize])
}

// TestIntegrationReadQueuedBeforeItsCompanion: a refresh queues its
// integration read before it sends its configuration read. Queued from a
// goroutine of its own, the read could reach the batcher only after the
// configuration was read, and a flight would go without waiting for it.
func TestIntegrationReadQueuedBeforeItsCompanion(t *testing.T) {
	synctest.Test(t, testIntegrationReadQueuedBeforeItsCompanion)
}

func testIntegrationReadQueuedBeforeItsCompanion(t *testing.T) {
	e, c, ids, gates := gatedWidgets(t, 1)
	gated := *e.intercept.Load()
	check := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/config/current") {
			c.reads.mu.Lock()
			queued := len(c.reads.queue)
			c.reads.mu.Unlock()
			if queued != 1 {
				t.Errorf("%d integration reads queued when the configuration read arrived, want 1", queued)
			}
		}
		return gated(w, r)
	}
	e.intercept.Store(&check)
	var wg sync.WaitGroup
	wg.Go(func() { refreshWidget(t, c, ids[0]) })
	gates[ids[0]] <- 0
	wg.Wait()
}
