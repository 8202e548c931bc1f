"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) from the data `feeds.gather` collected.

No library: the format is a JSON object, and `json` writes it. Entries carry the same
sanitised HTML the RSS and Atom feeds carry (`content_html`), or only their summary as text.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .feeds import FeedData, FeedEntry

VERSION = "https://jsonfeed.org/version/1.1"
MEDIA_TYPE = "application/feed+json"


def _date(moment: datetime) -> str:
    """RFC 3339, as the spec asks."""
    return moment.isoformat(timespec="seconds")


def json_item(e: "FeedEntry") -> dict[str, Any]:
    item: dict[str, Any] = {"id": e.url, "url": e.url, "title": e.title}
    if e.content_html is not None:
        item["content_html"] = e.content_html
    else:
        item["content_text"] = e.summary
    item["summary"] = e.summary
    item["date_published"] = _date(e.published)
    item["date_modified"] = _date(e.updated)
    if e.authors:
        item["authors"] = [{"name": name, "url": uri} for name, uri in e.authors]
    if e.tags:
        item["tags"] = list(e.tags)
    item["language"] = e.lang
    return item


def json_feed(data: "FeedData") -> dict[str, Any]:
    feed: dict[str, Any] = {
        "version": VERSION, "title": data.title, "home_page_url": data.page_url,
        "feed_url": data.urls["json"], "description": data.description, "language": data.lang,
    }
    if data.hub:
        feed["hubs"] = [{"type": "WebSub", "url": data.hub}]
    feed["items"] = [json_item(e) for e in data.entries]
    return feed


def render_json_feed(data: "FeedData") -> bytes:
    return json.dumps(json_feed(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
