#!/usr/bin/env bash
# Stops a warmbox started by start.sh: SIGTERM, so pools drain within WARM_POOL_GRACEFUL_SHUTDOWN.
source "$(dirname "$0")/lib.sh"
PID_FILE="$WARMBOX_STATE_DIR/server.pid"
if server_running "$PID_FILE"; then
  pid=$(cat "$PID_FILE"); kill -TERM "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && { log "still running after 60 s; killing"; kill -KILL "$pid"; }
  log "warmbox stopped"
else
  log "warmbox is not running"
fi
rm -f "$PID_FILE"
