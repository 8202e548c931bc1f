"""The new outputs (JSON feeds, the feed record, the newsletter pages) are planned like every
other file: an incremental build equals a clean one, and an unchanged edition costs no parsing."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import Magazine
from ..core.test_incremental import build_elsewhere, same_as_clean
from .conftest import fill

EDITION = "---\ntitle: First\nmade: 2026-11-15 10:00\nstories: [city/bridge.md, city/market.md]\n---\nHello.\n"


def test_feeds_and_editions_rebuild_as_a_clean_build_would(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine, hub="https://hub.example.net/")
    magazine.write("content/newsletter/2026-11-15.md", EDITION)
    same_as_clean(magazine, tmp_path)
    record = json.loads((magazine.root / "site/feeds/digests.json").read_text())
    # an edit to one story: its feeds' records move, the others' stay
    magazine.story("culture/choir.md", "A choir sings louder.", title="The choir", date="2026-11-14 09:00",
                   section="culture", tags=["music"], authors=["anna", "ben"])
    same_as_clean(magazine, tmp_path)
    after = json.loads((magazine.root / "site/feeds/digests.json").read_text())
    moved = sorted(url for url in record["feeds"] if record["feeds"][url] != after["feeds"][url])
    assert "https://gazette.example.org/culture/feed.json" in moved
    assert "https://gazette.example.org/city/feed.json" not in moved
    magazine.write("content/newsletter/2026-11-15.md", EDITION.replace("Hello.", "Hello again."))
    same_as_clean(magazine, tmp_path)
    assert "Hello again." in (magazine.root / "site/newsletter/2026-11-15/index.html").read_text()
    magazine.write("content/newsletter/2026-11-20.fr.md", "---\nmade: 2026-11-20 10:00\nstories: []\n---\nSalut.\n")
    same_as_clean(magazine, tmp_path)
    assert (magazine.root / "site/newsletter/2026-11-20-fr/index.html").is_file()
    (magazine.root / "content/newsletter/2026-11-20.fr.md").unlink()
    same_as_clean(magazine, tmp_path)
    assert not (magazine.root / "site/newsletter/2026-11-20-fr/index.html").exists()
    magazine.settings(_settings(hub=""))
    same_as_clean(magazine, tmp_path)
    assert "hubs" not in json.loads((magazine.root / "site/feed.json").read_text())


def _settings(hub: str) -> dict[str, object]:
    from ..conftest import SETTINGS

    return {**SETTINGS, "websub_hub": hub} if hub else dict(SETTINGS)


def test_an_unchanged_edition_is_not_parsed_again(magazine: Magazine) -> None:
    fill(magazine)
    magazine.write("content/newsletter/2026-11-15.md", EDITION)
    magazine.build()
    assert build_elsewhere(magazine, 1) is False  # no pydantic: the editions came from the config cache
    magazine.write("content/newsletter/2026-11-15.md", EDITION.replace("Hello.", "Hi."))
    assert build_elsewhere(magazine, 2) is True
