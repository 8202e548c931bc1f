"""`masthead thanks`: who a merged submission thanks, by masthead's first-piece rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .editorial_helpers import NIGHT_BREAD, Magazine, story
from masthead.cli import main


def merge(magazine: Magazine, branch: str, files: dict[str, str]) -> None:
    magazine.submit(branch, files)
    magazine.git("merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch)


def thanks(magazine: Magazine, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:  # type: ignore[type-arg]
    assert main(["--root", str(magazine.root), "thanks", "--base", "main^1", "--head", "main",
                 "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_new_and_returning_authors(magazine: Magazine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**NIGHT_BREAD, "content/city/duo.md": story("Duo", "lena-fischer, anna-sokolova", "2026-11-21 08:00")}
    merge(magazine, "duo", files)
    out = thanks(magazine, tmp_path, capsys, "--editor", "hannah-gh", "--opener", "someone")
    assert [(a["handle"], a["first_piece"]) for a in out["authors"]] == [("lena-fischer", True),
                                                                         ("anna-sokolova", False)]
    body = " ".join(out["body"].split())
    assert "Welcome to the magazine, Lena Fischer, and thank you" in body
    assert "Thank you, Anna Sokolova, for writing for the magazine again." in body
    assert "@hannah-gh merged it" in body and "someone" not in body


def test_contributed_names_cannot_mention_or_link(magazine: Magazine, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    files = {"contributors/odd.yml": "name: \"@everyone [x](https://evil.example)\"\nroles: [author]\njoined: 2026-11-20\n",
             "content/city/odd.md": story("Odd", "odd", "2026-11-21 08:00")}
    merge(magazine, "odd", files)
    body = thanks(magazine, tmp_path, capsys, "--submission", "--opener", "formbot-owner",
                  "--editor", "github-actions[bot]")["body"]
    assert "\\@everyone \\[x\\](https://evil.example)" in body
    assert "formbot-owner" not in body and "@github-actions" not in body
    assert "sent through the site's form" in body


def test_a_merge_without_stories_thanks_who_opened_it(magazine: Magazine, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    merge(magazine, "typo", {"site_config/pages/extra.md": "# Extra\n"})
    body = thanks(magazine, tmp_path, capsys, "--opener", "mroux")["body"]
    assert body.startswith("Thank you, @mroux!")
