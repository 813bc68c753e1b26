package main

import (
	"fmt"
	"log"
	"os"
	"runtime/pprof"
)

// envCPUProfile names a directory; when set, the provider process writes a CPU profile of its
// whole life there. Terraform starts a provider process per graph walk (validate, plan, apply),
// so a command leaves several, one file each, named by process id (provider-PID-RANDOM.pprof); `go tool pprof -top DIR/*`
// merges them. The benchmark sets it with -cpuprofile (DESIGN.md, "Benchmark").
const envCPUProfile = "GENESYS_PROVIDER_CPUPROFILE"

// startCPUProfile starts profiling into the directory envCPUProfile names and returns the
// function that stops it and closes the file; with the variable unset it does nothing.
// A profile that cannot be started is reported on stderr (Terraform's log) and skipped: the
// provider serves anyway.
func startCPUProfile() (stop func()) {
	dir := os.Getenv(envCPUProfile)
	if dir == "" {
		return func() {}
	}
	// A process id may come again in a long run; CreateTemp never overwrites.
	f, err := os.CreateTemp(dir, fmt.Sprintf("provider-%d-*.pprof", os.Getpid()))
	if err == nil {
		err = pprof.StartCPUProfile(f)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		log.Printf("%s: not profiling: %v", envCPUProfile, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			log.Printf("%s: %v", envCPUProfile, err)
		}
	}
}
