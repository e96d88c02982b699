#!/usr/bin/env bash
# rgw-start.sh DATA_DIR PORT -- a single-node Ceph RGW (a real S3 server) on 127.0.0.1:PORT, built from nothing.
#
# Ferry's test harness (test/harness/rgw.ts runs it; you can too). Adapted from the reference in
# shared/s3-test-server (docs there: NOTES.md); every setting marked "NOTES" below cost an hour to find.
#
# 1 mon (msgr v2 on 127.0.0.1:MON_PORT), 1 OSD (memstore, or bluestore on a sparse file), radosgw/beast,
# auth none inside the cluster, one S3 user with a fixed key. DATA_DIR's cluster files are wiped and recreated.
# Prints "S3 READY http://127.0.0.1:PORT ..." and exits 0 once the endpoint is usable.
#
# Install (Debian 12 = Ceph 16.2 pacific), as root:
#   apt-get update && apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common uuid-runtime curl
#
# Env overrides:
#   MON_PORT      default PORT+1
#   OSD_BACKEND   memstore (default; RAM only, ~2 s start; for tests) | bluestore (sparse file DATA_DIR/osd.block,
#                 ~6 s start; for benchmarks of 1 GiB and up: memstore never gives memory back)
#   OSD_SIZE_GB   capacity of the OSD (default 16)
#   S3_ACCESS_KEY / S3_SECRET_KEY (defaults below)
# Exit codes: 0 ready, 2 binaries missing, 3 a port is already in use, 4 DATA_DIR still has running daemons,
#   7 a daemon could not bind its port (pick other ports and retry), other = failure (see DATA_DIR/log).
# Files written: DATA_DIR/pids ("name pid" lines, used by rgw-stop.sh and rgw.ts), DATA_DIR/env (endpoint + keys),
#   DATA_DIR/admin.sh (run ceph/radosgw-admin against this cluster), DATA_DIR/log/*.log
# Stop with: rgw-stop.sh DATA_DIR [--purge]
set -euo pipefail

DIR=${1:?usage: rgw-start.sh DATA_DIR PORT}
PORT=${2:?usage: rgw-start.sh DATA_DIR PORT}
MON_PORT=${MON_PORT:-$((PORT + 1))}
OSD_BACKEND=${OSD_BACKEND:-memstore}
OSD_SIZE_GB=${OSD_SIZE_GB:-16}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-TESTACCESSKEY0000001}
S3_SECRET_KEY=${S3_SECRET_KEY:-testsecretkey00000000000000000000000001}
export MON_PORT OSD_BACKEND OSD_SIZE_GB S3_ACCESS_KEY S3_SECRET_KEY

case "$OSD_BACKEND" in
  memstore | bluestore) ;;
  *) echo "OSD_BACKEND must be memstore or bluestore, not '$OSD_BACKEND'" >&2; exit 1 ;;
esac

for b in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool uuidgen curl; do
  command -v "$b" >/dev/null || {
    echo "missing $b: apt-get update && apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common uuid-runtime curl" >&2
    exit 2
  }
done

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$PORT" "$MON_PORT"; do
  if port_busy "$p"; then echo "port $p already in use" >&2; exit 3; fi
done
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
if [ -s "$DIR/pids" ]; then echo "$DIR/pids exists: run rgw-stop.sh $DIR first" >&2; exit 4; fi

rm -rf "${DIR:?}"/{ceph.conf,mon,osd,osd.block,log,run,pids,env,admin.sh}
mkdir -p "$DIR"/{mon,osd,log,run}
export CEPH_CONF="$DIR/ceph.conf"
FSID=$(uuidgen)
T0=$EPOCHREALTIME
log() { awk -v a="$T0" -v b="$EPOCHREALTIME" -v m="$*" 'BEGIN{printf "[rgw-start.sh %6.2fs] %s\n", b-a, m}'; }
bind_failed() { grep -qsiE 'address already in use|unable to bind|failed to bind' "$@"; }

cat >"$CEPH_CONF" <<EOF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
# NOTES: auth none inside the cluster (plus the [client] ms modes below)
auth cluster required = none
auth service required = none
auth client required = none
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
keyring = /dev/null
osd crush chooseleaf type = 0
# NOTES: size 1 + pg num 8 + mon max pg per osd 1000, or RGW's automatic pool creation fails
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool delete = true
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
ms bind ipv4 = true
ms bind ipv6 = false
log to stderr = false
err to stderr = false

[mon]
mon data = $DIR/mon
mon cluster log file = $DIR/log/mon-cluster.log
# NOTES: commit map changes fast; with the default 1 s propose interval every pool RGW creates costs ~2 s
paxos propose interval = 0.05
paxos min wait = 0.01
# a taken mon port is reported after ~1 s instead of 15 s (the caller then retries with other ports)
ms bind retry count = 1
ms bind retry delay = 1

[osd]
osd data = $DIR/osd
osd objectstore = $OSD_BACKEND
memstore device bytes = $((OSD_SIZE_GB * 1024 * 1024 * 1024))
bluestore block path = $DIR/osd.block
bluestore block create = true
bluestore block size = $((OSD_SIZE_GB * 1024 * 1024 * 1024))
bluestore fsck on mount = false
osd memory target = 1073741824
osd class load list = *
osd class default list = *

[client]
# NOTES: radosgw defaults to ms_mon_client_mode=secure + auth_client_required=cephx; with auth none that
# hangs for 300 s ("authenticate timed out") -> force crc/none
ms mon client mode = crc
ms client mode = crc
auth client required = none
client mount timeout = 30
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw thread pool size = 64
rgw dns name = localhost
rgw enable usage log = false
# NOTES: deleted/overwritten/aborted data is reclaimed within ~10 s instead of 2 h
# (force it with: radosgw-admin gc process --include-all)
rgw gc obj min wait = 10
rgw gc processor period = 10
# Issue #12: SSE-C over plain HTTP (the tests' endpoint is http://127.0.0.1), and SSE-KMS with RGW's
# testing backend (fixed keys written here; never for production)
rgw crypt require ssl = false
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = testkey-1=YmluCmJvb3N0CmJvb3N0LWJ1aWxkCmNlcGguY29uZgo= testkey-2=aWIKTWFrZWZpbGUKbWFuCm91dApzcmMKVGVzdGluZwo=
EOF

: >"$DIR/pids"
alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# Daemons run in the foreground (-f) as children of this script, so that in supervise mode this script
# (still running) reaps them when they are killed; otherwise they would become zombies of an init that
# may never reap them.
declare -A DPID=()
start_daemon() { # start_daemon NAME COMMAND... -> records "NAME PID" in DIR/pids
  local name=$1; shift
  "$@" -f </dev/null >>"$DIR/log/$name.out" 2>&1 &
  DPID[$name]=$!
  echo "${1##*/} $!" >>"$DIR/pids"
}
# Kill the daemons this script started and reap them (they are our children: their PIDs cannot have been
# reused before we reap them), then forget them.
kill_daemons() {
  local pid
  for pid in "${DPID[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${DPID[@]}"; do wait "$pid" 2>/dev/null || true; done
  DPID=()
  rm -f "$DIR/pids"
}
on_exit() {
  local rc=$?
  set +e
  [ -n "${SLEEPER:-}" ] && kill "$SLEEPER" 2>/dev/null && wait "$SLEEPER" 2>/dev/null
  # a failed start leaves nothing running; in supervise mode, a stopped keeper neither
  if [ "$rc" -ne 0 ] || [ -n "${SUPERVISING:-}" ]; then kill_daemons; fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# --- mon ---
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/run/monmap" >/dev/null
ceph-mon -i a --mkfs --monmap "$DIR/run/monmap" --keyring /dev/null
start_daemon mon.a ceph-mon -i a
for _ in $(seq 1 200); do port_busy "$MON_PORT" && break; alive "${DPID[mon.a]}" || break; sleep 0.05; done
if ! alive "${DPID[mon.a]}"; then
  if bind_failed "$DIR/log/mon.a.out" "$DIR/log/mon.a.log"; then echo "mon could not bind 127.0.0.1:$MON_PORT" >&2; exit 7; fi
  echo "ceph-mon exited; see $DIR/log/mon.a.log" >&2; exit 5
fi
timeout --foreground 20 ceph mon stat >/dev/null || { echo "mon did not answer; see $DIR/log/mon.a.log" >&2; exit 5; }
log "mon up on 127.0.0.1:$MON_PORT"

# --- osd ---
OSD_UUID=$(uuidgen)
OSD_ID=$(ceph osd new "$OSD_UUID")
ceph-osd -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd-mkfs.out" 2>&1
ceph osd crush add "osd.$OSD_ID" 1 root=default host=localhost >/dev/null 2>&1
start_daemon "osd.$OSD_ID" ceph-osd -i "$OSD_ID"
up=
for _ in $(seq 1 600); do
  ceph osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up" && { up=1; break; }
  alive "${DPID[osd.$OSD_ID]}" || break
  sleep 0.1
done
[ -n "$up" ] || { echo "osd did not come up; see $DIR/log/osd.$OSD_ID.log" >&2; exit 5; }
log "osd.$OSD_ID up ($OSD_BACKEND)"

# --- rgw ---
wait_rgw() { # waits until our radosgw answers on PORT
start_daemon client.rgw.a radosgw -n client.rgw.a
RGW_PID=${DPID[client.rgw.a]}
ready=
for _ in $(seq 1 600); do
  if ! alive "$RGW_PID"; then
    if bind_failed "$DIR/log/client.rgw.a.log"; then echo "radosgw could not bind 127.0.0.1:$PORT" >&2; exit 7; fi
    echo "radosgw exited; see $DIR/log/client.rgw.a.log" >&2; exit 6
  fi
  # An anonymous GET / on RGW lists the buckets of user "anonymous": this proves that the answer comes
  # from our radosgw, not from some other server that holds the port.
  body=$(curl -s --max-time 2 "http://127.0.0.1:$PORT/" || true)
  case "$body" in *ListAllMyBucketsResult*anonymous*) ready=1; break ;; esac
  sleep 0.1
done
if [ -z "$ready" ]; then
  if bind_failed "$DIR/log/client.rgw.a.log"; then echo "radosgw could not bind 127.0.0.1:$PORT" >&2; exit 7; fi
  echo "rgw did not answer; see $DIR/log/client.rgw.a.log" >&2; exit 6
fi
}
wait_rgw
log "rgw answering on 127.0.0.1:$PORT"
radosgw-admin user create --uid=tester --display-name=Tester --max-buckets=10000 \
  --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null 2>"$DIR/log/user-create.err"
# Issue #12: a second storage class, COLD, in the default placement (its own data pool), so that
# --storage-class is stored and answered by HeadObject. radosgw created the default zone at its first
# start (the user is created before: a radosgw-admin write after the restart waits ~30 s for the
# killed radosgw's watch to time out) and reads placements only when it starts: add the class, then
# start radosgw again (~0.5 s).
if {
  radosgw-admin zonegroup placement add --rgw-zonegroup default --placement-id default-placement --storage-class COLD &&
    radosgw-admin zone placement add --rgw-zone default --placement-id default-placement --storage-class COLD \
      --data-pool default.rgw.cold.data
} >"$DIR/log/placement.out" 2>&1; then
  kill -KILL "$RGW_PID" 2>/dev/null || true
  wait "$RGW_PID" 2>/dev/null || true
  sed -i "/ $RGW_PID\$/d" "$DIR/pids"
  wait_rgw
  log "rgw restarted with the storage class COLD"
else
  echo "could not add the storage class COLD (see $DIR/log/placement.out); going on without it" >&2
fi

cat >"$DIR/env" <<EOF
export S3_ENDPOINT=http://127.0.0.1:$PORT
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_DEFAULT_REGION=us-east-1
EOF
printf '#!/bin/sh\n# usage: admin.sh radosgw-admin gc process --include-all | admin.sh ceph -s\nCEPH_CONF=%s exec "$@"\n' "$CEPH_CONF" >"$DIR/admin.sh"
chmod +x "$DIR/admin.sh"
log "S3 user ready ($(ceph-osd --version | awk '{print $3, $5}'))"
echo "S3 READY http://127.0.0.1:$PORT access=$S3_ACCESS_KEY secret=$S3_SECRET_KEY"

# --- supervise mode (RGW_SUPERVISE=1, used by rgw.ts): stay as the daemons' parent until they die ---
# Reaps the daemons when they are killed (no zombies), kills them when this script gets TERM/INT/HUP, and,
# if RGW_OWNER_PID is set, kills them within a second of that process dying (a crashed test run leaks nothing).
[ -n "${RGW_SUPERVISE:-}" ] || exit 0
SUPERVISING=1
exec </dev/null >>"$DIR/log/supervise.out" 2>&1
while :; do
  any=
  for pid in "${DPID[@]}"; do alive "$pid" && any=1; done
  [ -n "$any" ] || break
  if [ -n "${RGW_OWNER_PID:-}" ] && ! kill -0 "$RGW_OWNER_PID" 2>/dev/null; then
    echo "owner $RGW_OWNER_PID is gone: stopping"; break
  fi
  sleep 1 & SLEEPER=$!
  wait "$SLEEPER" || true   # a trapped signal interrupts this wait at once
  SLEEPER=
done
exit 0
