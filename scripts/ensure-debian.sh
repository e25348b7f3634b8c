#!/usr/bin/env bash
# Makes sure the Debian packages Execmem Lens's demo and tests use are present:
#   chromium        drives VS Code (code-server) in end-to-end tests
#   libkrb5-dev     gssapi headers code-server's native modules build against
#   ripgrep         the rg binary code-server's search uses (no download here)
#   linux-source-6.1, linux-source-6.12
#                   real kernel C before and after the execmem conversion
#   git, xz-utils, unzip
#                   public-inbox reading, kernel tarballs, VSIX inspection
#   mblaze          the benchmark baseline (npm run bench:series threads the
#                   same messages with mthread)
#   git-email, libmailtools-perl
#                   git send-email, which sends a composed reply (the review
#                   end-to-end test sends one to a local SMTP server)
# As root it installs what is missing; otherwise it names what is missing and stops.
set -euo pipefail

packages=(chromium libkrb5-dev ripgrep linux-source-6.1 linux-source-6.12 git xz-utils unzip mblaze git-email libmailtools-perl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "ensure-debian: missing Debian packages: ${missing[*]}" >&2
  echo "ensure-debian: install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "ensure-debian: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
