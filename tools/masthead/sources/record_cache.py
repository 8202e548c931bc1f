"""Story records kept between runs in `.masthead-cache/`, valid while a file's stamp is unchanged.

A `DeltaStore` (masthead/store.py): a run that re-read a few stories writes only the records
that changed (rewriting the whole cache of a 10,000-story magazine takes about 0.3 s).
"""

from __future__ import annotations

from pathlib import Path

from masthead.store import DeltaStore

from .records import StoryRecord

CACHE_DIR = ".masthead-cache"
RECORDS_CACHE = "records-v2.pickle"
DELTA = "records-v2.delta.pickle"
DELTA_LIMIT = 400

Stamp = tuple[int, int, int]
Entry = tuple[Stamp, StoryRecord]


class RecordCache(DeltaStore):
    """Records by path: (stamp, record)."""

    entries: dict[str, Entry]

    @classmethod
    def open(cls, root: Path) -> "RecordCache":
        return cls(root / CACHE_DIR / RECORDS_CACHE, limit=DELTA_LIMIT)
