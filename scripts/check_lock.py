"""Fail loudly when pyproject.toml and the lock files in requirements/ disagree.

    python scripts/check_lock.py            # the runtime dependencies against requirements/runtime.txt
    python scripts/check_lock.py --test     # and the `test` extra against requirements/test.txt

Every dependency pyproject.toml names must be pinned (`name==version`) in the lock, at a
version its specifier allows, and the test lock must pin every runtime package at the same
version as the runtime lock. Needs `packaging` (the locks install it). The fix is always the
same: `bash scripts/lock.sh`, then commit requirements/ with pyproject.toml.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(m[1]): m[2] for m in PIN.finditer(lock.read_text(encoding="utf-8"))}


def problems(wanted: list[str], lock: Path) -> list[str]:
    pinned = pins(lock)
    rel = lock.relative_to(ROOT)
    out = []
    for text in wanted:
        req = Requirement(text)
        version = pinned.get(canonicalize_name(req.name))
        if version is None:
            out.append(f"pyproject.toml asks for '{text}', which {rel} does not pin")
        elif not req.specifier.contains(version, prereleases=True):
            out.append(f"pyproject.toml asks for '{text}', but {rel} pins {req.name}=={version}")
    return out


def main(argv: list[str]) -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, test = ROOT / "requirements" / "runtime.txt", ROOT / "requirements" / "test.txt"
    found = problems(project["dependencies"], runtime)
    if "--test" in argv:
        found += problems([*project["dependencies"], *project["optional-dependencies"]["test"]], test)
        tested = pins(test)
        found += [f"requirements/test.txt pins {name}=={tested.get(name)}, requirements/runtime.txt {name}=={v}"
                  for name, v in pins(runtime).items() if tested.get(name) != v]
    for line in found:
        print(f"lock out of date: {line}", file=sys.stderr)
    if found:
        print("fix: bash scripts/lock.sh (pip-tools, from PyPI), then commit requirements/ with pyproject.toml",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
