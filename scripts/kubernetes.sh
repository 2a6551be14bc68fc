#!/usr/bin/env bash
# A real single-node Kubernetes for the Kubernetes integration tests, built on this machine from
# Debian's own `kubernetes` source package (v1.20.2) and run on the machine's Docker engine through the
# kubelet's dockershim. Everything lives under $WARMBOX_KUBE_DIR (default /var/lib/warmbox/kubernetes):
#   build       builds the binaries once (about 5 minutes on 2 cores), then answers in seconds
#   start       starts etcd, kube-apiserver, controller-manager, scheduler and the kubelet on loopback
#               and waits until the node is Ready
#   stop        removes the pods the kubelet made, then stops what start started (by its pid files)
#   status      says what runs; exits 0 only when all five run and the node is Ready
#   kubeconfig  prints the path of the administrator's kubeconfig
#   kubectl ... runs Debian's kubectl (v1.20.2) against the node
# It never restarts or reconfigures the Docker engine, never writes a host sysctl and never moves the
# engine's processes: the kubelet is patched not to (scripts/kubernetes/*.patch), see docs/kubernetes.md.
source "$(dirname "$0")/lib.sh"

KUBE_DIR="${WARMBOX_KUBE_DIR:-/var/lib/warmbox/kubernetes}"
KUBE_DEB_VERSION="1.20.5+really1.20.2-1.1+deb12u1"
KUBE_VERSION="v1.20.2"
KUBE_PATCHES="$WARMBOX_ROOT/scripts/kubernetes"
# Bumped whenever the way the binaries are made changes, so that `build` makes them again.
KUBE_RECIPE=1
KUBE_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet)
KUBE_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kubelet)
PAUSE_IMAGE="warmbox/kube-pause:3.2"

BIN="$KUBE_DIR/bin"
SRC="$KUBE_DIR/src/kubernetes"
ROOTFS="$KUBE_DIR/root"           # Debian packages unpacked with dpkg-deb -x: Go, etcd, kubectl, vendor sources
NODE="$KUBE_DIR/node"             # what a running node owns: certificates, kubeconfigs, data, logs, pids
PKI="$NODE/pki"
RUN="$NODE/run"
LOGS="$NODE/logs"
KUBELET_ROOT="$NODE/kubelet"
DOCKERSHIM_ROOT="$NODE/dockershim"
ADMIN_KUBECONFIG="$NODE/admin.kubeconfig"

ETCD_PORT=12379
ETCD_PEER_PORT=12380
APISERVER_PORT=16443
SERVICE_CIDR=10.96.0.0/12
# Host directories the kubelet insists on (hard-coded in v1.20); stop removes the ones start created.
# (/var/lib/kubelet/device-plugins holds its device-plugin socket and checkpoint.)
KUBELET_HOST_DIRS=(/var/lib/kubelet /var/lib/kubelet/device-plugins /var/log/pods /var/log/containers)

kubectl_() { "$BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

# Polls until the command succeeds or the deadline (seconds) passes.
await() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
  log "$what"
}

with_lock() { exec 9>"$KUBE_DIR/.lock"; flock 9; }

# ---------------------------------------------------------------------------------------------- build

# apt-get against a private state under $KUBE_DIR (bookworm's deb and deb-src lines), so that fetching a
# source package leaves the machine's sources and lists as they are.
private_apt() {
  local apt="$KUBE_DIR/apt"
  apt-get -q -o Dir::State="$apt/state" -o Dir::Cache="$apt/cache" -o Dir::Etc::SourceList="$apt/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null -o Dir::State::status=/var/lib/dpkg/status "$@"
}

fetch_debian_sources() {
  local apt="$KUBE_DIR/apt" debs=(golang-1.19-go golang-1.19-src golang-github-modern-go-reflect2-dev
    golang-github-json-iterator-go-dev kubernetes-client etcd-server)
  mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$KUBE_DIR/debs" "$KUBE_DIR/src"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg suite
  : >"$apt/sources.list"
  for suite in "$DEBIAN_MIRROR bookworm" "${DEBIAN_MIRROR%/debian}/debian-security bookworm-security"; do
    printf 'deb [signed-by=%s] %s main\ndeb-src [signed-by=%s] %s main\n' "$keyring" "$suite" "$keyring" "$suite" >>"$apt/sources.list"
  done
  if ! compgen -G "$KUBE_DIR/src/kubernetes_${KUBE_DEB_VERSION#*:}.dsc" >/dev/null || [ "$(ls "$KUBE_DIR/debs" | wc -l)" -lt ${#debs[@]} ]; then
    log "fetching Debian's kubernetes $KUBE_DEB_VERSION source package and the Go 1.19 toolchain"
    private_apt update >"$KUBE_DIR/apt.log" 2>&1 || die "apt-get update (private state) failed; see $KUBE_DIR/apt.log"
    (cd "$KUBE_DIR/src" && private_apt source --download-only "kubernetes=$KUBE_DEB_VERSION") >>"$KUBE_DIR/apt.log" 2>&1 \
      || die "apt-get source kubernetes=$KUBE_DEB_VERSION failed; see $KUBE_DIR/apt.log"
    (cd "$KUBE_DIR/debs" && private_apt download "${debs[@]}") >>"$KUBE_DIR/apt.log" 2>&1 \
      || die "apt-get download ${debs[*]} failed; see $KUBE_DIR/apt.log"
  fi
  if [ ! -x "$ROOTFS/usr/lib/go-1.19/bin/go" ] || [ ! -x "$ROOTFS/usr/bin/etcd" ] || [ ! -x "$ROOTFS/usr/bin/kubectl" ]; then
    rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"
    local deb; for deb in "$KUBE_DIR"/debs/*.deb; do dpkg-deb -x "$deb" "$ROOTFS"; done
  fi
}

# The source tree with Debian's patches, the vendored reflect2/json-iterator replaced by Debian's newer
# ones (v1.0.1/v1.1.10 crash under Go 1.19) and warmbox's kubelet patches. A change of warmbox's patches
# is applied by reversing the ones applied before; a tree that will not reverse is unpacked again.
prepare_source_tree() {
  local applied="$KUBE_DIR/src/applied-patches"
  if [ -d "$SRC" ] && ! diff -rq "$applied" "$KUBE_PATCHES" >/dev/null 2>&1; then
    local p reversed=true
    for p in $(ls -r "$applied"/*.patch 2>/dev/null); do
      patch -d "$SRC" -R -s -p1 <"$p" >/dev/null || { reversed=false; break; }
    done
    $reversed || { log "the source tree does not take its patches back; unpacking it again"; rm -rf "$SRC"; }
    rm -rf "$applied"
  fi
  if [ ! -d "$SRC" ]; then
    log "unpacking the source package"
    rm -rf "$SRC.tmp" "$applied"
    (cd "$KUBE_DIR/src" && dpkg-source -x "kubernetes_${KUBE_DEB_VERSION#*:}.dsc" "$SRC.tmp") >"$KUBE_DIR/unpack.log" 2>&1 \
      || die "dpkg-source -x failed; see $KUBE_DIR/unpack.log"
    local vendored gocode="$ROOTFS/usr/share/gocode/src"
    for vendored in github.com/modern-go/reflect2 github.com/json-iterator/go; do
      rm -rf "${SRC:?}.tmp/vendor/$vendored"; mkdir -p "$SRC.tmp/vendor/$vendored"
      find "$gocode/$vendored" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' -o -name LICENSE \) ! -name '*_test.go' \
        -exec cp {} "$SRC.tmp/vendor/$vendored/" \;
    done
    mv "$SRC.tmp" "$SRC"
  fi
  if [ ! -d "$applied" ]; then
    local p; for p in "$KUBE_PATCHES"/*.patch; do
      patch -d "$SRC" -s -p1 --forward <"$p" || die "patch $(basename "$p") does not apply to $SRC"
    done
    cp -r "$KUBE_PATCHES" "$applied"
  fi
}

build_stamp() {
  { echo "$KUBE_RECIPE $KUBE_DEB_VERSION $KUBE_VERSION"; cat "$KUBE_PATCHES"/*.patch; } | sha256sum | cut -d' ' -f1
}

kube_built() {
  [ "$(cat "$BIN/.stamp" 2>/dev/null)" = "$(build_stamp)" ] || return 1
  local b; for b in "${KUBE_BINARIES[@]}" etcd kubectl pause; do [ -x "$BIN/$b" ] || return 1; done
}

kube_build() {
  mkdir -p "$KUBE_DIR"; with_lock
  if kube_built; then log "Kubernetes $KUBE_VERSION is built ($BIN)"; return 0; fi
  apt_install dpkg-dev rsync gcc libc6-dev
  fetch_debian_sources
  prepare_source_tree
  log "building ${KUBE_BINARIES[*]} (about 5 minutes on 2 cores the first time; log: $KUBE_DIR/build.log)"
  local goroot="$ROOTFS/usr/lib/go-1.19" what="" b
  for b in "${KUBE_BINARIES[@]}"; do what+=" cmd/$b"; done
  (cd "$SRC" && env GOROOT="$goroot" PATH="$goroot/bin:$PATH" CGO_ENABLED=0 GOPROXY=off GOFLAGS= \
     KUBE_GIT_VERSION="$KUBE_VERSION" KUBE_GIT_TREE_STATE=archive make WHAT="${what# }") >"$KUBE_DIR/build.log" 2>&1 \
    || { tail -20 "$KUBE_DIR/build.log" >&2; die "building Kubernetes failed; see $KUBE_DIR/build.log"; }
  mkdir -p "$BIN"
  for b in "${KUBE_BINARIES[@]}"; do install -m 0755 "$SRC/_output/local/bin/linux/amd64/$b" "$BIN/$b"; done
  install -m 0755 "$ROOTFS/usr/bin/etcd" "$BIN/etcd"
  install -m 0755 "$ROOTFS/usr/bin/kubectl" "$BIN/kubectl"
  # The pod sandbox's pause process, from Kubernetes' own source: no registry serves k8s.gcr.io/pause.
  gcc -Os -Wall -Werror -static -DVERSION=v3.2-warmbox -o "$BIN/pause" "$SRC/build/pause/linux/pause.c" \
    || die "compiling build/pause/linux/pause.c failed"
  build_stamp >"$BIN/.stamp"
  log "Kubernetes $KUBE_VERSION built into $BIN"
}

# ----------------------------------------------------------------------------------------- processes

# Whether the pid file of component $1 names a live process running this directory's binary $1: a
# pid left by a component that died may since belong to any other process.
component_running() {
  local pid; pid=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$BIN/$1" ]
}

launch() {
  local name="$1"; shift
  component_running "$name" && return 0
  # A log over 64 MiB starts again (the kubelet warns about every pod without cluster DNS, for one).
  [ "$(stat -c %s "$LOGS/$name.log" 2>/dev/null || echo 0)" -lt 67108864 ] || : >"$LOGS/$name.log"
  echo "---- $(date -u +%FT%TZ) start" >>"$LOGS/$name.log"
  # setsid: the component outlives this script and whatever started it (a test's JVM). 9>&-: it must
  # not inherit the lock, or the next start or stop would wait for it forever.
  setsid "$BIN/$name" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/$name.pid"
}

terminate() {
  local name="$1"
  if component_running "$name"; then
    local pid; pid=$(cat "$RUN/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    # Until it has exited: an exited process whose parent has not reaped it yet (the components are
    # orphans, reaped by whatever init the machine has) has no executable any more.
    local deadline=$((SECONDS + 30))
    while readlink "/proc/$pid/exe" >/dev/null 2>&1 && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if readlink "/proc/$pid/exe" >/dev/null 2>&1; then
      log "$name did not stop within 30 s; killing it"; kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while readlink "/proc/$pid/exe" >/dev/null 2>&1 && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    fi
    log "stopped $name"
  fi
  rm -f "$RUN/$name.pid"
}

# --------------------------------------------------------------------------------------- certificates

# sign NAME SUBJECT EXTENDED-KEY-USAGE [SUBJECT-ALT-NAMES]: a key and a certificate signed by the node's CA.
sign() {
  local name="$1" subject="$2" usage="$3" sans="${4:-}"
  [ -s "$PKI/$name.crt" ] && return 0
  local ext; ext=$(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n' "$usage")
  [ -n "$sans" ] && ext+=$'\n'"subjectAltName=$sans"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 3650 -sha256 \
    -extfile <(printf '%s\n' "$ext") -out "$PKI/$name.crt" 2>/dev/null || die "signing the $name certificate failed"
  rm -f "$PKI/$name.csr"
}

write_kubeconfig() {
  local file="$1" user="$2"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: warmbox
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $user
  user:
    client-certificate: $PKI/$user.crt
    client-key: $PKI/$user.key
contexts:
- name: warmbox
  context: {cluster: warmbox, user: $user}
current-context: warmbox
EOF
}

ensure_certificates() {
  (umask 077; mkdir -p "$PKI")
  if [ ! -s "$PKI/ca.crt" ]; then
    log "generating the node's certificates with openssl ($PKI)"
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -subj "/CN=warmbox-kubernetes-ca" -days 3650 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$PKI/ca.crt" 2>/dev/null \
      || die "generating the CA failed"
  fi
  [ -s "$PKI/sa.key" ] || { openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null && openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null; }
  local loopback="IP:127.0.0.1,DNS:localhost"
  sign etcd-server "/CN=etcd-server" serverAuth "$loopback"
  sign apiserver-etcd-client "/CN=kube-apiserver-etcd-client" clientAuth
  sign apiserver "/CN=kube-apiserver" serverAuth \
    "$loopback,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  sign admin "/O=system:masters/CN=warmbox-admin" clientAuth
  sign controller-manager "/CN=system:kube-controller-manager" clientAuth
  sign scheduler "/CN=system:kube-scheduler" clientAuth
  sign kubelet "/O=system:nodes/CN=system:node:localhost" clientAuth
  sign kubelet-server "/CN=localhost" serverAuth "$loopback"
  chmod 600 "$PKI"/*.key
  write_kubeconfig "$ADMIN_KUBECONFIG" admin
  write_kubeconfig "$NODE/controller-manager.kubeconfig" controller-manager
  write_kubeconfig "$NODE/scheduler.kubeconfig" scheduler
  write_kubeconfig "$NODE/kubelet.kubeconfig" kubelet
}

ensure_pause_image() {
  docker image inspect "$PAUSE_IMAGE" >/dev/null 2>&1 && return 0
  local dir; dir=$(mktemp -d)
  cp "$BIN/pause" "$dir/pause"
  tar -C "$dir" -c pause | docker import -c 'ENTRYPOINT ["/pause"]' - "$PAUSE_IMAGE" >/dev/null \
    || { rm -rf "$dir"; die "importing $PAUSE_IMAGE failed"; }
  rm -rf "$dir"
}

# -------------------------------------------------------------------------------------- start / stop

etcd_healthy() {
  curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" \
    "https://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'
}
apiserver_ready() { kubectl_ get --raw /readyz; }
node_ready() {
  [ "$(kubectl_ get node localhost -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}
# Pods can be created once the controller-manager has made the namespace's default service account.
default_service_account() { kubectl_ get serviceaccount default -n default; }

start_etcd() {
  launch etcd --name warmbox --data-dir "$NODE/etcd" \
    --listen-client-urls "https://127.0.0.1:$ETCD_PORT" --advertise-client-urls "https://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "warmbox=http://127.0.0.1:$ETCD_PEER_PORT" \
    --cert-file "$PKI/etcd-server.crt" --key-file "$PKI/etcd-server.key" --client-cert-auth --trusted-ca-file "$PKI/ca.crt"
  await 60 "etcd answers on 127.0.0.1:$ETCD_PORT" etcd_healthy || die "etcd did not answer within 60 s; see $LOGS/etcd.log"
}

start_apiserver() {
  launch kube-apiserver --advertise-address=127.0.0.1 --bind-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --insecure-port=0 --etcd-servers="https://127.0.0.1:$ETCD_PORT" --etcd-cafile="$PKI/ca.crt" \
    --etcd-certfile="$PKI/apiserver-etcd-client.crt" --etcd-keyfile="$PKI/apiserver-etcd-client.key" \
    --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=Hostname \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction --profiling=false
  await 120 "kube-apiserver is ready on 127.0.0.1:$APISERVER_PORT" apiserver_ready \
    || die "kube-apiserver was not ready within 120 s; see $LOGS/kube-apiserver.log"
}

start_controllers() {
  launch kube-controller-manager --kubeconfig="$NODE/controller-manager.kubeconfig" --bind-address=127.0.0.1 --port=0 \
    --leader-elect=false --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --use-service-account-credentials=true --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --profiling=false
  launch kube-scheduler --kubeconfig="$NODE/scheduler.kubeconfig" --bind-address=127.0.0.1 --port=0 --leader-elect=false \
    --profiling=false
}

# The kubelet on the machine's Docker engine through its dockershim, with every path it would put under
# /var/lib or /etc moved here, nothing it would change on the host enabled: no iptables chains, no
# hairpin writes, no evictions, no image garbage collection (dockershim counts every image on the engine
# as its own and would delete the ones it does not use).
start_kubelet() {
  local d; for d in "${KUBELET_HOST_DIRS[@]}"; do
    [ -e "$d" ] || { mkdir -p "$d"; echo "$d" >>"$RUN/created-host-dirs"; }
  done
  launch kubelet --kubeconfig="$NODE/kubelet.kubeconfig" --hostname-override=localhost \
    --address=127.0.0.1 --port=10250 --read-only-port=0 --healthz-bind-address=127.0.0.1 \
    --tls-cert-file="$PKI/kubelet-server.crt" --tls-private-key-file="$PKI/kubelet-server.key" \
    --client-ca-file="$PKI/ca.crt" --anonymous-auth=false --authorization-mode=Webhook --authentication-token-webhook \
    --container-runtime=docker --docker-endpoint=unix:///var/run/docker.sock \
    --container-runtime-endpoint="unix://$RUN/dockershim.sock" --experimental-dockershim-root-directory="$DOCKERSHIM_ROOT" \
    --pod-infra-container-image="$PAUSE_IMAGE" --root-dir="$KUBELET_ROOT" --cert-dir="$PKI/kubelet" \
    --seccomp-profile-root="$KUBELET_ROOT/seccomp" --volume-plugin-dir="$KUBELET_ROOT/volume-plugins" \
    --cni-bin-dir="$NODE/cni/bin" --cni-conf-dir="$NODE/cni/net.d" --cni-cache-dir="$NODE/cni/cache" \
    --cgroup-driver=cgroupfs --fail-swap-on=false --make-iptables-util-chains=false --hairpin-mode=none \
    --eviction-hard= --eviction-soft= --image-gc-high-threshold=100 --image-gc-low-threshold=99 \
    --cluster-domain=cluster.local --oom-score-adj=0
}

kube_start() {
  [ "$(id -u)" -eq 0 ] || die "the kubelet needs root"
  mkdir -p "$KUBE_DIR"; with_lock
  kube_built || die "Kubernetes is not built (or its patches changed): run 'scripts/kubernetes.sh build' first"
  docker_ready || die "no Docker engine answers; the node runs its pods on the machine's engine, which this script never starts"
  if node_up; then log "the node is already up (kubeconfig: $ADMIN_KUBECONFIG)"; return 0; fi
  local foreign
  if foreign=$(foreign_kubelet); then
    die "another kubelet runs on this machine (pid $foreign, $(readlink "/proc/$foreign/exe")); one node per Docker engine: stop that one first"
  fi
  local started=$SECONDS
  mkdir -p "$RUN" "$LOGS"
  # A node starts empty: a previous run's cluster state and pods are not this run's.
  if ! component_running etcd; then rm -rf "$NODE/etcd"; fi
  if ! component_running kubelet; then remove_kubelet_state; fi
  ensure_certificates
  ensure_pause_image
  start_etcd
  start_apiserver
  start_controllers
  start_kubelet
  await 120 "node localhost is Ready" node_ready \
    || die "the node was not Ready within 120 s; see $LOGS/kubelet.log"
  await 60 "the default service account exists" default_service_account \
    || die "the default service account did not appear within 60 s; see $LOGS/kube-controller-manager.log"
  log "Kubernetes $KUBE_VERSION up in $((SECONDS - started)) s; kubeconfig: $ADMIN_KUBECONFIG"
}

node_up() {
  local c; for c in "${KUBE_COMPONENTS[@]}"; do component_running "$c" || return 1; done
  node_ready
}

# The containers of the kubelet's pods: dockershim names every one it makes k8s_<container>_<pod>_...
# (k8s_POD_... for a pod's sandbox) and labels it io.kubernetes.docker.type; nothing else on the engine
# is looked at, let alone removed.
kubelet_containers() {
  docker ps -a --no-trunc --filter label=io.kubernetes.docker.type --format '{{.ID}} {{.Names}}' 2>/dev/null \
    | awk '$2 ~ /^k8s_/ {print $1}'
}

# Removes what the kubelet's pods left in the host's log directories: /var/log/pods/<ns>_<pod>_<uid>
# and the /var/log/containers links into it.
remove_pod_logs() {
  local uid link
  for uid in "$@"; do
    [[ "$uid" =~ ^[0-9a-f-]{36}$ ]] || continue
    for link in /var/log/containers/*.log; do
      [ -L "$link" ] && [[ "$(readlink "$link")" == /var/log/pods/*_"$uid"/* ]] && rm -f "$link"
    done
    rm -rf /var/log/pods/*_"$uid"
  done
}

# Unmounts $1 and every mount below it, deepest first: the kubelet bind-mounts its root directory onto
# itself (to make it a shared mount) and mounts secret and emptyDir tmpfs volumes below it.
unmount_under() {
  local mount
  for mount in $(awk -v root="$1" '$2 == root || index($2, root "/") == 1 {print $2}' /proc/mounts | sort -r); do
    umount "$mount" 2>/dev/null || umount -l "$mount" || true
  done
}

# The pid of a kubelet running on this machine from another directory's binaries, if one does. There can be
# one node per engine: a kubelet's container collection removes the dockershim containers of pods it does
# not know, and the device-plugin socket under /var/lib/kubelet is one for the machine.
foreign_kubelet() {
  local pid exe
  for pid in $(pgrep -x kubelet 2>/dev/null); do
    # A process without an executable is a kubelet just killed, not yet reaped: it runs nothing any more.
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    [ "$exe" = "$BIN/kubelet" ] || { echo "$pid"; return 0; }
  done
  return 1
}

# Everything of a kubelet that does not run any more: its pods' containers, the secret and emptyDir
# tmpfs mounts under its root directory, its directories, the cgroups it made for its pods and the host
# directories it needed that start created.
remove_kubelet_state() {
  local ids uids foreign
  if foreign=$(foreign_kubelet); then
    # Those containers and cgroups are the other node's.
    log "another kubelet runs (pid $foreign, $(readlink "/proc/$foreign/exe")): its pods' containers and cgroups are left alone"
    ids=""
  else
    ids=$(kubelet_containers)
  fi
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086 # one argument per container id
    uids=$(docker inspect --format '{{index .Config.Labels "io.kubernetes.pod.uid"}}' $ids 2>/dev/null | sort -u)
    log "removing the $(wc -l <<<"$ids") containers of the kubelet's pods"
    xargs -r docker rm -f -v >/dev/null <<<"$ids" || true
    # shellcheck disable=SC2086
    remove_pod_logs $uids
  fi
  unmount_under "$KUBELET_ROOT"
  rm -rf --one-file-system "$KUBELET_ROOT" "$DOCKERSHIM_ROOT" "$NODE/cni" "$RUN/dockershim.sock" \
    || log "could not remove all of the kubelet's directories (a mount still busy?): $(grep -F "$KUBELET_ROOT" /proc/mounts | cut -d' ' -f2 | tr '\n' ' ')"
  # The cgroups the kubelet made for its pods (kubepods under every v1 hierarchy), deepest first, each
  # only once empty: rmdir refuses a cgroup with a process in it.
  local hierarchy
  [ -n "$foreign" ] || for hierarchy in /sys/fs/cgroup/*/kubepods; do
    [ -d "$hierarchy" ] && { find "$hierarchy" -depth -type d -exec rmdir {} \; 2>/dev/null || true; }
  done
  # The host directories start created, unless another kubelet now uses them.
  if [ -z "$foreign" ] && [ -f "$RUN/created-host-dirs" ]; then
    local d; while read -r d; do
      [ -d "$d" ] || continue
      unmount_under "$d"
      rm -rf --one-file-system "$d" || log "could not remove $d"
    done <"$RUN/created-host-dirs"
    rm -f "$RUN/created-host-dirs"
  fi
}

# Stops the kubelet first (so that it makes no container again), removes its pods' containers directly
# (the whole node goes, so there is nothing to drain gracefully), then the control plane and its data.
kube_stop() {
  [ -d "$KUBE_DIR" ] || { log "no node here ($KUBE_DIR)"; return 0; }
  with_lock
  terminate kubelet
  remove_kubelet_state
  terminate kube-scheduler
  terminate kube-controller-manager
  terminate kube-apiserver
  terminate etcd
  rm -rf "$NODE/etcd"
  # The pid files go; the record of the host directories start created stays while another kubelet uses them.
  find "$RUN" -mindepth 1 ! -name created-host-dirs -delete 2>/dev/null || true
  rmdir "$RUN" 2>/dev/null || true
  log "the node is stopped"
}

kube_status() {
  local c up=0
  for c in "${KUBE_COMPONENTS[@]}"; do
    if component_running "$c"; then echo "$c: running (pid $(cat "$RUN/$c.pid"))"; else echo "$c: not running"; up=1; fi
  done
  if [ "$up" -eq 0 ] && node_ready; then echo "node localhost: Ready"; else echo "node localhost: not Ready"; up=1; fi
  return "$up"
}

case "${1:-}" in
  build) kube_build ;;
  start) kube_start ;;
  stop) kube_stop ;;
  status) kube_status ;;
  kubeconfig) echo "$ADMIN_KUBECONFIG" ;;
  kubectl) shift; exec "$BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@" ;;
  *) die "usage: $0 build|start|stop|status|kubeconfig|kubectl ARGS..." ;;
esac
