"""`masthead publish-notify` against a real hub on 127.0.0.1: the feeds that changed, and only those."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from masthead.cli import main

from ..conftest import Magazine
from .conftest import Hub, fill

BASE = "https://gazette.example.org/"


def notify(magazine: Magazine, *args: str) -> int:
    return main(["--root", str(magazine.root), "publish-notify", *args])


def formats(*lists: str) -> list[str]:
    return sorted(f"{BASE}{path}{name}" for path in lists for name in ("rss.xml", "atom.xml", "feed.json"))


ALL = ["", "en/", "ru/", "city/", "culture/", "authors/anna/", "authors/ben/", "tags/river/", "tags/bridges/",
       "tags/music/"]


def test_first_run_announces_every_feed_then_only_what_changed(magazine: Magazine, hub: Hub) -> None:
    fill(magazine, hub=hub.url)
    magazine.build()
    assert notify(magazine) == 0
    assert hub.feeds() == formats(*ALL)
    hub.pings.clear()
    assert notify(magazine) == 0  # nothing was built since
    assert hub.pings == []
    magazine.story("culture/choir.md", "The choir sings again.", title="The choir", date="2026-11-14 09:00",
                   section="culture", tags=["music"], authors=["anna", "ben"])
    magazine.build()
    assert notify(magazine) == 0
    # the choir is in the site's, English, culture, both authors' and the music feeds; not in city, ru, river.
    # Its body changed: only the feeds carrying bodies (site, language, section) show that; the
    # authors' and the tag's carry summaries (docs/reach.md)
    assert hub.feeds() == formats("", "en/", "culture/")


def test_a_refused_ping_is_announced_again_next_time(magazine: Magazine, hub: Hub,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    fill(magazine, hub=hub.url)
    magazine.build()
    hub.refuse.add(f"{BASE}city/atom.xml")
    assert notify(magazine) == 1
    err = capsys.readouterr().err
    assert f"{BASE}city/atom.xml" in err and "HTTP 500" in err
    hub.pings.clear()
    hub.refuse.clear()
    assert notify(magazine) == 0
    assert hub.feeds() == [f"{BASE}city/atom.xml"]


def test_changed_from_compares_with_the_previous_deploys_record(magazine: Magazine, hub: Hub,
                                                               tmp_path: Path) -> None:
    fill(magazine, hub=hub.url)
    magazine.build()
    previous = tmp_path / "previous-digests.json"
    previous.write_bytes((magazine.root / "site/feeds/digests.json").read_bytes())
    magazine.story("city/market.md", "Stalls by the water, and boats.", title="Market days",
                   date="2026-11-12 09:00", tags=["river"], authors=["ben"])
    magazine.build()
    assert notify(magazine, "--changed-from", str(previous)) == 0
    assert hub.feeds() == formats("", "en/", "city/")  # a body edit: the feeds carrying bodies
    hub.pings.clear()
    assert notify(magazine, "--changed-from", str(tmp_path / "missing.json")) == 2  # not "everything changed"
    assert hub.pings == []


def test_hub_option_and_dry_run(magazine: Magazine, hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    fill(magazine)  # no hub in the settings
    magazine.build()
    assert notify(magazine) == 0
    assert "no WebSub hub" in capsys.readouterr().out and hub.pings == []
    assert notify(magazine, "--hub", hub.url, "--dry-run") == 0
    out = capsys.readouterr().out
    assert hub.pings == [] and f"{BASE}city/rss.xml" in out
    assert "/hub" not in out  # the hub is shown by host only: its path may hold a token
    assert notify(magazine, "--hub", hub.url) == 0
    assert hub.feeds() == formats(*ALL)


def test_a_missing_or_broken_record_is_a_clear_error(magazine: Magazine, hub: Hub,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    fill(magazine, hub=hub.url)
    assert notify(magazine) == 2
    assert "feeds/digests.json: the feed record not found; build the site first" in capsys.readouterr().err
    magazine.build()
    assert notify(magazine, "--hub", "file:///etc/passwd") == 2
    assert "--hub: expected an http(s):// address" in capsys.readouterr().err
    (magazine.root / "site/feeds/digests.json").write_text(json.dumps({"feeds": []}))
    assert notify(magazine) == 2
    assert "field 'feeds'" in capsys.readouterr().err
    assert hub.pings == []
