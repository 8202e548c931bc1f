"""`python` on the simulated runner's PATH (what actions/setup-python provides there).

`python -m pip install ...` installs nothing (the test's environment already holds the
packages): it checks what a real install would be given and records it in $PIP_SHIM_LOG.
A lock install (`--require-hashes -r FILE`) fails unless every pin in FILE carries a hash
and is the version installed here, so the runner runs what the lock says. Anything else
runs the real interpreter."""

from __future__ import annotations

import json
import os
import re
import sys
from importlib import metadata
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def check_lock(path: Path) -> list[str]:
    problems = []
    blocks = re.split(r"\n(?=\S)", path.read_text(encoding="utf-8"))
    for block in blocks:
        m = PIN.match(block)
        if not m:
            continue
        name, version = m[1], m[2]
        if "--hash=sha256:" not in block:
            problems.append(f"{name}=={version} has no hash")
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name}=={version} is not installed here")
            continue
        if installed != version:
            problems.append(f"{name}: the lock says {version}, this environment has {installed}")
    return problems


def pip_install(args: list[str]) -> int:
    entry: dict[str, object] = {"args": args, "cwd": os.getcwd()}
    if "-r" in args:
        lock = Path(args[args.index("-r") + 1])
        if "--require-hashes" not in args:
            print("pip: the lock must be installed with --require-hashes", file=sys.stderr)
            return 1
        if not lock.is_file():
            print(f"ERROR: Could not open requirements file: {lock}", file=sys.stderr)
            return 1
        problems = check_lock(lock)
        entry["locked"] = str(lock)
        if problems:
            print("\n".join(problems) + "\n(the runner runs on the test environment: bash scripts/setup.sh --test)", file=sys.stderr)
            return 1
    elif "-e" in args and not Path(args[args.index("-e") + 1], "pyproject.toml").is_file():
        print("ERROR: no pyproject.toml to install", file=sys.stderr)
        return 1
    with open(os.environ["PIP_SHIM_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
    return 0


def main(argv: list[str]) -> int:
    if argv[:3] == ["-m", "pip", "install"]:
        return pip_install(argv[3:])
    real = os.environ["MASTHEAD_REAL_PYTHON"]
    os.execv(real, [real, *argv])
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
