package cliflag

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
)

func TestCheckListen(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:8787", false, true},
		{"127.0.0.2:8787", false, true},
		{"localhost:8787", false, true},
		{"[::1]:8787", false, true},
		{"0.0.0.0:8787", false, false},
		{"[::]:8787", false, false},
		{":8787", false, false},
		{"10.1.2.3:8787", false, false},
		{"0.0.0.0:8787", true, true},
		{":8787", true, true},
	} {
		t.Run(fmt.Sprintf("%s remote=%v", tc.addr, tc.remote), func(t *testing.T) {
			if err := CheckListen(tc.addr, tc.remote); (err == nil) != tc.ok {
				t.Errorf("checkListen = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckListenTrigger(t *testing.T) {
	for _, tt := range []struct {
		addr        string
		allowRemote bool
		ok          bool
	}{
		{"127.0.0.1:8788", false, true},
		{"127.0.0.2:0", false, true},
		{"[::1]:8788", false, true},
		{"localhost:8788", false, true},
		{"LOCALHOST:8788", false, true},
		{"0.0.0.0:8788", false, false},
		{"[::]:8788", false, false},
		{":8788", false, false},
		{"192.0.2.10:8788", false, false},
		{"example.com:8788", false, false},
		{"0.0.0.0:8788", true, true},
		{"no-port", true, false},
	} {
		if err := CheckListen(tt.addr, tt.allowRemote); (err == nil) != tt.ok {
			t.Errorf("CheckListen(%q, %t) = %v; want ok %t", tt.addr, tt.allowRemote, err, tt.ok)
		}
	}
}

func TestParse(t *testing.T) {
	type opts struct {
		addr    string
		verbose bool
	}
	settings := []Setting[opts]{
		{Name: "listen", Env: "T_LISTEN", Set: func(o *opts, v string) error {
			if v == "bad" {
				return fmt.Errorf("want host:port")
			}
			o.addr = v
			return nil
		}},
		{Name: "verbose", Env: "T_VERBOSE", Bool: true, Set: func(o *opts, v string) error { return ParseBool(v, &o.verbose) }},
	}
	env := map[string]string{"T_LISTEN": "from-env", "T_VERBOSE": "true"}
	getenv := func(k string) string { return env[k] }

	var o opts
	if err := Parse("t", settings, &o, []string{"-listen", "from-flag"}, getenv); err != nil {
		t.Fatal(err)
	}
	if o.addr != "from-flag" || !o.verbose {
		t.Fatalf("flags must win and the environment fill the rest: %+v", o)
	}
	var ue *UsageError
	if err := Parse("t", settings, &o, []string{"-listen", "bad"}, getenv); !errors.As(err, &ue) || strings.Contains(err.Error(), "bad") {
		t.Fatalf("a bad flag gives a usage error that does not repeat the value: %v", err)
	}
	env["T_LISTEN"] = "bad"
	if err := Parse("t", settings, &o, nil, getenv); !errors.As(err, &ue) || !strings.Contains(err.Error(), "T_LISTEN") {
		t.Fatalf("a bad variable gives a usage error that names it: %v", err)
	}
	if err := Parse("t", settings, &o, []string{"-h"}, getenv); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h gives flag.ErrHelp, got %v", err)
	}
	if err := Parse("t", settings, &o, []string{"extra"}, getenv); !errors.As(err, &ue) {
		t.Fatalf("a stray argument is a usage error, got %v", err)
	}
}

func TestWriteUsage(t *testing.T) {
	type opts struct{}
	var b strings.Builder
	WriteUsage(&b, "Usage: prog [flags]\n\nFlags:\n", []Setting[opts]{
		{Name: "listen", Env: "PROG_LISTEN", Arg: "ADDR", Help: "where to listen"},
		{Name: "verbose", Env: "PROG_VERBOSE", Help: "log more", Bool: true},
	}, "\nThe end.\n")
	want := "Usage: prog [flags]\n\nFlags:\n" +
		"  -listen ADDR\n      where to listen\n      env PROG_LISTEN\n" +
		"  -verbose\n      log more\n      env PROG_VERBOSE\n" +
		"\nThe end.\n"
	if b.String() != want {
		t.Errorf("usage:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		stderr string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{Errorf("-listen: bad"), 2, "prog: -listen: bad\nRun prog -h for help.\n"},
		{errors.New("address in use"), 1, "prog: address in use\n"},
	} {
		var b strings.Builder
		if got := ExitStatus("prog", tc.err, &b); got != tc.status || b.String() != tc.stderr {
			t.Errorf("ExitStatus(%v) = %d, %q; want %d, %q", tc.err, got, b.String(), tc.status, tc.stderr)
		}
	}
}
