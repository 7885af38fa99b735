#!/usr/bin/env bash
# Regenerates vectors/amazon-cognito-identity-js.json and vectors/pycognito.json from the
# real clients, pinned in js/package.json, js/package-lock.json and requirements.txt.
# Idempotent and deterministic: no clock, no randomness (both are stubbed in the drivers).
set -euo pipefail
out=$(realpath -m "${VECTOR_OUT:-$(dirname "${BASH_SOURCE[0]}")}")
cd "$(dirname "${BASH_SOURCE[0]}")"
export LC_ALL=C TZ=UTC PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1

# 1. pinned clients into project-local folders
npm ci --prefix js --no-audit --no-fund --loglevel=error
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/pip check --disable-pip-version-check >/dev/null

# VECTOR_SEED=... VECTOR_OUT=dir makes a fresh set from other fixed inputs into dir
# (used by .ci/run to feed validate_vectors files it has never seen).
mkdir -p "$out"

# 2. case inputs (service-side math and edge-case searches only)
mkdir -p build
.venv/bin/python gen_cases.py build/cases.json

# 3. drive the real clients
node js/drive_js.js build/cases.json "$out/amazon-cognito-identity-js.json" &
js_pid=$!
.venv/bin/python drive_pycognito.py build/cases.json "$out/pycognito.json"
wait "$js_pid"
echo "regenerated: $out/amazon-cognito-identity-js.json $out/pycognito.json" >&2
