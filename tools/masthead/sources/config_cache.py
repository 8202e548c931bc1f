"""Settings, contributors, stand-alone pages and promise files, as loaded last time.

Loading them means reading a few hundred small YAML files and validating each against its
schema, which also means importing pydantic (0.2 s); a rebuild after a story was edited needs
none of that. Each loader's result is kept in the build state (`masthead/state.py`, table
`config`) under the stamps (mtime and size) of the files it read and its other inputs, and
the signature of masthead's code and libraries; any difference and it is loaded again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from masthead import state

TABLE = "config"
T = TypeVar("T")


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class ConfigCache:
    """Results of the loaders by name; `save` writes them when one was loaded again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.table = state.for_root(root).table(TABLE, state.code_signature())
        self.changed: set[str] = set()
        self.entries: dict[str, tuple[Any, Any]] = self.table.read()

    def get(self, name: str, files: Iterable[str], extra: Any, load: Callable[[], T]) -> T:
        """`load()`, or what it returned last time for the same `files` (relative to the root,
        by stamp) and `extra`."""
        base = str(self.root) + os.sep
        key = (extra, tuple((rel, _stamp(base + rel)) for rel in files))
        hit = self.entries.get(name)
        if hit is not None and hit[0] == key:
            return _fresh(hit[1])
        value = load()
        self.entries[name] = (key, value)
        self.changed.add(name)
        return _fresh(value)

    def save(self) -> None:
        if self.changed:
            self.table.write({name: self.entries[name] for name in self.changed})
            self.changed = set()


def _fresh(value: T) -> T:
    """The lists of a result are the caller's to extend (problems): never the kept ones."""
    if isinstance(value, tuple):
        return tuple(list(x) if isinstance(x, list) else x for x in value)  # type: ignore[return-value]
    return value


def through(cache: ConfigCache | None, name: str, files: Iterable[str], extra: Any, load: Callable[[], T]) -> T:
    """`cache.get(...)`, or just `load()` without a cache."""
    return load() if cache is None else cache.get(name, files, extra, load)
