"""Story records kept between runs in the build state (`masthead/state.py`), valid while a
file's stamp is unchanged and under the same settings, masthead code and libraries.

A `DeltaStore` (masthead/store.py): a run that re-read a few stories writes only the records
that changed.
"""

from __future__ import annotations

from pathlib import Path

from masthead import state
from masthead.store import DeltaStore

from .records import StoryRecord

TABLE = "records"

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
        signature = f"{state.code_signature()}:{resolution}"
        return cls(state.for_root(root).table(TABLE, signature))

    @classmethod
    def open(cls, root: Path, resolution: str = "") -> "RecordCache":
        """`at`, read."""
        cache = cls.at(root, resolution)
        cache.read()
        return cache
