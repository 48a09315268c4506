#!/usr/bin/env bash
# The Dockerfile's steps without a Docker engine, on this machine's Node: the build stage in
# WORK/src (the committed tree), the runtime stage's /app in WORK/app, which is then run as UID
# 65532 with nothing under it writable. Not part of `npm test` (it takes a few minutes).
#   bash test/package/simulateImage.sh [WORK]   (default: a new temporary folder)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${1:-$(mktemp -d)}
src=$work/src app=$work/app data=$work/data
started=$(date +%s)
say() { printf '[image +%4ss] %s\n' "$(($(date +%s) - started))" "$*"; }
rm -rf "$src" "$app" "$data" && mkdir -p "$src" "$data" && chmod 755 "$work"

say "build stage: the committed tree, npm ci"
git -C "$repo" archive HEAD | tar -x -C "$src"
cd "$src"
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
npm ci --no-audit --no-fund --loglevel=error
say "build stage: build, pack, prune, trim"
npm run build --silent
npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null
mkdir "$app"
tar -xzf "$work"/jobhooks-*.tgz -C "$app" --strip-components=1 --no-same-owner
rm "$work"/jobhooks-*.tgz
npm prune --omit=dev --no-audit --no-fund --loglevel=error
mv node_modules "$app/node_modules"
cd "$app/node_modules"
find . -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete
mv better-sqlite3/build/Release/better_sqlite3.node "$work/"
rm -rf better-sqlite3/build better-sqlite3/deps better-sqlite3/src
mkdir -p better-sqlite3/build/Release
mv "$work/better_sqlite3.node" better-sqlite3/build/Release/
cd /
say "runtime /app: $(du -sh "$app" | cut -f1), of it node_modules $(du -sh "$app/node_modules" | cut -f1)"

# As in the image: UID 65532, HOME /, NODE_ENV production, /app owned by root; the store on a
# volume the user may write.
chown -R 0:0 "$app" && chown 65532:65532 "$data"
jobhooks=(env -i PATH="$PATH" HOME=/ NODE_ENV=production
  setpriv --reuid=65532 --regid=65532 --clear-groups node "$app/dist/bin/jobhooks.js")

say "version $("${jobhooks[@]}" version)"
for role in controlplane gateway sidecar all; do "${jobhooks[@]}" "$role" --help >/dev/null; done
say "--help of every role: exit 0"

# Runs a role in the background until it has logged every message given, then SIGTERM; it must
# exit 0. Usage: serve NAME "MSG…" -- ARGS…
serve() {
  local name=$1 log=$data/$1.log msgs=() pid msg
  shift
  while [ "$1" != -- ]; do msgs+=("$1") && shift; done
  shift
  "${jobhooks[@]}" "$name" "$@" >"$log" 2>&1 &
  pid=$!
  for msg in "${msgs[@]}"; do
    for _ in $(seq 100); do grep -q "\"msg\":\"$msg\"" "$log" && break; sleep 0.2; done
    grep -q "\"msg\":\"$msg\"" "$log" || { kill "$pid"; cat "$log" >&2; exit 1; }
  done
  kill "$pid"
  wait "$pid" || { echo "$name exited $? after SIGTERM" >&2; cat "$log" >&2; exit 1; }
}

# `all` opens its store (better-sqlite3's native module) and serves gRPC and REST even with the
# apiserver away; here it points at a closed loopback port.
cat >"$data/kubeconfig" <<'YAML'
apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: none, user: {} }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
YAML
serve all "gRPC listening" "REST API listening" -- --kubeconfig "$data/kubeconfig" --auth=none \
  --store "sqlite:$data/store/jobhooks.db" --grpc-listen 127.0.0.1:0 --listen 127.0.0.1:0 \
  --health-listen 127.0.0.1:0
[ -f "$data/store/jobhooks.db" ] || { echo "no store written" >&2; exit 1; }
say "all: store opened in $data/store, gRPC and REST served, exit 0 on SIGTERM"
serve sidecar "sidecar listening" -- --listen 127.0.0.1:0 --token-file "$data/token" \
  --controlplane 127.0.0.1:1
say "sidecar: served, exit 0 on SIGTERM"
if find "$app" -newer "$data/kubeconfig" | grep -q .; then
  echo "written under /app:" >&2 && find "$app" -newer "$data/kubeconfig" >&2 && exit 1
fi
say "nothing written under /app; done in $work"
