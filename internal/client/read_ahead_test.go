package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

// pagesRead counts the listing pages in requests (see integrationReads)
// and fails the test if one was read twice.
func pagesRead(t *testing.T, requests []string) int {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range requests {
		if strings.HasPrefix(r, "PAGE ") {
			if seen[r] {
				t.Errorf("%s read twice: %v", r, requests)
			}
			seen[r] = true
		}
	}
	return len(seen)
}

// orgWith creates widgets and others (integrations of another type) through
// a client of their own, as an earlier apply did, shuffled together so that
// the widgets spread over the listing's pages, and returns the widgets'
// ids. The journal starts empty.
func orgWith(t *testing.T, e *emu, widgets, others int) []string {
	t.Helper()
	writer := e.client()
	var ids []string
	kinds := make([]bool, widgets+others)
	for i := range widgets {
		kinds[i] = true
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	for i, widget := range kinds {
		typ := TypeInteractionWidget
		if widget {
			typ = TypeEmbeddedClientApp
		}
		in, err := writer.CreateIntegration(context.Background(), fmt.Sprintf("app-%03d", i), typ)
		if err != nil {
			t.Fatal(err)
		}
		if widget {
			ids = append(ids, in.ID)
		}
	}
	e.server.ResetJournal()
	return ids
}

// refresh reads ids with their configurations through c as Terraform's
// refresh does: workers at a time, in the order given, and fails the test on
// a wrong answer.
func refresh(t *testing.T, c *Client, ids []string, workers int) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return
				}
				refreshWidget(t, c, ids[i])
			}
		})
	}
	wg.Wait()
}

// TestReadAheadServesARefresh: a new process (a plan) refreshes 250 widgets
// of an org that also holds 30 other integrations, in an order unrelated to
// the listing's. The listing's three pages are each read once, and the
// reads they cannot serve yet (before the pages that hold them paid for
// themselves) share lists by ids: the refresh costs little more than a
// configuration read per widget, and every answer is the widget's.
func TestReadAheadServesARefresh(t *testing.T) { synctest.Test(t, testReadAheadServesARefresh) }

func testReadAheadServesARefresh(t *testing.T) {
	const widgets, others, workers = 250, 30, 10
	e := newEmu(t, emulator.Config{RateLimit: -1})
	ids := orgWith(t, e, widgets, others)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	e.setFaults(emulator.Fault{Kind: emulator.KindLatency, PathPrefix: "/api/v2/", Probability: 1, Latency: 20 * time.Millisecond})

	refresh(t, e.client(), ids, workers)

	reads := e.integrationReads(t)
	if got := pagesRead(t, reads); got != 3 {
		t.Errorf("%d listing pages read, want the listing's 3: %v", got, reads)
	}
	if configs := e.count(http.MethodGet, "/api/v2/integrations/") - countPrefix(reads, "GET "); configs != widgets {
		t.Errorf("%d configuration reads, want one per widget (%d)", configs, widgets)
	}
	t.Logf("integration requests: %v", reads)
	if perWidget := float64(widgets+len(reads)) / widgets; perWidget > 1.06 {
		t.Errorf("%.3f requests per widget, want at most 1.06 (the three pages and a few lists by ids)", perWidget)
	}
}

func countPrefix(ss []string, prefix string) int {
	n := 0
	for _, s := range ss {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// TestReadAheadStopsWhereItDoesNotPay: a plan that reads 5 widgets of an
// org of 300 integrations reads the listing's first page and no other, as
// that page cannot have served the reads the next one must earn.
func TestReadAheadStopsWhereItDoesNotPay(t *testing.T) {
	synctest.Test(t, testReadAheadStopsWhereItDoesNotPay)
}

func testReadAheadStopsWhereItDoesNotPay(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	ids := orgWith(t, e, 5, 295)
	refresh(t, e.client(), ids, 1)
	reads := e.integrationReads(t)
	if got := pagesRead(t, reads); got != 1 || reads[0] != "PAGE 1" {
		t.Errorf("integration requests %v, want page 1 first and no other page", reads)
	}
	if len(reads) > 1+5 {
		t.Errorf("integration requests %v, want page 1 and at most one read per widget", reads)
	}
}

// TestWriteEndsReadAhead: a page serves each id once; before the client
// writes, a read is served from the page, as old as it is; once the client
// writes, its reads go to the API and see what changed since the page was
// read.
func TestWriteEndsReadAhead(t *testing.T) { synctest.Test(t, testWriteEndsReadAhead) }

func testWriteEndsReadAhead(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	ids := orgWith(t, e, 3, 0)
	writer, plan := e.client(), e.client()
	ctx := context.Background()

	refreshWidget(t, plan, ids[0])
	e.wantReads(t, "after the first read", "PAGE 1")
	// A page serves an id once: a second read asks the API.
	refreshWidget(t, plan, ids[0])
	e.wantReads(t, "after a second read of the same widget", "PAGE 1", "GET "+ids[0])
	// Another process enables the second widget: the page read before does
	// not show it.
	enable(t, writer, ids[1])
	e.server.ResetJournal()
	if in, _, err := plan.GetIntegrationAndConfig(ctx, ids[1]); err != nil || in.IntendedState != StateDisabled {
		t.Fatalf("read from the page = %+v, %v; want the state the page was read with", in, err)
	}
	e.wantReads(t, "serving a read from the page")

	enable(t, plan, ids[0])
	e.server.ResetJournal()
	in, _, err := plan.GetIntegrationAndConfig(ctx, ids[2])
	if err != nil || in.ID != ids[2] {
		t.Fatalf("GetIntegrationAndConfig = %+v, %v", in, err)
	}
	e.wantReads(t, "after a write", "GET "+ids[2])
	if in, _, err := plan.GetIntegrationAndConfig(ctx, ids[1]); err != nil || in.IntendedState != StateEnabled {
		t.Errorf("read after a write = %+v, %v; want the state the API holds", in, err)
	}
}

// TestPageReadAcrossAWriteIsDropped: a page whose read was under way when
// the client began a write serves nothing, not even the read that was
// waiting for it.
func TestPageReadAcrossAWriteIsDropped(t *testing.T) {
	synctest.Test(t, testPageReadAcrossAWriteIsDropped)
}

func testPageReadAcrossAWriteIsDropped(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	ids := orgWith(t, e, 2, 0)
	plan := e.client()
	release := make(chan struct{})
	intercept := func(_ http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v2/integrations" && r.URL.Query().Get("ids") == "" {
			<-release
		}
		return false
	}
	e.intercept.Store(&intercept)

	read := make(chan struct{})
	go func() {
		defer close(read)
		refreshWidget(t, plan, ids[0])
	}()
	synctest.Wait() // the page read is held
	enable(t, plan, ids[1])
	close(release)
	<-read
	e.wantReads(t, "in all", "PAGE 1", "GET "+ids[0])
	e.server.ResetJournal()
	refreshWidget(t, plan, ids[1])
	e.wantReads(t, "after the write", "GET "+ids[1])
}

// TestFailedPageEndsReadAhead: a listing page the service refuses ends
// read-ahead; every read is still answered, through the API.
func TestFailedPageEndsReadAhead(t *testing.T) { synctest.Test(t, testFailedPageEndsReadAhead) }

func testFailedPageEndsReadAhead(t *testing.T) {
	e := newEmu(t, emulator.Config{RateLimit: -1})
	ids := orgWith(t, e, 2, 0)
	plan := e.client()
	var refused atomic.Int64
	intercept := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v2/integrations" && r.URL.Query().Get("ids") == "" {
			refused.Add(1)
			writeGenesysError(w, http.StatusBadRequest, "bad.request", "refused by the test", "corr-page")
			return true
		}
		return false
	}
	e.intercept.Store(&intercept)
	refreshWidget(t, plan, ids[0])
	refreshWidget(t, plan, ids[1])
	if n := refused.Load(); n != 1 {
		t.Errorf("%d listing pages asked for, want 1: the refused page ends read-ahead", n)
	}
	e.wantReads(t, "through the emulator", "GET "+ids[0], "GET "+ids[1])
}

// enable sets integration id's intended state to enabled through c, a
// write.
func enable(t *testing.T, c *Client, id string) {
	t.Helper()
	if _, err := c.SetIntendedState(context.Background(), id, true); err != nil {
		t.Fatal(err)
	}
}
