#!/usr/bin/env bash
# Installs the pinned AWS CLI that cli/tests/awscli.rs drives into cli/tests/awscli/.venv
# (requirements.txt: every transitive dependency pinned). Idempotent; needs PyPI the first time.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PYTHONDONTWRITEBYTECODE=1

if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$here/requirements.txt"
"$here/.venv/bin/pip" check --disable-pip-version-check >/dev/null
"$here/.venv/bin/aws" --version >&2
