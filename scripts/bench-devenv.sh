#!/usr/bin/env bash
# Prints claim-to-URL-answering latency of development environments: running warm instance, stopped instance, cold.
#   ./scripts/bench-devenv.sh [warm-claims] [cold-claims]   (default 20 and 10; stopped-instance claims as many as warm)
source "$(dirname "$0")/lib.sh"
run_benchmark DevEnvBenchmark "${1:-20}" "${2:-10}"
