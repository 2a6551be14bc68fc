#!/usr/bin/env bash
# Builds everything and starts warmbox on port 8002 with its pools warm. Idempotent: when a server
# started by this script already runs, it says so and shows its status.
#   Installs what is missing (Docker engine, base image), builds the jars and the runtime images,
#   installs the `warmbox` CLI onto PATH (install_cli in lib.sh), starts the server in the background
#   (log: .warmbox/server.log) and waits until /health/ready.
source "$(dirname "$0")/lib.sh"

PORT="${WARMBOX_PORT:-8002}"
PID_FILE="$WARMBOX_STATE_DIR/server.pid"
LOG_FILE="$WARMBOX_STATE_DIR/server.log"
export WARMBOX_DB_PATH="${WARMBOX_DB_PATH:-$WARMBOX_STATE_DIR/warmbox.db}"
export WARMBOX_RUN_DIR="${WARMBOX_RUN_DIR:-/var/lib/warmbox/run}"

JAR="$SERVER_JAR"
running() { server_running "$PID_FILE"; }

if running; then
  log "warmbox already runs (pid $(cat "$PID_FILE")) on port $PORT; stop it with ./scripts/stop.sh"
  curl -fsS "http://127.0.0.1:$PORT/health/ready" >&2 || true; echo >&2
  exit 0
fi

ensure_jdk
ensure_maven
ensure_node
ensure_docker_engine
ensure_oci_runtime
ensure_base_image
build_images
log "building the server jar"
(cd "$WARMBOX_ROOT" && mvn -B -q -ntp -DskipTests package) || die "the Maven build failed"
install_cli

mkdir -p "$WARMBOX_STATE_DIR"
as_root mkdir -p "$WARMBOX_RUN_DIR"
rm -f "$PID_FILE"
# Where this start's lines begin: a key generated at an earlier start is not shown again.
LOG_OFFSET=$( [ -f "$LOG_FILE" ] && stat -c %s "$LOG_FILE" || echo 0)
this_start() { tail -c +"$((LOG_OFFSET + 1))" "$LOG_FILE"; }
log "starting warmbox on port $PORT (log: $LOG_FILE)"
WARMBOX_PORT="$PORT" nohup "$JAVA_HOME/bin/java" -XX:+UseSerialGC -jar "$JAR" \
  >>"$LOG_FILE" 2>&1 &
echo $! >"$PID_FILE"

for _ in $(seq 1 600); do
  running || { tail -n 20 "$LOG_FILE" >&2; die "warmbox stopped during start-up; the log above says why"; }
  # Ready, and past its "listening" line: /health/ready can answer before the key banner is printed.
  if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && grep -q "warmbox listening on port" <<<"$(this_start)"; then
    log "warmbox is ready at http://127.0.0.1:$PORT with its pools warm"
    started=$(this_start)
    if grep -q "generated this admin key" <<<"$started"; then
      log "the admin key generated at first start (shown once, also in $LOG_FILE):"
      grep -A3 "generated this admin key" <<<"$started" | grep -oE 'wb_[A-Za-z0-9_-]+' | tail -n1 >&2
    fi
    exit 0
  fi
  sleep 0.5
done
die "warmbox did not become ready within 5 minutes; see $LOG_FILE"
