#!/usr/bin/env bash
# Create the project's Python venv (.venv) from the pinned requirements-dev.txt.
# Used by the tests (real Flask, Django, Gunicorn) and the benchmarks. tsgi itself needs only python3 ≥ 3.9.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
echo "python venv ready: $(.venv/bin/python -V) in .venv"
