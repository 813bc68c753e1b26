package memnet

import (
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// TestServeInABubble: a request goes through the real net/http client and
// server, the bubble's clock moves only by the handler's wait, and a dial to
// any other address is refused as by a closed port.
func TestServeInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Hour)
			_, _ = io.WriteString(w, r.URL.Path)
		}))
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		start := time.Now()
		resp, err := s.Client().Get(s.URL + "/hello")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "/hello" {
			t.Errorf("body = %q, %v", body, err)
		}
		if took := time.Since(start); took != time.Hour {
			t.Errorf("took %v on the bubble's clock, want exactly the handler's hour", took)
		}

		resp, err = s.Client().Get("http://127.0.0.1:1/")
		if err == nil {
			resp.Body.Close()
		}
		var op *net.OpError
		if !errors.As(err, &op) || op.Op != "dial" || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial elsewhere = %v, want a refused dial", err)
		}
	})
}

// TestCloseEndsWaitingHandlers: a handler still waiting on its request's
// context when the test ends returns, so the bubble can end.
func TestCloseEndsWaitingHandlers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ended := make(chan struct{})
		s := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
			close(ended)
		}))
		go func() {
			if resp, err := s.Client().Post(s.URL, "text/plain", nil); err == nil {
				resp.Body.Close()
			}
		}()
		synctest.Wait() // the handler is waiting
		select {
		case <-ended:
			t.Fatal("the handler returned before Close")
		default:
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		<-ended
	})
}
