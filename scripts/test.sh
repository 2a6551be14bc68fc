#!/usr/bin/env bash
# Runs the whole test suite: unit tests, then integration tests against the real Docker engine.
# Installs and starts what is missing first (engine, compose tool, base image, images, Chromium for the
# browser test, gVisor's runsc for the hostile-code classes' second run, PostgreSQL's server for the stores'
# tests on PostgreSQL, which start a private cluster of their own, Debian's prometheus and promtool for the
# tests of deploy/prometheus/, which start a prometheus process of their own), and a single-node
# Kubernetes for the Kubernetes integration tests (scripts/kubernetes.sh: built once and cached, started
# here when none runs and then stopped again when the suite ends; a node that already runs is used and
# left running).
source "$(dirname "$0")/lib.sh"
ensure_jdk
ensure_maven
ensure_node
ensure_chromium
ensure_postgresql
ensure_prometheus
ensure_docker_engine
ensure_runsc
ensure_compose
ensure_base_image
build_images
start_kubernetes_node_for_tests
cd "$WARMBOX_ROOT"
mvn -B -ntp verify "$@"
