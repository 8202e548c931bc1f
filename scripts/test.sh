#!/usr/bin/env bash
# The test command of the README and of CI: set up, then run every test and the type checker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/python -m mypy
.venv/bin/python -m pytest -q "$@"
