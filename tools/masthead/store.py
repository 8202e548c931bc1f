"""Pickles kept between runs under a *signature* (what they are valid for), and a dictionary
kept as one pickle of the whole plus a small *delta* of the entries that changed since the whole
was written (story records, the plan memo).

Rewriting the whole of a 10,000-story magazine's records or plan takes a few tenths of a
second, while a rebuild after one edit changes a few dozen entries: such a run writes only the
delta. Once the delta holds `limit` entries, the whole is written again and the delta dropped.
Files are replaced atomically and applying a delta twice is harmless, so a crash at any point
loses nothing but time. A file written under another signature reads as nothing.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

_GONE = None  # a delta's mark for a removed entry


def read_signed(path: Path, signature: str) -> dict[Any, Any] | None:
    """The dictionary `write_signed` kept at `path` under `signature`; None when there is none
    (no file, an unreadable one, or one kept under another signature)."""
    try:
        with open(path, "rb") as fh:
            saved_signature, data = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return data if saved_signature == signature and isinstance(data, dict) else None


def write_signed(path: Path, signature: str, data: dict[Any, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump((signature, data), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


class DeltaStore:
    """`read` the entries as last saved; `replace` them with this run's, then `save`."""

    def __init__(self, whole: Path, signature: str = "", limit: int = 400) -> None:
        self.whole = whole
        self.delta_path = whole.with_name(whole.name.replace(".pickle", "") + ".delta.pickle")
        self.signature = signature
        self.limit = limit
        self.entries: dict[str, Any] = {}
        self.delta: dict[str, Any] = {}
        self.changed: dict[str, Any] = {}

    def read(self) -> "DeltaStore":
        base = read_signed(self.whole, self.signature)
        self.entries = {k: v for k, v in (base or {}).items() if v is not _GONE}
        self.delta = (read_signed(self.delta_path, self.signature) or {}) if base is not None else {}
        for key, value in self.delta.items():
            if value is _GONE:
                self.entries.pop(key, None)
            else:
                self.entries[key] = value
        return self

    def written_at(self) -> int:
        """When the store was last saved (ns since the epoch; 0 if never): a file changed later
        cannot be in it as it is now."""
        times = []
        for path in (self.whole, self.delta_path):
            try:
                times.append(path.stat().st_mtime_ns)
            except OSError:
                pass
        return max(times, default=0)

    def replace(self, entries: dict[str, Any]) -> None:
        """This run's entries, all of them; those not identical to the saved ones are changes."""
        for key, value in entries.items():
            if self.entries.get(key) is not value:
                self.changed[key] = value
        for key in self.entries.keys() - entries.keys():
            self.changed[key] = _GONE
        self.entries = entries

    def save(self) -> None:
        if not self.changed and self.whole.exists():
            return
        delta = {**self.delta, **self.changed}
        if len(delta) > self.limit or not self.whole.exists():
            write_signed(self.whole, self.signature, self.entries)
            self.delta_path.unlink(missing_ok=True)
            self.delta = {}
        else:
            write_signed(self.delta_path, self.signature, delta)
            self.delta = delta
        self.changed = {}
