#!/usr/bin/env bash
# rgw-stop.sh DATA_DIR [--purge] -- stops the cluster rgw-start.sh started in DATA_DIR.
#
# Kills the daemons rgw-start.sh recorded in DATA_DIR/pids ("name pid" lines), by PID only, after checking
# that each PID is still that ceph daemon (/proc/PID/cmdline). SIGKILL is deliberate: rgw-start.sh always
# rebuilds the cluster from nothing, so a graceful stop only costs time (radosgw ~5 s, mon ~2 s, bluestore
# OSD >5 s, and a memstore OSD would first serialise all its objects to disk). --purge then deletes DATA_DIR.
set -uo pipefail
DIR=${1:?usage: rgw-stop.sh DATA_DIR [--purge]}
PURGE=${2:-}
[ -d "$DIR" ] || { echo "no such dir $DIR" >&2; exit 1; }
DIR=$(cd "$DIR" && pwd)
killed=()
if [ -f "$DIR/pids" ]; then
  while read -r name pid; do
    [ -n "${pid:-}" ] && [ -r "/proc/$pid/cmdline" ] || continue
    case "$(tr '\0' ' ' <"/proc/$pid/cmdline")" in
      *"$name"*) kill -KILL "$pid" && killed+=("$pid") ;;
    esac
  done <"$DIR/pids"
fi
for pid in "${killed[@]}"; do
  for _ in $(seq 1 100); do
    st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || break
    [ "$st" = Z ] && break   # dead, waiting to be reaped by init
    sleep 0.05
  done
done
rm -f "$DIR/pids"
[ "$PURGE" = "--purge" ] && rm -rf "${DIR:?}"
echo "stopped (${#killed[@]} daemons)"
