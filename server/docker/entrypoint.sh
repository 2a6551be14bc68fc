#!/bin/sh
# Entrypoint of the warmbox server image. Started as root, it
#   1. creates this instance's directory under WARMBOX_RUN_DIR and the database directory, owned by
#      the user warmbox (the run dir is a host directory bind-mounted at the same path, so Docker
#      created it as root);
#   2. looks at the engine socket: when its group may read and write it, java runs as warmbox with
#      that group added (the socket's gid differs between machines, so it is read here, not baked in);
#      when only others may, as warmbox alone; when only its owner may (mode 0600), java has to run as
#      root, and this says so.
# It ends in exec, so java replaces it and receives SIGTERM from the container's init.
set -eu

JAVA_CMD="java -XX:+UseSerialGC -XX:MaxRAMPercentage=50 -jar /opt/warmbox/warmbox-server.jar"
say() { printf '[warmbox-entrypoint] %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  # Started with `user:`: the operator chose the user and groups; nothing to prepare.
  exec $JAVA_CMD "$@"
fi

run_dir="${WARMBOX_RUN_DIR:-/var/lib/warmbox/run}"
instance_dir="$run_dir/${WARMBOX_INSTANCE_ID:-warmbox}"
data_dir="$(dirname "${WARMBOX_DB_PATH:-/var/lib/warmbox/data/warmbox.db}")"
mkdir -p "$instance_dir" "$data_dir"
chown warmbox:warmbox "$instance_dir"
chown -R warmbox:warmbox "$data_dir"

docker_host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
case "$docker_host" in
  unix://*) socket="${docker_host#unix://}" ;;
  *) socket="" ;;
esac

if [ -n "$socket" ] && [ ! -S "$socket" ]; then
  say "no engine socket at $socket: mount the host's socket there (compose.yaml does)"
  exit 1
fi

if [ -z "$socket" ]; then
  say "engine at $docker_host (not a Unix socket): running as warmbox"
  exec setpriv --reuid=warmbox --regid=warmbox --clear-groups $JAVA_CMD "$@"
fi

mode=$(stat -c %a "$socket")
gid=$(stat -c %g "$socket")
group_bits=$(( (0$mode >> 3) & 6 ))
other_bits=$(( 0$mode & 6 ))
if [ "$group_bits" -eq 6 ]; then
  say "engine socket $socket is group $gid, mode $mode: running as warmbox with group $gid"
  exec setpriv --reuid=warmbox --regid=warmbox --groups="$gid" $JAVA_CMD "$@"
elif [ "$other_bits" -eq 6 ]; then
  say "engine socket $socket is mode $mode: running as warmbox"
  exec setpriv --reuid=warmbox --regid=warmbox --clear-groups $JAVA_CMD "$@"
fi
say "engine socket $socket is mode $mode: only its owner may use it, so warmbox runs as root"
exec $JAVA_CMD "$@"
