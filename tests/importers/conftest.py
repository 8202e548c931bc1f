"""Fixture sites of every source, imported once per session, checked and built; tests read
the new magazine's files and the built pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from masthead.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
NOW = "2026-11-22T12:00+00:00"
SOURCES = {  # source -> (what to import, --media)
    "hugo": ("hugo", None), "zola": ("zola", None), "jekyll": ("jekyll", None), "pelican": ("pelican", None),
    "eleventy": ("eleventy", None), "wordpress": ("wordpress/export.xml", "wordpress/uploads"),
    "ghost": ("ghost/export.json", "ghost/content"),
}


@dataclass
class Imported:
    kind: str
    root: Path
    output: str
    check: int
    build: int

    @property
    def site(self) -> Path:
        return self.root / "site"

    def story(self, rel: str) -> str:
        return (self.root / "content" / rel).read_text(encoding="utf-8")

    def page(self, path: str) -> str:
        return (self.site / path.strip("/") / "index.html").read_text(encoding="utf-8")


def run_import(kind: str, into: Path, *extra: str) -> int:
    source, media = SOURCES[kind]
    args = [str(FIXTURES / source), "--from", kind, "--into", str(into), *extra]
    if media:
        args += ["--media", str(FIXTURES / media)]
    return main(["import", *args])


@pytest.fixture(scope="session")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Imported]:
    """Every fixture site imported, then `masthead check` and `masthead build` run on it."""
    out: dict[str, Imported] = {}
    for kind in SOURCES:
        root = tmp_path_factory.mktemp(kind) / "magazine"
        code = run_import(kind, root)
        assert code == 0, kind
        report = (root / "import-report.txt").read_text(encoding="utf-8")
        check = main(["--root", str(root), "check"])
        build = main(["--root", str(root), "build", "--now", NOW])
        out[kind] = Imported(kind, root, report, check, build)
    return out
