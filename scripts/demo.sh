#!/usr/bin/env bash
# The README's first command: set up, build the sample magazine, and serve it on
# http://127.0.0.1:8000/ with the send-text service on http://127.0.0.1:8001/ writing to
# this repository's Git (branches submissions/*), no accounts needed. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/masthead check
.venv/bin/masthead build
# The preview below is served from http://127.0.0.1:8000, so the service accepts posts from there.
MASTHEAD_SUBMISSIONS_ALLOWED_ORIGINS="http://127.0.0.1:8000" \
  .venv/bin/masthead formbot --host 127.0.0.1 --port 8001 &
formbot=$!
trap 'kill "$formbot" 2>/dev/null || true' EXIT
.venv/bin/masthead serve --host 127.0.0.1 --port 8000 --published-only
