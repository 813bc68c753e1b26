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
	queries  []string
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
	writeJSON(w, http.StatusOK, map[string]any{
		"entities": entities, "pageSize": size, "pageNumber": number,
		"total": len(order), "pageCount": (len(order) + size - 1) / size,
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

// TestWalkCannotSkip: integrations vanish before the cursor and appear
// everywhere while a walk of several pages is under way; every integration
// present from start to end is still listed. A walk by page number alone
// would have lost the entries that crossed each page boundary.
func TestWalkCannotSkip(t *testing.T) {
	for _, tc := range []struct {
		name        string
		removed     int // integrations removed from the front before each page after the first two
		added       int // integrations added before each page
		maxRequests int // one unsorted page, then about 97 per page, plus re-reads after gaps
	}{
		{"deletions before the cursor", 2, 0, 7},
		{"deletions beyond the overlap", 8, 0, 16},
		{"deletions and creations", 2, 3, 7},
		{"creations only", 0, 5, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				org := &shiftingOrg{ids: orgOf(450)}
				present := map[string]bool{}
				for _, id := range org.ids {
					present[id] = true
				}
				var churn []string // the ids removed or added during the walk
				org.change = func(o *shiftingOrg, request int) {
					if request <= 2 {
						return
					}
					sorted := slices.Sorted(slices.Values(o.ids))
					for i := range tc.removed {
						// Remove already-read ids (the smallest), which shifts the rest left.
						id := sorted[i]
						o.remove(id)
						churn = append(churn, id)
					}
					for i := range tc.added {
						id := fmt.Sprintf("id-%04d-new-%d", request*10, i)
						o.ids = append(o.ids, id)
						churn = append(churn, id)
					}
				}
				fake := newFakeGenesys(t, org.serve)
				all, err := fake.client(t).ListIntegrations(context.Background())
				if err != nil {
					t.Fatalf("ListIntegrations: %v", err)
				}
				got := map[string]bool{}
				for _, in := range all {
					if got[in.ID] {
						t.Errorf("%s listed twice", in.ID)
					}
					got[in.ID] = true
				}
				for _, id := range churn {
					delete(present, id)
				}
				for id := range present {
					if !got[id] {
						t.Errorf("%s was present throughout but not listed", id)
					}
				}
				if org.requests > tc.maxRequests {
					t.Errorf("%d requests for about 450 integrations, want at most %d", org.requests, tc.maxRequests)
				}
			})
		})
	}
}

// TestWalkOnePageIsOneRequest: a listing that fits one page costs one
// request and asks for no order.
func TestWalkOnePageIsOneRequest(t *testing.T) { synctest.Test(t, testWalkOnePageIsOneRequest) }

func testWalkOnePageIsOneRequest(t *testing.T) {
	org := &shiftingOrg{ids: orgOf(99)}
	fake := newFakeGenesys(t, org.serve)
	all, err := fake.client(t).ListIntegrationsWhere(context.Background(), ListFilter{IntegrationType: TypeEmbeddedClientApp, ReportedState: ReportedInactive})
	if err != nil || len(all) != 99 {
		t.Fatalf("ListIntegrationsWhere = %d integrations, %v", len(all), err)
	}
	want := "integrationType=" + TypeEmbeddedClientApp + "&pageNumber=1&pageSize=100&reportedState=INACTIVE"
	if len(org.queries) != 1 || org.queries[0] != want {
		t.Errorf("queries %q, want one: %q", org.queries, want)
	}
}

// TestWalkRefusesAnUnorderedListing: when the service does not sort as
// asked, a walk of several pages cannot be shown complete, and says so
// rather than return what may be a partial list.
func TestWalkRefusesAnUnorderedListing(t *testing.T) {
	synctest.Test(t, testWalkRefusesAnUnorderedListing)
}

func testWalkRefusesAnUnorderedListing(t *testing.T) {
	org := &shiftingOrg{ids: orgOf(250), unsorted: true}
	fake := newFakeGenesys(t, org.serve)
	_, err := fake.client(t).ListIntegrations(context.Background())
	if !errors.Is(err, errWalkUnordered) {
		t.Fatalf("ListIntegrations over an unordered listing = %v", err)
	}
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
