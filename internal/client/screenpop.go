package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
)

// ScreenPopResult is the answer to a screen pop. Replayed is true when the
// idempotency key had already been used: the pop was delivered before, and
// this is that delivery's original answer.
type ScreenPopResult struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	WindowFocused  bool   `json:"windowFocused"`
	DeliveryTimeMs int64  `json:"deliveryTimeMs"`
	Replayed       bool   `json:"-"`
}

// TriggerScreenPop delivers a screen pop to a user. body must be the exact
// bytes the caller signed; signature is their base64 HMAC-SHA256. Every
// retry sends the same body, signature and Idempotency-Key, so retrying
// after a failure of any kind cannot pop twice; a 409 means an earlier try
// (or an earlier apply) delivered it, and its original answer is returned
// with Replayed set.
func (c *Client) TriggerScreenPop(ctx context.Context, userID string, body []byte, idempotencyKey, signature string) (*ScreenPopResult, error) {
	if userID == "" || idempotencyKey == "" || signature == "" || len(body) == 0 {
		return nil, errors.New("TriggerScreenPop: user id, body, idempotency key and signature are required")
	}
	path := "/api/v2/users/" + url.PathEscape(userID) + "/screenpops"
	cl := &call{
		kind:         kindAPI,
		method:       http.MethodPost,
		url:          c.screenPopURL + path,
		path:         path,
		body:         body,
		header:       http.Header{"Idempotency-Key": {idempotencyKey}, "X-Payload-Signature": {signature}},
		retryNetwork: true,
		retryServer:  true,
		pacer:        c.screenPopPacer,
	}
	var out ScreenPopResult
	resp, err := c.do(ctx, cl, &out)
	if err == nil {
		return &out, nil
	}
	if resp != nil && resp.status == http.StatusConflict {
		var orig ScreenPopResult
		if json.Unmarshal(resp.body, &orig) == nil && orig.ID != "" {
			orig.Replayed = true
			return &orig, nil
		}
	}
	return nil, err
}
