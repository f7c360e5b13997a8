#!/usr/bin/env bash
# Starts a throwaway single-node Ceph cluster with the RADOS Gateway (a real S3) on 127.0.0.1, entirely
# under a fresh temporary folder: 1 mon, 1 osd on memstore (objects live in the osd's RAM), no mgr, no cephx.
# Creates one S3 user and writes the connection to a state file (mode 0600: it holds the secret key):
#   export S3_ENDPOINT=http://127.0.0.1:PORT  S3_ACCESS_KEY=…  S3_SECRET_KEY=…  RGW_DIR=…
# stdout: the state file's path, nothing else (so `. "$(scripts/rgw/start.sh)"` works); progress on stderr.
# Stop with: scripts/rgw/stop.sh STATE_FILE_OR_DIR
#
# Env: RGW_ACCESS_KEY / RGW_SECRET_KEY  the user's keys (generated when unset)
#      RGW_PORT                         gateway port (default: a free port)
#      RGW_STORE_BYTES                  memstore capacity, i.e. the most RAM objects may take (default 1 GiB)
#      RGW_START_TIMEOUT                seconds before giving up (default 90)
#      RGW_KEEP_ON_FAILURE=1            keep the folder (logs) when the start fails
set -Eeuo pipefail
. "$(dirname "$0")/lib.sh"
t0=$(rgw_now_ms)

missing=$(rgw_missing_binaries)
if [ -n "$missing" ]; then
  echo "RGW tier: missing $missing; run scripts/rgw/install.sh (as root) — or skip the RGW tier locally with SKIP_RGW=1" >&2
  exit 1
fi

D=$(mktemp -d "${TMPDIR:-/tmp}/asapp-rgw.XXXXXX")
touch "$D/$RGW_MARKER"
mkdir -p "$D"/{mon.a,osd.0,out,run,rgw,pids}
CONF="$D/ceph.conf"
STATE="$D/s3.env"
DEADLINE=$(( t0 + ${RGW_START_TIMEOUT:-90} * 1000 ))

die() {
  trap - ERR INT TERM
  rgw_log "start failed: $*"
  # Ceph logs problems at level -1, among harmless notes; show only the lines that say what failed.
  local f pattern=' -1 .*(error|fail|denied|refused|timed out|cannot|could not|in use)'
  for f in "$D"/out/*.log; do
    [ -s "$f" ] && grep -qiE "$pattern" "$f" && { echo "--- $f" >&2; grep -iE "$pattern" "$f" | tail -n 6 >&2; }
  done
  if [ "${RGW_KEEP_ON_FAILURE:-0}" = 1 ]; then
    "$(dirname "$0")/stop.sh" --keep "$D" >&2 || true
    rgw_log "kept $D for inspection"
  else
    "$(dirname "$0")/stop.sh" "$D" >&2 || true
  fi
  exit 1
}
trap 'die "interrupted"' INT TERM
# Anything else that fails unexpectedly must not leave daemons running either.
trap 'die "unexpected failure at line $LINENO"' ERR
# record_pid NAME: copy the pid the daemon wrote (it daemonizes, so $! is not it) into pids/NAME.
record_pid() {
  local i
  for i in $(seq 1 100); do
    [ -s "$D/run/$1.pid" ] && { cp "$D/run/$1.pid" "$D/pids/$1"; return 0; }
    sleep 0.05
  done
  die "$1 wrote no pid file"
}
# wait_for DESCRIPTION CMD…: poll until CMD succeeds or the start deadline passes.
wait_for() {
  local what=$1; shift
  until "$@"; do
    [ "$(rgw_now_ms)" -lt "$DEADLINE" ] || die "timed out waiting for $what"
    sleep 0.05
  done
}
random_key() { local s=''; while [ ${#s} -lt "$2" ]; do s+=$(head -c 64 /dev/urandom | base64 | tr -dc "$1"); done; echo "${s:0:$2}"; }

# Ports below the kernel's ephemeral range (32768+), so no outgoing connection takes them meanwhile:
# gateway and mon (msgr2 + msgr1) from 20000–29999, nothing listening there now; the osd binds the first
# free ports of a window of its own in 30000–32699.
taken=()
free_port() {
  local p i
  for i in $(seq 1 100); do
    p=$(( 20000 + RANDOM % 10000 ))
    [[ " ${taken[*]} " == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then taken+=("$p"); echo "$p"; return 0; fi
  done
  die "found no free port on 127.0.0.1"
}
PORT=${RGW_PORT:-$(free_port)}
taken+=("$PORT")
MON_PORT=$(free_port); taken+=("$MON_PORT")
MON_PORT1=$(free_port); taken+=("$MON_PORT1")
MS_MIN=$(( 30000 + RANDOM % 2600 ))
MS_MAX=$(( MS_MIN + 99 ))
ENDPOINT="http://127.0.0.1:$PORT"
AK=${RGW_ACCESS_KEY:-AKIA$(random_key 'A-Z0-9' 16)}
SK=${RGW_SECRET_KEY:-$(random_key 'A-Za-z0-9' 40)}
FSID=$(uuidgen)

cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_PORT1]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind port min = $MS_MIN
ms bind port max = $MS_MAX
auth cluster required = none
auth service required = none
auth client required = none
; without cephx radosgw must not ask for 'secure' mon sessions (it would retry for 300 s, then fail)
ms mon client mode = crc
run dir = $D/run
crash dir = $D/out
admin socket = $D/run/\$name.asok
log file = $D/out/\$name.log
pid file = $D/run/\$name.pid
keyring = $D/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
mon data avail crit = 1
mon data avail warn = 1
mon osd full ratio = .99
mon osd nearfull ratio = .99
mon osd backfillfull ratio = .99
osd failsafe full ratio = .99
; commit map changes every 50 ms instead of batching for 1 s: a cold start takes ~1.5 s instead of ~12 s
paxos propose interval = 0.05
paxos min wait = 0.01
[mon]
mon data = $D/mon.\$id
mon cluster log file = $D/out/cluster.log
[osd]
osd data = $D/osd.\$id
osd objectstore = memstore
memstore device bytes = ${RGW_STORE_BYTES:-1073741824}
osd class load list = *
osd class default list = *
; memstore keeps the pg logs in RAM too: with the defaults (up to 10,000 entries + 3,000 dups per pg) the
; osd grew ~90 MiB per 2,400 small writes and never gave it back; a single copy needs no long log
osd min pg log entries = 10
osd max pg log entries = 10
osd pg log dups tracked = 10
osd pg log trim min = 10
[client]
rgw data = $D/rgw
rgw thread pool size = 64
[client.rgw]
pid file = $D/run/client.rgw.pid
log file = $D/out/client.rgw.log
EOF

ceph_cli() { timeout 30 ceph -c "$CONF" --connect-timeout 15 "$@"; }

rgw_log "mon on 127.0.0.1:$MON_PORT (folder $D)"
ceph-authtool --create-keyring --gen-key --name=mon. "$D/keyring" --cap mon 'allow *' >/dev/null
monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_PORT1]" "$D/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap="$D/monmap" --keyring="$D/keyring" >>"$D/out/mkfs.log" 2>&1 || die "ceph-mon --mkfs failed"
ceph-mon -c "$CONF" -i a >>"$D/out/mkfs.log" 2>&1 || die "ceph-mon did not start"
record_pid mon.a

rgw_log "osd on memstore"
OSD_UUID=$(uuidgen)
OSD_ID=$(ceph_cli osd new "$OSD_UUID" 2>>"$D/out/mkfs.log") || die "ceph osd new failed"
[ "$OSD_ID" = 0 ] || die "unexpected osd id '$OSD_ID'"
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >>"$D/out/mkfs.log" 2>&1 || die "ceph-osd --mkfs failed"
ceph-osd -c "$CONF" -i 0 >>"$D/out/mkfs.log" 2>&1 || die "ceph-osd did not start"
record_pid osd.0

# The gateway waits for the osd by itself, and creates its pools; the user is added once it answers
# (radosgw-admin then finds the pools made, and the gateway sees the new user through its cache notifications).
rgw_log "gateway on $ENDPOINT"
radosgw -c "$CONF" -n client.rgw --rgw_frontends="beast endpoint=127.0.0.1:$PORT" >>"$D/out/mkfs.log" 2>&1 \
  || die "radosgw did not start"
record_pid client.rgw
answers() {
  local name
  for name in mon.a osd.0 client.rgw; do rgw_alive "$(cat "$D/pids/$name")" || die "$name exited"; done
  [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$ENDPOINT/" 2>/dev/null)" = 200 ]
}
wait_for "the gateway to answer 200 on $ENDPOINT" answers
# The secret is on this command line for a moment (radosgw-admin takes it from nowhere else); the
# output, which repeats it, is discarded.
timeout 60 radosgw-admin -c "$CONF" user create --uid tests --display-name "asapp-exports tests" \
  --access-key "$AK" --secret-key "$SK" >/dev/null 2>>"$D/out/radosgw-admin.log" || die "radosgw-admin user create failed"

( umask 077
  cat >"$STATE" <<EOF
export S3_ENDPOINT=$ENDPOINT
export S3_ACCESS_KEY=$AK
export S3_SECRET_KEY=$SK
export RGW_DIR=$D
EOF
)
rgw_log "ready in $(rgw_since "$t0"): $ENDPOINT (stop with scripts/rgw/stop.sh $D)"
echo "$STATE"
