#!/usr/bin/env bash
# Set up a fresh machine for masthead: a virtual environment in .venv with the project and,
# with --test, what the tests need (Chromium from Debian for the browser tests).
#
# Versions come from the hashed lock files in requirements/ (runtime.txt, or test.txt with
# --test), never from whatever the registry released today; `bash scripts/lock.sh` updates them.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1
lock=requirements/runtime.txt
[ "$want_test" = 1 ] && lock=requirements/test.txt

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# Every package at its locked version and hash (pip refuses anything unpinned or altered),
# then masthead itself without touching them (setuptools, its build backend, is in the lock).
.venv/bin/python -m pip install -q --require-hashes -r "$lock"
.venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
# pyproject.toml and the lock must agree: a dependency added without `scripts/lock.sh` fails here.
if [ "$want_test" = 1 ]; then
  .venv/bin/python scripts/check_lock.py --test
else
  .venv/bin/python scripts/check_lock.py
fi
if [ "$want_test" = 1 ]; then
  # Chromium for the browser tests; shellcheck lets actionlint check the workflows' scripts;
  # Noto CJK so that Korean, Japanese and Chinese pages render real glyphs in the browser tests.
  if ! command -v chromium >/dev/null 2>&1 || ! command -v shellcheck >/dev/null 2>&1 \
     || [ ! -d /usr/share/fonts/opentype/noto ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium shellcheck fonts-noto-cjk >/dev/null
  fi
fi
