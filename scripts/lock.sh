#!/usr/bin/env bash
# Regenerate the hashed lock files in requirements/ from pyproject.toml (docs: README, "Dependencies").
#
#   bash scripts/lock.sh              # after editing pyproject.toml: add what is new, keep every other pin
#   bash scripts/lock.sh --upgrade    # move every pin to the newest release that fits pyproject.toml
#   bash scripts/lock.sh -P mkdocs    # move one package (pip-compile's --upgrade-package)
#
# The locks are for Python 3.11 on Linux x86_64 (what CI and the workflows run), resolved from
# PyPI only: this machine's pip configuration (local wheel folders, extra indexes) is ignored.
# pip-compile (pip-tools) writes them; plain pip reads them with --require-hashes.
set -euo pipefail
cd "$(dirname "$0")/.."
PIP_TOOLS="pip-tools==7.6.2"
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
"$python" - <<'PY'
import platform, sys
if sys.version_info[:2] != (3, 11) or platform.system() != "Linux" or platform.machine() != "x86_64":
    sys.exit(f"scripts/lock.sh: the locks are for Python 3.11 on Linux x86_64; this is Python "
             f"{sys.version.split()[0]} on {platform.system()} {platform.machine()} (set PYTHON=...)")
PY
tools=$(mktemp -d "${TMPDIR:-/tmp}/masthead-lock-XXXXXX")
trap 'rm -rf "$tools"' EXIT
"$python" -m venv "$tools/venv"
pypi_only() { env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null "$@"; }
pypi_only "$tools/venv/bin/python" -m pip install -q "$PIP_TOOLS"
compile() {
  pypi_only "$tools/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --newline=lf \
    --build-deps-for editable "$@" pyproject.toml
}
mkdir -p requirements
# The runtime lock first; the test lock is constrained by it, so both hold the same versions.
compile "$@" -o requirements/runtime.txt
compile "$@" --extra test -c requirements/runtime.txt -o requirements/test.txt
echo "wrote requirements/runtime.txt and requirements/test.txt; commit them with pyproject.toml"
