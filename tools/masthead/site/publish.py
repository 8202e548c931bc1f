"""The write stage: files land in a staging tree, which then trades places with the site.

A build never writes into the published site: it renders into `.<site>.masthead/tree`, a
hard-linked mirror of the site, then swaps the two folders in one `renameat2(RENAME_EXCHANGE)`
(or three renames where the file system cannot exchange), so readers and a failed build only
ever see a whole old site or a whole new one. Afterwards the old tree is brought up to date
by linking the changed files, so the next build starts from a mirror again: cost follows the
number of changed files, not the size of the site.
"""

from __future__ import annotations

import ctypes
import logging
import os
import pickle
import shutil
from pathlib import Path

log = logging.getLogger(__name__)
SYNCED = "synced"
_MADE: set[Path] = set()  # folders this process has made; cleared when a tree moves
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def write_file(base: Path, rel: str, data: bytes) -> None:
    """Write through a temporary name and rename, so no reader sees half a file and a
    hard-linked twin of the old file is left untouched."""
    target = base / rel
    if target.parent not in _MADE:
        target.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(target.parent)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


def exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically where Linux allows it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
    except (AttributeError, OSError):
        pass
    spare = a.with_name(a.name + ".swap")
    os.rename(b, spare)
    os.rename(a, b)
    os.rename(spare, a)


def clone(source: Path, target: Path) -> None:
    """A hard-linked copy of `source` at `target` (replacing it)."""
    _MADE.clear()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for folder, dirs, files in os.walk(source):
        rel = os.path.relpath(folder, source)
        here = target / rel if rel != "." else target
        for d in dirs:
            (here / d).mkdir(exist_ok=True)
        for f in files:
            os.link(os.path.join(folder, f), here / f)


class Publisher:
    """Owns the site folder, its staging mirror, and the manifest of what the site holds."""

    def __init__(self, site: Path) -> None:
        self.site = site.resolve()
        self.home = self.site.parent / f".{self.site.name}.masthead"
        self.stage = self.home / "tree"
        self.manifest_path = self.home / "manifest.pickle"
        self.state_path = self.home / "state"
        self.manifest: dict[str, str] = {}
        self.trusted = False

    def open(self) -> dict[str, str]:
        """The keys of the files the published site holds; prepares the staging mirror."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.site.is_dir() and self.manifest_path.is_file():
            try:
                with open(self.manifest_path, "rb") as fh:
                    self.manifest = pickle.load(fh)
                self.trusted = True
            except (OSError, pickle.PickleError, EOFError):
                self.manifest = {}
        synced = self.state_path.is_file() and self.state_path.read_text() == SYNCED and self.stage.is_dir()
        if not self.trusted:
            self.manifest = {}
            if self.stage.exists():
                shutil.rmtree(self.stage)
            self.stage.mkdir(parents=True)
        elif not synced:
            log.info("staging tree out of step with the site; re-linking it")
            clone(self.site, self.stage)
        self.state_path.unlink(missing_ok=True)
        return dict(self.manifest)

    def remove(self, rels: list[str]) -> None:
        for rel in rels:
            try:
                (self.stage / rel).unlink()
            except FileNotFoundError:
                pass

    def publish(self, manifest: dict[str, str], changed: list[str], removed: list[str]) -> None:
        """Swap the staged tree in, record what the site now holds, re-mirror the old tree."""
        first = not self.site.exists()
        _MADE.clear()
        if first:
            os.rename(self.stage, self.site)
        else:
            exchange(self.stage, self.site)
        tmp = self.manifest_path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(manifest, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.manifest_path)
        if first or not self.trusted:
            clone(self.site, self.stage)
        else:
            self._catch_up(changed, removed)
        self.state_path.write_text(SYNCED)

    def _catch_up(self, changed: list[str], removed: list[str]) -> None:
        for rel in changed:
            target = self.stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.link")
            os.link(self.site / rel, tmp)
            os.replace(tmp, target)
        self.remove(removed)

    def discard(self) -> None:
        """After a failed build: the site is untouched; the mirror must be re-linked next time."""
        self.state_path.unlink(missing_ok=True)
