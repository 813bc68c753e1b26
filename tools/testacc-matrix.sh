#!/usr/bin/env bash
# Runs the provider's acceptance tests once per CLI in the test matrix and
# prints which passed. Exits non-zero if any failed. `make testacc-matrix`
# installs the CLIs first and calls this.
#
# Usage: tools/testacc-matrix.sh [go test flags...]
# Environment: TESTACC_PACKAGES (default ./internal/provider/...),
#              TESTACC_RUN (default TestAcc), TESTACC_TIMEOUT (default 60m).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

packages=${TESTACC_PACKAGES:-./internal/provider/...}
run=${TESTACC_RUN:-TestAcc}
timeout=${TESTACC_TIMEOUT:-60m}
export TF_CLI_CONFIG_FILE=${TF_CLI_CONFIG_FILE:-$repo_root/.tools/terraformrc}
export CHECKPOINT_DISABLE=1

# By the names tools/install-cli.sh knows; the first is the one `make test` uses.
matrix=(terraform-1.16.2 terraform-1.8.5 tofu-1.12.6)

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
	started=$SECONDS
	# shellcheck disable=SC2086 # $packages may name several packages
	if env "${env[@]}" go test -count=1 -timeout "$timeout" -run "$run" $packages "$@"; then
		results+=("$(printf 'PASS  %-17s %5ss' "$cli" $((SECONDS - started)))")
	else
		results+=("$(printf 'FAIL  %-17s %5ss' "$cli" $((SECONDS - started)))")
		failed=1
	fi
done

echo
echo "=== acceptance test matrix"
printf '  %s\n' "${results[@]}"
exit "$failed"
