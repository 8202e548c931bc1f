"""Share links under stories (plain links, nothing fetched before a click, the address to
copy) and the files a fediverse bridge needs (`.well-known/`). docs/reach.md."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from ..conftest import SETTINGS, Magazine

XRD = "{http://docs.oasis-open.org/ns/xri/xrd-1.0}"


def test_story_pages_share_on_the_listed_networks_with_plain_links(magazine: Magazine) -> None:
    magazine.settings({**SETTINGS, "share": {"networks": ["mastodon", "bluesky", "telegram", "email"],
                                             "mastodon": "social.example.org"}})
    magazine.story("city/bridge.md", title="The new bridge & the quay", date="2026-11-10 09:00")
    magazine.build()
    soup = magazine.html("city/bridge/index.html")
    url = "https://gazette.example.org/city/bridge/"
    links = soup.select(".share-links a")
    assert [a["data-network"] for a in links] == ["mastodon", "bluesky", "telegram", "email"]
    assert [a.get_text() for a in links] == ["Mastodon", "Bluesky", "Telegram", "E-mail"]
    mastodon = urlsplit(links[0]["href"])
    assert (mastodon.scheme, mastodon.netloc, mastodon.path) == ("https", "social.example.org", "/share")
    assert parse_qs(mastodon.query)["text"] == [f"The new bridge & the quay {url}"]
    telegram = parse_qs(urlsplit(links[2]["href"]).query)
    assert telegram == {"url": [url], "text": ["The new bridge & the quay"]}
    assert links[3]["href"].startswith("mailto:?subject=The%20new%20bridge")
    assert all("noopener" in a["rel"] for a in links)
    # the address to copy is there without JavaScript; the button waits for share.js
    assert soup.select_one("#share-url")["value"] == url and soup.select_one("label[for=share-url]")
    assert soup.select_one(".share-copy-button").has_attr("hidden")
    # nothing from another host: every script is the site's own
    assert all(not s["src"].startswith(("http:", "https:", "//")) for s in soup.select("script[src]"))
    # Open Graph stays complete
    og = {m["property"]: m["content"] for m in soup.select("meta[property^='og:']")}
    assert og["og:url"] == url and og["og:type"] == "article" and og["og:title"] == "The new bridge & the quay"
    assert {"og:description", "og:site_name", "og:locale"} <= og.keys()


def test_share_strings_are_translated(magazine: Magazine) -> None:
    magazine.settings({**SETTINGS, "share": {"networks": ["email"]}})
    magazine.story("city/most.ru.md", title="Мост", lang="ru")
    magazine.build()
    soup = magazine.html("ru/city/most/index.html")
    assert soup.select_one(".share .taxonomy-label").get_text() == "Поделиться"
    assert soup.select_one(".share-links a").get_text() == "Электронная почта"
    assert soup.select_one(".share-copy-button").get_text() == "Скопировать ссылку"


def test_no_networks_still_offers_the_link(magazine: Magazine) -> None:
    magazine.story("city/bridge.md")
    magazine.build()
    soup = magazine.html("city/bridge/index.html")
    assert soup.select(".share-links") == [] and soup.select_one("#share-url")["value"].endswith("/city/bridge/")


def test_bridge_files_point_webfinger_at_the_bridge(magazine: Magazine) -> None:
    magazine.settings({**SETTINGS, "fediverse_bridge": {"url": "https://fed.brid.gy",
                                                        "actor": "https://fed.brid.gy/gazette.example.org"}})
    magazine.build()
    site = magazine.root / "site"
    xrd = ElementTree.fromstring((site / ".well-known/host-meta").read_bytes())
    (link,) = xrd.findall(f"{XRD}Link")
    assert link.get("rel") == "lrdd"
    assert link.get("template") == "https://fed.brid.gy/.well-known/webfinger?resource={uri}"
    assert json.loads((site / ".well-known/host-meta.json").read_text())["links"][0]["template"] == link.get("template")
    jrd = json.loads((site / ".well-known/webfinger").read_text())
    assert jrd["subject"] == "acct:gazette.example.org@gazette.example.org"
    selfs = [x for x in jrd["links"] if x["rel"] == "self"]
    assert selfs == [{"rel": "self", "type": "application/activity+json", "href": "https://fed.brid.gy/gazette.example.org"}]


def test_no_bridge_by_default(magazine: Magazine) -> None:
    magazine.build()
    assert not (magazine.root / "site/.well-known").exists()


def test_a_bad_bridge_address_is_reported(magazine: Magazine, capsys) -> None:  # type: ignore[no-untyped-def]
    from masthead.cli import main

    magazine.settings({**SETTINGS, "fediverse_bridge": {"url": "http://fed.brid.gy"}})
    assert main(["--root", str(magazine.root), "check"]) == 1
    assert "site_config/magazine.yml" in capsys.readouterr().out


def test_the_home_page_carries_the_profile_a_bridge_reads(magazine: Magazine) -> None:
    import mf2py

    magazine.story("city/bridge.md")
    magazine.build()
    parsed = mf2py.parse(doc=str(magazine.html("index.html")), url="https://gazette.example.org/")
    cards = [i for i in parsed["items"] if "h-card" in i["type"]]
    assert [c["properties"]["url"] for c in cards] == [["https://gazette.example.org/"]]
    assert cards[0]["properties"]["uid"] == ["https://gazette.example.org/"]
    assert cards[0]["properties"]["name"] == ["The Test Gazette"]
