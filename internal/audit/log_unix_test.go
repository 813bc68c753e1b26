//go:build unix

package audit

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Opening a FIFO for writing blocks until a reader comes; Open must refuse it instead of hanging.
func TestOpenRefusesAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open(fifo) = %v", err)
	}
}
