// Package screenpop holds the rules of a Genesys Cloud agent screen pop: the payload and its
// deterministic encoding, the HMAC-SHA256 signature over exactly the bytes sent, the idempotency
// key that keeps a retried pop from opening twice, the customer context carried in the target
// URL's fragment, and the allow-list of target domains.
//
// Nothing here knows of Terraform or HTTP. Error messages stand as the detail of a diagnostic
// whose summary names the attribute ("Invalid target_url"), and never contain a session token, a
// signing secret, a customer data value, or a whole URL.
package screenpop

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Payload is the body of POST /api/v2/users/{userId}/screenpops.
type Payload struct {
	ApplicationID  string            `json:"applicationId"`
	URI            string            `json:"uri"`
	State          map[string]string `json:"state"`
	IdempotencyKey string            `json:"idempotencyKey"`
}

// Encode returns the bytes to send and to sign. They are deterministic (fields in declaration
// order, state keys sorted), carry no HTML escaping ("&" in a URI stays "&", so the receiver sees
// the URI as written) and no trailing newline. A nil State is sent as {} so the receiver always
// gets an object. Strings must be valid UTF-8: JSON would replace bad bytes, and the signature
// would then cover something other than what the caller built.
func (p Payload) Encode() ([]byte, error) {
	if p.State == nil {
		p.State = map[string]string{}
	}
	if !utf8.ValidString(p.ApplicationID) || !utf8.ValidString(p.URI) || !utf8.ValidString(p.IdempotencyKey) {
		return nil, errors.New("screen pop payload contains text that is not valid UTF-8")
	}
	for k, v := range p.State {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, errors.New("screen pop state contains text that is not valid UTF-8")
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encoding the screen pop payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Validate checks that a payload has what the receiver requires: an application id, a target URI
// and an idempotency key.
func (p Payload) Validate() error {
	var missing []error
	if p.ApplicationID == "" {
		missing = append(missing, errors.New("applicationId is empty"))
	}
	if p.URI == "" {
		missing = append(missing, errors.New("uri is empty"))
	}
	if p.IdempotencyKey == "" {
		missing = append(missing, errors.New("idempotencyKey is empty"))
	}
	return errors.Join(missing...)
}

// ErrEmptySecret is returned by Sign when there is no signing secret: an HMAC under an empty key
// authenticates nothing, and a receiver that accepts it would accept anyone's pop.
var ErrEmptySecret = errors.New("the screen pop signing secret is empty")

// Sign returns the X-Payload-Signature of body: the standard base64 encoding of
// HMAC-SHA256(secret, body). Sign exactly the bytes that are sent (Payload.Encode).
func Sign(secret, body []byte) (string, error) {
	if len(secret) == 0 {
		return "", ErrEmptySecret
	}
	return base64.StdEncoding.EncodeToString(mac(secret, body)), nil
}

func mac(secret, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(body)
	return h.Sum(nil)
}

// NewIdempotencyKey returns a random (version 4) UUID in its canonical lower-case form, from
// crypto/rand. The key is generated once per pop and kept, so that every retry of that pop
// carries the same key and the receiver delivers it once.
func NewIdempotencyKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating an idempotency key: %w", err)
	}
	return formatUUID(b, 4), nil
}

// KeyInputs are everything that makes a screen pop the pop it is, for DeriveIdempotencyKey. A nil
// map and an empty one are the same input.
type KeyInputs struct {
	UserID              string            `json:"userId"`
	ApplicationID       string            `json:"applicationId"`
	TargetURL           string            `json:"targetUrl"`
	CustomerData        map[string]string `json:"customerData"`
	State               map[string]string `json:"state"`
	Triggers            map[string]string `json:"triggers"`
	SessionTokenVersion int64             `json:"sessionTokenVersion"`
}

// keyDomain separates derived keys from every other use of the signing secret, such as Sign.
const keyDomain = "terraform-provider-genesys/screenpop-idempotency-key/v1\x00"

// DeriveIdempotencyKey returns an idempotency key that depends only on the secret and the inputs:
// planning the same pop twice gives the same key, so a second apply after a failed one cannot pop
// twice, while any change to the inputs gives a new key and a new pop. It is HMAC-SHA256 under the
// signing secret of a canonical encoding of the inputs (JSON, map keys sorted), so the key reveals
// nothing of the customer data and cannot be predicted without the secret, written as a version 8
// (RFC 9562 custom) UUID so it looks like any other key. Strings must be valid UTF-8, or two
// different inputs could encode alike.
func DeriveIdempotencyKey(secret []byte, in KeyInputs) (string, error) {
	if len(secret) == 0 {
		return "", ErrEmptySecret
	}
	for _, m := range []*map[string]string{&in.CustomerData, &in.State, &in.Triggers} {
		if *m == nil {
			*m = map[string]string{}
		}
		for k, v := range *m {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return "", errors.New("screen pop inputs contain text that is not valid UTF-8")
			}
		}
	}
	if !utf8.ValidString(in.UserID) || !utf8.ValidString(in.ApplicationID) || !utf8.ValidString(in.TargetURL) {
		return "", errors.New("screen pop inputs contain text that is not valid UTF-8")
	}
	canonical, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("encoding the screen pop inputs: %w", err)
	}
	var b [16]byte
	copy(b[:], mac(secret, append([]byte(keyDomain), canonical...)))
	return formatUUID(b, 8), nil
}

// formatUUID sets the version and the RFC 9562 variant bits of b and writes it in the canonical
// 8-4-4-4-12 lower-case hex form.
func formatUUID(b [16]byte, version byte) string {
	b[6] = b[6]&0x0f | version<<4
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}
