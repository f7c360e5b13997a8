#!/usr/bin/env bash
# Runs a command against a throwaway Ceph RADOS Gateway: installs the packages if missing, starts the
# cluster, exports S3_ENDPOINT / S3_ACCESS_KEY / S3_SECRET_KEY and S3_TIER=rgw, runs the command, and
# stops the cluster afterwards — also when the command fails or on Ctrl-C. Exits with the command's code.
#   scripts/rgw/with-rgw.sh npx mocha --require tsx/cjs … 'test/s3/**/*.test.ts'
# SKIP_RGW=1 skips the tier (prints so, exits 0) on a machine that cannot run Ceph; never in CI (CI=true or 1).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if [ $# -eq 0 ]; then echo "usage: scripts/rgw/with-rgw.sh COMMAND [ARGS…]" >&2; exit 2; fi
if [ "${SKIP_RGW:-}" = 1 ]; then
  # CI=true (GitHub, GitLab, most runners) or CI=1: any value but empty/false/0 counts.
  if [ -n "${CI:-}" ] && [ "${CI}" != false ] && [ "${CI}" != 0 ]; then
    rgw_log "SKIP_RGW=1 is ignored in CI: the RGW tier always runs there"
  else
    echo "RGW tier skipped (SKIP_RGW=1): the S3 suite did not run against Ceph RGW" >&2
    exit 0
  fi
fi

"$here/install.sh" || exit 1
# One retry: on a busy machine a port picked as free can be taken before the daemon binds it.
state=$("$here/start.sh") || { rgw_log "start failed; retrying once"; state=$("$here/start.sh"); } || exit 1

stopped=0
cleanup() {
  [ "$stopped" = 1 ] && return
  stopped=1
  "$here/stop.sh" "$state" || true
}
trap cleanup EXIT

. "$state"
export S3_TIER=rgw
# CMD runs in the background so that a signal sent to this script alone (timeout, a CI runner) is handled
# at once: CMD gets TERM, then the cluster is stopped. A terminal's Ctrl-C reaches CMD directly as well.
"$@" <&0 &
child=$!
interrupted() {
  kill -TERM "$child" 2>/dev/null
  wait "$child" 2>/dev/null
  cleanup
  exit "$1"
}
trap 'interrupted 130' INT
trap 'interrupted 143' TERM
trap 'interrupted 129' HUP
wait "$child"
rc=$?
cleanup
exit "$rc"
