package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ListFilter narrows GET /api/v2/integrations with the filters the API
// documents. The zero value lists every integration.
type ListFilter struct {
	IDs             []string // at most listPageSize
	IntegrationType string   // an integration type id, e.g. TypeEmbeddedClientApp
	ReportedState   string   // ReportedActive, ReportedInactive, ...
}

func (f ListFilter) query() url.Values {
	q := url.Values{}
	if len(f.IDs) > 0 {
		q.Set("ids", strings.Join(f.IDs, ","))
	}
	if f.IntegrationType != "" {
		q.Set("integrationType", f.IntegrationType)
	}
	if f.ReportedState != "" {
		q.Set("reportedState", f.ReportedState)
	}
	return q
}

// Walk limits. A listing that does not fit one page is read in pages that
// overlap (see walkIntegrations); the overlap starts at minPageOverlap
// entries (that many integrations may vanish between two reads) and doubles
// whenever more vanished, up to maxPageOverlap; maxWalkGaps bounds how many
// times in a row a page may start past what was read.
const (
	minPageOverlap  = 3
	maxPageOverlap  = listPageSize / 2
	minWalkPageSize = maxPageOverlap + 1
	maxWalkGaps     = 5
)

// errWalkUnordered says the service did not sort a listing as asked, so a
// walk of several pages cannot be shown complete.
var errWalkUnordered = errors.New("the listing is not in the order asked for (sortBy=id), so a walk of its pages cannot be shown complete")

type integrationPage struct {
	Entities   []Integration `json:"entities"`
	PageSize   int           `json:"pageSize"`
	PageNumber int           `json:"pageNumber"`
	Total      int           `json:"total"`
	PageCount  int           `json:"pageCount"`
}

// ListIntegrations reads every integration of the org.
func (c *Client) ListIntegrations(ctx context.Context) ([]Integration, error) {
	return c.ListIntegrationsWhere(ctx, ListFilter{})
}

// ListIntegrationsWhere reads every integration that passes f, in the fewest
// requests the API allows: the listing sorted by id in pages of 100, page 1
// to the page count of the first answer, so ceil(total/100) requests (one for
// an empty listing) when nothing changes meanwhile (see readPages).
func (c *Client) ListIntegrationsWhere(ctx context.Context, f ListFilter) ([]Integration, error) {
	if len(f.IDs) > listPageSize {
		return nil, fmt.Errorf("listing integrations: %d ids, the API takes at most %d", len(f.IDs), listPageSize)
	}
	_, first, err := c.listPage(ctx, f, listPageSize, 1, true)
	if err != nil {
		return nil, err
	}
	all := dedupe(first.Entities)
	if !onePage(first) {
		if all, err = c.readPages(ctx, f, first); err != nil {
			return nil, err
		}
	}
	c.remember(all...)
	return all, nil
}

// readPages reads the rest of a listing whose first page, sorted by id and
// full, is first: pages 2 to first.PageCount, of 100, none overlapping.
//
// Pages by number are exact only while the listing holds still, so each
// answer is held to what the first one promised: the same total and page
// count, as many entries as that total leaves for the page, and a first id
// past the last id of the page before (sorted by id, the pages of a still
// listing follow one another; this also rules out an id listed twice). An
// integration that enters the listing (created, or now passing the filter)
// changes the total, and behind a page already read it also pushes an id
// read into the next page; one that leaves it (deleted, or no longer
// passing) changes the total. Sorting by id keeps an integration in its
// place when it is renamed, which under the default order by name would
// move it across pages unseen. On any sign of change the pages read prove
// nothing, and the listing is walked afresh with overlapping pages
// (walkIntegrations): the fallback costs the pages read so far and then what
// a walk costs. The walk starts over rather than from the first page already
// read, since its first overlap would have to absorb every departure since
// that read, not only those between two of its own pages: under steady
// churn it would fall further behind with every page read.
//
// What the checks cannot see, and why it is accepted here: between the
// reads of two pages, k integrations leave the listing behind the page
// boundary and k enter it ahead of the boundary, so that every later answer
// still carries the first total. The ids after the boundary then move back
// onto the page already read, and the first k of them are never listed
// although they were present throughout. A departure alone, or an arrival
// alone, is seen; only the pair within the same gap between two page reads
// (one request's time apart), with nothing else changing that would show,
// is not.
// A reader of the listing (the data sources, the list resource) answers for
// one moment anyway, and what such a race hides from one read the next plan
// reads again. CreateIntegration's search cannot accept it: an integration
// it misses is created a second time, and the duplicate is permanent. So it
// always walks with overlapping pages (walkIntegrations), which costs more
// (12 requests rather than 10 for 1,000 integrations).
func (c *Client) readPages(ctx context.Context, f ListFilter, first *integrationPage) ([]Integration, error) {
	all, still, err := c.plainPages(ctx, f, first)
	if err != nil || still {
		return all, err
	}
	c.log.debug(ctx, "genesys listing changed while its pages were read, walking it with overlapping pages", map[string]any{
		"total": first.Total,
	})
	all, _, err = c.walkIntegrations(ctx, f)
	return all, err
}

// plainPages reads pages 2 to first.PageCount and reports whether every
// answer continued the first one (see readPages); a first page that does
// not add up (not full, or a page count its total does not give) counts as
// a change, as there is nothing to hold the rest to.
func (c *Client) plainPages(ctx context.Context, f ListFilter, first *integrationPage) ([]Integration, bool, error) {
	if !sortedByID(first.Entities) {
		return nil, false, fmt.Errorf("listing integrations: %w", errWalkUnordered)
	}
	if len(first.Entities) != listPageSize || first.PageCount != pagesFor(first.Total) {
		return nil, false, nil
	}
	all := slices.Clone(first.Entities)
	prev := first
	for number := 2; number <= first.PageCount; number++ {
		_, p, err := c.listPage(ctx, f, listPageSize, number, true)
		if err != nil {
			return nil, false, err
		}
		if !sortedByID(p.Entities) {
			return nil, false, fmt.Errorf("listing integrations: %w", errWalkUnordered)
		}
		if !continues(first, prev, p, number) {
			return nil, false, nil
		}
		all = append(all, p.Entities...)
		prev = p
	}
	return all, true, nil
}

// continues reports whether page p, number number, is the page the first
// answer promised after prev: same total and page count, as many entries as
// that total leaves for it, and beginning past the last id of prev.
func continues(first, prev, p *integrationPage, number int) bool {
	want := min(listPageSize, first.Total-listPageSize*(number-1))
	return p.Total == first.Total && p.PageCount == first.PageCount &&
		len(p.Entities) == want && want > 0 &&
		p.Entities[0].ID > prev.Entities[len(prev.Entities)-1].ID
}

func pagesFor(total int) int { return (total + listPageSize - 1) / listPageSize }

// onePage reports whether a first page of 100 is the whole listing: one page
// is a snapshot of one moment, complete whatever else changes.
func onePage(p *integrationPage) bool {
	return len(p.Entities) < listPageSize || (p.Total == len(p.Entities) && p.PageCount == 1)
}

// walkIntegrations reads every integration passing f and returns them with
// the first answer (its Date header places the listing on the server's
// clock). It does not remember what it saw: CreateIntegration's search must
// judge its candidates before they count as known.
//
// Every integration present from the walk's start to its end is returned,
// whatever else is created, deleted or changed meanwhile (see walkFrom). The
// first page is asked sorted by id, as the walk's own first page: whether it
// is the whole listing does not depend on its order, and when it is not, it
// is the page a walk begins with (offset 0 covers every id up to its last
// one at the moment it was read), so reading it again would add a request
// and nothing to the proof.
func (c *Client) walkIntegrations(ctx context.Context, f ListFilter) ([]Integration, *response, error) {
	resp, first, err := c.listPage(ctx, f, listPageSize, 1, true)
	if err != nil {
		return nil, nil, err
	}
	if onePage(first) {
		return dedupe(first.Entities), resp, nil
	}
	all, err := c.walkFrom(ctx, f, first)
	if err != nil {
		return nil, nil, err
	}
	return all, resp, nil
}

// walkFrom reads a listing longer than a page, given its first page sorted
// by id (pageSize 100, pageNumber 1), so that nothing present throughout is
// missed. One page is a snapshot of one moment, but pages by number alone
// could skip: an integration removed before the page being read shifts the
// rest of the list, and the entry that crosses the page boundary is never
// seen. So the listing is read sorted by id (sortBy=id), in pages that
// overlap the previous one (page sizes vary so that page boundaries fall
// short of the entries already read), and each page must begin at or before
// the last id already read. Each answer then covers a contiguous range of
// ids at the moment it was read, and together they cover every id: an
// integration present throughout lies in one of those ranges when its page
// was read. A page that begins past the last id read (more integrations
// vanished in between than the overlap absorbs) is read again from further
// back; a page that is not sorted by id is an error, since then nothing can
// be shown complete.
func (c *Client) walkFrom(ctx context.Context, f ListFilter, first *integrationPage) ([]Integration, error) {
	var (
		all     []Integration
		seen    = map[string]bool{}
		gaps    int
		overlap = minPageOverlap
	)
	add := func(ins []Integration) {
		for _, in := range ins {
			if !seen[in.ID] {
				seen[in.ID] = true
				all = append(all, in)
			}
		}
	}
	size, number := listPageSize, 1
	var lastID string // the greatest id read so far
	read := 0         // the offset just past the last page read
	for p := first; ; {
		if !sortedByID(p.Entities) {
			return nil, fmt.Errorf("listing integrations: %w", errWalkUnordered)
		}
		offset := size * (number - 1)
		if offset > 0 && (len(p.Entities) == 0 || p.Entities[0].ID > lastID) {
			// The page begins past what was read: more entries vanished
			// before it than the overlap absorbs, and one may have slipped
			// by. Read it again with twice the overlap.
			if gaps++; gaps > maxWalkGaps {
				return nil, fmt.Errorf("listing integrations: the listing shifted past every page overlap %d times in a row", gaps)
			}
			overlap = min(2*overlap, maxPageOverlap)
		} else {
			gaps = 0
			add(p.Entities)
			if len(p.Entities) < size {
				return all, nil
			}
			lastID = max(lastID, p.Entities[len(p.Entities)-1].ID)
			read = offset + len(p.Entities)
		}
		size, number = overlappingPage(read, overlap)
		var err error
		if _, p, err = c.listPage(ctx, f, size, number, true); err != nil {
			return nil, err
		}
	}
}

// overlappingPage chooses the page that starts at least overlap entries
// before offset end and reaches furthest past it: offsets are multiples of
// the page size, so the size varies.
func overlappingPage(end, overlap int) (size, number int) {
	if end <= overlap {
		return listPageSize, 1
	}
	best := -1
	for q := listPageSize; q >= minWalkPageSize; q-- {
		start := (end - overlap) / q * q
		if reach := start + q - end; reach > best {
			best, size, number = reach, q, start/q+1
		}
	}
	return size, number
}

func (c *Client) listPage(ctx context.Context, f ListFilter, size, number int, byID bool) (*response, *integrationPage, error) {
	q := f.query()
	q.Set("pageSize", strconv.Itoa(size))
	q.Set("pageNumber", strconv.Itoa(number))
	if byID {
		q.Set("sortBy", "id")
	}
	var p integrationPage
	resp, err := c.do(ctx, c.apiCall(http.MethodGet, integrationsPath, q, nil), &p)
	if err != nil {
		return nil, nil, err
	}
	return resp, &p, nil
}

func sortedByID(ins []Integration) bool {
	for i := 1; i < len(ins); i++ {
		if ins[i-1].ID >= ins[i].ID {
			return false
		}
	}
	return true
}

func dedupe(ins []Integration) []Integration {
	seen := make(map[string]bool, len(ins))
	out := ins[:0:0]
	for _, in := range ins {
		if !seen[in.ID] {
			seen[in.ID] = true
			out = append(out, in)
		}
	}
	return out
}
