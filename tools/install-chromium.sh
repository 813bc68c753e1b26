#!/usr/bin/env bash
# Installs Debian's chromium package when no chromium is on PATH, for the browser tests of the
# agent desktop (internal/e2e). Never downloads a browser from anywhere else. `make test` runs
# it; it needs root (CI runs as root) or sudo. With --path, prints where chromium is and
# installs nothing.
set -euo pipefail

find_chromium() {
	if [[ -n ${CHROMIUM:-} ]]; then echo "$CHROMIUM"; return 0; fi
	command -v chromium || command -v chromium-browser
}

if [[ ${1:-} == --path ]]; then
	find_chromium || true
	exit 0
fi
if path=$(find_chromium); then
	echo "chromium: $path ($("$path" --version 2>/dev/null | head -n 1))"
	exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "install-chromium: chromium is missing and this is not root; run: apt-get install chromium" >&2; exit 1; }
	sudo=(sudo)
fi
command -v apt-get >/dev/null || { echo "install-chromium: no apt-get here; install Chromium and set CHROMIUM to its path" >&2; exit 1; }
echo "install-chromium: installing Debian's chromium package (the agent desktop's browser tests need it)"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq chromium >/dev/null
path=$(find_chromium) || { echo "install-chromium: chromium is still not on PATH after apt-get install" >&2; exit 1; }
echo "chromium: $path ($("$path" --version 2>/dev/null | head -n 1))"
