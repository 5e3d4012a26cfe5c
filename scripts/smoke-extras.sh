#!/usr/bin/env bash
# Install platekeeper and each of its extras into a fresh virtual environment, from this
# checkout, and check that the part each one adds works:
#   (none)        `serve` answers on 127.0.0.1; `read` and `agent` name the extra they need
#   recognition   `read` reads a rendered plate photo; `agent` still names [agent]
#   agent         `agent --check` passes on a sample configuration; `bridge frigate --help`
#   test          the layering and extras tests pass against the installed wheel
# Every wheel (ours and the dependencies) is built once into a temporary folder and each
# environment installs from there only, so the four installs cost unpacking, not resolving.
# Measured 2026-11-29 on this project's 2-core machine shared with other work, wall clock of
# the whole script: 6.5 min with a pip and compiled bytecode in every environment, 4.9 min
# without (of which 1 min building the wheels and 0.8 min deleting the environments).
# Usage: scripts/smoke-extras.sh   (PYTHON=python3.x to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/platekeeper-extras.XXXXXX")
server=""
cleanup() {
  if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '== %s (%ss)\n' "$*" "$SECONDS"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

# A command that must refuse with exit code 1 and one line naming `platekeeper[EXTRA]`.
expect_extra() {
  local extra=$1 out status=0
  shift
  out=$("$@" 2>&1) || status=$?
  [[ $status -eq 1 ]] || fail "$* exited $status, not 1: $out"
  [[ $(printf '%s\n' "$out" | wc -l) -eq 1 ]] || fail "$* printed more than one line: $out"
  grep -qF "platekeeper[$extra]" <<<"$out" || fail "$* did not name [$extra]: $out"
}

new_env() { # NAME SPEC: a fresh environment with SPEC installed from the built wheels only
  # No pip inside (this pip installs into it) and no bytecode compiled ahead: the two
  # costliest steps of an install that is thrown away after one use.
  "$python" -m venv --without-pip "$work/$1"
  "$python" -m pip --python "$work/$1/bin/python" install --quiet --no-compile --no-index \
    --find-links "$work/wheels" "$2"
}

step "building wheels"
"$python" -m pip wheel --quiet --wheel-dir "$work/wheels" "$repo[test]"

mkdir -p "$work/drop"
cat >"$work/agent.toml" <<TOML
[server]
url = "http://127.0.0.1:9"
token = "smoke-test-token"

[[source]]
kind = "folder"
path = "$work/drop"
TOML

step "platekeeper (server and command line)"
new_env base platekeeper
pk=$work/base/bin/platekeeper
"$pk" --version
"$work/base/bin/python" -c "
from platekeeper.demo.plate_images import render_plate
open('$work/plate.jpg', 'wb').write(render_plate('7ABC123', 'CA'))"
port=$("$work/base/bin/python" -c "
import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
PLATEKEEPER_DATA_DIR=$work/data "$pk" serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
"$work/base/bin/python" - "$port" <<'PY' || { cat "$work/serve.log"; fail "serve did not answer"; }
import sys, time, urllib.request
deadline = time.monotonic() + 90
while True:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2) as r:
            if r.status == 200:
                break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
PY
kill "$server" && wait "$server" || true
server=""
expect_extra recognition "$pk" read "$work/plate.jpg"
expect_extra agent "$pk" agent --config "$work/agent.toml" --check

step "platekeeper[recognition]"
new_env recognition "platekeeper[recognition]"
"$work/recognition/bin/platekeeper" read "$work/plate.jpg" | tee "$work/read.txt"
grep -q "7ABC123" "$work/read.txt" || fail "read did not find 7ABC123"
expect_extra agent "$work/recognition/bin/platekeeper" agent --config "$work/agent.toml" --check

step "platekeeper[agent]"
new_env agent "platekeeper[agent]"
"$work/agent/bin/platekeeper" agent --config "$work/agent.toml" --check
"$work/agent/bin/platekeeper" bridge frigate --help >/dev/null

step "platekeeper[test]"
new_env test "platekeeper[test]"
"$work/test/bin/python" -m pytest -q -p no:cacheprovider tests/test_layers.py tests/cli/test_extras.py

step "every extra installs and works"
