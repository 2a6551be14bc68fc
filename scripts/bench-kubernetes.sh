#!/usr/bin/env bash
# Warm latency of a hello world per language through Docker's containers and through Kubernetes' pods,
# one server after the other on the same machine in the same run (docs/kubernetes.md).
#   ./scripts/bench-kubernetes.sh [iterations]     (default 200 per provider and language)
# Builds and starts the single node first (scripts/kubernetes.sh, idempotent: seconds once built).
source "$(dirname "$0")/lib.sh"
"$WARMBOX_ROOT/scripts/kubernetes.sh" build
"$WARMBOX_ROOT/scripts/kubernetes.sh" start
WARMBOX_TEST_KUBECONFIG="$("$WARMBOX_ROOT/scripts/kubernetes.sh" kubeconfig)"
export WARMBOX_TEST_KUBECONFIG
run_benchmark ProviderBenchmark "${1:-200}"
