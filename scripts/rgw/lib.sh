# Shared helpers for the RGW tier scripts (sourced, not run).
# A cluster folder is ours only when it holds the marker file start.sh writes; a PID is ours only when
# its command line names that folder's ceph.conf — so a recycled PID or a stranger's folder is never touched.

RGW_MARKER=.asapp-exports-rgw
RGW_PACKAGES=(ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl)
RGW_BINARIES=(ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool ceph-authtool uuidgen curl)

rgw_log() { echo "[rgw $(date +%T)] $*" >&2; }

# Milliseconds since the epoch, from bash's own clock (no bc/date arithmetic needed).
rgw_now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# "1.4 s" from a start time taken with rgw_now_ms.
rgw_since() { local ms=$(( $(rgw_now_ms) - $1 )); printf '%d.%d s' $((ms / 1000)) $(((ms % 1000) / 100)); }

rgw_missing_binaries() {
  local b missing=()
  for b in "${RGW_BINARIES[@]}"; do command -v "$b" >/dev/null 2>&1 || missing+=("$b"); done
  echo "${missing[*]}"
}

# Alive and not a zombie (daemonized ceph processes are reparented to PID 1, which may reap them late).
rgw_alive() { [ -r "/proc/$1/stat" ] && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$1/stat" 2>/dev/null; }

# rgw_ours PID CONF: the process is alive and was started with our ceph.conf.
rgw_ours() {
  [ -n "$1" ] && rgw_alive "$1" && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}
