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
// send slot, goes with the next flight. Each read is answered by exactly
// one flight, and the reads of one id share it.
//
// A read may come with a companion: the caller's other read, still under
// way (GetIntegrationAndConfig reads the configuration beside the
// integration). Such a caller has no use for its integration before its
// companion is answered, so a flight takes its batch only once no queued
// read's companion is pending (see fly): reads whose configuration reads
// end one after another, as pacing spreads them, then share one list
// rather than each sending its own. No clock decides anything; a flight
// waits only for answers already under way.
//
// A read whose id the list does not hold is read again on its own, where
// the read-after-write rule (see read) decides what a 404 means; so is each
// read of a list that failed. The batcher believes an entity only for the
// id it carries, so a list that ignored the filter costs requests, not
// truth.
type readBatcher struct {
	c *Client

	mu     sync.Mutex
	queue  []*batchedRead
	queued map[string]int // reads in the queue per id: len is the distinct ids
	flying bool
	// full wakes a flight waiting for companions when the queue reaches a
	// page of distinct ids. A stale signal only makes the flight look again.
	full     chan struct{}
	disabled bool // the service refused a list by ids: every read goes alone
}

// batchedRead is one caller's read in the queue.
type batchedRead struct {
	c    *Client
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

// pending tells whether r still holds a flight: its companion is under way
// and its caller still waits. Callers that gave up are not waited for.
func (r *batchedRead) pending() bool {
	if r.companion == nil || r.ctx.Err() != nil {
		return false
	}
	select {
	case <-r.companion:
		return false
	default:
		return true
	}
}

// add queues a read of integration id, sharing a flight with the reads
// queued beside it, and returns the wait for its answer. companion, if not
// nil, is closed when the caller's other read (see GetIntegrationAndConfig)
// has been answered; the caller queues before it sends that read, so that
// no flight misses the read while its companion is under way.
func (b *readBatcher) add(ctx context.Context, id string, companion <-chan struct{}) func() (*Integration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.disabled {
		return func() (*Integration, error) { return b.c.getAlone(ctx, id, nil) }
	}
	if b.queued == nil {
		b.queued = map[string]int{}
		b.full = make(chan struct{}, 1)
	}
	r := &batchedRead{c: b.c, ctx: ctx, id: id, done: make(chan struct{}), companion: companion}
	b.queue = append(b.queue, r)
	b.queued[id]++
	if len(b.queued) == listPageSize {
		select {
		case b.full <- struct{}{}:
		default:
		}
	}
	if !b.flying {
		b.flying = true
		go b.fly()
	}
	return r.wait
}

// wait returns r's answer, reading on its own when the flight asks it to.
func (r *batchedRead) wait() (*Integration, error) {
	select {
	case <-r.done:
	case <-r.ctx.Done():
		return nil, r.ctx.Err()
	}
	switch {
	case r.in != nil:
		return r.in, nil
	case r.alone || r.notFound != nil:
		return r.c.getAlone(r.ctx, r.id, r.notFound)
	default:
		return nil, r.err
	}
}

// fly sends flights until the queue is empty.
//
// A flight takes its batch only when no queued read's companion is pending:
// it waits for those it sees, looks again, waits for the companions of the
// reads that queued meanwhile, and so on. Their callers wait for those
// answers anyway, so an earlier answer to their integration read would gain
// them nothing. It stops waiting at once when the queue holds a page of
// distinct ids, the most one list can carry.
//
// The wait cannot go on for ever. It is for requests already under way,
// never for a clock, and the queue it waits on only grows by callers that
// are not in it: while a flight waits, no queued caller is answered, so
// under Terraform, where each read in the batcher holds one of its
// parallelism slots (10 by default), at most that many reads can queue
// before the flight goes; with more callers than that, the page ends the
// wait. A companion held up by 429s (or by the read-after-write rule)
// delays the flight by its own retries, which the retry policy bounds and
// the caller's deadline cuts short, and no more: a caller that gives up is
// not waited for.
//
// A read without a companion (a plain GetIntegration) is not held beyond
// the companions already pending when it queued: only reads ahead of the
// first such read in the queue are waited for.
func (b *readBatcher) fly() {
	for {
		b.mu.Lock()
		for len(b.queued) < listPageSize {
			waitFor := b.pendingLocked()
			if len(waitFor) == 0 {
				break
			}
			b.mu.Unlock()
			b.await(waitFor)
			b.mu.Lock()
		}
		b.dropAbandonedLocked()
		if len(b.queue) == 0 {
			b.queue = nil
			b.flying = false
			b.mu.Unlock()
			return
		}
		batch, ids := b.takeBatchLocked()
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

// pendingLocked returns the queued reads a flight waits for (see fly): those
// with a pending companion, ahead of the first read that has none.
func (b *readBatcher) pendingLocked() []*batchedRead {
	var out []*batchedRead
	for _, r := range b.queue {
		if r.companion == nil {
			break
		}
		if r.pending() {
			out = append(out, r)
		}
	}
	return out
}

// await returns once each read's companion is answered or its caller has
// given up, or as soon as the queue fills a page.
func (b *readBatcher) await(reads []*batchedRead) {
	for _, r := range reads {
		select {
		case <-r.companion:
		case <-r.ctx.Done():
		case <-b.full:
			return
		}
	}
}

// dropAbandonedLocked removes the reads whose callers have given up: no one
// would hear their answer.
func (b *readBatcher) dropAbandonedLocked() {
	kept := b.queue[:0]
	for _, r := range b.queue {
		if r.ctx.Err() == nil {
			kept = append(kept, r)
			continue
		}
		if b.queued[r.id]--; b.queued[r.id] == 0 {
			delete(b.queued, r.id)
		}
	}
	clear(b.queue[len(kept):])
	b.queue = kept
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

// takeBatchLocked removes from the queue the reads of the first
// listPageSize distinct ids in queue order, with every other read of those
// ids wherever it is queued, and returns them with those ids.
func (b *readBatcher) takeBatchLocked() ([]*batchedRead, []string) {
	chosen := map[string]bool{}
	var ids []string
	var batch, rest []*batchedRead
	for _, r := range b.queue {
		if !chosen[r.id] && len(ids) < listPageSize {
			chosen[r.id] = true
			ids = append(ids, r.id)
			delete(b.queued, r.id)
		}
		if chosen[r.id] {
			batch = append(batch, r)
		} else {
			rest = append(rest, r)
		}
	}
	b.queue = rest
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
