#!/usr/bin/env bash
# Installs the non-npm tools the tests use when missing (Debian packages, as root), or says in one line
# exactly what to install. Tiers that need more (Ceph, code-server, Chromium) have their own installers.
set -euo pipefail
need=()
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
# the Debian awscli (not a pyenv shim) reads the profiles we write: one test checks it does
[ -x /usr/bin/aws ] || need+=(awscli)
# a self-signed certificate for the HTTPS download tests
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} (Debian packages) for the tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "The tests need: ${need[*]}. Install with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
