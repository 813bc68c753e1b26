package client

import (
	"context"
	"sync"
)

// readAheadPageWorth is how many reads each page read ahead must have
// served, on average, before the next page is read: a page costs one
// request, and a read it serves would otherwise cost its share of a list by
// ids (about a quarter to a third of a request at Terraform's parallelism of
// 10, see readBatcher), so a page that served this many has paid for itself.
const readAheadPageWorth = 5

// readAhead serves the integration reads of a process that has written
// nothing from pages of the whole listing, read ahead of the reads that
// need them: a refresh of many widgets (terraform plan) then costs a list
// page per hundred widgets, not a share of a list by ids per handful of
// them, which Terraform, handing out one read every few milliseconds,
// rarely gives the batcher.
//
// The provider cannot know which widgets a plan will read, so the pages
// are the plain listing (GET /api/v2/integrations?sortBy=id, 100 to a
// page), read one at a time and only while they pay: the first read of the
// process reads page 1, and a read the pages so far do not hold reads the
// next page only if those pages served readAheadPageWorth reads each. A
// plan that reads a few widgets of a large org thus spends one request on
// read-ahead; one that reads every widget of the org reads every page.
//
// What a page says is believed only for the ids it carries, and only once:
// a read it does not hold, or a second read of the same id, goes to the
// batcher, so a listing that shifts between pages costs requests, never
// truth, and no absence is ever taken for a 404. An answer served from a
// page is as old as the page, no older than the process: within one
// refresh, which Terraform never takes as a snapshot, that is the answer
// a read sent earlier in the same refresh would have had.
//
// Any write through the client (any request other than a GET) ends
// read-ahead for the client's life and drops the pages: after a write, a
// read must see it, and only a read sent after it is sure to. A page read
// while the write was under way is dropped on arrival. A failed page read
// ends read-ahead too; the reads go on through the batcher.
type readAhead struct {
	mu      sync.Mutex
	off     bool
	pages   map[string]Integration // entries read ahead and not yet served
	read    int                    // pages read
	last    int                    // the listing's page count, as the last page read gave it
	served  int                    // reads served from pages
	reading chan struct{}          // closed when the page being read is in; nil when none is
}

// lookup returns the integration id from a page read ahead, reading the
// next page first when it is worth it (see readAhead), or false when the
// read must go to the API. list reads one page of the listing.
func (a *readAhead) lookup(ctx context.Context, id string, list func(ctx context.Context, number int) (*integrationPage, error)) (Integration, bool) {
	for {
		a.mu.Lock()
		if a.off || ctx.Err() != nil {
			a.mu.Unlock()
			return Integration{}, false
		}
		if in, ok := a.pages[id]; ok {
			delete(a.pages, id)
			a.served++
			a.mu.Unlock()
			return in, true
		}
		if wait := a.reading; wait != nil {
			a.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
			}
			continue
		}
		if a.read > 0 && (a.read >= a.last || a.served < readAheadPageWorth*a.read) {
			a.mu.Unlock()
			return Integration{}, false
		}
		number := a.read + 1
		done := make(chan struct{})
		a.reading = done
		a.mu.Unlock()

		page, err := list(ctx, number)

		a.mu.Lock()
		a.reading = nil
		close(done)
		switch {
		case a.off:
			// A write began while the page was read: it may not show it.
		case err != nil && ctx.Err() != nil:
			// The caller gave up; the next read that needs a page reads it.
		case err != nil:
			a.stopLocked()
		default:
			if a.pages == nil {
				a.pages = make(map[string]Integration, len(page.Entities))
			}
			for _, in := range page.Entities {
				a.pages[in.ID] = in
			}
			a.read, a.last = number, page.PageCount
		}
		a.mu.Unlock()
	}
}

// stop ends read-ahead for good and drops what was read (see readAhead).
func (a *readAhead) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopLocked()
}

func (a *readAhead) stopLocked() {
	a.off = true
	a.pages = nil
}

// listingPage reads page number of the whole listing, sorted by id, for
// readAhead.
func (c *Client) listingPage(ctx context.Context, number int) (*integrationPage, error) {
	_, p, err := c.listPage(ctx, ListFilter{}, listPageSize, number, true)
	return p, err
}
