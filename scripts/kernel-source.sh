#!/usr/bin/env bash
# Extracts the parts of a Debian kernel source package that Execmem Lens's demo
# and tests read (arch memory setup and module code, the allocator, kprobes,
# BPF and ftrace callers) into .cache/kernel/linux-source-VERSION, once.
# The tarball comes from Debian's linux-source-VERSION package; nothing of it
# is committed. Prints the extracted tree's path.
#   scripts/kernel-source.sh 6.12
set -euo pipefail

version="${1:?usage: kernel-source.sh VERSION (6.1 or 6.12)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tarball="/usr/src/linux-source-$version.tar.xz"
dest="$root/.cache/kernel"
tree="$dest/linux-source-$version"

patterns=(
  "linux-source-$version/arch/*/mm/*"
  "linux-source-$version/arch/*/kernel/*"
  "linux-source-$version/arch/*/include/asm/*"
  "linux-source-$version/arch/*/net/*"
  "linux-source-$version/mm/execmem.c"
  "linux-source-$version/mm/vmalloc.c"
  "linux-source-$version/include/linux/execmem.h"
  "linux-source-$version/include/linux/moduleloader.h"
  "linux-source-$version/include/linux/vmalloc.h"
  "linux-source-$version/kernel/kprobes.c"
  "linux-source-$version/kernel/module/*"
  "linux-source-$version/kernel/bpf/core.c"
  "linux-source-$version/kernel/trace/ftrace.c"
)
stamp="$tree/.execmem-lens-extracted"
want="$(printf '%s\n' "${patterns[@]}" | sha256sum | cut -c1-16)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$tree"
  exit 0
fi
if [[ ! -f "$tarball" ]]; then
  echo "kernel-source: $tarball is missing; install Debian's package: apt-get install linux-source-$version" >&2
  exit 1
fi
echo "kernel-source: extracting the parts of $tarball the demo and tests read (about 10 s)" >&2
rm -rf "$tree" "$tree.part"
mkdir -p "$tree.part"
# Some patterns match nothing in one version (mm/execmem.c is new in 6.10):
# tar reports those and exits 2; anything else is a real failure.
set +e
tar -xJf "$tarball" -C "$tree.part" --wildcards --no-wildcards-match-slash "${patterns[@]}" 2>"$tree.part.err"
rc=$?
set -e
if [[ $rc -ne 0 ]] && grep -v -E 'Not found in archive|Exiting with failure status due to previous errors' "$tree.part.err" >&2; then
  echo "kernel-source: tar failed (exit $rc)" >&2
  exit 1
fi
rm -f "$tree.part.err"
mv "$tree.part/linux-source-$version" "$tree"
rmdir "$tree.part"
echo "$want" > "$stamp"
echo "$tree"
