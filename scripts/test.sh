#!/usr/bin/env bash
# Runs every test: typecheck, unit and end-to-end (the packaged VSIX in a real
# VS Code), ending with the Node test runner's summary of both.
# Sets up what is missing first, so it works on a fresh Debian 12 + Node 20 machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n== %s\n' "$*"; }

step "prerequisites (Debian packages, npm dependencies)"
bash scripts/ensure-debian.sh
bash scripts/ensure-node-modules.sh

step "typecheck (tsc --noEmit, strict: extension/CLI/core and webview)"
npm run --silent typecheck

step "package the VSIX"
npm run --silent package

step "code-server and kernel sources for the tests"
bash scripts/install-code-server.sh >/dev/null
bash scripts/kernel-source.sh 6.1 >/dev/null
bash scripts/kernel-source.sh 6.12 >/dev/null

step "unit and end-to-end tests"
rm -rf test-results
node scripts/run-tests.mjs all
