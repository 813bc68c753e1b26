package provider

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Servers that fail as networks do, on loopback, for the tests of what the provider says about
// them. The provider under test runs in the test process and meets them through the same
// net/http transport and resolver it uses in production.

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

// answerInvalidAsNoSuchHost points this process's resolver at a DNS server on loopback that
// answers every name under .invalid with NXDOMAIN, as RFC 6761 has every DNS server do, and
// refuses every other query. The test then needs no network, and the provider still resolves
// through net.DefaultResolver and Go's DNS client as it does in production; only the server
// asked differs. Tests of this package do not run in parallel, so nothing else resolves a name
// while it is in place; it is restored when the test ends. The returned func counts the names
// under .invalid it answered, so a test can tell that the answer came from it.
func answerInvalidAsNoSuchHost(t *testing.T) func() int64 {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var answered atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if answer, nx, err := nxdomainAnswer(buf[:n]); err == nil {
				if nx {
					answered.Add(1)
				}
				_, _ = pc.WriteTo(answer, from)
			}
		}
	}()
	r := net.DefaultResolver
	preferGo, dial := r.PreferGo, r.Dial
	r.PreferGo = true
	r.Dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}
	t.Cleanup(func() {
		r.PreferGo, r.Dial = preferGo, dial
		_ = pc.Close()
		<-done
	})
	return answered.Load
}

// nxdomainAnswer answers a DNS query: NXDOMAIN for a name under .invalid (nx is then true),
// REFUSED otherwise.
func nxdomainAnswer(query []byte) (answer []byte, nx bool, err error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, false, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, false, err
	}
	if h.Response {
		return nil, false, errors.New("not a query")
	}
	rcode := dnsmessage.RCodeRefused
	if strings.HasSuffix(strings.ToLower(q.Name.String()), ".invalid.") {
		rcode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{
		ID: h.ID, Response: true, OpCode: h.OpCode, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true, RCode: rcode,
	})
	if err := b.StartQuestions(); err != nil {
		return nil, false, err
	}
	if err := b.Question(q); err != nil {
		return nil, false, err
	}
	answer, err = b.Finish()
	return answer, rcode == dnsmessage.RCodeNameError, err
}
