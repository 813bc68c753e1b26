#!/usr/bin/env bash
# Runs the provider's acceptance tests (TestAcc*, nothing else) once per CLI in the test matrix,
# lists what each CLI skipped and why, and prints which passed. Exits non-zero if any failed.
# `make testacc-matrix` installs the CLIs first and calls this.
#
# Tests of features newer than a CLI skip themselves on it (tfversion.SkipBelow): provider
# functions and moved blocks below 1.8, write-only attributes below 1.11, identity below 1.12,
# actions and list resources below 1.14. The skip list shows that nothing else was skipped.
#
# Usage: tools/testacc-matrix.sh [go test flags...]
# Environment: TESTACC_CLIS (default "terraform-1.16.2 terraform-1.8.5 tofu-1.12.6"),
#              TESTACC_PACKAGES (default ./internal/provider), TESTACC_RUN (default ^TestAcc),
#              TESTACC_TIMEOUT (default 60m).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

packages=${TESTACC_PACKAGES:-./internal/provider}
run=${TESTACC_RUN:-^TestAcc}
timeout=${TESTACC_TIMEOUT:-60m}
# The CLIs read the configuration file install-cli.sh writes, never the one the machine may point
# TF_CLI_CONFIG_FILE at: when that file is missing, OpenTofu's warning about it breaks
# terraform-plugin-testing's reading of `tofu version`.
export TF_CLI_CONFIG_FILE=${TOOLS_DIR:-$repo_root/.tools}/terraformrc
export CHECKPOINT_DISABLE=1

# By the names tools/install-cli.sh knows.
read -r -a matrix <<<"${TESTACC_CLIS:-terraform-1.16.2 terraform-1.8.5 tofu-1.12.6}"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

results=()
failed=0
for cli in "${matrix[@]}"; do
	bin=$(tools/install-cli.sh --path "$cli")
	if [[ ! -x $bin ]]; then
		echo "testacc-matrix: $bin is missing; run tools/install-cli.sh all" >&2
		exit 1
	fi
	env=(TF_ACC=1 "TF_ACC_TERRAFORM_PATH=$bin")
	if [[ $cli == tofu-* ]]; then
		# terraform-plugin-testing addresses the provider under test as
		# registry.terraform.io/hashicorp/<name> unless told otherwise.
		env+=(TF_ACC_PROVIDER_NAMESPACE=hashicorp TF_ACC_PROVIDER_HOST=registry.opentofu.org)
	fi

	echo "=== acceptance tests with $cli ($bin)"
	log=$logs/$cli.log
	started=$SECONDS
	status=PASS
	# -v for the skip list; the log is printed whole only when the run fails.
	# shellcheck disable=SC2086 # $packages may name several packages
	if ! env "${env[@]}" go test -v -count=1 -timeout "$timeout" -run "$run" $packages "$@" >"$log" 2>&1; then
		status=FAIL
		failed=1
		cat "$log"
	fi
	passed=$(grep -c '^--- PASS' "$log" || true)
	skipped=$(grep -c '^[[:space:]]*--- SKIP' "$log" || true)
	results+=("$(printf '%s  %-17s %5ss  passed: %3s tests; skipped: %2s tests and subtests' "$status" "$cli" $((SECONDS - started)) "$passed" "$skipped")")
	# Each skipped test or subtest and the reason it gave: -v streams a test's log lines after its
	# "=== RUN" (or "=== NAME") line, and reports "--- SKIP" later, subtests after their parent.
	awk '
		/^=== (RUN|CONT|NAME)[ \t]/ { current = $3; next }
		/^[ \t]*--- SKIP: / { printf "  skipped %s: %s\n", $3, reason[$3]; next }
		/^[ \t]+[^ \t]+\.go:[0-9]+: / { line = $0; sub(/^[ \t]+/, "", line); reason[current] = line }
	' "$log"
	grep -E '^(ok|FAIL|---)[[:space:]]' "$log" | grep -v -- '--- PASS\|--- SKIP' || true
done

echo
echo "=== acceptance test matrix"
printf '  %s\n' "${results[@]}"
exit "$failed"
