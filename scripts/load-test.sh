#!/usr/bin/env bash
# Runs one Gatling simulation against a running warmbox (./scripts/start.sh or ./scripts/compose.sh up -d).
#   ./scripts/load-test.sh <simulation> --url http://127.0.0.1:8002 --api-key KEY [--instance-id ID] [-Dwarmbox.x=y ...]
# Simulations: steady, burst, mix, soak (or a class name under dev.warmbox.load). The simulation
# fails the run (non-zero exit) on any failed request, a p99 over its bound, or a hit rate under
# warmbox.minHitRate; load-tests/src/test/java/dev/warmbox/load/*Simulation.java list their properties.
# The HTML report lands in load-tests/target/gatling/.
source "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 steady|burst|mix|soak --url URL --api-key KEY [--instance-id ID] [-Dwarmbox.name=value ...]"; }
[ $# -ge 1 ] || usage
case "$1" in
  steady) simulation=SteadyLoadSimulation ;;
  burst) simulation=BurstSimulation ;;
  mix) simulation=MixedLanguagesSimulation ;;
  soak) simulation=SoakSimulation ;;
  *Simulation) simulation="$1" ;;
  *) usage ;;
esac
shift
url="http://127.0.0.1:${WARMBOX_PORT:-8002}"
api_key="${WARMBOX_API_KEY:-}"
instance_id="${WARMBOX_INSTANCE_ID:-warmbox}"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --api-key) api_key="$2"; shift 2 ;;
    --instance-id) instance_id="$2"; shift 2 ;;
    -D*) extra+=("$1"); shift ;;
    *) usage ;;
  esac
done
[ -n "$api_key" ] || die "give the server's API key with --api-key (or WARMBOX_API_KEY)"

ensure_jdk
ensure_maven
cd "$WARMBOX_ROOT"
exec mvn -B -ntp -pl load-tests gatling:test \
  "-Dgatling.simulationClass=dev.warmbox.load.$simulation" \
  "-Dwarmbox.url=$url" "-Dwarmbox.apiKey=$api_key" "-Dwarmbox.instanceId=$instance_id" "${extra[@]}"
