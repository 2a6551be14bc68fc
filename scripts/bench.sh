#!/usr/bin/env bash
# Prints execution latency per language, warm and with pools disabled, next to a direct host spawn.
#   ./scripts/bench.sh [iterations]     (default 200 per language and mode)
source "$(dirname "$0")/lib.sh"
ensure_jdk
ensure_maven
ensure_docker_engine
ensure_base_image
build_images
cd "$WARMBOX_ROOT"
mvn -B -q -ntp -pl server -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile="$WARMBOX_STATE_DIR/bench.classpath" -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -cp "server/target/classes:server/target/test-classes:$(cat "$WARMBOX_STATE_DIR/bench.classpath")" \
  dev.warmbox.bench.ExecutionBenchmark "${1:-200}"
