package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
)

// shiftingOrg serves GET /api/v2/integrations with offset paging over a
// list that changes between requests: change runs before every page is cut,
// with the request's number (from 1), so a test can delete and insert
// integrations while a walk is under way, as other clients would.
type shiftingOrg struct {
	mu       sync.Mutex
	ids      []string // the org, unordered
	requests int
	change   func(o *shiftingOrg, request int)
	unsorted bool // answer in insertion order whatever sortBy says
	// staleTotal, when set, is the total every answer reports, as a service
	// whose count lags its entries would.
	staleTotal int
	queries    []string
}

func (o *shiftingOrg) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests++
	o.queries = append(o.queries, r.URL.RawQuery)
	if o.change != nil {
		o.change(o, o.requests)
	}
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("pageSize"))
	number, _ := strconv.Atoi(q.Get("pageNumber"))
	order := slices.Clone(o.ids)
	if q.Get("sortBy") == "id" && !o.unsorted {
		slices.Sort(order)
	}
	start := min((number-1)*size, len(order))
	end := min(start+size, len(order))
	entities := []map[string]any{}
	for _, id := range order[start:end] {
		entities = append(entities, map[string]any{"id": id, "name": "n-" + id, "integrationType": map[string]any{"id": TypeEmbeddedClientApp}})
	}
	total := len(order)
	if o.staleTotal > 0 {
		total = o.staleTotal
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"entities": entities, "pageSize": size, "pageNumber": number,
		"total": total, "pageCount": (total + size - 1) / size,
	})
}

func (o *shiftingOrg) remove(id string) {
	o.ids = slices.DeleteFunc(o.ids, func(x string) bool { return x == id })
}

func orgOf(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		// Inserted out of order, so the unsorted first page and the sorted walk differ.
		ids[i] = fmt.Sprintf("id-%04d", (i*7919)%n)
	}
	return ids
}

// listers are the two ways the client reads a listing: ListIntegrations
// (plain pages, falling back to a walk when the listing changes) and the walk
// of CreateIntegration's search (overlapping pages from the start).
var listers = []struct {
	name string
	list func(*Client) ([]Integration, error)
}{
	{"ListIntegrations", func(c *Client) ([]Integration, error) { return c.ListIntegrations(context.Background()) }},
	{"the create search's walk", func(c *Client) ([]Integration, error) {
		all, _, err := c.walkIntegrations(context.Background(), ListFilter{})
		return all, err
	}},
}

// missedOrTwice checks that all holds no id twice and returns the ids of
// present (those there from start to end) it does not hold.
func missedOrTwice(t *testing.T, all []Integration, present []string) []string {
	t.Helper()
	got := map[string]bool{}
	for _, in := range all {
		if got[in.ID] {
			t.Errorf("%s listed twice", in.ID)
		}
		got[in.ID] = true
	}
	var missed []string
	for _, id := range present {
		if !got[id] {
			missed = append(missed, id)
		}
	}
	slices.Sort(missed)
	return missed
}

// TestWalkCannotSkip: integrations vanish before the cursor and appear
// everywhere before every page from the third on; every integration present
// from start to end is still listed. A walk by page number alone would have
// lost the entries that crossed each page boundary. ListIntegrations reads
// plain pages until the third shows the change (its total), then walks from
// the start, so it costs three pages more than the walk; the walk reads its
// first page once.
func TestWalkCannotSkip(t *testing.T) {
	for _, tc := range []struct {
		name        string
		removed     int    // integrations removed from the front before each page from the third
		added       int    // integrations added before each page from the third
		maxRequests [2]int // ListIntegrations, the walk: about 97 a page, plus re-reads after gaps
	}{
		{"deletions before the cursor", 2, 0, [2]int{9, 6}},
		{"deletions beyond the overlap", 8, 0, [2]int{18, 15}},
		{"deletions and creations", 2, 3, [2]int{9, 6}},
		{"creations only", 0, 5, [2]int{9, 6}},
	} {
		for i, l := range listers {
			t.Run(tc.name+", "+l.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					org := &shiftingOrg{ids: orgOf(450)}
					churned := map[string]bool{} // the ids removed or added during the walk
					org.change = func(o *shiftingOrg, request int) {
						if request <= 2 {
							return
						}
						sorted := slices.Sorted(slices.Values(o.ids))
						for i := range tc.removed {
							// Remove already-read ids (the smallest), which shifts the rest left.
							o.remove(sorted[i])
							churned[sorted[i]] = true
						}
						for i := range tc.added {
							id := fmt.Sprintf("id-%04d-new-%d", request*10, i)
							o.ids = append(o.ids, id)
							churned[id] = true
						}
					}
					present := slices.Clone(org.ids)
					all, err := l.list(newFakeGenesys(t, org.serve).client(t))
					if err != nil {
						t.Fatalf("listing: %v", err)
					}
					present = slices.DeleteFunc(present, func(id string) bool { return churned[id] })
					if missed := missedOrTwice(t, all, present); len(missed) > 0 {
						t.Errorf("present throughout but not listed: %v", missed)
					}
					if org.requests > tc.maxRequests[i] {
						t.Errorf("%d requests for about 450 integrations, want at most %d", org.requests, tc.maxRequests[i])
					}
				})
			})
		}
	}
}

// TestListNoticesChange: one change between two page reads of a 500-entry
// listing, each of the kinds the answers show, makes ListIntegrations walk
// the listing again, and the answer is complete and has no duplicate. The
// fallback costs the plain pages read until the change showed and then a
// walk of the listing as it is now (6 pages for 499 to 501 entries).
func TestListNoticesChange(t *testing.T) {
	for _, tc := range []struct {
		name       string
		before     int // the request the change comes before
		remove     []string
		add        []string
		staleTotal bool // the total does not show the change
		requests   int
	}{
		{"a deletion behind the cursor", 3, []string{"id-0042"}, nil, false, 3 + 6},
		{"a creation behind the cursor", 3, nil, []string{"id-0042a"}, false, 3 + 6},
		{"a deletion ahead of the cursor", 2, []string{"id-0350"}, nil, false, 2 + 6},
		{"a creation ahead of the cursor", 5, nil, []string{"id-0450a"}, false, 5 + 6},
		// The total stays 500: the id pushed over the boundary is listed again.
		{"a creation behind, a deletion ahead", 2, []string{"id-0350"}, []string{"id-0042a"}, false, 2 + 6},
		{"a creation behind, the last entry deleted", 5, []string{"id-0499"}, []string{"id-0042a"}, false, 5 + 6},
		// Only the last page, one entry short, shows it.
		{"a deletion behind the cursor, the total lagging", 2, []string{"id-0042"}, nil, true, 5 + 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				org := &shiftingOrg{ids: orgOf(500)}
				if tc.staleTotal {
					org.staleTotal = 500
				}
				org.change = func(o *shiftingOrg, request int) {
					if request == tc.before {
						for _, id := range tc.remove {
							o.remove(id)
						}
						o.ids = append(o.ids, tc.add...)
					}
				}
				present := slices.DeleteFunc(slices.Clone(org.ids), func(id string) bool { return slices.Contains(tc.remove, id) })
				all, err := newFakeGenesys(t, org.serve).client(t).ListIntegrations(context.Background())
				if err != nil {
					t.Fatalf("ListIntegrations: %v", err)
				}
				if missed := missedOrTwice(t, all, present); len(missed) > 0 {
					t.Errorf("present throughout but not listed: %v", missed)
				}
				if org.requests != tc.requests {
					t.Errorf("%d requests, want %d: the change was not seen, or the fallback cost more than a walk", org.requests, tc.requests)
				}
			})
		})
	}
}

// TestListResidualRace pins down the one change the plain pages cannot
// see (readPages): between two page reads an integration behind the
// boundary is deleted and one ahead of it is created, so every answer
// carries the first total, and the entry that moved back across the
// boundary is not listed. The create search's walk, under the same change,
// misses nothing: that is why it walks.
func TestListResidualRace(t *testing.T) {
	for i, l := range listers {
		t.Run(l.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				org := &shiftingOrg{ids: orgOf(500)}
				org.change = func(o *shiftingOrg, request int) {
					if request == 2 {
						o.remove("id-0042")
						o.ids = append(o.ids, "id-0450a")
					}
				}
				present := slices.DeleteFunc(slices.Clone(org.ids), func(id string) bool { return id == "id-0042" })
				all, err := l.list(newFakeGenesys(t, org.serve).client(t))
				if err != nil {
					t.Fatalf("listing: %v", err)
				}
				missed := missedOrTwice(t, all, present)
				want := [][]string{{"id-0100"}, nil}[i]
				if !slices.Equal(missed, want) {
					t.Errorf("missed %v, want %v", missed, want)
				}
				if want := []int{5, 6}[i]; org.requests != want {
					t.Errorf("%d requests, want %d", org.requests, want)
				}
			})
		})
	}
}

// TestWalkOnePageIsOneRequest: a listing that fits one page costs one
// request, by either way of listing.
func TestWalkOnePageIsOneRequest(t *testing.T) { synctest.Test(t, testWalkOnePageIsOneRequest) }

func testWalkOnePageIsOneRequest(t *testing.T) {
	f := ListFilter{IntegrationType: TypeEmbeddedClientApp, ReportedState: ReportedInactive}
	want := "integrationType=" + TypeEmbeddedClientApp + "&pageNumber=1&pageSize=100&reportedState=INACTIVE&sortBy=id"
	for _, list := range []func(*Client) ([]Integration, error){
		func(c *Client) ([]Integration, error) { return c.ListIntegrationsWhere(context.Background(), f) },
		func(c *Client) ([]Integration, error) {
			all, _, err := c.walkIntegrations(context.Background(), f)
			return all, err
		},
	} {
		org := &shiftingOrg{ids: orgOf(99)}
		all, err := list(newFakeGenesys(t, org.serve).client(t))
		if err != nil || len(all) != 99 {
			t.Fatalf("listing = %d integrations, %v", len(all), err)
		}
		if len(org.queries) != 1 || org.queries[0] != want {
			t.Errorf("queries %q, want one: %q", org.queries, want)
		}
	}
}

// TestWalkReadsItsFirstPageOnce: the create search's first page, asked
// sorted by id, is the walk's first page, which is not read again.
func TestWalkReadsItsFirstPageOnce(t *testing.T) { synctest.Test(t, testWalkReadsItsFirstPageOnce) }

func testWalkReadsItsFirstPageOnce(t *testing.T) {
	org := &shiftingOrg{ids: orgOf(250)}
	all, _, err := newFakeGenesys(t, org.serve).client(t).walkIntegrations(context.Background(), ListFilter{})
	if err != nil || len(all) != 250 {
		t.Fatalf("walkIntegrations = %d integrations, %v", len(all), err)
	}
	if len(org.queries) != 3 || org.queries[0] != "pageNumber=1&pageSize=100&sortBy=id" || slices.Contains(org.queries[1:], org.queries[0]) {
		t.Errorf("queries %q, want three sorted by id, the first page of 100 once", org.queries)
	}
}

// TestWalkRefusesAnUnorderedListing: when the service does not sort as
// asked, a listing of several pages cannot be shown complete, and both ways
// of listing say so rather than return what may be a partial list.
func TestWalkRefusesAnUnorderedListing(t *testing.T) {
	synctest.Test(t, testWalkRefusesAnUnorderedListing)
}

func testWalkRefusesAnUnorderedListing(t *testing.T) {
	for _, l := range listers {
		org := &shiftingOrg{ids: orgOf(250), unsorted: true}
		if _, err := l.list(newFakeGenesys(t, org.serve).client(t)); !errors.Is(err, errWalkUnordered) {
			t.Errorf("%s over an unordered listing = %v", l.name, err)
		}
	}
	fake := newFakeGenesys(t, (&shiftingOrg{}).serve)
	if _, err := fake.client(t).ListIntegrationsWhere(context.Background(), ListFilter{IDs: make([]string, listPageSize+1)}); err == nil {
		t.Error("more ids than a page holds were accepted")
	}
}

func TestOverlappingPage(t *testing.T) {
	for overlap := minPageOverlap; overlap <= maxPageOverlap; overlap *= 2 {
		for end := 0; end < 5000; end++ {
			size, number := overlappingPage(end, overlap)
			start := size * (number - 1)
			if size < minWalkPageSize || size > listPageSize {
				t.Fatalf("end %d: page size %d", end, size)
			}
			if end > overlap && (end-start < overlap || start+size <= end) {
				t.Fatalf("end %d, overlap %d: page [%d, %d) does not overlap by that and reach past it", end, overlap, start, start+size)
			}
		}
	}
}
