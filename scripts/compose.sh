#!/usr/bin/env bash
# Runs warmbox's compose stack with whichever compose tool is installed (`docker compose` or the v1
# `docker-compose`, installed from Debian when neither is), after building what the stack needs:
# the server jar (Maven runs on the host; it cannot inside a container here) and the sandbox images.
#   ./scripts/compose.sh up -d        # start on :8002 (WARMBOX_HOST_PORT), waits until healthy
#   ./scripts/compose.sh logs server  # any other compose command is passed through
#   ./scripts/compose.sh down         # stop gracefully; add -v to drop the database volume
# Variables come from the environment or from .env in the repository root (README).
source "$(dirname "$0")/lib.sh"
ensure_docker_engine
ensure_compose
cd "$WARMBOX_ROOT"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-warmbox}"

if [ "${1:-}" = up ]; then
  ensure_jdk
  ensure_maven
  ensure_node
  ensure_base_image
  build_images
  log "building the server jar"
  mvn -B -q -ntp -DskipTests package || die "the Maven build failed"
  log "building the server image"
  "${COMPOSE[@]}" build -q server
  "${COMPOSE[@]}" "$@"
  case " $* " in *" -d "*|*" --detach "*) ;; *) exit 0 ;; esac
  log "waiting for the pools to warm (docker healthcheck on /health/ready)"
  for _ in $(seq 1 300); do
    id=$("${COMPOSE[@]}" ps -q server)
    health=$(docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo gone)
    case "$health" in
      healthy) log "warmbox is ready at http://127.0.0.1:${WARMBOX_HOST_PORT:-8002}"; exit 0 ;;
      gone) die "the server container is gone; see: ./scripts/compose.sh logs server" ;;
    esac
    sleep 1
  done
  die "warmbox did not become healthy within 5 minutes; see: ./scripts/compose.sh logs server"
fi
exec "${COMPOSE[@]}" "$@"
