"""Story records kept between runs in `.masthead-cache/`, valid while a file's stamp is unchanged.

The cache is one pickle of every record plus a small *delta* of the records that changed since
it was written. A run that re-read a few stories writes only the delta (rewriting the whole
cache of a 10,000-story magazine takes about 0.3 s); once the delta holds `DELTA_LIMIT`
records, the whole cache is written again and the delta dropped. Both files are replaced
atomically, and applying a delta twice is harmless, so a crash at any point loses nothing but
time.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from .records import StoryRecord

CACHE_DIR = ".masthead-cache"
RECORDS_CACHE = "records-v2.pickle"
DELTA = "records-v2.delta.pickle"
DELTA_LIMIT = 400

Stamp = tuple[int, int, int]
Entry = tuple[Stamp, StoryRecord]


def _read(path: Path) -> dict[str, Entry | None]:
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return {}


def _write(path: Path, data: object) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


@dataclass
class RecordCache:
    """Records by path; `replace` them, then `save`."""

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    delta: dict[str, Entry | None] = field(default_factory=dict)  # on disk beside the whole cache
    changed: dict[str, Entry | None] = field(default_factory=dict)  # by this run, not saved yet

    @classmethod
    def open(cls, root: Path) -> "RecordCache":
        folder = root / CACHE_DIR
        entries = {k: v for k, v in _read(folder / RECORDS_CACHE).items() if v is not None}
        delta = _read(folder / DELTA) if entries else {}
        for rel, entry in delta.items():
            if entry is None:
                entries.pop(rel, None)
            else:
                entries[rel] = entry
        return cls(folder, entries, delta)

    def replace(self, entries: dict[str, Entry]) -> None:
        """This run's records: every story file there is now."""
        for rel, entry in entries.items():
            if self.entries.get(rel) is not entry:
                self.changed[rel] = entry
        for rel in self.entries.keys() - entries.keys():
            self.changed[rel] = None
        self.entries = entries

    def save(self) -> None:
        if not self.changed:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        delta = {**self.delta, **self.changed}
        if len(delta) > DELTA_LIMIT or not (self.folder / RECORDS_CACHE).exists():
            _write(self.folder / RECORDS_CACHE, self.entries)
            (self.folder / DELTA).unlink(missing_ok=True)
            self.delta = {}
        else:
            _write(self.folder / DELTA, delta)
            self.delta = delta
        self.changed = {}
