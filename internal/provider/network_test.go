package provider

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Servers that fail as networks do, on loopback, for the tests of what the provider says about
// them. The provider under test runs in the test process and meets them through the same
// net/http transport and resolver it uses in production. Names that do not resolve come from
// package loopdns.

// closedPortURL is an http URL at which nothing listens: a connection to it is refused.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// resettingURL is an http URL whose server accepts every connection, reads the request, and
// resets the connection (a TCP RST, as a crashing server or a middlebox sends) instead of answering.
func resettingURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				buf := make([]byte, 4096)
				_, _ = conn.Read(buf)
				// Linger 0: Close sends a reset rather than an orderly end of stream.
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

// untrustedTLSURL is an https URL whose server presents a certificate of its own authority,
// which this machine does not trust.
func untrustedTLSURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// plainHTTPAsHTTPSURL is an https URL whose server speaks plain HTTP.
func plainHTTPAsHTTPSURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	return "https://" + srv.Listener.Addr().String()
}
