#!/usr/bin/env bash
# Prints claim-to-URL-answering latency of development environments: running warm instance, stopped instance, cold.
#   ./scripts/bench-devenv.sh [warm-claims] [cold-claims]   (default 20 and 10; stopped-instance claims as many as warm)
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
  dev.warmbox.bench.DevEnvBenchmark "${1:-20}" "${2:-10}"
