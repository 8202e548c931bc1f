#!/usr/bin/env bash
# Set up a fresh machine for masthead: a virtual environment in .venv with the project and,
# with --test, what the tests need (Chromium from Debian for the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
  # Chromium for the browser tests; shellcheck lets actionlint check the workflows' scripts.
  if ! command -v chromium >/dev/null 2>&1 || ! command -v shellcheck >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium shellcheck fonts-noto-cjk >/dev/null
  fi
else
  .venv/bin/python -m pip install -q -e .
fi
