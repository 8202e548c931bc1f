"""The IndieWeb and the fediverse: `fediverse:creator`, `rel="me"` and microformats, read by a
real microformats parser (mf2py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mf2py
import pytest
from bs4 import BeautifulSoup

from masthead.cli import main

from ..conftest import PEOPLE, Magazine
from ..core.test_incremental import same_as_clean
from .conftest import fill

BASE = "https://gazette.example.org/"


def with_account(magazine: Magazine, account: str = "@anna@social.example") -> None:
    fill(magazine)
    magazine.person("anna", {**PEOPLE["anna"], "fediverse": account,
                             "links": [{"label": "Blog", "url": "https://anna.example/"}]})


def parsed(site: Path, path: str) -> tuple[BeautifulSoup, dict[str, Any]]:
    text = (site / path / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(text, "html.parser"), mf2py.parse(doc=text, url=f"{BASE}{path}")


def items_of(mf: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    found, todo = [], list(mf["items"])
    while todo:
        item = todo.pop(0)
        if kind in item["type"]:
            found.append(item)
        todo += item.get("children", []) + [v for vs in item["properties"].values() for v in vs if isinstance(v, dict)
                                           and "type" in v]
    return found


def test_story_pages_name_their_authors_fediverse_accounts(magazine: Magazine) -> None:
    with_account(magazine)
    magazine.build()
    site = magazine.root / "site"
    html, mf = parsed(site, "culture/choir/")  # by anna and ben; only anna has an account
    metas = [m["content"] for m in html.select('head meta[name="fediverse:creator"]')]
    assert metas == ["@anna@social.example"]
    html, _ = parsed(site, "city/market/")  # by ben alone
    assert html.select('head meta[name="fediverse:creator"]') == []
    (entry,) = [e for e in items_of(mf, "h-entry") if e["properties"].get("content")]
    props = entry["properties"]
    assert props["name"] == ["The choir"] and props["url"] == [f"{BASE}culture/choir/"]
    assert props["published"][0].startswith("2026-11-14")
    assert "A choir sings." in props["content"][0]["value"]
    authors = [a["properties"]["name"][0] for a in props["author"]]
    assert authors == ["Anna Petrova", "Ben Okafor"]


def test_author_pages_are_h_cards_with_rel_me(magazine: Magazine) -> None:
    with_account(magazine)
    magazine.build()
    html, mf = parsed(magazine.root / "site", "authors/anna/")
    assert "https://social.example/@anna" in mf["rels"]["me"] and "https://anna.example/" in mf["rels"]["me"]
    (card,) = items_of(mf, "h-card")[:1]
    assert card["properties"]["name"] == ["Anna Petrova"]
    assert f"{BASE}authors/anna/" in card["properties"]["url"]
    assert "https://social.example/@anna" in card["properties"]["url"]
    link = html.select_one('a[rel~="me"][href="https://social.example/@anna"]')
    assert link is not None and link.get_text() == "@anna@social.example"


def test_list_pages_are_h_feeds(magazine: Magazine) -> None:
    fill(magazine)
    magazine.build()
    html, mf = parsed(magazine.root / "site", "city/")
    (feed,) = items_of(mf, "h-feed")
    names = [c["properties"]["name"][0] for c in feed["children"] if "h-entry" in c["type"]]
    cards = [h.get_text(strip=True) for h in html.select("main .card-title")]
    assert len(names) == 2 and names == cards  # per_page 2: every card of the page is an entry


@pytest.mark.parametrize("account", ["anna@social.example", "@anna", "@anna@localhost", "https://social.example/@anna"])
def test_a_bad_account_names_the_file_and_field(magazine: Magazine, account: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with_account(magazine, account)
    assert main(["--root", str(magazine.root), "check"]) == 1
    err = capsys.readouterr()
    text = err.out + err.err
    assert "contributors/anna.yml" in text and "field 'fediverse'" in text and "@user@host" in text


def test_adding_an_account_rebuilds_as_a_clean_build_would(magazine: Magazine, tmp_path: Path) -> None:
    fill(magazine)
    magazine.build()
    magazine.person("anna", {**PEOPLE["anna"], "fediverse": "@anna@social.example"})
    same_as_clean(magazine, tmp_path)
    html, _ = parsed(magazine.root / "site", "city/bridge/")
    assert [m["content"] for m in html.select('meta[name="fediverse:creator"]')] == ["@anna@social.example"]
