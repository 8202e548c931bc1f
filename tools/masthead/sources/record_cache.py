"""Story records kept between runs in `.masthead-cache/`, valid while a file's stamp is unchanged.

A `DeltaStore` (masthead/store.py): a run that re-read a few stories writes only the records
that changed (rewriting the whole cache of a 10,000-story magazine takes about 0.3 s).
"""

from __future__ import annotations

from pathlib import Path

from masthead.store import DeltaStore

from .records import StoryRecord

CACHE_DIR = ".masthead-cache"
RECORDS_CACHE = "records-v4.pickle"
DELTA = "records-v4.delta.pickle"
DELTA_LIMIT = 400

Stamp = tuple[int, int, int]
Entry = tuple[Stamp, StoryRecord]


class RecordCache(DeltaStore):
    """Records by path: (stamp, record)."""

    entries: dict[str, Entry]

    @classmethod
    def at(cls, root: Path, resolution: str = "") -> "RecordCache":
        """The magazine's record cache, not read yet; with `resolution` (`resolve.resolution_key`)
        records carry the story they resolve to, and a cache made under other settings reads
        as empty."""
        return cls(root / CACHE_DIR / RECORDS_CACHE, signature=resolution, limit=DELTA_LIMIT)

    @classmethod
    def open(cls, root: Path, resolution: str = "") -> "RecordCache":
        """`at`, read."""
        cache = cls.at(root, resolution)
        cache.read()
        return cache
