"""Every source's fixture site imports, checks and builds; the built pages show no syntax of
the old generator, every image they show is there, and every old address redirects."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from masthead.domain.typography import typeset_text

from .conftest import FIXTURES, SOURCES, Imported, run_import

LEFTOVERS = ("{{<", "{{%", "{{ ", "{#", "{%", "@/", "{filename}", "{static}", "|filename|", "[caption", "[gallery",
             "<iframe", "<script", "__GHOST_URL__", "+++", "masthead-story:")


def story_pages(site: Path) -> list[Path]:
    """Built story pages: the ones with an <article> (lists, redirects and the rest left out)."""
    pages = []
    for path in sorted(site.rglob("index.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        if soup.select_one("article.story") is not None:
            pages.append(path)
    return pages


def prose(soup: BeautifulSoup) -> str:
    """What a reader sees, code blocks (which show syntax on purpose) left out."""
    for code in soup.find_all(["code", "pre"]):
        code.decompose()
    main = soup.find("main") or soup
    return main.get_text(" ")


@pytest.mark.parametrize("kind", SOURCES)
def test_imports_checks_and_builds(imported: dict[str, Imported], kind: str) -> None:
    result = imported[kind]
    assert result.check == 0, result.output
    assert result.build == 0
    assert story_pages(result.site), "no story was built"


@pytest.mark.parametrize("kind", SOURCES)
def test_no_generator_syntax_is_shown(imported: dict[str, Imported], kind: str) -> None:
    for page in story_pages(imported[kind].site):
        text = prose(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser"))
        found = [mark for mark in LEFTOVERS if mark in text]
        assert not found, f"{page}: {found} in {text[:400]!r}"


@pytest.mark.parametrize("kind", SOURCES)
def test_every_image_shown_is_there(imported: dict[str, Imported], kind: str) -> None:
    site = imported[kind].site
    count = 0
    for page in story_pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for img in soup.select("main img"):
            src = img["src"]
            if urlsplit(src).scheme:
                continue
            target = (page.parent / src).resolve() if not src.startswith("/") else site / src.lstrip("/")
            assert target.is_file(), f"{page}: image {src} missing"
            count += 1
    assert count or kind in ("pelican-none",), "the fixture shows images; none were found"


@pytest.mark.parametrize("kind", SOURCES)
def test_old_addresses_redirect_to_the_new_ones(imported: dict[str, Imported], kind: str) -> None:
    result = imported[kind]
    table = yaml.safe_load((result.root / "site_config/redirects.yml").read_text())["redirects"]
    assert table, "the fixture has old addresses"
    base = "https://x.example/"
    rules = (result.site / "_redirects").read_text().splitlines()
    for old, target in table.items():
        out = result.site / old.lstrip("/")
        out = out / "index.html" if old.endswith("/") else out
        source = result.root / ("site_config/pages" + target.rstrip("/") + ".md" if target.startswith("/")
                                 else "content/" + target)  # a stand-alone page, or a story
        fields = yaml.safe_load(source.read_text(encoding="utf-8").split("---")[1])
        if fields.get("draft"):  # an unpublished story's old address does not give it away
            assert not out.exists()
            continue
        soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
        refresh = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
        assert refresh.startswith("0; url=")
        new = urljoin(urljoin(base, old), refresh.split("url=", 1)[1])
        landing = result.site / urlsplit(new).path.lstrip("/") / "index.html"
        assert landing.is_file(), f"{old} -> {new}: no page there"
        assert soup.find("link", rel="canonical")["href"].endswith(urlsplit(new).path)
        title = typeset_text(fields["title"], fields.get("lang") or "en")  # as the site shows it (curly quotes)
        assert BeautifulSoup(landing.read_text(encoding="utf-8"), "html.parser").find("h1").get_text(strip=True) == title
        assert f"{old} {urlsplit(new).path} 301" in rules


def test_the_report_in_text_and_json(imported: dict[str, Imported]) -> None:
    root = imported["hugo"].root
    data = json.loads((root / "import-report.json").read_text())
    lines = (root / "import-report.txt").read_text().splitlines()
    assert len(lines) == len(data["notes"]) + 1 and lines[-1].startswith("masthead import: 5 stories")
    assert data["counts"] == {kind: sum(n["kind"] == kind for n in data["notes"]) for kind in data["counts"]}
    for note, line in zip(data["notes"], lines):
        assert line.startswith(f"{note['source']}:{note['line']}: {note['kind']}: {note['what']}")
        assert (FIXTURES / "hugo" / note["source"]).is_file() or note["source"].startswith("(")


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "site" not in p.relative_to(root).parts[:1]
            and not p.relative_to(root).parts[0].startswith(".")}


@pytest.mark.parametrize("kind", SOURCES)
def test_importing_again_changes_nothing(tmp_path: Path, kind: str) -> None:
    into = tmp_path / "magazine"
    assert run_import(kind, into) == 0
    first = tree_digest(into)
    stamps = {p: p.stat().st_mtime_ns for p in into.rglob("*.md")}
    assert run_import(kind, into) == 0
    assert tree_digest(into) == first
    assert {p: p.stat().st_mtime_ns for p in into.rglob("*.md")} == stamps  # not even rewritten


def test_files_an_earlier_import_wrote_are_removed_when_gone(tmp_path: Path) -> None:
    into = tmp_path / "magazine"
    assert run_import("hugo", into) == 0
    leftover = into / "content" / "posts" / "gone.md"
    leftover.write_text("---\ntitle: x\n---\n")
    report = into / "import-report.json"
    report.write_text(report.read_text().replace('"written": [', '"written": [\n  "content/posts/gone.md",'))
    mine = into / "content" / "posts" / "mine.txt"
    mine.write_text("an editor's file")
    assert run_import("hugo", into) == 0
    assert not leftover.exists()
    assert mine.exists()


def test_a_folder_that_is_not_an_import_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    into = tmp_path / "magazine"
    into.mkdir()
    (into / "notes.txt").write_text("mine")
    assert run_import("hugo", into) == 2
    assert "is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in into.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("kind", SOURCES)
def test_no_email_address_reaches_the_magazine_or_the_site(imported: dict[str, Imported], kind: str) -> None:
    root = imported[kind].root
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".yml", ".html", ".xml", ".json", ".txt"):
            assert not re.search(r"[\w.+-]+@private\.example", path.read_text(encoding="utf-8", errors="replace")), path
