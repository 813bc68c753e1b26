package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/emulator"
)

const examplesDir = "../../examples"

// readExample returns the Terraform files of an example directory, joined.
func readExample(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example in %s: %v", dir, err)
	}
	var b strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(raw)
		b.WriteString("\n")
	}
	return b.String()
}

// TestAccExamples applies every documentation example, each with the provider example's block,
// against the emulator, configured the way a user would: credentials and endpoints from the
// environment.
func TestAccExamples(t *testing.T) {
	emu := newTestEmulator(t, emulator.Config{})
	providerExample := readExample(t, "provider")
	dirs, err := filepath.Glob(filepath.Join(examplesDir, "*", "genesys_*"))
	if err != nil || len(dirs) < 4 {
		t.Fatalf("found only %v under examples/", dirs)
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(examplesDir, dir)
		if strings.HasPrefix(rel, "list-resources") {
			continue // queries, not applies: TestAccAgentWidgetList_findsTheOrgsWidgets runs them
		}
		t.Run(rel, func(t *testing.T) {
			t.Setenv(envClientID, "org-a-client")
			t.Setenv(envClientSecret, "org-a-secret")
			t.Setenv(envAPIURL, emu.URL)
			t.Setenv(envLoginURL, emu.URL)
			t.Setenv(envSigningSecret, emulator.DefaultSigningSecret)
			tc := resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: providerExample + readExample(t, rel)}},
			}
			if strings.HasPrefix(rel, "actions") {
				tc.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}
			}
			resource.Test(t, tc)
		})
	}
}

// TestAccExampleDemo applies the demo that make demo runs, with the provider built as a real
// binary: each aliased provider block (one per org) is then its own plugin process, as in
// production. (In-process test providers share one server between aliases.)
func TestAccExampleDemo(t *testing.T) {
	terraformPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraformPath == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
	}
	emu := newTestEmulator(t, emulator.Config{})
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	run := filepath.Join(dir, "run")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-genesys"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	if err := os.MkdirAll(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run, "main.tf"), []byte(readExample(t, "demo")), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "terraformrc")
	host := "registry.terraform.io"
	if h := os.Getenv("TF_ACC_PROVIDER_HOST"); h != "" {
		host = h
	}
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		host+"/terraform-genesys/genesys", bin)
	if err := os.WriteFile(rc, []byte(rcText), 0o644); err != nil {
		t.Fatal(err)
	}
	auditPath := filepath.Join(dir, "audit.jsonl")
	vars := []string{"-var", "api_url=" + emu.URL, "-var", "audit_log_path=" + auditPath}
	tf := func(args ...string) (string, error) {
		cmd := exec.Command(terraformPath, append([]string{"-chdir=" + run}, args...)...)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	if out, err := tf(append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, vars...)...); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	for _, check := range []resource.TestCheckFunc{
		emu.checkIntegrationCount("org-a", 3), emu.checkIntegrationCount("org-b", 3), emu.checkPops(1),
	} {
		if err := check(nil); err != nil {
			t.Error(err)
		}
	}
	out, err := tf("output", "-json", "widgets")
	if err != nil || !strings.Contains(out, "(ACTIVE)") || strings.Contains(out, "not promoted") {
		t.Errorf("widgets output: %v\n%s", err, out)
	}
	if out, err := tf(append([]string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}, vars...)...); err != nil {
		t.Errorf("the plan after apply is not empty (%v):\n%s", err, out)
	}
	if out, err := tf(append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...); err != nil {
		t.Fatalf("terraform destroy: %v\n%s", err, out)
	}
	for _, check := range []resource.TestCheckFunc{emu.checkNoIntegrations("org-a"), emu.checkNoIntegrations("org-b")} {
		if err := check(nil); err != nil {
			t.Error(err)
		}
	}
	if err := checkFileHasNo(auditPath, "org-a-secret", "org-b-secret", emulator.DefaultSigningSecret)(nil); err != nil {
		t.Error(err)
	}
}
