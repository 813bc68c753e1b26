package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestStartCPUProfile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(envCPUProfile, dir)
	stop := startCPUProfile()
	stop()
	files, err := filepath.Glob(filepath.Join(dir, "provider-*.pprof"))
	if err != nil || len(files) != 1 {
		t.Fatalf("profiles in %s: %v (%v), want one", dir, files, err)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	// A pprof profile is a gzip-compressed protocol buffer.
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Errorf("%s is not a gzip-compressed profile (%d bytes)", files[0], len(data))
	}
}

func TestStartCPUProfileUnset(t *testing.T) {
	t.Setenv(envCPUProfile, "")
	startCPUProfile()() // does nothing, and stopping it does nothing either
}

func TestStartCPUProfileUnwritable(t *testing.T) {
	t.Setenv(envCPUProfile, filepath.Join(t.TempDir(), "missing"))
	startCPUProfile()() // logs and carries on: the provider serves without a profile
}
