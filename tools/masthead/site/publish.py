"""The write stage: nothing is written into the published site until a build has succeeded.

Every file a build makes lands first in `.<site>.masthead/stage/`. A build that fails, or
stops, leaves the site exactly as it was. A first build (or one whose record of the site is
lost) then trades its whole staging tree for the site in one `renameat2(RENAME_EXCHANGE)`.
Later builds move only the files that changed into the site, one atomic rename each, under a
journal written (and synced) first: after a crash in the middle, the next build completes
the moves before anything else, so the site is never left half old, half new for good.
Cost follows the number of changed files, never the size of the site.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import pickle
import shutil
from pathlib import Path

log = logging.getLogger(__name__)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_MADE: set[Path] = set()  # folders this process has made; cleared when a tree moves


def write_file(base: Path, rel: str, data: bytes, staged: bool = False) -> None:
    """Write through a temporary name and rename, so no reader ever sees half a file.

    `staged`: the file goes into a staging tree nobody reads until the build has succeeded, so
    a file that does not exist yet is created in place (a rename less per file)."""
    target = base / rel
    if target.parent not in _MADE:
        target.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(target.parent)
    if staged:
        try:
            with open(target, "xb") as fh:
                fh.write(data)
            return
        except FileExistsError:
            pass
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


def _dump(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Publisher:
    """Owns the site folder, its staging tree, the manifest of what the site holds, and the
    journal of a publication under way."""

    def __init__(self, site: Path) -> None:
        self.site = site.resolve()
        self.home = self.site.parent / f".{self.site.name}.masthead"
        self.stage = self.home / "stage"
        self.manifest_path = self.home / "manifest.pickle"
        self.next_manifest = self.home / "manifest.next"
        self.journal = self.home / "journal.json"
        self.manifest: dict[str, str] = {}
        self.trusted = False

    def open(self) -> dict[str, str]:
        """The keys of the files the published site holds; an empty staging tree to fill."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.journal.exists():
            self._roll_forward()
        if self.site.is_dir() and self.manifest_path.is_file():
            try:
                with open(self.manifest_path, "rb") as fh:
                    self.manifest = pickle.load(fh)
                self.trusted = True
            except (OSError, pickle.PickleError, EOFError):
                self.manifest = {}
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir(parents=True)
        _MADE.clear()
        return dict(self.manifest)

    def publish(self, manifest: dict[str, str], changed: list[str], removed: list[str]) -> None:
        """Put the staged files into the site and record what the site now holds."""
        _MADE.clear()
        if not self.trusted:  # the whole site was rendered: swap it in at once
            if self.site.exists():
                exchange(self.stage, self.site)
                shutil.rmtree(self.stage)
            else:
                os.rename(self.stage, self.site)
            _dump(self.manifest_path, pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL))
            return
        _dump(self.next_manifest, pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL))
        _dump(self.journal, json.dumps({"changed": changed, "removed": removed}).encode())
        self._roll_forward()

    def _roll_forward(self) -> None:
        """Complete the publication the journal describes (again, if a crash cut it short)."""
        plan = json.loads(self.journal.read_text())
        for rel in plan["changed"]:
            source, target = self.stage / rel, self.site / rel
            if source.exists():
                if target.parent not in _MADE:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _MADE.add(target.parent)
                os.replace(source, target)
        for rel in plan["removed"]:
            (self.site / rel).unlink(missing_ok=True)
        if self.next_manifest.exists():
            os.replace(self.next_manifest, self.manifest_path)
        self.journal.unlink()

    def discard(self) -> None:
        """After a failed build: the site is untouched; the staging tree is emptied now."""
        shutil.rmtree(self.stage, ignore_errors=True)
