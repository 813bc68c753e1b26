// Package cliflag is the skeleton of the project's programs (the emulator and the screen pop
// trigger): it reads their command lines, flags first, then an environment variable for each flag
// not given, with errors that name the flag or variable but never repeat a value, since values
// may be secrets; it prints their usage, sets up their log and runs them until a signal.
package cliflag

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/hostmatch"
)

// Setting is one flag of a program whose options are a T, with its environment fallback.
type Setting[T any] struct {
	Name, Env, Arg, Help string
	Bool                 bool
	Set                  func(*T, string) error
}

// UsageError is a bad command line or environment setting (exit status 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Errorf returns a *UsageError.
func Errorf(format string, a ...any) error { return &UsageError{fmt.Errorf(format, a...)} }

// Parse applies args, then getenv for the settings not given on the command line, to opts. It
// returns flag.ErrHelp for -h (the caller prints its usage) and a *UsageError for anything wrong.
func Parse[T any](program string, settings []Setting[T], opts *T, args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet(program, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	// The flag package quotes a rejected value in its error, so errors are collected here and
	// reported by flag name only.
	var flagErr error
	for _, s := range settings {
		apply := func(v string) error {
			if err := s.Set(opts, v); err != nil && flagErr == nil {
				flagErr = Errorf("-%s: %w", s.Name, err)
			}
			return nil
		}
		if s.Bool {
			fs.BoolFunc(s.Name, s.Help, apply)
		} else {
			fs.Func(s.Name, s.Help, apply)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return &UsageError{err}
	}
	if flagErr != nil {
		return flagErr
	}
	if fs.NArg() > 0 {
		return Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, s := range settings {
		if given[s.Name] {
			continue
		}
		if v := getenv(s.Env); v != "" {
			if err := s.Set(opts, v); err != nil {
				return Errorf("%s: %w", s.Env, err)
			}
		}
	}
	return nil
}

// WriteUsage writes a program's -h text: head, then each setting with its argument, help and
// environment variable, then tail.
func WriteUsage[T any](w io.Writer, head string, settings []Setting[T], tail string) {
	fmt.Fprint(w, head)
	for _, s := range settings {
		name := "-" + s.Name
		if s.Arg != "" {
			name += " " + s.Arg
		}
		fmt.Fprintf(w, "  %s\n      %s\n      env %s\n", name, s.Help, s.Env)
	}
	fmt.Fprint(w, tail)
}

// Run is a program's body: it reads args and getenv, serves until ctx ends, and writes to stdout
// and stderr.
type Run func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

// Main runs run for the process, with a context that ends on SIGINT or SIGTERM, and exits as
// ExitStatus says.
func Main(program string, run Run) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	status := ExitStatus(program, run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr), os.Stderr)
	stop()
	os.Exit(status)
}

// NewLogger is a program's log: text lines on stderr, debug ones only when verbose. The handler
// is returned too, for http.Server's ErrorLog.
func NewLogger(stderr io.Writer, verbose bool) (*slog.Logger, slog.Handler) {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	h := slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	return slog.New(h), h
}

// ExitStatus reports how a program whose run ended with err exits: 0 for success or -h; 2 for a
// *UsageError, which it writes to stderr with a pointer to -h; 1 for any other error, written too.
func ExitStatus(program string, err error, stderr io.Writer) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %v\nRun %s -h for help.\n", program, err, program)
		return 2
	default:
		fmt.Fprintf(stderr, "%s: %v\n", program, err)
		return 1
	}
}

// ParseBool parses a boolean flag or variable value.
func ParseBool(v string, dst *bool) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return errors.New("want true or false")
	}
	*dst = b
	return nil
}

// CheckListen refuses a listen address beyond this machine unless allowRemote says it is meant:
// both programs serve things (a journal, screen pops) no one else should reach by accident.
func CheckListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", addr, err)
	}
	if allowRemote || hostmatch.IsLoopback(host) {
		return nil
	}
	where := host
	if where == "" {
		where = "every interface"
	}
	return fmt.Errorf("-listen %q would serve on %s, beyond this machine; pass -allow-remote to mean it", addr, where)
}
