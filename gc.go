package main

import (
	"os"
	"runtime/debug"
)

// providerGCPercent is the collector's target when GOGC is unset: the heap may grow to five
// times what is live before a collection, where Go's default is twice.
//
// Why: terraform-plugin-framework allocates about 1.8 MB per widget per refresh (a copy of the
// schema's attribute map at every path step, values rebuilt by each transform), so at the
// default the collector was a third of the provider's CPU time (pprof, genesys-bench
// -cpuprofile). A provider process lives for one graph walk and holds tens of megabytes, so
// collecting a quarter as often costs some memory and saves a quarter of the CPU. Measured at
// 500 widgets: peak RSS 105 -> 226 MiB in the update's plan walk; DESIGN.md has the CPU figures.
// GOGC, when set, wins (GOGC=100 restores Go's default).
const providerGCPercent = 400

func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(providerGCPercent)
	}
}
