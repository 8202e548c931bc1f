"""`masthead check`: every bad input gets its message; formats; exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml

from masthead.cli import main

CASES = yaml.safe_load((Path(__file__).parent / "check_cases.yml").read_text(encoding="utf-8"))


def run_check(root: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["--root", str(root), "check", *args])
    return code, out.getvalue()


def apply(mag: Any, case: dict[str, Any], tmp_path: Path) -> None:
    for rel, text in (case.get("files") or {}).items():
        mag.write(rel, text)
    for story in ([case["story"]] if "story" in case else []) + case.get("stories", []):
        mag.story(story["rel"], story.get("body", "Some words."), **story.get("fields", {}))
    if "bom_story" in case:
        path = mag.story(case["bom_story"])
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    if "big_file" in case:
        mag.write(case["big_file"], "---\ntitle: x\n---\n" + "word " * 2_100_000)
    if "symlink" in case:
        outside = tmp_path / "outside.md"
        outside.write_text("---\ntitle: secret\n---\n")
        os.symlink(outside, mag.root / case["symlink"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_is_reported(magazine: Any, tmp_path: Path, case: dict[str, Any]) -> None:
    magazine.story("city/fine.md")
    apply(magazine, case, tmp_path)
    code, out = run_check(magazine.root)
    for line in case["expect"]:
        assert line in out, f"missing message:\n  {line}\nin output:\n{out}"
    assert code == case["exit"], out
    assert "Traceback" not in out


def test_all_problems_at_once_sorted(magazine: Any) -> None:
    magazine.story("city/b.md", authors=["zed"])
    magazine.story("city/a.md", section="nowhere")
    code, out = run_check(magazine.root)
    lines = [line for line in out.splitlines() if ": error: " in line]
    assert len(lines) == 2 and lines == sorted(lines)
    assert code == 1


def test_clean_magazine_passes_and_strict_fails_on_warnings(magazine: Any) -> None:
    magazine.story("city/fine.md")
    assert run_check(magazine.root)[0] == 0
    magazine.story("city/nosummary.md", summary="")
    code, out = run_check(magazine.root)
    assert code == 0 and "warning: field 'summary'" in out
    assert run_check(magazine.root, "--strict")[0] == 1


def test_json_and_github_formats(magazine: Any) -> None:
    magazine.story("city/ana.md", authors=["ana"])
    code, out = run_check(magazine.root, "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["errors"] == 1
    problem = data["problems"][0]
    assert problem["path"] == "content/city/ana.md" and problem["line"] == 3 and problem["field"] == "authors"
    assert "did you mean 'anna'" in problem["fix"]
    code, out = run_check(magazine.root, "--format", "github")
    assert out.startswith("::error file=content/city/ana.md,line=3,title=authors::")


def test_cli_exit_status_from_a_real_process(magazine: Any) -> None:
    magazine.story("city/ana.md", authors=["ana"])
    done = subprocess.run([sys.executable, "-m", "masthead.cli", "--root", str(magazine.root), "check"],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "unknown contributor 'ana'" in done.stdout


def test_outside_a_magazine_the_error_says_what_to_do(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "masthead.cli", "check"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert "no magazine found" in done.stderr and "--root" in done.stderr
