// Package e2e holds end-to-end tests that drive the whole product at once: a real Terraform CLI
// applies configurations through the provider to the in-process emulator, and a real headless
// Chromium (Debian's chromium package, driven with chromedp) looks at the emulator's agent
// desktop. It has no code of its own; `make test` installs the browser when it is missing
// (tools/install-chromium.sh), and a missing browser fails the tests rather than skipping them.
package e2e
