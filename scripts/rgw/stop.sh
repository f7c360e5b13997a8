#!/usr/bin/env bash
# Stops the cluster that start.sh started and removes its folder.
#   scripts/rgw/stop.sh [--keep] [STATE_FILE | RGW_DIR]     (default: $RGW_DIR)
# Signals only the PIDs start.sh recorded, and only while their command line names that folder's
# ceph.conf. Order rgw → osd → mon, one at a time: a gateway whose osd or mon is gone hangs in shutdown.
# Each gets TERM, then KILL after 10 s. --keep leaves the folder (logs) in place.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
t0=$(rgw_now_ms)

keep=0
if [ "${1:-}" = --keep ]; then keep=1; shift; fi
D=${1:-${RGW_DIR:-}}
[ -f "$D" ] && D=$(dirname "$D")
if [ -z "$D" ] || [ ! -d "$D" ]; then echo "usage: scripts/rgw/stop.sh [--keep] STATE_FILE|RGW_DIR (no cluster folder given or found)" >&2; exit 2; fi
D=$(cd "$D" && pwd)
if [ ! -f "$D/$RGW_MARKER" ]; then echo "RGW tier: $D was not made by scripts/rgw/start.sh; not touching it" >&2; exit 2; fi
CONF="$D/ceph.conf"

stop_one() {
  local name=$1 pid i
  pid=$(cat "$D/pids/$name" 2>/dev/null || cat "$D/run/$name.pid" 2>/dev/null || true)
  rgw_ours "$pid" "$CONF" || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 200); do rgw_alive "$pid" || return 0; sleep 0.05; done
  rgw_log "$name (pid $pid) ignored TERM for 10 s: KILL"
  rgw_ours "$pid" "$CONF" && kill -KILL "$pid" 2>/dev/null
  for i in $(seq 1 40); do rgw_alive "$pid" || return 0; sleep 0.05; done
}

# A second Ctrl-C must not leave a half-stopped cluster behind.
trap '' INT
stop_one client.rgw
stop_one osd.0
stop_one mon.a
if [ "$keep" = 1 ]; then
  rgw_log "stopped in $(rgw_since "$t0"); kept $D"
else
  rm -rf -- "$D"
  rgw_log "stopped and removed in $(rgw_since "$t0")"
fi
