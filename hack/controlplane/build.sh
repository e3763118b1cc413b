#!/usr/bin/env bash
# Builds, once, the local Kubernetes control plane used by the tests and the demo, and caches it
# outside git. A second run with the same versions and sources does nothing.
#   etcd                     Debian's etcd-server (installed if missing)
#   kube (multi-call)        kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#   kwok, helm               go install
# Also makes sure the tools the test harness runs are present (openssl, setpriv).
# Needs Go >= 1.21 (a newer toolchain is fetched through the Go module proxy if k8s.io/kubernetes
# asks for one). Progress goes to stderr; the bin directory is printed on the last line of stdout.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.35.4}"
KWOK_VERSION="${KWOK_VERSION:-v0.7.0}"
HELM_VERSION="${HELM_VERSION:-v3.19.0}"
CACHE_DIR="${ACK_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ack-node-operator}"
BIN_DIR="$CACHE_DIR/bin"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "[controlplane] $*" >&2; }

mkdir -p "$BIN_DIR"
# Concurrent callers (parallel test files, the demo) wait for one build instead of racing it.
exec 9>"$CACHE_DIR/.build.lock"
flock 9

apt_updated=0
apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "need root (or sudo) to apt-get install $*"; exit 1; }
    sudo=(sudo)
  fi
  if [ "$apt_updated" = 0 ]; then DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_tools() {
  local missing=()
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  if [ "${#missing[@]}" -gt 0 ]; then log "installing ${missing[*]} from Debian"; apt_install "${missing[@]}"; fi
}

go_ready=0
ensure_go() {
  [ "$go_ready" = 1 ] && return
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
  if ! command -v go >/dev/null 2>&1; then
    log "Go is required to build the control plane the first time: install Go >= 1.21 (https://go.dev/doc/install)"
    exit 1
  fi
  local minor
  minor="$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
  if [ -z "$minor" ] || [ "$minor" -lt 21 ]; then
    log "$(go env GOVERSION) is too old to fetch the toolchain Kubernetes needs: install Go >= 1.21"
    exit 1
  fi
  # A local toolchain that is new enough is used as is; an older one downloads the required one.
  export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
  go_ready=1
}

ensure_etcd() {
  if [ -x "$BIN_DIR/etcd" ]; then return; fi
  if ! [ -x /usr/bin/etcd ]; then
    log "installing etcd-server from Debian"
    apt_install etcd-server
    # The package may start a system etcd on the default ports; the tests run their own on free ports.
    systemctl disable --now etcd >/dev/null 2>&1 || service etcd stop >/dev/null 2>&1 || true
  fi
  ln -sf /usr/bin/etcd "$BIN_DIR/etcd"
}

build_kube() {
  # The stamp names the version and the multi-call main, so changing either rebuilds.
  local stamp
  stamp="$BIN_DIR/.kube-$K8S_VERSION-$(sha256sum "$HERE/kube/main.go" | cut -c1-12)"
  if [ -f "$stamp" ] && [ -x "$BIN_DIR/kube" ]; then return; fi
  ensure_go
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local staging="v0.${K8S_VERSION#v1.}"
  local work="$CACHE_DIR/src/kube-$K8S_VERSION"
  log "building kube-apiserver, kube-controller-manager, kube-scheduler and kubectl $K8S_VERSION (first time: ~10 minutes)"
  mkdir -p "$work"
  cp "$HERE/kube/main.go" "$work/main.go"
  (
    cd "$work"
    export GOFLAGS=-mod=mod
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
    go build -trimpath -ldflags "$ld" -o "$BIN_DIR/kube.tmp" . >&2
  )
  mv -f "$BIN_DIR/kube.tmp" "$BIN_DIR/kube"
  for n in kube-apiserver kube-controller-manager kube-scheduler kubectl; do ln -sf kube "$BIN_DIR/$n"; done
  rm -f "$BIN_DIR"/.kube-*
  touch "$stamp"
}

go_install() { # name module version
  local stamp="$BIN_DIR/.$1-$3"
  if [ -f "$stamp" ] && [ -x "$BIN_DIR/$1" ]; then return; fi
  ensure_go
  log "building $1 $3"
  GOBIN="$BIN_DIR" go install "$2@$3" >&2
  rm -f "$BIN_DIR/.$1-"*
  touch "$stamp"
}

ensure_tools
ensure_etcd
build_kube
go_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
go_install helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
log "ready in $BIN_DIR"
echo "$BIN_DIR"
