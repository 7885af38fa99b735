#!/usr/bin/env bash
# Installs the pinned real clients the emulator's live tests drive into this folder:
#   .venv/         pycognito and boto3 (requirements.txt, every transitive dependency pinned)
#   node_modules/  amazon-cognito-identity-js, aws-amplify, @aws-sdk/client-cognito-identity-provider
#                  and cognito-srp-helper (package.json + package-lock.json)
# Idempotent: run it again after any change to the pins. Needs PyPI and npm access the first time.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PYTHONDONTWRITEBYTECODE=1

if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$here/.venv/bin/pip" check --disable-pip-version-check >/dev/null

npm ci --prefix "$here" --no-audit --no-fund --loglevel=error

echo "interop clients installed: $here/.venv $here/node_modules" >&2
