# Shared shell functions for warmbox's scripts. Sourced, never executed.
# Every function is idempotent: it checks what is there before it changes anything.
set -euo pipefail

WARMBOX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WARMBOX_STATE_DIR="${WARMBOX_STATE_DIR:-$WARMBOX_ROOT/.warmbox}"
BASE_IMAGE="debian:trixie-slim"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

SERVER_JAR="$WARMBOX_ROOT/server/target/warmbox-server.jar"

log() { printf '[warmbox] %s\n' "$*" >&2; }
die() { printf '[warmbox] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "this step needs root: $*"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Finds a JDK >= 21 and exports JAVA_HOME; says exactly what is missing otherwise.
ensure_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  command -v javac >/dev/null && candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  for d in /usr/lib/jvm/*; do [ -d "$d" ] && candidates+=("$d"); done
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/javac" ] || continue
    local v
    v=$("$home/bin/javac" -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/')
    if [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 21 ]; then export JAVA_HOME="$home"; export PATH="$home/bin:$PATH"; return 0; fi
  done
  die "no JDK >= 21 found (looked at JAVA_HOME, javac on PATH and /usr/lib/jvm/*). Install one, e.g. 'apt-get install openjdk-21-jdk-headless' on Debian 13 or Temurin 21+, and/or set JAVA_HOME."
}

ensure_maven() {
  command -v mvn >/dev/null || apt_install maven
}

# Debian's Chromium for the browser test (headless, driven over the DevTools protocol): a package,
# because nothing may download a browser build of its own.
ensure_chromium() {
  command -v chromium >/dev/null || apt_install chromium
}

# Debian's PostgreSQL server binaries for the tests, which start private clusters of their own (initdb in
# a temporary directory, pg_ctl on a loopback port: PostgresCluster). Installed only: the packages'
# default "main" cluster is neither created nor started, and nothing of the system's is touched.
ensure_postgresql() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && return 0
  as_root mkdir -p /etc/postgresql-common/createcluster.d
  printf 'create_main_cluster = off\n' | as_root tee /etc/postgresql-common/createcluster.d/warmbox-no-main-cluster.conf >/dev/null
  apt_install postgresql
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || die "initdb missing after installing Debian's postgresql"
}

# Whether the pid in the pid file $1 is this checkout's server: only if that process still runs this
# checkout's jar, since a pid left by a server that died may since belong to any other process.
server_running() {
  [ -f "$1" ] || return 1
  local pid; pid=$(cat "$1")
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] && tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF "$SERVER_JAR"
}

docker_ready() { docker info >/dev/null 2>&1; }

# Starts a Docker engine when none answers: installs Debian's engine if absent and, with no systemd,
# runs dockerd in the background itself.
ensure_docker_engine() {
  docker_ready && return 0
  command -v dockerd >/dev/null || apt_install docker.io
  command -v docker >/dev/null || die "docker client missing after installing docker.io"
  if ! docker_ready; then
    if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
      as_root systemctl start docker || true
    fi
  fi
  if ! docker_ready; then
    log "starting dockerd in the background (log: /var/log/warmbox-dockerd.log)"
    as_root sh -c 'nohup dockerd >/var/log/warmbox-dockerd.log 2>&1 &'
  fi
  for _ in $(seq 1 120); do docker_ready && return 0; sleep 0.5; done
  die "the Docker engine did not answer within 60 s; see /var/log/warmbox-dockerd.log"
}

# Makes the OCI runtime WARMBOX_OCI_RUNTIME names available to the engine, when it names one. For runsc
# (gVisor) it installs Debian's package and registers it in /etc/docker/daemon.json (merged: what else
# the file holds is kept), then asks the engine to reload its configuration (systemd's reload, else
# SIGHUP to the dockerd whose pid file is /var/run/docker.pid): a reload changes no running container.
# This runs only when the operator asked for the runtime; the test suite never calls it.
# Installs gVisor's runsc from Debian without registering it anywhere: the test suite registers it only
# in the private engines it starts itself.
ensure_runsc() { command -v runsc >/dev/null || apt_install runsc; }
engine_has_runtime() { docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q "\"$1\""; }
ensure_oci_runtime() {
  local runtime="${WARMBOX_OCI_RUNTIME:-}"
  [ -z "$runtime" ] && return 0
  engine_has_runtime "$runtime" && return 0
  [ "$runtime" = runsc ] || die "the engine has no OCI runtime '$runtime' (WARMBOX_OCI_RUNTIME); register it in /etc/docker/daemon.json, or use runsc, which warmbox installs itself"
  ensure_runsc
  apt_install jq
  local config=/etc/docker/daemon.json current merged
  current=$( [ -s "$config" ] && as_root cat "$config" || echo '{}')
  # --network=none: the sandbox has no network anyway, and gVisor's own network stack cannot be set
  # up here; --host-uds=all: the agent's Unix socket, made inside the sandbox, is a host socket the
  # server connects to (with only "create" the agent cannot chmod it and the server is refused); the
  # only host directory a sandbox sees is its own socket's, so there is no other host socket to open.
  merged=$(jq --arg path "$(command -v runsc)" \
    '.runtimes.runsc = {path: $path, runtimeArgs: ["--network=none", "--host-uds=all"]}' <<<"$current") \
    || die "$config is not valid JSON; fix it, then start again"
  as_root mkdir -p /etc/docker
  printf '%s\n' "$merged" | as_root tee "$config.warmbox-new" >/dev/null
  as_root mv "$config.warmbox-new" "$config"
  log "registered runsc in $config; reloading the engine's configuration"
  if command -v systemctl >/dev/null && systemctl is-active --quiet docker 2>/dev/null; then
    as_root systemctl reload docker
  elif [ -s /var/run/docker.pid ] && [ "$(ps -o comm= -p "$(cat /var/run/docker.pid)" 2>/dev/null)" = dockerd ]; then
    as_root kill -HUP "$(cat /var/run/docker.pid)"
  else
    die "registered runsc in $config, but found no dockerd to reload (no docker.service, no /var/run/docker.pid); reload your engine, then start again"
  fi
  for _ in $(seq 1 60); do engine_has_runtime runsc && { log "the engine runs sandboxes under runsc"; return 0; }; sleep 0.5; done
  die "the engine did not pick up runsc from $config within 30 s; it may read another configuration file (dockerd --config-file)"
}

# Makes a compose tool available and sets COMPOSE to the command line that runs it: the `docker compose`
# plugin where it is installed, else the v1 `docker-compose`, installed from Debian (1.29) when neither is.
ensure_compose() {
  if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); return 0; fi
  command -v docker-compose >/dev/null || apt_install docker-compose
  command -v docker-compose >/dev/null || die "docker-compose missing after installing Debian's docker-compose"
  COMPOSE=(docker-compose)
}

# Provides debian:trixie-slim: pulled where a registry answers, otherwise bootstrapped with debootstrap
# and imported under the official name, so the Dockerfiles stay the ones a registry user would use.
ensure_base_image() {
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  if timeout 60 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  log "$BASE_IMAGE cannot be pulled; bootstrapping it with debootstrap (about a minute)"
  apt_install debootstrap
  local dir; dir=$(mktemp -d /tmp/warmbox-trixie.XXXXXX)
  as_root debootstrap --variant=minbase trixie "$dir" "$DEBIAN_MIRROR" >/tmp/warmbox-debootstrap.log 2>&1 \
    || { as_root rm -rf "$dir"; die "debootstrap failed; see /tmp/warmbox-debootstrap.log"; }
  as_root rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  as_root tar -C "$dir" -c . | docker import - "$BASE_IMAGE" >/dev/null
  as_root rm -rf "$dir"
  log "imported $BASE_IMAGE"
}

# Builds the sandbox base image, the four runtime images and the sample development environment
# (the engine's layer cache makes a rebuild with no change take seconds).
build_images() {
  local out
  log "building sandbox images (base, python, node, go, java, devenv-sample)"
  out=$(docker build -q -t warmbox/sandbox-base:latest -f "$WARMBOX_ROOT/sandbox-images/base/Dockerfile" \
        "$WARMBOX_ROOT/sandbox-images" 2>&1) || { printf '%s\n' "$out" >&2; die "building image warmbox/sandbox-base failed"; }
  local dir runtime
  for dir in python node go java; do
    runtime=$dir; [ "$dir" = node ] && runtime=javascript
    out=$(docker build -q -t "warmbox/runtime-$runtime:latest" "$WARMBOX_ROOT/runtimes/$dir" 2>&1) \
      || { printf '%s\n' "$out" >&2; die "building image warmbox/runtime-$runtime failed"; }
  done
  out=$(docker build -q -t warmbox/devenv-sample:latest "$WARMBOX_ROOT/sandbox-images/devenv" 2>&1) \
    || { printf '%s\n' "$out" >&2; die "building image warmbox/devenv-sample failed"; }
}

# The single-node Kubernetes the Kubernetes integration tests run against (scripts/kubernetes.sh): built
# (cached after the first time), started unless it already runs, and stopped when this shell exits only
# if it was started here. Exports WARMBOX_TEST_KUBECONFIG, where the tests find it (KubeNode).
start_kubernetes_node_for_tests() {
  local kube="$WARMBOX_ROOT/scripts/kubernetes.sh"
  "$kube" build
  if ! "$kube" status >/dev/null 2>&1; then
    trap '"$WARMBOX_ROOT/scripts/kubernetes.sh" stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    "$kube" start
  else
    log "a Kubernetes node already runs; the tests use it and it is left running"
  fi
  WARMBOX_TEST_KUBECONFIG="$("$kube" kubeconfig)"
  export WARMBOX_TEST_KUBECONFIG
}

# Runs a benchmark class of server/src/test/java/dev/warmbox/bench with its arguments against the real
# engine: installs and builds what it needs, compiles the tests, then replaces this shell with the JVM.
# BENCH_JAVA_OPTS adds JVM options (e.g. -Dbench.server.WARM_POOL_SIZE_PER_RUNTIME=8).
run_benchmark() {
  local class="$1"; shift
  ensure_jdk
  ensure_maven
  ensure_docker_engine
  ensure_oci_runtime
  ensure_base_image
  build_images
  cd "$WARMBOX_ROOT"
  mvn -B -q -ntp -pl server -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile="$WARMBOX_STATE_DIR/bench.classpath" -Dmdep.includeScope=test >/dev/null
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of JVM options
  exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:-} \
    -cp "server/target/classes:server/target/test-classes:$(cat "$WARMBOX_STATE_DIR/bench.classpath")" \
    "dev.warmbox.bench.$class" "$@"
}
