//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSS is a finished process's peak resident set size in bytes: getrusage's ru_maxrss, which
// Darwin gives in bytes and the other Unixes in KiB.
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	maxrss := int64(ru.Maxrss) //nolint:unconvert // int32 on 32-bit platforms
	if runtime.GOOS == "darwin" {
		return maxrss
	}
	return maxrss * 1024
}
