#!/usr/bin/env bash
# The demo: Execmem Lens in a real VS Code (code-server on 127.0.0.1) on the
# Linux 6.12 sources, with the series explorer pointed at the shared mail
# corpus when it is there. Sets up what is missing first. Ctrl+C stops it.
#   ./scripts/demo.sh           serve it and print the address to open
#   ./scripts/demo.sh --check   set up, start, load the workbench in Chromium,
#                               check the Execmem Lens views are populated, stop
#                               everything it started; exit 0 when all was there
#   EXECMEM_LENS_PORT   port to serve on (default 8080; a free one with --check)
#   EXECMEM_LENS_CORPUS mail folder to show (default ../shared/corpus/threads)
set -euo pipefail
check=()
for arg in "$@"; do
  case "$arg" in
    --check) check=(--check) ;;
    *) echo "demo.sh: unknown argument '$arg' (the one option is --check)" >&2; exit 2 ;;
  esac
done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/ensure-debian.sh
bash scripts/ensure-node-modules.sh
npm run --silent package
bash scripts/install-code-server.sh >/dev/null
tree="$(bash scripts/kernel-source.sh 6.12)"
# The arch map pairs the workspace (6.12, execmem tables) with 6.1 (module_alloc overrides).
old_tree="$(bash scripts/kernel-source.sh 6.1)"
kernels="$(node -p 'JSON.stringify([process.argv[1]])' "$old_tree")"

corpus="${EXECMEM_LENS_CORPUS:-$root/../shared/corpus/threads}"
# The settings go to code-server's user settings, not into the kernel tree: the
# extracted tree in .cache is shared with the tests, and a clone's demo must not
# leave its own paths there.
export EXECMEM_LENS_DEMO_KERNEL_SOURCES="$kernels"
if [[ -d "$corpus" ]]; then
  corpus="$(cd "$corpus" && pwd)"
  EXECMEM_LENS_DEMO_MAIL_SOURCES="[$(node -p 'JSON.stringify(process.argv[1])' "$corpus")]"
  export EXECMEM_LENS_DEMO_MAIL_SOURCES
  export EXECMEM_LENS_DEMO_MAIL=1
else
  echo "demo: no mail corpus at $corpus; the Patch Series view will say how to add mail" >&2
  export EXECMEM_LENS_DEMO_MAIL_SOURCES='[]'
fi

exec node --import tsx scripts/demo.ts "$tree" "${check[@]}"
