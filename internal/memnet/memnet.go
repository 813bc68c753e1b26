// Package memnet serves an http.Handler over in-memory connections, for
// tests that run inside a testing/synctest bubble.
//
// Tests of retries, backoff, rate pacing and polling wait on timers. On the
// wall clock they are slow, and on a loaded machine they are flaky: a
// goroutine that is not scheduled for 50 ms looks like a wait that took
// 50 ms too long. Inside a synctest bubble time is fake and advances only
// when every goroutine in the bubble is blocked, so a wait of 30 s takes no
// time and an elapsed time is exactly the sum of the waits. A goroutine
// blocked on a real socket is never "durably blocked", though, so a bubble
// with a loopback httptest.Server never becomes idle and its clock never
// moves. memnet replaces the socket with net.Pipe, whose reads and writes
// block on channels the bubble owns; everything above the socket (the
// net/http client and server, the provider's transport, the handler) is
// the real code.
package memnet

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
)

// Addr is the address every memnet server claims: a loopback one, so a
// client that accepts plain http only on loopback hosts accepts it.
const Addr = "127.0.0.1:80"

// Server is an http.Server listening on an in-memory listener.
type Server struct {
	// URL is the base URL to give a client, http://127.0.0.1:80. Requests
	// reach the server only through Client or Transport.
	URL string

	srv    *http.Server
	l      *listener
	tr     *http.Transport
	cancel context.CancelFunc
}

// NewServer starts serving h. It must be called inside the bubble that
// uses it; Close it (in a t.Cleanup) before the bubble ends.
func NewServer(h http.Handler) *Server {
	l := &listener{conns: make(chan net.Conn), done: make(chan struct{})}
	// Every request's context ends with the server, so a handler still
	// waiting (a latency fault, say) returns when the test closes it.
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		URL:    "http://" + Addr,
		srv:    &http.Server{Handler: h, BaseContext: func(net.Listener) context.Context { return ctx }},
		l:      l,
		cancel: cancel,
	}
	s.tr = &http.Transport{
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			if address != Addr {
				// Nothing else listens on this network: a dial elsewhere
				// fails as one to a closed port does.
				return nil, &net.OpError{Op: "dial", Net: network, Addr: addr{}, Err: syscall.ECONNREFUSED}
			}
			return l.dial(ctx)
		},
	}
	go func() { _ = s.srv.Serve(l) }()
	return s
}

// Transport dials this server for requests to URL; a request to any other
// address fails to connect.
func (s *Server) Transport() *http.Transport { return s.tr }

// Client is an http.Client using Transport.
func (s *Server) Client() *http.Client { return &http.Client{Transport: s.tr} }

// Close stops the server and closes every connection, so the goroutines
// serving them (both ends) exit before the bubble does.
func (s *Server) Close() error {
	s.cancel()
	s.tr.CloseIdleConnections()
	return s.srv.Close()
}

type listener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

var errClosed = errors.New("memnet: listener closed")

func (l *listener) dial(ctx context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, errClosed
	}
}

func (l *listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *listener) Addr() net.Addr { return addr{} }

type addr struct{}

func (addr) Network() string { return "memnet" }
func (addr) String() string  { return Addr }
