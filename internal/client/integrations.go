package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Integration states and types of the Genesys Cloud integrations API.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"

	ReportedActive       = "ACTIVE"
	ReportedInactive     = "INACTIVE"
	ReportedActivating   = "ACTIVATING"
	ReportedDeactivating = "DEACTIVATING"
	ReportedError        = "ERROR"

	// TypeEmbeddedClientApp is a custom client application shown as a widget
	// or a standalone app.
	TypeEmbeddedClientApp = "embedded-client-app"
	// TypeInteractionWidget is a custom client application shown beside an
	// interaction.
	TypeInteractionWidget = "embedded-client-app-interaction-widget"
)

const integrationsPath = "/api/v2/integrations"

// listPageSize is the largest page the API serves.
const listPageSize = 100

// maxConfigPutTries bounds PutIntegrationConfig's re-read-and-retry on 409.
const maxConfigPutTries = 3

type IntegrationTypeRef struct {
	ID string `json:"id"`
}

type ConfigRef struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Version int    `json:"version"`
}

// IntegrationConfigInfo points at an integration's current configuration.
type IntegrationConfigInfo struct {
	Current ConfigRef `json:"current"`
}

// Integration is a Genesys Cloud integration; a custom agent widget is one
// of type TypeEmbeddedClientApp or TypeInteractionWidget.
type Integration struct {
	ID              string                `json:"id"`
	Name            string                `json:"name"`
	IntegrationType IntegrationTypeRef    `json:"integrationType"`
	Notes           string                `json:"notes,omitempty"`
	IntendedState   string                `json:"intendedState"` // StateEnabled | StateDisabled
	Config          IntegrationConfigInfo `json:"config"`
	ReportedState   ReportedState         `json:"reportedState"`
	SelfURI         string                `json:"selfUri,omitempty"`
}

// ReportedState is what an integration says it is doing.
type ReportedState struct {
	Code        string       `json:"code"` // ReportedActive, ReportedInactive, ...
	Effective   string       `json:"effective,omitempty"`
	Detail      *StateDetail `json:"detail,omitempty"`
	LastUpdated string       `json:"lastUpdated,omitempty"` // RFC 3339
}

// StateDetail explains a reported state, typically ERROR.
type StateDetail struct {
	Message string `json:"message,omitempty"`
}

// IntegrationConfig is an integration's configuration. Version must be the
// current one for a PUT to be accepted.
type IntegrationConfig struct {
	Name        string         `json:"name"`
	Notes       string         `json:"notes"`
	Version     int            `json:"version"`
	Properties  map[string]any `json:"properties"`
	Advanced    map[string]any `json:"advanced"`
	Credentials map[string]any `json:"credentials"`
}

// EncodeIntegrationConfig returns exactly the bytes PutIntegrationConfig
// sends for cfg, so the payload size limit can be checked at plan time on
// the real bytes. Nil maps are sent as {}; HTML characters are not escaped
// (a URL's & stays one byte).
func EncodeIntegrationConfig(cfg IntegrationConfig) ([]byte, error) {
	if cfg.Properties == nil {
		cfg.Properties = map[string]any{}
	}
	if cfg.Advanced == nil {
		cfg.Advanced = map[string]any{}
	}
	if cfg.Credentials == nil {
		cfg.Credentials = map[string]any{}
	}
	return encodeJSON(cfg)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func integrationPath(id string) string {
	return integrationsPath + "/" + url.PathEscape(id)
}

func configPath(id string) string {
	return integrationPath(id) + "/config/current"
}

// apiCall builds a call to the API base; reads and writes that set a state
// are idempotent and retried on any failure.
func (c *Client) apiCall(method, path string, query url.Values, body []byte) *call {
	u := c.apiURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return &call{
		kind:         kindAPI,
		method:       method,
		url:          u,
		path:         path,
		body:         body,
		retryNetwork: true,
		retryServer:  true,
	}
}

// do sends cl and decodes a 2xx answer into out (if out is not nil); any
// other answer is an *APIError.
func (c *Client) do(ctx context.Context, cl *call, out any) (*response, error) {
	if cl.method != http.MethodGet {
		// Before the write goes out: no read may be served from what was
		// listed before it (see readAhead).
		c.ahead.stop()
	}
	resp, err := c.send(ctx, cl)
	if err != nil {
		return nil, err
	}
	if !resp.ok() {
		return resp, resp.apiError(cl, c.now())
	}
	if out != nil {
		if err := json.Unmarshal(resp.body, out); err != nil {
			return resp, fmt.Errorf("%s %s: decoding the answer: %w", cl.method, cl.path, err)
		}
	}
	return resp, nil
}

// GetIntegration reads one integration; a missing one is an error for
// which IsNotFound is true. Reads that arrive together share one list read
// (see readBatcher).
func (c *Client) GetIntegration(ctx context.Context, id string) (*Integration, error) {
	return c.getIntegration(ctx, id, nil)
}

// getIntegration is GetIntegration with a companion read (see readBatcher).
func (c *Client) getIntegration(ctx context.Context, id string, companion <-chan struct{}) (*Integration, error) {
	return c.queueIntegrationRead(ctx, id, companion)()
}

// queueIntegrationRead queues a read of integration id in the batcher and
// returns the wait for it (see readBatcher.add).
func (c *Client) queueIntegrationRead(ctx context.Context, id string, companion <-chan struct{}) func() (*Integration, error) {
	wait := c.reads.add(ctx, id, companion)
	return func() (*Integration, error) {
		in, err := wait()
		if err != nil {
			return nil, err
		}
		c.remember(*in)
		return in, nil
	}
}

// getAlone reads one integration by its own request, under the
// read-after-write rule; prior, if not nil, is the 404 a read of it just
// met.
func (c *Client) getAlone(ctx context.Context, id string, prior *notFound) (*Integration, error) {
	var in Integration
	if err := c.readFrom(ctx, id, integrationPath(id), &in, prior); err != nil {
		return nil, err
	}
	return &in, nil
}

// notFound is a 404 a read met, and when.
type notFound struct {
	err error
	at  time.Time
}

// read GETs something of integration id. It is the one home of the
// read-after-write rule: reads can lag a create by up to readLagWindow (a
// new integration 404s for a while, most of all to a process that did not
// create it, such as the next terraform plan), so a 404 is believed only
// once reads have answered 404 for readLagWindow, retried with backoff
// within ctx. An integration this client deleted is gone at once.
func (c *Client) read(ctx context.Context, id, path string, out any) error {
	return c.readFrom(ctx, id, path, out, nil)
}

// readFrom is read continuing from a 404 already met (prior), if any.
func (c *Client) readFrom(ctx context.Context, id, path string, out any, prior *notFound) error {
	var first time.Time
	for retry := 0; ; retry++ {
		var err error
		if retry == 0 && prior != nil {
			err, first = prior.err, prior.at
		} else {
			_, err = c.do(ctx, c.apiCall(http.MethodGet, path, nil, nil), out)
		}
		if !IsNotFound(err) || c.deletedByUs(id) {
			return err
		}
		if first.IsZero() {
			first = time.Now()
		}
		left := c.readLagWindow - time.Since(first)
		if left <= 0 {
			return err
		}
		c.log.debug(ctx, "genesys read answered 404, confirming", map[string]any{
			"integration_id": id, "path": path, "retry": retry + 1,
		})
		if serr := sleep(ctx, min(c.backoff(retry), left)); serr != nil {
			return err
		}
	}
}

// emptyNotesPlaceholder is what Genesys Cloud has been seen to answer for a
// configuration's empty notes (its storage cannot hold an empty string).
const emptyNotesPlaceholder = "node_dynamodb_empty_string"

// fromWire undoes what the service does to a configuration on its way back:
// the empty-notes placeholder is read as the empty notes it stands for, so
// that empty notes never show as a change.
func (cfg *IntegrationConfig) fromWire() *IntegrationConfig {
	if cfg.Notes == emptyNotesPlaceholder {
		cfg.Notes = ""
	}
	return cfg
}

// GetIntegrationConfig reads an integration's current configuration.
func (c *Client) GetIntegrationConfig(ctx context.Context, id string) (*IntegrationConfig, error) {
	var cfg IntegrationConfig
	if err := c.read(ctx, id, configPath(id), &cfg); err != nil {
		return nil, err
	}
	return cfg.fromWire(), nil
}

// GetIntegrationAndConfig reads an integration and its current
// configuration, both at once: a refresh of many widgets then waits one
// round trip per widget rather than two, and more of the integration reads
// share a list (see readBatcher). The first error ends both reads and is
// the one returned; a missing integration is an error for which IsNotFound
// is true.
//
// While the client has written nothing, the integration may come from a
// page of the listing read ahead for the reads of the same refresh (see
// readAhead); the configuration is always read.
func (c *Client) GetIntegrationAndConfig(ctx context.Context, id string) (*Integration, *IntegrationConfig, error) {
	if in, ok := c.ahead.lookup(ctx, id, c.listingPage); ok {
		c.remember(in)
		cfg, err := c.GetIntegrationConfig(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		return &in, cfg, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() {
			firstErr = err
			cancel()
		})
	}
	var in *Integration
	done := make(chan struct{})
	cfgDone := make(chan struct{})
	// Queued here rather than in the goroutine, which may be scheduled only
	// once the configuration has been read: the flight must see the read
	// while its companion is still under way.
	wait := c.queueIntegrationRead(ctx, id, cfgDone)
	go func() {
		defer close(done)
		var err error
		if in, err = wait(); err != nil {
			fail(err)
		}
	}()
	cfg, err := c.GetIntegrationConfig(ctx, id)
	if err != nil {
		// Before the companion is answered, so that no flight reads the
		// integration for a caller that has failed.
		fail(err)
	}
	close(cfgDone)
	<-done
	if firstErr != nil {
		return nil, nil, firstErr
	}
	return in, cfg, nil
}

// PutIntegrationConfig sends cfg with the given Version. When the answer is
// a version conflict (IsVersionConflict: someone else wrote meanwhile) it
// re-reads the current version and sends cfg's fields again with it, up to
// three tries in all: the caller's intent wins, bounded. It returns the new
// configuration.
func (c *Client) PutIntegrationConfig(ctx context.Context, id string, cfg IntegrationConfig) (*IntegrationConfig, error) {
	for try := 1; ; try++ {
		body, err := EncodeIntegrationConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("encoding the configuration of integration %s: %w", id, err)
		}
		var out IntegrationConfig
		_, err = c.do(ctx, c.apiCall(http.MethodPut, configPath(id), nil, body), &out)
		if err == nil {
			return out.fromWire(), nil
		}
		if !IsVersionConflict(err) || try >= maxConfigPutTries {
			return nil, err
		}
		cur, rerr := c.GetIntegrationConfig(ctx, id)
		if rerr != nil {
			return nil, fmt.Errorf("%w; re-reading the current version: %w", err, rerr)
		}
		c.log.warn(ctx, "genesys integration config version conflict, retrying", map[string]any{
			"integration_id": id, "sent_version": cfg.Version, "current_version": cur.Version, "try": try,
		})
		cfg.Version = cur.Version
	}
}

// SetIntendedState asks for the integration to be enabled or disabled and
// returns the integration as the answer reports it. Asking twice is
// harmless, so the request is retried like a read.
func (c *Client) SetIntendedState(ctx context.Context, id string, enabled bool) (*Integration, error) {
	state := StateDisabled
	if enabled {
		state = StateEnabled
	}
	body, err := encodeJSON(map[string]string{"intendedState": state})
	if err != nil {
		return nil, err
	}
	var in Integration
	if _, err := c.do(ctx, c.apiCall(http.MethodPatch, integrationPath(id), nil, body), &in); err != nil {
		return nil, err
	}
	c.remember(in)
	return &in, nil
}

// WaitForReportedState polls the integration until it reports want
// (ReportedActive or ReportedInactive). When in already reports want it
// sends nothing. ERROR, or the end of ctx, ends the wait with an error.
func (c *Client) WaitForReportedState(ctx context.Context, in *Integration, want string) (*Integration, error) {
	if in == nil {
		return nil, errors.New("WaitForReportedState: no integration")
	}
	if in.ReportedState.Code == want {
		return in, nil
	}
	cur := in
	// Every way out but success names the last state seen, so a wait cut
	// short by a deadline or a failed poll still says how far it got.
	stopped := func(err error) error {
		return fmt.Errorf("waiting for integration %s to report %s (it last reported %s): %w",
			in.ID, want, orDefault(cur.ReportedState.Code, "nothing"), err)
	}
	for {
		if cur.ReportedState.Code == ReportedError {
			return cur, &ReportedStateError{ID: in.ID, Want: want, State: cur.ReportedState}
		}
		if err := sleep(ctx, c.pollInterval); err != nil {
			return cur, stopped(err)
		}
		next, err := c.GetIntegration(ctx, in.ID)
		if err != nil {
			return cur, stopped(err)
		}
		cur = next
		if cur.ReportedState.Code == want {
			return cur, nil
		}
	}
}

// DeleteIntegration deletes an integration; one already gone is not an error.
func (c *Client) DeleteIntegration(ctx context.Context, id string) error {
	_, err := c.do(ctx, c.apiCall(http.MethodDelete, integrationPath(id), nil, nil), nil)
	if IsNotFound(err) {
		err = nil
	}
	if err == nil {
		c.rememberDeleted(id)
	}
	return err
}

// sleep waits d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
