// Command terraform-provider-genesys serves the genesys Terraform provider over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/provider"
	"github.com/terraform-genesys/terraform-provider-genesys/internal/telemetry"
)

// version and commit are set by the release build (goreleaser) through
// -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

// registryAddress is where Terraform finds the provider: the source address users write in
// required_providers and the address dev_overrides and the debugger attach to.
const registryAddress = "registry.terraform.io/terraform-genesys/genesys"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers such as delve, and print TF_REATTACH_PROVIDERS")
	flag.Parse()

	limitPluginLogLevels()
	tuneGC()
	stopProfile := startCPUProfile()
	if commit != "" {
		log.Printf("terraform-provider-genesys %s (commit %s)", version, commit)
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: registryAddress,
		Debug:   debug,
	})
	// Terraform ends a plugin through go-plugin, which makes Serve return and then gives the
	// process two seconds to exit. terraform-plugin-framework has no shutdown hook for providers,
	// so this is where the telemetry still queued is flushed, within telemetry.ShutdownTimeout.
	_ = telemetry.ShutdownAll(context.Background())
	stopProfile()
	if err != nil {
		log.Fatal(err.Error())
	}
}
