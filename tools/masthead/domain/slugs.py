"""Slugs: the words of an address."""

from __future__ import annotations

import re
from functools import lru_cache

from slugify import slugify

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,38}$")


def make_slug(text: str, max_length: int = 80) -> str:
    """A lower-case ASCII slug for any script (Cyrillic and Hangul are transliterated)."""
    slug = slugify(text, max_length=max_length, word_boundary=True, save_order=True)
    return slug or "untitled"


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


@lru_cache(maxsize=65536)
def term_slug(term: str) -> str:
    """The address word of a tag or place; unicode terms are transliterated."""
    return make_slug(term, max_length=60)


ANCHOR_DROP_RE = re.compile(r"[^\w\- ]+")


def anchor(text: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to
    hyphens, letters of every script kept."""
    return ANCHOR_DROP_RE.sub("", text.strip().lower()).replace(" ", "-")
