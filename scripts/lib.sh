# Shared shell functions for warmbox's scripts. Sourced, never executed.
# Every function is idempotent: it checks what is there before it changes anything.
set -euo pipefail

WARMBOX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WARMBOX_STATE_DIR="${WARMBOX_STATE_DIR:-$WARMBOX_ROOT/.warmbox}"
BASE_IMAGE="debian:trixie-slim"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

SERVER_JAR="$WARMBOX_ROOT/server/target/warmbox-server.jar"
CLI_JAR="${WARMBOX_CLI_JAR:-$WARMBOX_ROOT/cli/target/warmbox-cli.jar}"

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

# Node.js and npm for the web dashboard's build (ui/; Maven runs `npm ci` and `npm run build` in the server
# module's generate-resources phase): the machine's own when it has node 18 or newer with npm, else Debian's
# nodejs and npm (bookworm's node 18 runs the locked toolchain, Vite 5). npm keeps its cache under ~/.npm.
ensure_node() {
  if ! command -v node >/dev/null; then apt_install nodejs npm; fi
  command -v npm >/dev/null || apt_install npm
  command -v node >/dev/null && command -v npm >/dev/null || die "node or npm missing after installing Debian's nodejs and npm"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge 18 ] \
    || die "node $(node --version 2>/dev/null) is older than 18, which the dashboard's build (Vite 5) needs; install Node.js 18 or newer, or remove it so Debian's is installed"
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

# Whether pid $1 runs (a zombie, dead but not yet reaped, does not).
process_alive() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && [ -r "/proc/$1/stat" ] || return 1
  [ "$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# Debian's Prometheus (2.42) and its promtool for the tests of deploy/prometheus/ (PrometheusIT starts a
# prometheus process of its own: temporary storage, a free loopback port). Installed only, without the
# recommended node exporter: the package's postinst runs `update-rc.d prometheus defaults` and
# `invoke-rc.d prometheus start` (blocked where policy-rc.d says so or no runlevel is known, as on these
# machines, but not everywhere) and enables prometheus.service; a daemon this install started is stopped
# through the package's own init script, or by the pid it wrote, and both service entries are disabled,
# so nothing of it listens on :9090 or starts at boot. A Prometheus installed before is left as it is.
ensure_prometheus() {
  command -v prometheus >/dev/null && command -v promtool >/dev/null && return 0
  local pidfile=/run/prometheus/prometheus.pid ran_before=no
  [ -s "$pidfile" ] && process_alive "$(cat "$pidfile")" && ran_before=yes
  log "installing Debian's prometheus (install only: its service is not left running or enabled)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 prometheus >/dev/null
  if [ "$ran_before" = no ] && [ -s "$pidfile" ] && process_alive "$(cat "$pidfile")"; then
    local pid; pid=$(cat "$pidfile")
    log "the prometheus package started its daemon (pid $pid); stopping it"
    as_root /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    # start-stop-daemon finds the daemon by its executable's inode, which misses on overlay file systems:
    # then it is stopped by the pid it wrote, if that is still the package's prometheus.
    if process_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q '^/usr/bin/prometheus '; then
      as_root kill -TERM "$pid"
      for _ in $(seq 1 60); do process_alive "$pid" || break; sleep 0.5; done
    fi
    process_alive "$pid" && die "could not stop the daemon the prometheus package started (pid $pid)"
    as_root rm -f "$pidfile"
  fi
  as_root update-rc.d prometheus disable >/dev/null 2>&1 || true
  command -v deb-systemd-helper >/dev/null && { as_root deb-systemd-helper disable prometheus.service >/dev/null 2>&1 || true; }
  command -v prometheus >/dev/null && command -v promtool >/dev/null || die "prometheus or promtool missing after installing Debian's prometheus"
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

# Installs the `warmbox` CLI onto PATH: the jar as PREFIX/lib/warmbox/warmbox-cli.jar (so a `mvn clean`
# does not break it) and PREFIX/bin/warmbox, a small sh launcher running it with the JDK ensure_jdk found
# (quick start-up: C1 only, serial GC, a class-data archive the JVM keeps in ~/.cache/warmbox). PREFIX is
# WARMBOX_CLI_PREFIX, else /usr/local where root (or sudo) may write, else ~/.local. Idempotent: a file is
# replaced only when it differs, and nothing is said when nothing changed.
install_cli() {
  [ -f "$CLI_JAR" ] || die "the CLI jar $CLI_JAR is missing; mvn -DskipTests package builds it"
  local prefix="${WARMBOX_CLI_PREFIX:-}"
  if [ -z "$prefix" ]; then
    if [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null; then prefix=/usr/local; else prefix="$HOME/.local"; fi
  fi
  local run=()
  local existing="$prefix"; while [ ! -e "$existing" ]; do existing=$(dirname "$existing"); done
  [ -w "$existing" ] && { [ ! -e "$prefix/bin" ] || [ -w "$prefix/bin" ]; } || run=(as_root)
  local jar="$prefix/lib/warmbox/warmbox-cli.jar" launcher="$prefix/bin/warmbox" tmp changed=""
  tmp=$(mktemp)
  cat >"$tmp" <<LAUNCHER
#!/bin/sh
# The warmbox CLI (docs/cli.md), installed by warmbox's scripts/start.sh (install_cli in scripts/lib.sh).
JAVA="\${WARMBOX_CLI_JAVA:-$JAVA_HOME/bin/java}"
JAR="$jar"
CACHE="\${XDG_CACHE_HOME:-\$HOME/.cache}/warmbox"
if mkdir -p "\$CACHE" 2>/dev/null && [ -w "\$CACHE" ]; then
  exec "\$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile="\$CACHE/warmbox-cli.jsa" \\
    -XX:+AutoCreateSharedArchive -Xlog:cds=off -Xlog:cds+dynamic=off -jar "\$JAR" "\$@"
fi
exec "\$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "\$JAR" "\$@"
LAUNCHER
  if ! cmp -s "$CLI_JAR" "$jar"; then
    "${run[@]}" mkdir -p "$(dirname "$jar")"
    "${run[@]}" install -m 0644 "$CLI_JAR" "$jar.new" && "${run[@]}" mv -f "$jar.new" "$jar"
    changed=yes
  fi
  if ! cmp -s "$tmp" "$launcher"; then
    "${run[@]}" mkdir -p "$(dirname "$launcher")"
    "${run[@]}" install -m 0755 "$tmp" "$launcher.new" && "${run[@]}" mv -f "$launcher.new" "$launcher"
    changed=yes
  fi
  rm -f "$tmp"
  [ -n "$changed" ] && log "installed the warmbox CLI as $launcher (docs/cli.md)"
  case ":$PATH:" in *":$prefix/bin:"*) ;; *) log "note: $prefix/bin is not on PATH; add it to run warmbox by name" ;; esac
  return 0
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
