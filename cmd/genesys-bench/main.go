// Command genesys-bench measures what managing agent widgets costs under Genesys Cloud's rate
// limits. Against the emulator, started in this process on loopback with the limits it is
// given (per access token, per OAuth client, token creation), it runs the real Terraform CLI
// with the provider built from this repository: for each setting of the provider's
// max_access_tokens, each -parallelism and each number of widgets it applies N new widgets,
// plans with refresh (expecting no changes), reads them through the data sources, updates
// every widget and destroys them all. For each phase it counts requests and tokens from the
// emulator's journal, compares the wall time with the least the limits allow, and measures the
// provider processes' CPU time and peak memory. It writes results.md, results.json and
// results.png.
//
//	go run . -n 10,100,500 -access-tokens 1,default -out ../../bench   (from cmd/genesys-bench)
//
// make bench runs it from the repository's root with the default Terraform CLI; BENCHARGS
// passes flags. It is a module of its own (go.mod here) so that its plotting library stays out
// of the provider's dependencies.
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

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
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
	accessTokens   []string // "default", or a max_access_tokens value
	limits         Limits
	terraform      string
	provider       string
	out            string
	work           string
	keep           bool
	destroyRefresh bool
	state          string // where Terraform keeps each run's state: stateLocal or stateHTTP
	render         string
	cpuProfile     string
	defaultPool    int // the provider's default max_access_tokens
}

func parseFlags(args []string) (options, error) {
	fs := flag.NewFlagSet("genesys-bench", flag.ContinueOnError)
	o := options{args: args}
	widgets := fs.String("n", "10,100,500", "numbers of widgets, comma separated")
	par := fs.String("parallelism", "10", "terraform -parallelism values, comma separated")
	tokens := fs.String("access-tokens", "1,default", "the provider's max_access_tokens in each run, comma separated: a number, or default (the attribute left out)")
	fs.IntVar(&o.limits.TokenRate, "rate", emulator.DefaultRateLimit, "the emulator's limit per access token, requests per minute (token.rate.per.minute); -1: none")
	fs.IntVar(&o.limits.TokenBurst, "burst", 0, "the capacity of each token's bucket, requests a fresh token may send at once (default: the rate, one minute's allowance, as Genesys Cloud allows)")
	fs.IntVar(&o.limits.ClientRate, "client-rate", emulator.DefaultClientRateLimit, "the emulator's limit per OAuth client across its tokens, requests per minute (org.app.user.rate.per.minute); -1: none")
	fs.IntVar(&o.limits.TokenCreationRate, "token-rate", emulator.DefaultTokenCreationLimit, "the emulator's limit on tokens an OAuth client creates per minute; -1: none")
	fs.IntVar(&o.defaultPool, "default-access-tokens", providerDefaultAccessTokens, "the provider's default max_access_tokens, which the floor of an -access-tokens default run assumes")
	fs.StringVar(&o.terraform, "terraform", defaultTerraform(), "Terraform CLI (default: $TERRAFORM, $TF_ACC_TERRAFORM_PATH, or .tools/terraform-1.16.2/terraform)")
	fs.StringVar(&o.provider, "provider", "", "the provider's source directory (default: found from the current directory, which must be inside the repository)")
	fs.StringVar(&o.out, "out", "bench/out", "directory the results are written to")
	fs.StringVar(&o.work, "work", "", "working directory for the provider build and terraform runs (default: a temporary one, removed afterwards)")
	fs.BoolVar(&o.keep, "keep", false, "keep the working directory (terraform logs, state)")
	fs.BoolVar(&o.destroyRefresh, "destroy-refresh", false, "refresh before destroying (terraform destroy's default); off, the destroy phase measures deletes alone")
	fs.StringVar(&o.state, "state", stateLocal, "where Terraform keeps each run's state: local (terraform.tfstate, rewritten after every resource) or http (a remote backend served by the benchmark in memory, saved every 20 s during an apply)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of every provider process into this directory, one subdirectory per run and phase (go tool pprof -top DIR/n500-p10-tdefault/create/*)")
	fs.StringVar(&o.render, "render", "", "run nothing: write results.md and the plot into -out again from this results.json")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	if o.widgets, err = commaList("-n", *widgets, positiveInt); err != nil {
		return o, err
	}
	if o.parallelism, err = commaList("-parallelism", *par, positiveInt); err != nil {
		return o, err
	}
	if o.accessTokens, err = commaList("-access-tokens", *tokens, accessTokenSetting); err != nil {
		return o, err
	}
	for _, l := range []struct {
		name string
		v    *int
	}{{"-rate", &o.limits.TokenRate}, {"-client-rate", &o.limits.ClientRate}, {"-token-rate", &o.limits.TokenCreationRate}} {
		if *l.v == 0 || *l.v < -1 {
			return o, fmt.Errorf("%s must be positive, or -1 for no limit", l.name)
		}
		*l.v = max(*l.v, 0) // 0: off, as Limits says
	}
	if err := validState(o.state); err != nil {
		return o, err
	}
	if o.defaultPool <= 0 {
		return o, errors.New("-default-access-tokens must be positive")
	}
	if o.limits.TokenBurst < 0 {
		return o, errors.New("-burst must not be negative")
	}
	if o.limits.TokenBurst == 0 {
		o.limits.TokenBurst = o.limits.TokenRate
	}
	if o.render != "" {
		return o, nil
	}
	if o.terraform == "" {
		return o, errors.New("no Terraform CLI: set -terraform or $TERRAFORM, or run make tools")
	}
	return o, nil
}

// commaList splits the comma-separated value s of flag name and parses each item, trimmed of
// spaces, with parse. It is the one splitter of the list flags, so they all read items the same
// way; parse says what an item must be in its error, which commaList prefixes with the flag.
func commaList[T any](name, s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		v, err := parse(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func positiveInt(f string) (int, error) {
	if n, err := strconv.Atoi(f); err == nil && n > 0 {
		return n, nil
	}
	return 0, fmt.Errorf("%q is not a positive integer", f)
}

// defaultAccessTokens is "default" in -access-tokens: the run leaves max_access_tokens out.
const defaultAccessTokens = "default"

// providerDefaultAccessTokens is the provider's default for max_access_tokens, which the floor
// of a "default" run assumes unless -default-access-tokens says otherwise: the fewest tokens
// that can spend an OAuth client's whole 3000/min at 300/min each (internal/provider's
// defaultMaxAccessTokens).
const providerDefaultAccessTokens = 10

// accessTokenSetting is one item of -access-tokens: a max_access_tokens value, or
// defaultAccessTokens.
func accessTokenSetting(f string) (string, error) {
	if _, err := positiveInt(f); err != nil && f != defaultAccessTokens {
		return "", fmt.Errorf("%q is neither a positive integer nor %s", f, defaultAccessTokens)
	}
	return f, nil
}

// poolSize is the most tokens a provider process may hold under an -access-tokens setting.
func (o options) poolSize(setting string) int {
	if n, err := strconv.Atoi(setting); err == nil {
		return n
	}
	return o.defaultPool
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
