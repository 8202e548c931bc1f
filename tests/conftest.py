"""Fixtures shared by every test: tiny real magazines in tmp_path, and the sample magazine
built once per session."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)

SETTINGS = {
    "title": "The Test Gazette",
    "tagline": {"en": "News from the test bench", "ru": "Новости со стенда"},
    "language": "en",
    "languages": ["en", "ru", "fr", "ko"],
    "timezone": "Europe/Paris",
    "sections": [{"id": "city", "title": {"en": "City", "ru": "Город"}}, {"id": "culture", "title": "Culture"}],
    "per_page": 2,
    "feed_items": 20,
}
PEOPLE = {
    "anna": {"name": "Anna Petrova", "roles": ["editor", "author"], "joined": "2024-01-01", "bio": "Editor."},
    "ben": {"name": "Ben Okafor", "roles": ["author"], "joined": "2025-03-01"},
}


# A real 1x1 PNG: every image a story names is decoded by `check` (docs/images.md).
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082")


class Magazine:
    """A tiny real magazine written into a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "content").mkdir(parents=True, exist_ok=True)
        (root / "contributors").mkdir(exist_ok=True)
        (root / "site_config").mkdir(exist_ok=True)
        shutil.copytree(REPO / "theme", root / "theme", dirs_exist_ok=True)
        self.settings(SETTINGS)
        (root / "site_config" / "mkdocs.yml").write_text(
            "site_name: Test\nsite_url: https://gazette.example.org/\ndocs_dir: pages\n"
            "theme:\n  name: null\n  custom_dir: ../theme/mkdocs\nplugins:\n  - masthead\n")
        (root / "site_config" / "pages").mkdir(exist_ok=True)
        for handle, person in PEOPLE.items():
            self.person(handle, person)

    def settings(self, data: dict[str, Any]) -> None:
        self.write("site_config/magazine.yml", yaml.safe_dump(data, allow_unicode=True))

    def person(self, handle: str, data: dict[str, Any]) -> None:
        self.write(f"contributors/{handle}.yml", yaml.safe_dump(data, allow_unicode=True))

    def story(self, rel: str, body: str = "Some words.", **fields: Any) -> Path:
        front = {"title": "A story", "authors": ["anna"], "date": "2026-11-01 09:00", "section": "city",
                 "summary": "What it is about."}
        front.update(fields)
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + textwrap.dedent(body)
        return self.write(f"content/{rel}", text)

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def build(self, **kwargs: Any) -> Any:
        from masthead.site.build import build_site

        kwargs.setdefault("now", NOW)
        kwargs.setdefault("progress", False)
        return build_site(self.root, **kwargs)

    def html(self, rel: str, site: str = "site") -> BeautifulSoup:
        return BeautifulSoup((self.root / site / rel).read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session", autouse=True)
def build_state_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build state (masthead/state.py) under the session's temporary folder, not ~/.cache;
    subprocesses inherit it."""
    home = tmp_path_factory.mktemp("xdg-cache")
    import os

    os.environ["XDG_CACHE_HOME"] = str(home)
    os.environ.pop("MASTHEAD_STATE_DIR", None)
    return home


@pytest.fixture
def magazine(tmp_path: Path) -> Magazine:
    return Magazine(tmp_path / "mag")


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own sample magazine, built once as of NOW."""
    from masthead.site.build import build_site

    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "contributors", "site_config", "theme"):
        shutil.copytree(REPO / name, root / name)
    build_site(root, now=NOW, progress=False)
    return root / "site"


@pytest.fixture(scope="session")
def page(sample: Path) -> Callable[[str], BeautifulSoup]:
    def parse(rel: str) -> BeautifulSoup:
        return BeautifulSoup((sample / rel).read_text(encoding="utf-8"), "html.parser")
    return parse
