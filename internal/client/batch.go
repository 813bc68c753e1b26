package client

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// readBatcher gathers reads of integrations that arrive together (Terraform
// refreshes many widgets at once) into one GET /api/v2/integrations?ids=...
//
// Reads queue; one flight at a time takes what is queued, up to a page
// (listPageSize ids), and sends it: a lone read as GET
// /api/v2/integrations/{id}, several as a list filtered by their ids.
// Whatever queues while a flight is under way, including its wait for a
// send slot, goes with the next flight. So batching needs no timing window
// and no guess: a read waits at most for the flight ahead of it and its
// own, each read is answered by exactly one flight, and reads spread out in
// time cost what they cost before.
//
// A read whose id the list does not hold is read again on its own, where
// the read-after-write rule (see read) decides what a 404 means; so is each
// read of a list that failed. The batcher believes an entity only for the
// id it carries, so a list that ignored the filter costs requests, not
// truth.
type readBatcher struct {
	c *Client

	mu       sync.Mutex
	queue    []*batchedRead
	flying   bool
	disabled bool // the service refused a list by ids: every read goes alone
}

// batchedRead is one caller's read in the queue.
type batchedRead struct {
	ctx  context.Context
	id   string
	done chan struct{}
	// companion, if not nil, is closed when another read the caller waits
	// for as well (the integration's configuration) has been answered.
	companion <-chan struct{}

	in  *Integration // the answer, when the flight found it
	err error        // a lone read's error other than a 404
	// alone asks the caller to read on its own: the list did not hold the id
	// or failed.
	alone bool
	// notFound is a lone read's 404: the caller's read-after-write rule
	// continues from it rather than asking again at once.
	notFound *notFound
}

// get reads integration id, sharing a flight with the reads queued beside
// it. companion, if not nil, is closed when the caller's other read
// (see GetIntegrationAndConfig) has been answered.
func (b *readBatcher) get(ctx context.Context, id string, companion <-chan struct{}) (*Integration, error) {
	r := &batchedRead{ctx: ctx, id: id, done: make(chan struct{}), companion: companion}
	b.mu.Lock()
	if b.disabled {
		b.mu.Unlock()
		return b.c.getAlone(ctx, id, nil)
	}
	b.queue = append(b.queue, r)
	if !b.flying {
		b.flying = true
		go b.fly()
	}
	b.mu.Unlock()

	select {
	case <-r.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	switch {
	case r.in != nil:
		return r.in, nil
	case r.alone || r.notFound != nil:
		return b.c.getAlone(ctx, id, r.notFound)
	default:
		return nil, r.err
	}
}

// fly sends flights until the queue is empty.
//
// Before it takes a batch, a flight waits for the companions of the reads
// queued at that moment: their callers wait for those answers anyway, so
// an earlier answer to their integration read would gain them nothing,
// and the reads that queue meanwhile go in the same list. The wait is for
// answers already under way, never for a clock, and a caller whose
// companion has been answered waits at most that long.
func (b *readBatcher) fly() {
	for {
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.queue = nil
			b.flying = false
			b.mu.Unlock()
			return
		}
		var pending []<-chan struct{}
		for _, r := range b.queue {
			if r.companion != nil {
				pending = append(pending, r.companion)
			}
		}
		b.mu.Unlock()
		for _, c := range pending {
			<-c
		}

		b.mu.Lock()
		batch, ids := takeBatch(&b.queue)
		b.mu.Unlock()

		ctx, cancel := flightContext(batch)
		if len(ids) == 1 {
			b.flyAlone(ctx, batch)
		} else {
			b.flyList(ctx, batch, ids)
		}
		cancel()
	}
}

// flightContext is the context a flight runs in. A flight of one caller is
// that caller's call, errors and all. A flight of several serves them all:
// it keeps the first one's values (the logger) and runs until the latest
// of their deadlines, or without one if one of them has none; a caller
// whose own time runs out stops waiting for it.
func flightContext(batch []*batchedRead) (context.Context, context.CancelFunc) {
	if len(batch) == 1 {
		return batch[0].ctx, func() {}
	}
	var latest time.Time
	for _, r := range batch {
		d, ok := r.ctx.Deadline()
		if !ok {
			return context.WithCancel(context.WithoutCancel(batch[0].ctx))
		}
		if d.After(latest) {
			latest = d
		}
	}
	return context.WithDeadline(context.WithoutCancel(batch[0].ctx), latest)
}

// takeBatch removes from the queue the reads of the first listPageSize
// distinct ids in queue order, with every other read of those ids wherever
// it is queued, and returns them with those ids.
func takeBatch(queue *[]*batchedRead) ([]*batchedRead, []string) {
	chosen := map[string]bool{}
	var ids []string
	var batch, rest []*batchedRead
	for _, r := range *queue {
		if !chosen[r.id] && len(ids) < listPageSize {
			chosen[r.id] = true
			ids = append(ids, r.id)
		}
		if chosen[r.id] {
			batch = append(batch, r)
		} else {
			rest = append(rest, r)
		}
	}
	*queue = rest
	return batch, ids
}

// flyAlone reads one integration by id, as GetIntegration always did, once:
// a 404 goes back to the callers, whose read-after-write rule continues
// from it.
func (b *readBatcher) flyAlone(ctx context.Context, batch []*batchedRead) {
	var in Integration
	_, err := b.c.do(ctx, b.c.apiCall(http.MethodGet, integrationPath(batch[0].id), nil, nil), &in)
	var nf *notFound
	if IsNotFound(err) {
		nf = &notFound{err: err, at: time.Now()}
	}
	for _, r := range batch {
		switch {
		case err == nil:
			v := in
			r.in = &v
		case nf != nil:
			r.notFound = nf
		default:
			r.err = err
		}
		close(r.done)
	}
}

// flyList reads several integrations with one list.
func (b *readBatcher) flyList(ctx context.Context, batch []*batchedRead, ids []string) {
	_, page, err := b.c.listPage(ctx, ListFilter{IDs: ids}, listPageSize, 1, false)
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500 &&
			apiErr.Status != http.StatusUnauthorized && apiErr.Status != http.StatusRequestTimeout &&
			apiErr.Status != http.StatusTooManyRequests {
			// The service does not take this list: read alone from now on.
			b.mu.Lock()
			b.disabled = true
			b.mu.Unlock()
			b.c.log.warn(ctx, "genesys list by ids refused; reading integrations one by one", map[string]any{"error": err})
		}
		for _, r := range batch {
			r.alone = true
			close(r.done)
		}
		return
	}
	byID := make(map[string]Integration, len(page.Entities))
	for _, in := range page.Entities {
		byID[in.ID] = in
	}
	for _, r := range batch {
		if in, ok := byID[r.id]; ok {
			r.in = &in
		} else {
			r.alone = true
		}
		close(r.done)
	}
}
