#!/usr/bin/env bash
# Builds the local test cluster's binaries from their Go modules into a cache outside the repo:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok
# Prints the bin folder on stdout (last line); progress goes to stderr, one line per step.
# Reuses a finished cache. Binaries found in KUBEBUILDER_ASSETS (the envtest convention) are used
# instead of building them; only what it lacks is built.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)
start=$(date +%s)
step() { printf '[cluster-build +%3ss] %s\n' "$(($(date +%s) - start))" "$*" >&2; }
have() { [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$1" ] || [ -x "$bin/$1" ]; }
have_all() { local b; for b in "${binaries[@]}"; do have "$b" || return 1; done; }

cache_root=${JOBHOOKS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jobhooks}
key="k8s-$KUBERNETES_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
out="$cache_root/cluster/$key"
bin="$out/bin"

# The folder to use: our cache alone, or with KUBEBUILDER_ASSETS one of links that prefers the
# binaries found there (envtest ships etcd, kube-apiserver and kubectl; we build the rest).
result() {
  if [ -z "${KUBEBUILDER_ASSETS:-}" ]; then echo "$bin"; return; fi
  local merged b
  merged="$out/with-assets-$(printf '%s' "$KUBEBUILDER_ASSETS" | sha1sum | cut -c1-12)"
  mkdir -p "$merged"
  for b in "${binaries[@]}"; do
    if [ -x "$KUBEBUILDER_ASSETS/$b" ]; then ln -sfn "$KUBEBUILDER_ASSETS/$b" "$merged/$b"; else ln -sfn "$bin/$b" "$merged/$b"; fi
  done
  echo "$merged"
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  found=()
  for b in "${binaries[@]}"; do if [ -x "$KUBEBUILDER_ASSETS/$b" ]; then found+=("$b"); fi; done
  step "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS provides: ${found[*]:-nothing}"
fi
if have_all; then
  step "all binaries present (cache: $bin)"
  result
  exit 0
fi

command -v go >/dev/null || { echo "build.sh: the Go toolchain is needed to build the test cluster" >&2; exit 1; }
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p "$bin" "$out/src"
# Only one build at a time per cache (parallel test runs, CI retries).
exec 9>"$out/.lock"
flock 9
if have_all; then result; exit 0; fi
step "building into $bin with $(go version | cut -d' ' -f3) (a cold build takes a while on 2 cores)"

ldflags_version() {
  local v=$1 minor
  minor=$(echo "$v" | cut -d. -f2)
  echo "-s -w -X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/client-go/pkg/version.gitVersion=$v"
}

# --- Kubernetes: a wrapper module that replaces every staging module with its published v0.x.y.
k8s_src="$out/src/kubernetes"
k8s_cmds=()
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do have "$b" || k8s_cmds+=("k8s.io/kubernetes/cmd/$b"); done
if [ ${#k8s_cmds[@]} -gt 0 ] && [ ! -f "$k8s_src/.ready" ]; then
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
if [ ${#k8s_cmds[@]} -gt 0 ]; then
  step "kubernetes $KUBERNETES_VERSION: compiling ${k8s_cmds[*]##*/}"
  (cd "$k8s_src" && go build -trimpath -ldflags "$(ldflags_version "$KUBERNETES_VERSION")" -o "$bin/" "${k8s_cmds[@]}")
fi

# --- etcd: its own go.mod replaces sibling folders, so it cannot be `go install`ed by version.
etcd_src="$out/src/etcd"
if ! have etcd && [ ! -f "$etcd_src/.ready" ]; then
  step "etcd $ETCD_VERSION: resolving modules"
  rm -rf "$etcd_src" && mkdir -p "$etcd_src"
  printf 'module jobhooks.test/etcd-build\n\ngo 1.24.0\n' >"$etcd_src/go.mod"
  (cd "$etcd_src" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" 2>&1 | tail -3 >&2)
  touch "$etcd_src/.ready"
fi
if ! have etcd; then
  step "etcd $ETCD_VERSION: compiling"
  (cd "$etcd_src" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3)
fi

# --- kwok: a plain module.
if ! have kwok; then
  step "kwok $KWOK_VERSION: compiling"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
fi

have_all || { echo "build.sh: build finished but binaries are missing in $bin" >&2; exit 1; }
step "done in $bin"
result
