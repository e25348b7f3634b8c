#!/usr/bin/env bash
# Installs code-server (VS Code served to a browser) into the project's ignored
# cache folder, so end-to-end tests and the demo run the extension in a real
# VS Code. Idempotent: a finished install is reused. Prints the binary's path.
#
# Why code-server 4.100.3: it is VS Code 1.100 and runs on Node 20; later
# releases need Node 22+. @vscode/test-electron and @vscode/test-web download
# VS Code builds from hosts this machine kind cannot reach.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.cache/code-server-$VERSION"
bin="$dir/node_modules/code-server/out/node/entry.js"
stamp="$dir/.installed"

if [[ -f "$stamp" && -f "$bin" ]]; then
  echo "$bin"
  exit 0
fi

for cmd in node npm tar gzip; do
  command -v "$cmd" >/dev/null || { echo "install-code-server: '$cmd' is missing" >&2; exit 1; }
done
# code-server's native modules need the gssapi headers (kerberos) and its
# ripgrep package needs an rg binary we can hand it (see below).
if ! dpkg -s libkrb5-dev >/dev/null 2>&1 || ! command -v rg >/dev/null; then
  echo "install-code-server: Debian packages libkrb5-dev and ripgrep are needed (scripts/ensure-debian.sh installs them)" >&2
  exit 1
fi

# @vscode/ripgrep 1.15.11 downloads rg from GitHub unless its download cache
# holds the archive already; this machine has no route there, so give it
# Debian's rg in the archive shape it expects.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_tar="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -s "$rg_tar" ]]; then
  mkdir -p "$rg_cache"
  tmp="$(mktemp -d)"
  cp "$(command -v rg)" "$tmp/rg"
  tar -C "$tmp" -czf "$rg_tar.part" rg
  mv "$rg_tar.part" "$rg_tar"
  rm -rf "$tmp"
fi

rm -rf "$dir"
mkdir -p "$dir"
echo '{"name":"execmem-lens-code-server-cache","private":true}' > "$dir/package.json"
log="$dir/install.log"
echo "install-code-server: installing code-server $VERSION into $dir (log: $log)" >&2
# As root npm needs --unsafe-perm for the postinstall; npm_config_yes answers
# the nested `npx node-gyp`; newer npm blocks dependency install scripts unless
# allowed, and code-server's postinstall (and its nested npm install) must run.
if ! (cd "$dir" && npm_config_yes=true npm_config_dangerously_allow_all_scripts=true \
      npm install --no-audit --no-fund --unsafe-perm "code-server@$VERSION" >"$log" 2>&1); then
  echo "install-code-server: npm install failed; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
[[ -f "$bin" ]] || { echo "install-code-server: $bin missing after install" >&2; exit 1; }
touch "$stamp"
echo "$bin"
