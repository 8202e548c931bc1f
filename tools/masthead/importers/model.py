"""What every importer hands over: the old site read into plain drafts, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class Person:
    """A contributor as the old site knew them (a registry entry, a Ghost user, a WordPress author)."""

    name: str
    key: str = ""  # the old site's id or slug for them, if it had one
    bio: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    avatar: Path | None = None


@dataclass
class Draft:
    """One story read from the old site; `body` is already Markdown (or HTML blocks) for masthead,
    with links to other stories written as `masthead-story:KEY` until their new files are known."""

    source: str  # its file, relative to the source folder (or the export file's name)
    line: int  # line of the body's start in that file, for the report
    key: str  # identity among drafts: the old site's path of the file, or its post id
    title: str
    date: datetime | None
    body: str
    section: str = ""
    slug: str = ""
    lang: str = ""
    authors: list[str] = field(default_factory=list)  # names, handles or old keys, as written
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    draft: bool = False
    updated: datetime | None = None
    cover: str = ""  # a file name among `files`, or an https:// URL
    cover_alt: str = ""
    files: dict[str, Path] = field(default_factory=dict)  # name beside the story -> file to copy
    old_urls: list[str] = field(default_factory=list)  # site paths the old site served it at
    group: str = ""  # translations of one story share a group
    page: bool = False  # a stand-alone page (About, Contact): goes to site_config/pages/
    field_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class OldSite:
    """The whole old site, as an importer read it."""

    title: str
    language: str = "en"
    timezone: str = "UTC"
    url: str = ""
    drafts: list[Draft] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)  # by the old site's key
    sections: dict[str, str] = field(default_factory=dict)  # id -> title, where the site named them
