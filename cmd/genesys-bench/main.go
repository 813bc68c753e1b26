// Command genesys-bench measures what managing agent widgets costs under Genesys Cloud's rate
// limit. Against the emulator, started in this process on loopback with the rate limit it is
// given, it runs the real Terraform CLI with the provider built from this module: for each number
// of widgets and each -parallelism it applies N new widgets, plans with refresh (expecting no
// changes), updates every widget and destroys them all. For each phase it counts requests from
// the emulator's journal, compares the wall time with the least the rate limit allows, and
// measures the provider processes' CPU time and peak memory. It writes results.md, results.json
// and wall-time.png.
//
//	go run ./cmd/genesys-bench -n 10,100,500 -parallelism 10,50 -rate 300 -out bench
//
// make bench runs it with the default Terraform CLI; BENCHARGS passes flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	// A copy of this program stands in for the provider binary (see runWrapped).
	if provider := os.Getenv(envWrappedProvider); provider != "" {
		os.Exit(runWrapped(provider, os.Getenv(envUsageFile), os.Args[1:]))
	}
	opts, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genesys-bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if opts.render != "" {
		err = render(opts.render, opts.out)
	} else {
		err = run(ctx, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genesys-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	args           []string
	widgets        []int
	parallelism    []int
	rate, burst    int
	terraform      string
	out            string
	work           string
	keep           bool
	destroyRefresh bool
	render         string
	cpuProfile     string
}

func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("genesys-bench", flag.ContinueOnError)
	o := options{args: args}
	widgets := fs.String("n", "10,100,500", "numbers of widgets, comma separated")
	par := fs.String("parallelism", "10,50", "terraform -parallelism values, comma separated")
	fs.IntVar(&o.rate, "rate", 300, "the emulator's rate limit, requests per minute per token")
	fs.IntVar(&o.burst, "burst", 0, "the emulator's bucket capacity, requests a fresh token may send at once (default: the rate, one minute's allowance, as Genesys Cloud allows)")
	fs.StringVar(&o.terraform, "terraform", defaultTerraform(), "Terraform CLI (default: $TERRAFORM, $TF_ACC_TERRAFORM_PATH, or .tools/terraform-1.16.2/terraform)")
	fs.StringVar(&o.out, "out", "bench/out", "directory the results are written to")
	fs.StringVar(&o.work, "work", "", "working directory for the provider build and terraform runs (default: a temporary one, removed afterwards)")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory (terraform logs, state)")
	fs.BoolVar(&o.destroyRefresh, "destroy-refresh", false, "refresh before destroying (terraform destroy's default); off, the destroy phase measures deletes alone")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of every provider process into this directory, one subdirectory per run and phase (go tool pprof -top DIR/n500-p10/create/*)")
	fs.StringVar(&o.render, "render", "", "run nothing: write results.md and the plot into -out again from this results.json")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	if o.widgets, err = positiveInts("-n", *widgets); err != nil {
		return o, err
	}
	if o.parallelism, err = positiveInts("-parallelism", *par); err != nil {
		return o, err
	}
	if o.rate <= 0 {
		return o, errors.New("-rate must be positive: the floor needs a limit")
	}
	if o.burst < 0 {
		return o, errors.New("-burst must not be negative")
	}
	if o.burst == 0 {
		o.burst = o.rate
	}
	if o.render != "" {
		return o, nil
	}
	if o.terraform == "" {
		return o, errors.New("no Terraform CLI: set -terraform or $TERRAFORM, or run make tools")
	}
	return o, nil
}

func positiveInts(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s: %q is not a positive integer", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

func defaultTerraform() string {
	for _, env := range []string{"TERRAFORM", "TF_ACC_TERRAFORM_PATH"} {
		if v := os.Getenv(env); v != "" {
			return v
		}
	}
	if _, err := os.Stat(".tools/terraform-1.16.2/terraform"); err == nil {
		return ".tools/terraform-1.16.2/terraform"
	}
	return ""
}
