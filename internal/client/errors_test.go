package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestFailureNamesWhatHappened(t *testing.T) {
	cases := map[string]struct {
		err  error
		want FailureKind
	}{
		"refused":          {&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, FailureRefused},
		"reset":            {&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, FailureReset},
		"broken pipe":      {&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}, FailureReset},
		"closed":           {fmt.Errorf("reading the answer: %w", io.ErrUnexpectedEOF), FailureClosed},
		"EOF":              {io.EOF, FailureClosed},
		"no such host":     {&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}}, FailureNoSuchHost},
		"resolver failure": {&net.DNSError{Err: "server misbehaving", Name: "api.example.com"}, FailureDNS},
		"unknown CA":       {&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, FailureTLS},
		"wrong host":       {x509.HostnameError{Certificate: &x509.Certificate{}, Host: "api.example.com"}, FailureTLS},
		"unreachable":      {&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, FailureUnreach},
		"deadline":         {fmt.Errorf("attempt timed out after 1m0s: %w", context.DeadlineExceeded), FailureTimeout},
		"canceled":         {context.Canceled, FailureCanceled},
		"anything else":    {errors.New("boom"), FailureOther},
		"nil":              {nil, FailureOther},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.err == nil {
				if got := Failure(nil); got != FailureOther {
					t.Errorf("Failure(nil) = %q", got)
				}
				return
			}
			wrapped := &RequestError{Method: "GET", Path: "/p", Attempts: 1, Err: tc.err}
			if got := Failure(wrapped); got != tc.want {
				t.Errorf("Failure(%v) = %q, want %q", tc.err, got, tc.want)
			}
			if tc.want != FailureOther && !strings.Contains(wrapped.Error(), string(tc.want)) {
				t.Errorf("Error() = %q does not name %q", wrapped.Error(), tc.want)
			}
		})
	}
}

// A refused connection is a refused connection, never "timed out" (the attempt's context is
// cancelled after every failure, which once made every failure read as a timeout).
func TestRefusedConnectionIsNotCalledATimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	c, err := New(Config{ClientID: "id", ClientSecret: "secret", APIURL: dead, LoginURL: dead, RetryMax: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetIntegration(context.Background(), "i-1")
	if err == nil {
		t.Fatal("GetIntegration succeeded against a closed port")
	}
	if Failure(err) != FailureRefused {
		t.Errorf("Failure = %q, want %q: %v", Failure(err), FailureRefused, err)
	}
	if strings.Contains(err.Error(), "timed out") {
		t.Errorf("error calls a refused connection a timeout: %v", err)
	}
	if MayHaveArrived(err) {
		t.Errorf("a call whose every connection was refused may have arrived? %v", err)
	}
}

// A call whose connection is reset after the request was written may have been acted on; one
// that never connected may not.
func TestMayHaveArrived(t *testing.T) {
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		resetConnection(t, w)
	})
	c := fake.client(t, func(cfg *Config) { cfg.RetryMax = 1 })
	cl := c.apiCall(http.MethodPost, "/api/v2/things", nil, []byte(`{}`))
	cl.retryNetwork = true
	_, err := c.send(context.Background(), cl)
	if err == nil {
		t.Fatal("send succeeded")
	}
	if !MayHaveArrived(err) {
		t.Errorf("a reset after the request was written: MayHaveArrived = false (%v)", err)
	}
	if k := Failure(err); k != FailureClosed && k != FailureReset {
		t.Errorf("Failure = %q, want a reset or closed connection: %v", k, err)
	}
	if strings.Contains(err.Error(), "timed out") {
		t.Errorf("error calls a reset a timeout: %v", err)
	}
	if MayHaveArrived(&APIError{Status: 500}) || MayHaveArrived(errors.New("x")) {
		t.Error("MayHaveArrived is true for an answer or a foreign error")
	}
}

func TestCredentialsAndSignatureRefusals(t *testing.T) {
	fake := newFakeGenesys(t, func(w http.ResponseWriter, r *http.Request) {
		writeGenesysError(w, http.StatusUnauthorized, "invalid.signature", "signature mismatch", "corr-1")
	})
	c := fake.client(t)
	_, err := c.TriggerScreenPop(context.Background(), "agent-1", []byte(`{}`), "key-12345678", "c2ln")
	if !IsSignatureRefused(err) {
		t.Errorf("IsSignatureRefused(%v) = false", err)
	}
	if IsCredentialsRefused(err) {
		t.Errorf("a refused signature is not refused credentials: %v", err)
	}

	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client","description":"client not found"}`)
	}))
	t.Cleanup(login.Close)
	c, err = New(Config{ClientID: "id", ClientSecret: "wrong", APIURL: login.URL, LoginURL: login.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetIntegration(context.Background(), "i-1")
	if !IsCredentialsRefused(err) {
		t.Errorf("IsCredentialsRefused(%v) = false", err)
	}
	if IsSignatureRefused(err) || MayHaveArrived(err) {
		t.Errorf("refused credentials read as a refused signature or a lost answer: %v", err)
	}
}

// TestTLSFailuresAreNamed: an https URL whose server presents a certificate this machine does not
// trust, or answers in plain HTTP, is a TLS failure, over real loopback connections.
func TestTLSFailuresAreNamed(t *testing.T) {
	untrusted := httptest.NewUnstartedServer(http.HandlerFunc(okHandler))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	untrusted.StartTLS()
	t.Cleanup(untrusted.Close)
	plain := httptest.NewServer(http.HandlerFunc(okHandler))
	t.Cleanup(plain.Close)
	for name, url := range map[string]string{
		"untrusted certificate": untrusted.URL,
		"plain HTTP server":     "https://" + plain.Listener.Addr().String(),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := New(Config{ClientID: "id", ClientSecret: "secret", APIURL: url, LoginURL: url, RetryMax: -1})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Authenticate(context.Background())
			if Failure(err) != FailureTLS {
				t.Errorf("Failure = %q, want %q: %v", Failure(err), FailureTLS, err)
			}
			if err != nil && !strings.Contains(err.Error(), string(FailureTLS)) {
				t.Errorf("error does not say %q: %v", FailureTLS, err)
			}
		})
	}
}
