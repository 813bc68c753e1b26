package screenpop

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
)

const (
	testSecret = "correct horse battery staple"
	testKey    = "3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c"
)

func TestEncodeIsDeterministicAndUnescaped(t *testing.T) {
	p := Payload{
		ApplicationID:  "com.example.customapp",
		URI:            "https://app.mydashboard.com/agent-view#sessionToken=t&customer_id=42",
		State:          map[string]string{"uiMode": "focused", "priority": "high"},
		IdempotencyKey: testKey,
	}
	want := `{"applicationId":"com.example.customapp","uri":"https://app.mydashboard.com/agent-view#sessionToken=t&customer_id=42","state":{"priority":"high","uiMode":"focused"},"idempotencyKey":"` + testKey + `"}`
	for range 20 { // map iteration order varies from run to run; the bytes must not
		got, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Fatalf("Encode() =\n%s\nwant\n%s", got, want)
		}
	}

	got, err := Payload{ApplicationID: "a", URI: "https://x.example/?a=<b>&c", IdempotencyKey: "k"}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"applicationId":"a","uri":"https://x.example/?a=<b>&c","state":{},"idempotencyKey":"k"}`; string(got) != want {
		t.Errorf("Encode() = %s; want %s (no HTML escaping, nil state as {})", got, want)
	}

	var back Payload
	if err := json.Unmarshal(got, &back); err != nil || back.URI != "https://x.example/?a=<b>&c" {
		t.Errorf("Encode() output does not decode back: %v, %+v", err, back)
	}

	for _, bad := range []Payload{
		{ApplicationID: "a\xff", URI: "u", IdempotencyKey: "k"},
		{ApplicationID: "a", URI: "u\xfe", IdempotencyKey: "k"},
		{ApplicationID: "a", URI: "u", State: map[string]string{"k": "\xc3"}, IdempotencyKey: "k"},
		{ApplicationID: "a", URI: "u", State: map[string]string{"\xc3": "v"}, IdempotencyKey: "k"},
	} {
		if _, err := bad.Encode(); err == nil || !strings.Contains(err.Error(), "UTF-8") {
			t.Errorf("Encode(%q) = %v; want a UTF-8 error", bad, err)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := (Payload{ApplicationID: "a", URI: "https://x.example/", IdempotencyKey: testKey}).Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	err := Payload{}.Validate()
	for _, want := range []string{"applicationId is empty", "uri is empty", "idempotencyKey is empty"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to mention %q", err, want)
		}
	}
}

func TestSign(t *testing.T) {
	body := []byte(`{"applicationId":"com.example.customapp","uri":"https://app.mydashboard.com/agent-view#sessionToken=t&customer_id=42","state":{"priority":"high","uiMode":"focused"},"idempotencyKey":"` + testKey + `"}`)
	// Computed independently:
	//   printf '%s' "$body" | openssl dgst -sha256 -hmac 'correct horse battery staple' -binary | base64
	const want = "wtCoienUrhIekTCwog1UjbLFL4PdURZPdpRRqQVZJ0c="
	sig, err := Sign([]byte(testSecret), body)
	if err != nil || sig != want {
		t.Fatalf("Sign() = %q, %v; want %q", sig, err, want)
	}
	tampered := append([]byte{}, body...)
	tampered[len(tampered)-3] ^= 1
	for name, other := range map[string][]byte{"a tampered body": tampered, "another body": []byte("{}")} {
		if s, _ := Sign([]byte(testSecret), other); s == sig {
			t.Errorf("%s has the same signature", name)
		}
	}
	if s, _ := Sign([]byte(testSecret+"!"), body); s == sig {
		t.Error("another secret gives the same signature")
	}

	if _, err := Sign(nil, body); !errors.Is(err, ErrEmptySecret) {
		t.Errorf("Sign(nil) = %v; want ErrEmptySecret", err)
	}
	if _, err := Sign([]byte{}, body); !errors.Is(err, ErrEmptySecret) {
		t.Errorf("Sign(empty) = %v; want ErrEmptySecret", err)
	}
}

func TestSignatureCoversTheEncodedBytes(t *testing.T) {
	p := Payload{ApplicationID: "a", URI: "https://x.example/#a=1&b=2", State: map[string]string{"z": "1", "a": "2"}, IdempotencyKey: testKey}
	body, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	sig, err := Sign([]byte(testSecret), body)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := p.Encode()
	if s, _ := Sign([]byte(testSecret), again); s != sig {
		t.Fatal("a second encoding of the same payload signs differently")
	}
	// The seed signed json.Marshal's bytes, which escape "&" as \u0026: a receiver checking the
	// body it got would refuse them.
	marshalled, _ := json.Marshal(p)
	if s, _ := Sign([]byte(testSecret), marshalled); s == sig {
		t.Fatal("json.Marshal's HTML-escaped bytes sign the same; the test no longer shows the difference")
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewIdempotencyKey(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		k, err := NewIdempotencyKey()
		if err != nil {
			t.Fatal(err)
		}
		if !uuidV4.MatchString(k) {
			t.Fatalf("NewIdempotencyKey() = %q; not a canonical version 4 UUID", k)
		}
		if seen[k] {
			t.Fatalf("NewIdempotencyKey() repeated %q", k)
		}
		seen[k] = true
	}
}

var uuidV8 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestDeriveIdempotencyKey(t *testing.T) {
	secret := []byte(testSecret)
	base := KeyInputs{
		UserID:        "6d2f0c3e-user",
		ApplicationID: "com.example.customapp",
		TargetURL:     "https://app.mydashboard.com/agent-view",
		CustomerData:  map[string]string{"customer_id": "42", "account": "ACME"},
		State:         map[string]string{"uiMode": "focused"},
		Triggers:      map[string]string{"ticket": "T-1"},
	}
	key, err := DeriveIdempotencyKey(secret, base)
	if err != nil {
		t.Fatal(err)
	}
	if !uuidV8.MatchString(key) {
		t.Fatalf("DeriveIdempotencyKey() = %q; not a canonical version 8 UUID", key)
	}
	for range 20 { // map order must not matter
		again, err := DeriveIdempotencyKey(secret, KeyInputs{
			UserID: base.UserID, ApplicationID: base.ApplicationID, TargetURL: base.TargetURL,
			CustomerData: map[string]string{"account": "ACME", "customer_id": "42"},
			State:        map[string]string{"uiMode": "focused"},
			Triggers:     map[string]string{"ticket": "T-1"},
		})
		if err != nil || again != key {
			t.Fatalf("same inputs gave %q, %v; want %q", again, err, key)
		}
	}
	if k, _ := DeriveIdempotencyKey(secret, KeyInputs{}); k == "" {
		t.Fatal("empty inputs gave no key")
	}
	nilMaps, _ := DeriveIdempotencyKey(secret, KeyInputs{UserID: "u"})
	emptyMaps, _ := DeriveIdempotencyKey(secret, KeyInputs{UserID: "u", CustomerData: map[string]string{}, State: map[string]string{}, Triggers: map[string]string{}})
	if nilMaps != emptyMaps {
		t.Errorf("nil and empty maps give different keys: %q, %q", nilMaps, emptyMaps)
	}

	change := map[string]func(*KeyInputs){
		"user":           func(k *KeyInputs) { k.UserID += "x" },
		"application":    func(k *KeyInputs) { k.ApplicationID += "x" },
		"target":         func(k *KeyInputs) { k.TargetURL += "x" },
		"customer value": func(k *KeyInputs) { k.CustomerData = map[string]string{"customer_id": "43", "account": "ACME"} },
		"customer key":   func(k *KeyInputs) { k.CustomerData = map[string]string{"customer": "42", "account": "ACME"} },
		"state":          func(k *KeyInputs) { k.State = map[string]string{"uiMode": "minimized"} },
		"triggers":       func(k *KeyInputs) { k.Triggers = map[string]string{"ticket": "T-2"} },
		"token version":  func(k *KeyInputs) { k.SessionTokenVersion = 1 },
		"moved to state": func(k *KeyInputs) {
			k.State = map[string]string{"uiMode": "focused", "ticket": "T-1"}
			k.Triggers = nil
		},
		"split user/app": func(k *KeyInputs) { k.UserID, k.ApplicationID = k.UserID+"com.", "example.customapp" },
	}
	seen := map[string]string{key: "base"}
	for name, mutate := range change {
		in := base
		mutate(&in)
		k, err := DeriveIdempotencyKey(secret, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if prev, dup := seen[k]; dup {
			t.Errorf("changing the %s gives the same key as %s", name, prev)
		}
		seen[k] = name
	}
	if other, _ := DeriveIdempotencyKey([]byte(testSecret+"2"), base); other == key {
		t.Error("another secret gives the same key")
	}
	if _, err := DeriveIdempotencyKey(nil, base); !errors.Is(err, ErrEmptySecret) {
		t.Errorf("empty secret: %v; want ErrEmptySecret", err)
	}
	bad := base
	bad.CustomerData = map[string]string{"k": "\xff"}
	if _, err := DeriveIdempotencyKey(secret, bad); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}
