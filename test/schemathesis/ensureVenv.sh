#!/usr/bin/env bash
# Prints the path of a `schemathesis` executable, installing it from PyPI into a virtualenv cached
# outside the repo on first use (~/.cache/jobhooks, beside the test cluster's binaries). The
# version is pinned so every machine runs the same checks; raise it on purpose.
# Fails loudly: the Schemathesis test must run in CI, never skip for want of Python.
set -euo pipefail
version=4.32.5
venv="${JOBHOOKS_SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/jobhooks/schemathesis-$version}"
fail() { echo "ensureVenv.sh: $*" >&2; exit 1; }

# The marker is written last, so an interrupted install is redone, never half used.
if [ ! -f "$venv/.installed" ]; then
  command -v python3 >/dev/null || fail "python3 is not installed (Debian: apt-get install python3 python3-venv)"
  command -v flock >/dev/null || fail "flock is not installed (Debian: apt-get install util-linux)"
  mkdir -p "$(dirname "$venv")"
  # One installer at a time; a second caller waits, then finds the finished venv.
  exec 9>"$venv.lock"
  flock 9
  if [ ! -f "$venv/.installed" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" >&2 ||
      fail "python3 -m venv failed: is the venv module installed? (Debian: apt-get install python3-venv)"
    "$venv/bin/python" -m pip install --quiet "schemathesis==$version" >&2 ||
      fail "pip could not install schemathesis==$version from PyPI"
    touch "$venv/.installed"
  fi
fi
echo "$venv/bin/schemathesis"
