#!/usr/bin/env bash
# The README's first command: set up, build the sample magazine, and serve it on
# http://127.0.0.1:$MASTHEAD_SITE_PORT/ (default 8000) with the send-text service on
# http://127.0.0.1:$MASTHEAD_FORM_PORT/ (default 8001) writing to this repository's Git
# (branches submissions/*), no accounts needed. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
site_port="${MASTHEAD_SITE_PORT:-8000}"
form_port="${MASTHEAD_FORM_PORT:-8001}"
site="http://127.0.0.1:${site_port}"
form="http://127.0.0.1:${form_port}"
bash scripts/setup.sh
.venv/bin/masthead check
# The built /send/ page posts to the local service; its receipt page links back to the local site.
export MASTHEAD_SUBMISSIONS_SERVICE_URL="${form}/"
export MASTHEAD_SUBMISSIONS_SITE_URL="${site}/"
.venv/bin/masthead build
.venv/bin/masthead formbot --host 127.0.0.1 --port "$form_port" &
formbot=$!
trap 'kill "$formbot" 2>/dev/null || true' EXIT
echo "masthead demo: the magazine on ${site}/"
echo "masthead demo: the send-text service on ${form}/ (the form is ${site}/send/; texts become branches submissions/*)"
.venv/bin/masthead serve --host 127.0.0.1 --port "$site_port" --published-only
