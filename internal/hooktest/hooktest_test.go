package hooktest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestReceiverAnswersFromItsScript: the n-th request gets the n-th answer and the last repeats;
// Reply starts a new script; every request is kept in order, body and headers included.
func TestReceiverAnswersFromItsScript(t *testing.T) {
	rc, base := Serve(t, Status(http.StatusServiceUnavailable), Status(http.StatusNoContent))
	var got []int
	for _, b := range []string{"a", "b", "c"} {
		got = append(got, post(t, base+"/hooks/x?token=t", b))
	}
	rc.Reply(Status(http.StatusForbidden))
	got = append(got, post(t, base+"/hooks/x?token=t", "d"))
	if want := []int{503, 204, 204, 403}; !slices.Equal(got, want) {
		t.Errorf("answers %v, want %v", got, want)
	}
	reqs := rc.Requests()
	if rc.Len() != 4 || len(reqs) != 4 {
		t.Fatalf("Len %d, %d requests; want 4", rc.Len(), len(reqs))
	}
	for i, r := range reqs {
		want := string(rune('a' + i))
		if string(r.Body) != want || r.Header.Get("Idempotency-Key") != want || r.Method != http.MethodPost ||
			r.URL.Query().Get("token") != "t" || r.ReadErr != nil {
			t.Errorf("request %d = %+v; want the POST of %q", i+1, r, want)
		}
	}

	if _, base := Serve(t); post(t, base, "{}") != http.StatusOK {
		t.Error("a receiver with no script does not answer 200")
	}
}

// post sends body to u under an Idempotency-Key that is the body, and returns the status.
func post(t *testing.T, u, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Idempotency-Key", body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSignedWith checks against a signature computed apart (openssl dgst -sha256 -hmac s3cret
// -binary | base64, of the body {"event":"x"}), so the receiver's check is itself checked.
func TestSignedWith(t *testing.T) {
	const body, sig = `{"event":"x"}`, "R02cVCU/nr2VzzkEzoMPy2u9ZRgLJTDKQDcaF3u24Cs="
	r := Request{Body: []byte(body), Header: http.Header{"X-Payload-Signature": {sig}}}
	if !r.SignedWith([]byte("s3cret")) {
		t.Error("the right secret's signature is refused")
	}
	if r.SignedWith([]byte("other")) {
		t.Error("another secret's signature passes")
	}
	r.Body = []byte(`{"event":"y"}`)
	if r.SignedWith([]byte("s3cret")) {
		t.Error("the signature of other bytes passes")
	}
	ev, err := Request{Body: []byte(body)}.Event()
	if err != nil || ev["event"] != "x" {
		t.Errorf("Event = %v, %v", ev, err)
	}
}
