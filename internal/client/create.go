package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// maxCreateTries bounds how many times CreateIntegration sends its POST,
// counting only sends made after the previous one was shown not to have
// landed. Each try after the first waits out the read lag and a backoff, so
// ten tries span a minute or more. A service that fails one create in eight
// without committing it (issue 17's storm) fails five in a row for about
// one widget in 40,000, which 1000-widget applies meet once in forty runs;
// ten in a row, practically never; a service that is down still fails the
// create within minutes.
const maxCreateTries = 10

// maxSearchFailures bounds how many searches for a lost create may fail
// (each after the transport's own retries) before the create gives up with
// ErrCreateOutcomeUnknown. Giving up leaves the next apply to create again
// beside an orphan, so a failed search is tried again first.
const maxSearchFailures = 4

// createdSlack widens "created after the attempt began": the server's Date
// header has one-second resolution, lastUpdated may be truncated to the
// second, and the attempt's start is taken on the client's side of the wire.
const createdSlack = 2 * time.Second

type createIntegrationRequest struct {
	Name            string             `json:"name"`
	IntegrationType IntegrationTypeRef `json:"integrationType"`
}

// CreateIntegration creates an integration of the given type, never two.
//
// Creating is not idempotent, so the POST is repeated only when it provably
// did not reach the server (no connection, 429, 401). When its outcome is
// unknown (the connection broke after sending, the attempt timed out, or a
// 5xx came back) the client looks for the integration it may have made (see
// findLanded) and adopts it, or sends the POST again only once the lists
// show it did not land. Creates of one name and type are serialised within
// a Client, so concurrent identical creates cannot adopt each other's
// integration.
//
// The happy path is exactly one POST.
func (c *Client) CreateIntegration(ctx context.Context, name, typeID string) (*Integration, error) {
	if name == "" || typeID == "" {
		return nil, errors.New("CreateIntegration: name and type are required")
	}
	unlock, err := c.lockCreate(ctx, name, typeID)
	if err != nil {
		return nil, err
	}
	defer unlock()

	body, err := encodeJSON(createIntegrationRequest{Name: name, IntegrationType: IntegrationTypeRef{ID: typeID}})
	if err != nil {
		return nil, err
	}
	for try := 1; ; try++ {
		began := c.now()
		cl := c.apiCall(http.MethodPost, integrationsPath, nil, body)
		cl.retryNetwork, cl.retryServer = false, false
		var in Integration
		resp, err := c.do(ctx, cl, &in)
		if err == nil {
			c.remember(in)
			return &in, nil
		}
		if !createOutcomeUnknown(resp, err) {
			return nil, err
		}
		// Whatever this attempt did, it did by now: the lag of the lists is
		// counted from here.
		failed := time.Now()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("creating integration %q: %w (%w)", name, ErrCreateOutcomeUnknown, err)
		}
		c.log.warn(ctx, "genesys create outcome unknown, looking for the integration", map[string]any{
			"name": name, "type": typeID, "try": try, "error": err,
		})
		found, ferr := c.findLanded(ctx, name, typeID, began, failed)
		if ferr != nil {
			return nil, fmt.Errorf("creating integration %q: %w: %w; while finding out: %w", name, ErrCreateOutcomeUnknown, err, ferr)
		}
		if found != nil {
			c.remember(*found)
			c.log.warn(ctx, "genesys create had landed, adopting the integration", map[string]any{
				"name": name, "type": typeID, "integration_id": found.ID,
			})
			return found, nil
		}
		if try >= maxCreateTries {
			return nil, fmt.Errorf("creating integration %q: %d tries failed and none landed: %w", name, try, err)
		}
		if err := sleep(ctx, c.backoff(try-1)); err != nil {
			return nil, fmt.Errorf("creating integration %q: %w", name, err)
		}
	}
}

// createOutcomeUnknown reports whether a failed create may have landed. An
// error answer other than 5xx means the server refused it; a failure before
// sending means it never arrived; a 2xx that cannot be decoded did land.
func createOutcomeUnknown(resp *response, err error) bool {
	if resp != nil && resp.ok() {
		return true // it landed, but the answer could not be read: find it
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status >= 500 && apiErr.Status != http.StatusNotImplemented
	}
	var reqErr *RequestError
	if !errors.As(err, &reqErr) {
		return false
	}
	if reqErr.Attempts == 0 || notSent(reqErr.Err) {
		return false
	}
	return true
}

// findLanded looks for the integration a create with an unknown outcome may
// have made. The real Integration has no creation timestamp, so "created
// after the attempt began" is approximated. A candidate must:
//
//   - have the same name and type;
//   - be untouched: config version 1 and intended state DISABLED, as every
//     new integration is until its creator configures it (someone else's
//     integration of that name is soon configured, and drops out);
//   - not be known to this client from an answer it had before the attempt
//     began;
//   - report a state last updated no earlier than the attempt began, less
//     createdSlack. For an untouched integration that moment is its
//     creation. The attempt's start is moved onto the server's clock with
//     the list answer's Date header, so a skewed local clock does not hide
//     the integration or admit an older one. An integration that reports no
//     parsable time cannot be ruled out and stays a candidate.
//
// The search lists only what a fresh integration can be: of this type and
// reporting INACTIVE (the documented integrationType and reportedState
// filters), which in a busy org is one page, not the whole org. Candidates
// are then judged here. One candidate is adopted. More than one is ambiguous
// (another client made an identical one at the same moment, or an earlier
// attempt surfaced late): none is adopted and an *AmbiguousCreateError names
// them all, because a wrong guess would put one integration under two owners.
//
// None means the create did not land, but only from a search that began
// once readLagWindow had passed since the attempt failed: the attempt
// committed, if at all, before it failed, and lists show a create within
// readLagWindow of its commit, so such a search (which cannot skip an entry,
// see walkIntegrations) sees it. A search that began earlier and found
// nothing proves nothing; it is repeated once the window has passed. So a
// lost answer costs one search when the integration is already listed, and
// two otherwise. That nil, nil answer lets the caller send the POST again.
func (c *Client) findLanded(ctx context.Context, name, typeID string, began, failed time.Time) (*Integration, error) {
	settled := failed.Add(c.readLagWindow)
	for failures := 0; ; {
		conclusive := !time.Now().Before(settled)
		found, first, err := c.walkIntegrations(ctx, ListFilter{IntegrationType: typeID, ReportedState: ReportedInactive})
		if err != nil {
			if failures++; failures >= maxSearchFailures || ctx.Err() != nil {
				return nil, err
			}
			c.log.warn(ctx, "genesys search for a lost create failed, searching again", map[string]any{
				"name": name, "type": typeID, "error": err,
			})
			if serr := sleep(ctx, c.backoff(failures)); serr != nil {
				return nil, err
			}
			continue
		}
		since := began.Add(serverClockOffset(first)).Add(-createdSlack)
		var candidates []Integration
		for _, in := range found {
			if c.couldBeOurs(in, name, typeID, began, since) {
				candidates = append(candidates, in)
			}
		}
		switch len(candidates) {
		case 0:
		case 1:
			return &candidates[0], nil
		default:
			ids := make([]string, len(candidates))
			for i, in := range candidates {
				ids[i] = in.ID
			}
			slices.Sort(ids)
			return nil, &AmbiguousCreateError{Name: name, TypeID: typeID, IDs: ids}
		}
		if conclusive {
			return nil, nil
		}
		if err := sleep(ctx, time.Until(settled)); err != nil {
			return nil, fmt.Errorf("the create may still surface: %w", err)
		}
	}
}

func (c *Client) couldBeOurs(in Integration, name, typeID string, began, since time.Time) bool {
	if in.Name != name || in.IntegrationType.ID != typeID {
		return false
	}
	if in.Config.Current.Version != 1 || in.IntendedState != StateDisabled {
		return false
	}
	if c.knownBefore(in.ID, began) {
		return false
	}
	updated, err := time.Parse(time.RFC3339, in.ReportedState.LastUpdated)
	if err != nil {
		return true
	}
	return !updated.Before(since)
}

// serverClockOffset estimates how far the server's clock is ahead of ours
// from an answer's Date header; zero when there is none.
func serverClockOffset(resp *response) time.Duration {
	if resp == nil {
		return 0
	}
	date, err := http.ParseTime(resp.header.Get("Date"))
	if err != nil {
		return 0
	}
	return date.Sub(resp.received)
}
