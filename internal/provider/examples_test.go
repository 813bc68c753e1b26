package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
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

// exampleExpectations says what each documentation example makes, so TestAccExamples checks
// the example does what its text says rather than only that it applies. Every example under
// examples/ must have an entry: a new example without one fails the test.
var exampleExpectations = map[string]func(emu *testEmulator) ([]statecheck.StateCheck, resource.TestCheckFunc){
	"resources/genesys_agent_widget": func(emu *testEmulator) ([]statecheck.StateCheck, resource.TestCheckFunc) {
		const addr = "genesys_agent_widget.dashboard"
		return []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("Agent dashboard")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("reported_state"), knownvalue.StringExact("ACTIVE")),
			}, func(s *terraform.State) error {
				ins := emu.Integrations("org-a")
				if len(ins) != 1 {
					return fmt.Errorf("org-a has %d integrations, want the example's one", len(ins))
				}
				in := ins[0]
				if id := s.RootModule().Resources[addr].Primary.ID; in.ID != id || in.Name != "Agent dashboard" || in.ReportedState.Code != "ACTIVE" {
					return fmt.Errorf("integration %s %q reports %s; want %s \"Agent dashboard\" ACTIVE", in.ID, in.Name, in.ReportedState.Code, id)
				}
				cfg, ok := emu.IntegrationConfig("org-a", in.ID)
				if !ok {
					return fmt.Errorf("integration %s has no configuration", in.ID)
				}
				for name, want := range map[string]string{
					"url":         "https://widgets.example.com/dashboard/index.html",
					"displayType": "widget",
					"sandbox":     "allow-forms,allow-popups,allow-same-origin,allow-scripts",
					"permissions": "clipboard-write",
				} {
					if got := fmt.Sprint(cfg.Properties[name]); got != want {
						return fmt.Errorf("configuration property %s = %q, want %q", name, got, want)
					}
				}
				return nil
			}
	},
	"resources/genesys_screenpop": func(emu *testEmulator) ([]statecheck.StateCheck, resource.TestCheckFunc) {
		const addr = "genesys_screenpop.vip_callback"
		return []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("delivered")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("idempotency_key"), knownvalue.NotNull()),
			}, func(s *terraform.State) error {
				key := s.RootModule().Resources[addr].Primary.Attributes["idempotency_key"]
				return emu.checkOnePop("agent-1", "com.example.crm", "https://crm.example.com/agent-view", key,
					map[string]any{"uiMode": "focused", "priority": "high"})
			}
	},
	"actions/genesys_screenpop": func(emu *testEmulator) ([]statecheck.StateCheck, resource.TestCheckFunc) {
		return []statecheck.StateCheck{
				statecheck.ExpectKnownValue("terraform_data.dashboard_release", tfjsonpath.New("input"), knownvalue.StringExact("dashboard-v2")),
			}, func(*terraform.State) error {
				return emu.checkOnePop("agent-1", "com.example.crm", "https://crm.example.com/agent-view", "", nil)
			}
	},
	"data-sources/genesys_agent_widgets": func(emu *testEmulator) ([]statecheck.StateCheck, resource.TestCheckFunc) {
		if err := emu.seedDiscoveryExample(); err != nil {
			return nil, func(*terraform.State) error { return err }
		}
		return []statecheck.StateCheck{
			// Active staging widgets only, in name order; staging-old is inactive, prod-dashboard is not staging.
			statecheck.ExpectKnownOutputValue("staging_widget_names", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("staging-dashboard"), knownvalue.StringExact("staging-notes"),
			})),
		}, nil
	},
	"data-sources/genesys_agent_widget": func(emu *testEmulator) ([]statecheck.StateCheck, resource.TestCheckFunc) {
		if err := emu.seedDiscoveryExample(); err != nil {
			return nil, func(*terraform.State) error { return err }
		}
		return []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("manifest_urls", knownvalue.MapExact(map[string]knownvalue.Check{
				"staging-dashboard": knownvalue.StringExact("https://widgets.example.com/staging/dashboard/"),
				"staging-notes":     knownvalue.StringExact("https://widgets.example.com/staging/notes/"),
				"staging-old":       knownvalue.StringExact("https://widgets.example.com/staging/old/"),
			})),
		}, nil
	},
	"data-sources/genesys_organization": func(emu *testEmulator) ([]statecheck.StateCheck, resource.TestCheckFunc) {
		const addr = "data.genesys_organization.current"
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("org-a")),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("Org A")),
			statecheck.ExpectKnownOutputValue("org_name", knownvalue.StringExact("Org A")),
		}, nil
	},
}

// checkOnePop checks that org-a got exactly one screen pop, and what it carried: the user,
// application, target (the URI before its context fragment), the idempotency key ("" = any) and
// state entries.
func (e *testEmulator) checkOnePop(userID, applicationID, target, key string, state map[string]any) error {
	pops := e.ScreenPops("org-a")
	if len(pops) != 1 {
		return fmt.Errorf("%d screen pops delivered, want the example's one", len(pops))
	}
	p := pops[0]
	if p.UserID != userID || p.ApplicationID != applicationID || !strings.HasPrefix(p.URI, target) {
		return fmt.Errorf("pop to %s of %s at %s; want %s, %s, %s", p.UserID, p.ApplicationID, p.URI, userID, applicationID, target)
	}
	if key != "" && p.IdempotencyKey != key {
		return fmt.Errorf("pop under idempotency key %s, state has %s", p.IdempotencyKey, key)
	}
	for k, want := range state {
		if got := p.State[k]; got != want {
			return fmt.Errorf("pop state %s = %v, want %v", k, got, want)
		}
	}
	return nil
}

// TestAccExamples applies every documentation example, each with the provider example's block,
// against its own emulator, configured the way a user would (credentials and endpoints from the
// environment), and checks what it made.
func TestAccExamples(t *testing.T) {
	providerExample := readExample(t, "provider")
	dirs, err := filepath.Glob(filepath.Join(examplesDir, "*", "genesys_*"))
	if err != nil || len(dirs) < 4 {
		t.Fatalf("found only %v under examples/", dirs)
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(examplesDir, dir)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "list-resources") {
			continue // queries, not applies: TestAccAgentWidgetList_findsTheOrgsWidgets runs them
		}
		expect, ok := exampleExpectations[rel]
		if !ok {
			t.Errorf("example %s has no expectations: add what it makes to exampleExpectations", rel)
			continue
		}
		t.Run(rel, func(t *testing.T) {
			emu := newTestEmulator(t, emulator.Config{})
			t.Setenv(envClientID, "org-a-client")
			t.Setenv(envClientSecret, "org-a-secret")
			t.Setenv(envAPIURL, emu.URL)
			t.Setenv(envLoginURL, emu.URL)
			t.Setenv(envSigningSecret, emulator.DefaultSigningSecret)
			stateChecks, check := expect(emu)
			config := providerExample + readExample(t, rel)
			tc := resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:            config,
					ConfigStateChecks: stateChecks,
					Check:             check,
				}},
			}
			if addr, ok := importExample(t, dir); ok {
				// The documented import: by ID, into the address the example's command names,
				// giving back what the apply saved.
				tc.Steps = append(tc.Steps, resource.TestStep{
					Config:                  config,
					ResourceName:            addr,
					ImportState:             true,
					ImportStateVerify:       true,
					ImportStateVerifyIgnore: []string{"timeouts"},
				})
			}
			if strings.HasPrefix(rel, "actions") {
				tc.TerraformVersionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}
			}
			resource.Test(t, tc)
		})
	}
}

// importExample reads the example's import.sh, if it has one, and returns the resource address
// its `terraform import ADDRESS ID` command names.
func importExample(t *testing.T, dir string) (string, bool) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "import.sh"))
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == "terraform" && f[1] == "import" {
			return f[2], true
		}
	}
	t.Fatalf("%s/import.sh has no `terraform import ADDRESS ID` line", dir)
	return "", false
}

// TestAccExampleDemo applies the demo that make demo runs, with the provider built as a real
// binary: each aliased provider block (one per org) is then its own plugin process, as in
// production. (In-process test providers share one server between aliases.)
func TestAccExampleDemo(t *testing.T) {
	cli := newTerraformCLI(t, readExample(t, "demo"))
	emu := newTestEmulator(t, emulator.Config{})
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	vars := []string{"-var", "api_url=" + emu.URL, "-var", "audit_log_path=" + auditPath}

	if out, err := cli.run(append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, vars...)...); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	for _, check := range []resource.TestCheckFunc{
		emu.checkIntegrationCount("org-a", 3), emu.checkIntegrationCount("org-b", 3), emu.checkPops(1),
	} {
		if err := check(nil); err != nil {
			t.Error(err)
		}
	}
	out, err := cli.run("output", "-json", "widgets")
	if err != nil || !strings.Contains(out, "(ACTIVE)") || strings.Contains(out, "not promoted") {
		t.Errorf("widgets output: %v\n%s", err, out)
	}
	if out, err := cli.run(append([]string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}, vars...)...); err != nil {
		t.Errorf("the plan after apply is not empty (%v):\n%s", err, out)
	}
	if out, err := cli.run(append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...); err != nil {
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

// terraformCLI runs the Terraform CLI under test by hand, against the provider built as a real
// binary (a dev override), for tests that need what terraform-plugin-testing does not give: what
// the CLI prints (warnings), or one plugin process per provider block.
type terraformCLI struct {
	path string // the CLI
	dir  string // the working directory, holding the configuration
	rc   string // CLI configuration with the dev override
}

// requiredProviders names the provider's source, which a configuration run by hand needs.
const requiredProviders = `
terraform {
  required_providers {
    genesys = { source = "terraform-genesys/genesys" }
  }
}
`

// newTerraformCLI builds the provider and writes config as main.tf of a fresh working directory.
// It skips the test unless acceptance tests are on.
func newTerraformCLI(t *testing.T, config string) *terraformCLI {
	t.Helper()
	terraformPath := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || terraformPath == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
	}
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
	if err := os.WriteFile(filepath.Join(run, "main.tf"), []byte(config), 0o644); err != nil {
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
	return &terraformCLI{path: terraformPath, dir: run, rc: rc}
}

// run runs the CLI in the working directory and returns what it printed.
func (c *terraformCLI) run(args ...string) (string, error) {
	cmd := exec.Command(c.path, append([]string{"-chdir=" + c.dir}, args...)...)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+c.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cliVersion is a Terraform CLI's version, as `terraform version -json` gives it.
type cliVersion struct {
	Version      string `json:"terraform_version"`
	major, minor int
}

func (v cliVersion) String() string { return v.Version }

func (v cliVersion) atLeast(major, minor int) bool {
	return v.major > major || v.major == major && v.minor >= minor
}

// version asks the CLI its version.
func (c *terraformCLI) version(t *testing.T) cliVersion {
	t.Helper()
	out, err := c.run("version", "-json")
	var v cliVersion
	if err == nil {
		err = json.Unmarshal([]byte(out), &v)
	}
	if err == nil {
		_, err = fmt.Sscanf(v.Version, "%d.%d", &v.major, &v.minor)
	}
	if err != nil {
		t.Fatalf("terraform version -json: %v\n%s", err, out)
	}
	return v
}
