#!/usr/bin/env bash
# Set up a fresh machine for masthead: a virtual environment in .venv with the project and,
# with --test, what the tests need (Chromium from Debian for the browser tests, axe-core and
# Lighthouse from npm for the browser audits).
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
  # axe-core and Lighthouse for the browser audits (tests/browser/test_audits.py), at the exact
  # versions of the committed package-lock.json, from the npm registry only (no browser download:
  # Lighthouse drives Debian's Chromium). Skipped when that lock is already installed.
  if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  node_project=tests/browser/node
  if ! cmp -s "$node_project/package-lock.json" "$node_project/node_modules/.masthead-lock"; then
    (cd "$node_project" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
    cp "$node_project/package-lock.json" "$node_project/node_modules/.masthead-lock"
  fi
fi
