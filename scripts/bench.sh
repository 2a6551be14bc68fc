#!/usr/bin/env bash
# Prints execution latency per language, warm and with pools disabled, next to a direct host spawn.
#   ./scripts/bench.sh [iterations]     (default 200 per language and mode)
source "$(dirname "$0")/lib.sh"
run_benchmark ExecutionBenchmark "${1:-200}"
