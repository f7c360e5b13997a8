#!/usr/bin/env bash
# Installs the Debian packages the RGW test tier needs (Ceph mon/osd, the RADOS Gateway, the admin CLI),
# only when one of their programs is missing. Nothing is started by the install.
# On failure it prints ONE line that says why and how to proceed (install by hand, or skip with SKIP_RGW=1).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

missing=$(rgw_missing_binaries)
[ -z "$missing" ] && exit 0

manual="sudo apt-get install -y --no-install-recommends ${RGW_PACKAGES[*]}"
fail() { echo "RGW tier: $1; install them with: $manual — or skip the RGW tier locally with SKIP_RGW=1" >&2; exit 1; }

command -v apt-get >/dev/null 2>&1 || fail "missing $missing and no apt-get on this machine"
[ "$(id -u)" = 0 ] || fail "missing $missing and not running as root"

t0=$(rgw_now_ms)
rgw_log "installing ${RGW_PACKAGES[*]} (missing: $missing)"
export DEBIAN_FRONTEND=noninteractive
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${RGW_PACKAGES[@]}"; } >"$out" 2>&1; then
  tail -n 15 "$out" >&2
  fail "apt-get could not install ${RGW_PACKAGES[*]} (output above)"
fi
missing=$(rgw_missing_binaries)
[ -z "$missing" ] || fail "still missing $missing after apt-get install"
rgw_log "installed in $(rgw_since "$t0")"
