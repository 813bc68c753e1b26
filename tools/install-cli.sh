#!/usr/bin/env bash
# Installs the Terraform and OpenTofu CLIs the acceptance tests run against
# into .tools/ (ignored by git), building them from the Go module proxy: the
# only place these machines can get them from. A CLI already installed at the
# right version is left alone, so this is cheap to call before every test run.
#
# Usage: tools/install-cli.sh [--path] [CLI...]
#   CLI: terraform (= terraform-1.16.2, the default), terraform-1.8.5,
#        tofu (= tofu-1.12.6), or all.
#   --path: print the absolute path of each CLI's binary and install nothing.
#
# Layout (the GNUmakefile knows these paths):
#   .tools/terraform-1.16.2/terraform
#   .tools/terraform-1.8.5/terraform
#   .tools/tofu-1.12.6/tofu
#   .tools/terraformrc   the CLI configuration file the tests use
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools_dir=${TOOLS_DIR:-$repo_root/.tools}
cli_modules=$repo_root/tools/cli

terraform_version=1.16.2
terraform_legacy_version=1.8.5
tofu_version=1.12.6

die() {
	printf 'install-cli: %s\n' "$*" >&2
	exit 1
}

binary_path() {
	case $1 in
	terraform-*) printf '%s/%s/terraform\n' "$tools_dir" "$1" ;;
	tofu-*) printf '%s/%s/tofu\n' "$tools_dir" "$1" ;;
	esac
}

# canonical maps the names users type onto "<program>-<version>".
canonical() {
	case $1 in
	terraform | "terraform-$terraform_version") echo "terraform-$terraform_version" ;;
	"terraform-$terraform_legacy_version") echo "terraform-$terraform_legacy_version" ;;
	tofu | opentofu | "tofu-$tofu_version") echo "tofu-$tofu_version" ;;
	*) die "unknown CLI '$1' (want terraform, terraform-$terraform_version, terraform-$terraform_legacy_version, tofu or all)" ;;
	esac
}

# The wrapper modules pin the versions too; refuse to build when the two
# disagree, or the binary would never match the version checked for.
check_pin() {
	local gomod=$1 module=$2 version=$3
	grep -Eq "^(require)?[[:space:]]*${module//./\\.} v${version//./\\.}([[:space:]]|$)" "$gomod" ||
		die "$gomod does not require $module v$version; update it together with this script"
}

# CLI configuration file for every run of the CLIs. These machines export
# TF_CLI_CONFIG_FILE pointing at a file that does not exist, and the warning
# the CLIs then print breaks terraform-plugin-testing's version parsing.
write_cli_config() {
	local rc=$tools_dir/terraformrc
	[[ -f $rc ]] && return
	cat >"$rc" <<-'EOF'
		# CLI configuration for the Terraform and OpenTofu CLIs in .tools/.
		# The GNUmakefile exports TF_CLI_CONFIG_FILE pointing here.
		# Intentionally empty: the tests need no credentials or provider mirrors.
	EOF
}

# installed_version prints the first line of `<binary> version`, or nothing.
installed_version() {
	[[ -x $1 ]] || return 0
	TF_CLI_CONFIG_FILE=$tools_dir/terraformrc CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | head -n 1 || true
}

# The CLIs are linked without symbol tables and DWARF (-s -w): they are not
# debugged here, and it makes them smaller and quicker to link.
# version.dev=no makes them print a clean "v1.16.2" rather than "v1.16.2-dev".
#
# go_build runs a Go build command with settings of our own, not the caller's:
# the wrapper modules' go.sum must be complete (-mod=readonly), a go.work
# elsewhere must not leak in, and the binaries are static like the releases.
go_build() {
	env GOFLAGS='-mod=readonly -buildvcs=false' GOWORK=off CGO_ENABLED=0 go "$@"
}

# want_of prints the version line a CLI "<program>-<version>" reports when it is the right build.
want_of() {
	local program=${1%-*} version=${1##*-}
	case $program in
	terraform) echo "Terraform v$version" ;;
	tofu) echo "OpenTofu v$version" ;;
	esac
}

# all_installed succeeds when every named CLI is installed at its version.
all_installed() {
	local name
	for name in "$@"; do
		[[ $(installed_version "$(binary_path "$name")") == "$(want_of "$name")" ]] || return 1
	done
}

install_one() {
	local name=$1 program version want bin dir tmp started
	program=${name%-*}
	version=${name##*-}
	bin=$(binary_path "$name")
	dir=$(dirname "$bin")
	want=$(want_of "$name")

	local have
	have=$(installed_version "$bin")
	if [[ $have == "$want" ]]; then
		echo "$want is installed: $bin"
		return
	fi
	if [[ -e $bin ]]; then
		echo "replacing $bin (it reports '${have:-nothing}', want '$want')"
	fi

	command -v go >/dev/null || die "go is not on PATH; it is needed to build $want"
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	build_dirs+=("$tmp")

	started=$SECONDS
	local ok=true
	case $name in
	"terraform-$terraform_version")
		check_pin "$cli_modules/terraform/go.mod" github.com/hashicorp/terraform "$version"
		echo "building Terraform $version from the Go module proxy (about 2-3 min on 2 cores)..."
		(cd "$cli_modules/terraform" && go_build build -trimpath \
			-ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
			-o "$tmp/terraform" github.com/hashicorp/terraform) || ok=false
		;;
	"terraform-$terraform_legacy_version")
		echo "building Terraform $version from the Go module proxy (about 2-3 min on 2 cores)..."
		# Terraform before v1.9 declares no replace directives, so `go install`
		# builds it as published, with its own go.sum.
		(cd "$tmp" && env GOFLAGS=-buildvcs=false GOWORK=off CGO_ENABLED=0 GOBIN="$tmp" \
			go install -trimpath -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
			"github.com/hashicorp/terraform@v$version") || ok=false
		;;
	"tofu-$tofu_version")
		check_pin "$cli_modules/tofu/go.mod" github.com/opentofu/opentofu "$version"
		echo "building OpenTofu $version from the Go module proxy (about 3-4 min on 2 cores)..."
		(cd "$cli_modules/tofu" && go_build build -trimpath \
			-ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
			-o "$tmp/tofu" github.com/opentofu/opentofu/cmd/tofu) || ok=false
		;;
	esac
	if ! $ok; then
		die "could not build $want (GOPROXY=$(go env GOPROXY)); see the go output above. Building needs the Go module proxy, or a module cache that already holds $program's dependencies."
	fi

	local built
	built=$(installed_version "$tmp/$program")
	[[ $built == "$want" ]] || die "the $program built from the proxy reports '${built:-nothing}', want '$want'"
	mv -f "$tmp/$program" "$bin"
	rm -rf "$tmp"
	echo "built $want in $((SECONDS - started))s: $bin"
}

# Build directories to remove on exit, whether the build succeeded or not.
build_dirs=()
remove_build_dirs() {
	((${#build_dirs[@]} == 0)) || rm -rf "${build_dirs[@]}"
}
trap remove_build_dirs EXIT

main() {
	local print_paths=false names=() arg
	for arg in "$@"; do
		case $arg in
		--path) print_paths=true ;;
		-h | --help)
			sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
			return
			;;
		all) names+=("terraform-$terraform_version" "terraform-$terraform_legacy_version" "tofu-$tofu_version") ;;
		*) names+=("$(canonical "$arg")") ;;
		esac
	done
	((${#names[@]})) || names=("terraform-$terraform_version")

	if $print_paths; then
		for arg in "${names[@]}"; do binary_path "$arg"; done
		return
	fi

	mkdir -p "$tools_dir"
	# Nothing to build: answer without waiting for the lock, which another run may hold for the
	# many minutes a build of some other CLI takes.
	write_cli_config
	if all_installed "${names[@]}"; then
		for arg in "${names[@]}"; do echo "$(want_of "$arg") is installed: $(binary_path "$arg")"; done
		return
	fi
	# Two test runs starting at once must not build the same CLI twice.
	if command -v flock >/dev/null; then
		exec 9>"$tools_dir/.install-cli.lock"
		flock 9
	fi
	write_cli_config
	for arg in "${names[@]}"; do install_one "$arg"; done
}

main "$@"
