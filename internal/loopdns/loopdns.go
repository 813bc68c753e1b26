// Package loopdns is a DNS server on loopback for the tests of what the client and the provider
// do and say when a name lookup fails, so that they need no network: the code under test still
// resolves through net.DefaultResolver and Go's own DNS client, as it does in production; only the
// server asked differs.
//
// It answers by the name asked, with the special-use names of RFC 6761:
//   - a name under .invalid: NXDOMAIN, the answer RFC 6761 has every DNS server give, and a
//     definitive one (net.DNSError.IsNotFound);
//   - a name under servfail.test: SERVFAIL, a resolver's "try again later"
//     (net.DNSError.IsTemporary);
//   - anything else: REFUSED.
package loopdns

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server counts the queries it answered with each failure, so a test can tell that an answer came
// from it and how many lookups the code under test made.
type Server struct {
	nxdomain, servfail atomic.Int64
}

// NoSuchHost is how many queries it answered NXDOMAIN.
func (s *Server) NoSuchHost() int64 { return s.nxdomain.Load() }

// ServerFailures is how many queries it answered SERVFAIL.
func (s *Server) ServerFailures() int64 { return s.servfail.Load() }

// Use starts a server on loopback and points net.DefaultResolver at it until the test ends. The
// resolver is the process's, so a test that calls Use must not run in parallel with tests that
// resolve names.
func Use(t testing.TB) *Server {
	t.Helper()
	pc, err := (&net.ListenConfig{}).ListenPacket(context.Background(), "udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if answer, err := s.answer(buf[:n]); err == nil {
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
	return s
}

// answer is the reply to one query, its code chosen by the name asked.
func (s *Server) answer(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	if h.Response {
		return nil, errors.New("not a query")
	}
	name := strings.ToLower(q.Name.String())
	rcode := dnsmessage.RCodeRefused
	switch {
	case strings.HasSuffix(name, ".invalid."):
		rcode = dnsmessage.RCodeNameError
		s.nxdomain.Add(1)
	case name == "servfail.test." || strings.HasSuffix(name, ".servfail.test."):
		rcode = dnsmessage.RCodeServerFailure
		s.servfail.Add(1)
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{
		ID: h.ID, Response: true, OpCode: h.OpCode, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true, RCode: rcode,
	})
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	return b.Finish()
}
