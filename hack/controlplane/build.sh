#!/usr/bin/env bash
# Builds, once, the local Kubernetes control plane used by the tests and the demo, and caches it
# outside git. A second run with the same versions does nothing.
#   etcd                     Debian's etcd-server (installed if missing)
#   kube (multi-call)        kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#   kwok, helm               go install
# Prints the bin directory on its last line.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.35.4}"
KWOK_VERSION="${KWOK_VERSION:-v0.7.0}"
HELM_VERSION="${HELM_VERSION:-v3.19.0}"
CACHE_DIR="${ACK_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ack-node-operator}"
BIN_DIR="$CACHE_DIR/bin"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$BIN_DIR"
log() { echo "[controlplane] $*" >&2; }

ensure_go() {
  if command -v go >/dev/null 2>&1; then return; fi
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; return; fi
  log "installing golang from Debian"
  apt_install golang-go
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_etcd() {
  if [ -x "$BIN_DIR/etcd" ]; then return; fi
  if ! [ -x /usr/bin/etcd ]; then
    log "installing etcd-server from Debian"
    apt_install etcd-server
    # The Debian package starts a system etcd on the default ports; the tests use their own.
    (systemctl disable --now etcd >/dev/null 2>&1 || service etcd stop >/dev/null 2>&1 || pkill -x etcd || true)
  fi
  ln -sf /usr/bin/etcd "$BIN_DIR/etcd"
}

build_kube() {
  local stamp="$BIN_DIR/.kube-$K8S_VERSION"
  if [ -f "$stamp" ] && [ -x "$BIN_DIR/kube" ]; then return; fi
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local staging="v0.${K8S_VERSION#v1.}"
  local work="$CACHE_DIR/src/kube-$K8S_VERSION"
  log "building kube-apiserver, kube-controller-manager, kube-scheduler and kubectl $K8S_VERSION (first time: ~10 minutes)"
  mkdir -p "$work"
  cp "$HERE/kube/main.go" "$work/main.go"
  (
    cd "$work"
    export GOFLAGS=-mod=mod GOTOOLCHAIN=local
    [ -f go.mod ] || go mod init local/kube >&2
    # Every k8s.io/* staging module that k8s.io/kubernetes requires is pinned to the matching v0 release.
    local modfile
    modfile="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    local replaces=()
    while read -r mod; do replaces+=("-replace=$mod=$mod@$staging"); done < <(
      grep -E '^\s+k8s\.io/[a-z0-9-]+ v0\.0\.0$' "$modfile" | awk '{print $1}' | sort -u)
    go mod edit "${replaces[@]}" >&2
    go get "k8s.io/kubernetes@$K8S_VERSION" >&2
    go mod tidy >&2
    local ld="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
    go build -trimpath -ldflags "$ld" -o "$BIN_DIR/kube" . >&2
  )
  for n in kube-apiserver kube-controller-manager kube-scheduler kubectl; do ln -sf kube "$BIN_DIR/$n"; done
  touch "$stamp"
}

go_install() { # name module version
  local stamp="$BIN_DIR/.$1-$3"
  if [ -f "$stamp" ] && [ -x "$BIN_DIR/$1" ]; then return; fi
  log "building $1 $3"
  GOBIN="$BIN_DIR" GOTOOLCHAIN=local go install "$2@$3" >&2
  touch "$stamp"
}

ensure_go
ensure_etcd
build_kube
go_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
go_install helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
log "ready in $BIN_DIR"
echo "$BIN_DIR"
