#!/usr/bin/env bash
# Builds the local test cluster's binaries from their Go modules into a cache outside the repo:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok
# Prints the bin folder on stdout (last line); progress goes to stderr, one line per step.
# Reuses a finished cache; KUBEBUILDER_ASSETS (envtest convention) short-circuits the build when
# it holds every binary.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)
start=$(date +%s)
step() { printf '[cluster-build +%3ss] %s\n' "$(($(date +%s) - start))" "$*" >&2; }
have_all() { local b; for b in "${binaries[@]}"; do [ -x "$1/$b" ] || return 1; done; }

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  if have_all "$KUBEBUILDER_ASSETS"; then
    step "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    echo "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  step "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks some of: ${binaries[*]}; building them instead"
fi

cache_root=${JOBHOOKS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jobhooks}
key="k8s-$KUBERNETES_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
out="$cache_root/cluster/$key"
bin="$out/bin"
if have_all "$bin"; then
  step "cached binaries in $bin"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: the Go toolchain is needed to build the test cluster" >&2; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p "$bin" "$out/src"
# Only one build at a time per cache (parallel test runs, CI retries).
exec 9>"$out/.lock"
flock 9
if have_all "$bin"; then echo "$bin"; exit 0; fi
step "building into $bin with $(go version | cut -d' ' -f3) (a cold build takes a while on 2 cores)"

ldflags_version() {
  local v=$1 minor
  minor=$(echo "$v" | cut -d. -f2)
  echo "-s -w -X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$v"
}

# --- Kubernetes: a wrapper module that replaces every staging module with its published v0.x.y.
k8s_src="$out/src/kubernetes"
if [ ! -f "$k8s_src/.ready" ]; then
  step "kubernetes $KUBERNETES_VERSION: resolving modules"
  rm -rf "$k8s_src" && mkdir -p "$k8s_src"
  staging_version="v0.${KUBERNETES_VERSION#v1.}"
  k8s_mod=$(cd "$k8s_src" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module jobhooks.test/kubernetes-build"
    echo
    grep -m1 '^go ' "$k8s_mod"
    echo
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    echo
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#\t\1 => \1 '"$staging_version"'#p' "$k8s_mod"
    echo ")"
  } >"$k8s_src/go.mod"
  (cd "$k8s_src" && go get \
    "k8s.io/kubernetes/cmd/kube-apiserver@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kubectl@$KUBERNETES_VERSION" 2>&1 | tail -3 >&2)
  touch "$k8s_src/.ready"
fi
step "kubernetes $KUBERNETES_VERSION: compiling kube-apiserver kube-controller-manager kube-scheduler kubectl"
(cd "$k8s_src" && go build -trimpath -ldflags "$(ldflags_version "$KUBERNETES_VERSION")" -o "$bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl)

# --- etcd: its own go.mod replaces sibling folders, so it cannot be `go install`ed by version.
etcd_src="$out/src/etcd"
if [ ! -f "$etcd_src/.ready" ]; then
  step "etcd $ETCD_VERSION: resolving modules"
  rm -rf "$etcd_src" && mkdir -p "$etcd_src"
  printf 'module jobhooks.test/etcd-build\n\ngo 1.24.0\n' >"$etcd_src/go.mod"
  (cd "$etcd_src" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" 2>&1 | tail -3 >&2)
  touch "$etcd_src/.ready"
fi
step "etcd $ETCD_VERSION: compiling"
(cd "$etcd_src" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3)

# --- kwok: a plain module.
step "kwok $KWOK_VERSION: compiling"
GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"

have_all "$bin" || { echo "build.sh: build finished but binaries are missing in $bin" >&2; exit 1; }
step "done: $(du -sh "$bin" | cut -f1) in $bin"
echo "$bin"
