"""The hashed lock files: they agree with pyproject.toml, every pin carries a hash, and
scripts/check_lock.py (run by scripts/setup.sh) fails loudly when they drift apart."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from .editorial_helpers import ROOT

LOCKS = ("runtime.txt", "test.txt")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def blocks(name: str) -> list[str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    return [b for b in re.split(r"\n(?=\S)", text) if PIN.match(b)]


def check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(root / "scripts" / "check_lock.py"), *args],
                          capture_output=True, text=True, timeout=60)


def test_the_locks_agree_with_pyproject() -> None:
    done = check(ROOT, "--test")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", LOCKS)
def test_every_pin_is_exact_and_hashed(name: str) -> None:
    found = blocks(name)
    assert len(found) > 40
    for block in found:
        assert "--hash=sha256:" in block, block.splitlines()[0]
    assert any(b.startswith("setuptools==") for b in found)  # the build backend too (--no-build-isolation)


def test_this_environment_is_the_test_lock() -> None:
    """What the tests run on is what CI installs: every test-lock pin, at its version."""
    wrong = []
    for block in blocks("test.txt"):
        name, version = PIN.match(block).groups()  # type: ignore[union-attr]
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            wrong.append(f"{name}: lock {version}, here {installed}")
    assert not wrong, "run bash scripts/setup.sh --test: " + "; ".join(wrong)


def test_a_dependency_added_without_relocking_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "check_lock.py", tmp_path / "scripts")
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        pyproject.replace('  "limits>=3.10",\n', '  "limits>=3.10",\n  "left-pad-nowhere>=1.0",\n  "tqdm>=99",\n'),
        encoding="utf-8")
    done = check(tmp_path)
    assert done.returncode == 1
    assert "'left-pad-nowhere>=1.0', which requirements/runtime.txt does not pin" in done.stderr
    assert "'tqdm>=99', but requirements/runtime.txt pins tqdm==" in done.stderr
    assert "fix: bash scripts/lock.sh" in done.stderr


def test_setup_installs_from_the_locks_with_hashes() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert 'pip install -q --require-hashes -r "$lock"' in setup
    assert "pip install -q --no-deps --no-build-isolation -e ." in setup
    assert "scripts/check_lock.py --test" in setup and "requirements/test.txt" in setup
    assert "--upgrade" not in setup  # nothing unpinned, not even pip
