#!/usr/bin/env bash
# Issue 11: warmbox under concurrency (closed-loop clients), each figure beside the same program spawned
# on the host at the same concurrency, CPU per request by component, and the issue's targets judged.
#   ./scripts/bench-load.sh [duration=30] [warmup=10] [scenarios=python1,python8,javascript8,javascript4,go4,java4]
# The same options work as -Dbench.duration=... in BENCH_JAVA_OPTS. Takes 2 x (warmup + duration) per scenario.
source "$(dirname "$0")/lib.sh"
ensure_jdk
ensure_maven
ensure_docker_engine
ensure_base_image
build_images
# The go baseline compiles on the host; Debian's golang-go puts go under /usr/lib/go-1.x.
command -v go >/dev/null || compgen -G '/usr/lib/go*/bin/go' >/dev/null || apt_install golang-go
cd "$WARMBOX_ROOT"
mvn -B -q -ntp -pl server -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile="$WARMBOX_STATE_DIR/bench.classpath" -Dmdep.includeScope=test >/dev/null
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of JVM options
exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} \
  -cp "server/target/classes:server/target/test-classes:$(cat "$WARMBOX_STATE_DIR/bench.classpath")" \
  dev.warmbox.bench.LoadBenchmark "$@"
