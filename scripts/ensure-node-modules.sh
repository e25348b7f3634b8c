#!/usr/bin/env bash
# Installs the project's npm dependencies when node_modules is missing or
# older than package-lock.json (npm ci: exactly what the lock file says).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
marker=node_modules/.package-lock.json
if [[ ! -f "$marker" || package-lock.json -nt "$marker" ]]; then
  echo "ensure-node-modules: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi
