package main

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	t.Setenv("GOGC", "")
	if err := os.Unsetenv("GOGC"); err != nil {
		t.Fatal(err)
	}
	debug.SetGCPercent(100)
	tuneGC()
	if got := debug.SetGCPercent(100); got != providerGCPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, providerGCPercent)
	}

	t.Setenv("GOGC", "100") // the runtime read it at start; tuneGC leaves it be
	debug.SetGCPercent(100)
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=100: GC percent %d, want 100 (left as set)", got)
	}
}
