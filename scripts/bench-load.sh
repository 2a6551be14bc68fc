#!/usr/bin/env bash
# Issue 11: warmbox under concurrency (closed-loop clients), each figure beside the same program spawned
# on the host at the same concurrency, CPU per request by component, and the issue's targets judged.
#   ./scripts/bench-load.sh [duration=30] [warmup=10] [scenarios=python1,python8,javascript8,javascript4,go4,java4]
# The same options work as -Dbench.duration=... in BENCH_JAVA_OPTS. Takes 2 x (warmup + duration) per scenario.
source "$(dirname "$0")/lib.sh"
# The go baseline compiles on the host; Debian's golang-go puts go under /usr/lib/go-1.x.
command -v go >/dev/null || compgen -G '/usr/lib/go*/bin/go' >/dev/null || apt_install golang-go
run_benchmark LoadBenchmark "$@"
