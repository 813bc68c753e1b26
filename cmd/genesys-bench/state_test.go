package main

import (
	"errors"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTTPStateWithTerraform runs the real Terraform CLI against the benchmark's http backend:
// init, apply and destroy of a terraform_data resource (Terraform's own provider, so nothing is
// installed), with the state only in the store, never in terraform.tfstate.
func TestHTTPStateWithTerraform(t *testing.T) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set (make test sets it)")
	}
	store, url, stop, err := startStateStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "terraformrc"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	b := &bench{opts: options{state: stateHTTP}, terraform: terraform, work: work, states: store, stateURL: url,
		log: log.New(io.Discard, "", 0)}
	dir := filepath.Join(work, "runs", "one")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tf := "terraform {\n" + b.backendTF(dir) + "}\n\nresource \"terraform_data\" \"x\" {\n  input = \"kept remotely\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	if doc, err := b.readState(dir); doc != nil || err != nil {
		t.Fatalf("state before init: %q, %v", doc, err)
	}
	for _, args := range [][]string{
		{"init", "-input=false", "-no-color"},
		{"apply", "-auto-approve", "-input=false", "-no-color"},
	} {
		if code, _, _, out := b.terraformRun(t.Context(), dir, args[0], args); code != 0 {
			t.Fatalf("terraform %s exited %d:\n%s", args[0], code, out)
		}
	}
	doc, err := b.readState(dir)
	if err != nil || !strings.Contains(string(doc), `"kept remotely"`) {
		t.Fatalf("the store holds no state with the resource: %v\n%s", err, doc)
	}
	if _, err := os.Stat(filepath.Join(dir, "terraform.tfstate")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("terraform.tfstate exists beside the http backend: %v", err)
	}
	args := []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
	if code, _, _, out := b.terraformRun(t.Context(), dir, "destroy", args); code != 0 {
		t.Fatalf("terraform destroy exited %d:\n%s", code, out)
	}
	if doc, _ := b.readState(dir); strings.Contains(string(doc), "terraform_data") {
		t.Errorf("the resource is still in the stored state after destroy:\n%s", doc)
	}
}
