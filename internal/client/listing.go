package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// ListIntegrationsWhere reads every integration that passes f, none missed
// (see walkIntegrations).
func (c *Client) ListIntegrationsWhere(ctx context.Context, f ListFilter) ([]Integration, error) {
	if len(f.IDs) > listPageSize {
		return nil, fmt.Errorf("listing integrations: %d ids, the API takes at most %d", len(f.IDs), listPageSize)
	}
	all, _, err := c.walkIntegrations(ctx, f)
	if err != nil {
		return nil, err
	}
	c.remember(all...)
	return all, nil
}

// walkIntegrations reads every integration passing f and returns them with
// the first answer (its Date header places the listing on the server's
// clock). It does not remember what it saw: CreateIntegration's search must
// judge its candidates before they count as known.
//
// Every integration present from the walk's start to its end is returned,
// whatever else is created, deleted or changed meanwhile. One page is a
// snapshot of one moment, so a listing that fits one page (the common case
// for a filtered search) needs nothing more. Pages by number alone could
// skip: an integration removed before the page being read shifts the rest
// of the list, and the entry that crosses the page boundary is never seen.
// So a longer listing is read sorted by id (sortBy=id), in pages that
// overlap the previous one (page sizes vary so that page boundaries fall
// short of the entries already read), and each page must begin at or before
// the last id already read. Each answer then covers a contiguous range of
// ids at the moment it was read, and together they cover every id: an
// integration present throughout lies in one of those ranges when its page
// was read. A page that begins past the last id read (more integrations
// vanished in between than the overlap absorbs) is read again from further
// back; a page that is not sorted by id is an error, since then nothing can
// be shown complete.
func (c *Client) walkIntegrations(ctx context.Context, f ListFilter) ([]Integration, *response, error) {
	first, p, err := c.listPage(ctx, f, listPageSize, 1, false)
	if err != nil {
		return nil, nil, err
	}
	if len(p.Entities) < listPageSize || (p.Total == len(p.Entities) && p.PageCount == 1) {
		return dedupe(p.Entities), first, nil
	}

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
	for {
		_, p, err := c.listPage(ctx, f, size, number, true)
		if err != nil {
			return nil, nil, err
		}
		if !sortedByID(p.Entities) {
			return nil, nil, fmt.Errorf("listing integrations: %w", errWalkUnordered)
		}
		offset := size * (number - 1)
		if offset > 0 && (len(p.Entities) == 0 || p.Entities[0].ID > lastID) {
			// The page begins past what was read: more entries vanished
			// before it than the overlap absorbs, and one may have slipped
			// by. Read it again with twice the overlap.
			if gaps++; gaps > maxWalkGaps {
				return nil, nil, fmt.Errorf("listing integrations: the listing shifted past every page overlap %d times in a row", gaps)
			}
			overlap = min(2*overlap, maxPageOverlap)
			size, number = overlappingPage(read, overlap)
			continue
		}
		gaps = 0
		add(p.Entities)
		if len(p.Entities) < size {
			return all, first, nil
		}
		lastID = max(lastID, p.Entities[len(p.Entities)-1].ID)
		read = offset + len(p.Entities)
		size, number = overlappingPage(read, overlap)
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
