"""The build state: everything masthead keeps between runs, in one place, as plain data.

Where: a folder per repository outside the work tree, `$XDG_CACHE_HOME/masthead/<digest of
the repository's resolved path>` (`~/.cache/masthead/...` by default), or the folder given by
`--state-dir DIR` / `MASTHEAD_STATE_DIR` (to keep it in a CI cache). Nothing under the work
tree is ever read back as state, so a branch cannot plant a cache for masthead to trust.

What: one SQLite database (`state.sqlite`) of *tables*, each a set of key/value rows kept
under a *signature* (what the rows are valid for: masthead's code, the versions of the
libraries that shape the output, the settings...). Reading a table under another signature
gives nothing. Values are JSON through `codec`: scalars, lists, tuples, dicts, dates, time
zones and the dataclasses of `masthead.domain` and the story records, nothing else; decoding
builds only those, so no state file can run code. A file that does not decode (tampered,
truncated, written by another version) is reported once with a warning, thrown away and
rebuilt; it never stops a build.

Beside the database, each site folder masthead publishes has a small folder of JSON files
(`sites/<digest of the site's path>/`): the manifest of what the site holds, and the record
of the last build (see `site/publish.py` and `site/freshness.py`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from masthead import codec

log = logging.getLogger(__name__)
ENV = "MASTHEAD_STATE_DIR"
DB = "state.sqlite"
SITE_FILE = "site.json"  # in each site's folder: which site folder it is about
SCHEMA = 1
# Libraries whose version changes what a build writes (markup, sanitising, templates, dates, feeds).
OUTPUT_LIBRARIES = ("cmarkgfm", "nh3", "jinja2", "markupsafe", "babel", "feedgen", "markdown", "mkdocs",
                    "pygments", "pillow", "pyyaml", "icalendar")  # icalendar: events.ics (docs/reach.md)
CODE = Path(__file__).resolve().parent  # masthead's own package

_chosen: dict[Path, Path] = {}  # repository root -> state folder given by the caller
_open: dict[Path, "State"] = {}
_warned: set[str] = set()


_inherited: list[sqlite3.Connection] = []  # a forked child's copies of its parent's connections


def _after_fork_in_child() -> None:
    """A child must neither use nor close its parent's connections (closing one could end the
    parent's locks): they are set aside, and the child opens its own when it needs one."""
    for state in _open.values():
        if state._db is not None:
            _inherited.append(state._db)
            state._db = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def warn_once(what: str, why: object) -> None:
    """One warning per broken state file and process; the file is rebuilt."""
    if what not in _warned:
        _warned.add(what)
        log.warning("masthead: ignoring the build state in %s (%s); it will be rebuilt", what, why)


def use(root: Path, folder: Path | None) -> None:
    """Keep `root`'s state in `folder` (None: back to the default) for this process."""
    root = root.resolve()
    _forget(root)
    if folder is None:
        _chosen.pop(root, None)
    else:
        _chosen[root] = folder.resolve()


def chosen(root: Path) -> Path | None:
    """The folder `use` set for `root`, if any."""
    return _chosen.get(root.resolve())


def _forget(root: Path) -> None:
    state = _open.pop(root, None)
    if state is not None:
        state.close()


def state_dir(root: Path) -> Path:
    """Where `root`'s build state lives (see the module's docstring)."""
    root = root.resolve()
    if root in _chosen:
        return _chosen[root]
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser().resolve()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    name = hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()
    return (base / "masthead" / f"{root.name[:40]}-{name}").resolve()


def for_root(root: Path) -> "State":
    """The build state of the repository at `root`, opened once per process."""
    root = root.resolve()
    state = _open.get(root)
    if state is None or (state.folder != state_dir(root) and not isinstance(state, MemoryState)):
        _forget(root)
        state = _open[root] = State(root, state_dir(root))
    return state


def close_all() -> None:
    """Close every database (before a process forks workers that must not share them)."""
    for state in list(_open.values()):
        state.close()


class State:
    """One repository's state folder: its tables and its sites' records."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root = root
        self.folder = folder
        self._db: sqlite3.Connection | None = None

    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._connect()
        return self._db

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / DB
        for attempt in (1, 2):
            try:
                # serve rebuilds on MkDocs' build thread, one build at a time: the connection may move between threads
                db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS rows (tab TEXT NOT NULL, key TEXT NOT NULL, "
                           "value TEXT NOT NULL, PRIMARY KEY (tab, key)) WITHOUT ROWID")
                found = dict(db.execute("SELECT name, value FROM meta WHERE name IN ('schema', 'root')").fetchall())
                if found and (found.get("schema") != str(SCHEMA) or found.get("root") != str(self.root)):
                    db.execute("DELETE FROM rows")  # another layout or another repository: start afresh
                    db.execute("DELETE FROM meta")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?), ('root', ?)", (str(SCHEMA), str(self.root)))
                return db
            except sqlite3.DatabaseError as exc:
                if attempt == 2:
                    raise
                warn_once(str(path), exc)
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db = None

    def table(self, name: str, signature: str) -> "Table":
        return Table(self, name, signature)

    def site_folder(self, site_dir: Path) -> Path:
        """The folder of records about the site published at `site_dir`."""
        digest = hashlib.blake2b(str(site_dir).encode(), digest_size=8).hexdigest()
        return self.folder / "sites" / digest

    def remember_site(self, site_dir: Path) -> None:
        folder = self.site_folder(site_dir)
        write_json(folder / SITE_FILE, {"site": str(site_dir)})
        self.prune_sites(folder)

    def prune_sites(self, keep: Path) -> None:
        """Forget sites whose folder is gone (a `masthead serve` preview in a temporary folder),
        with their plan memo; `keep` is the folder of the site just built."""
        for folder in (self.folder / "sites").glob("*"):
            if folder == keep or not folder.is_dir():
                continue
            known = read_json(folder / SITE_FILE)
            if isinstance(known, dict) and isinstance(known.get("site"), str) and Path(known["site"]).exists():
                continue
            if not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)  # manifests, search input folders (search_index.py)
            Table(self, f"plan:{folder.name}", "").clear()

    def templates(self) -> Path:
        """Where compiled templates are kept: a folder per code signature (masthead's code, with
        its template extensions, and Jinja's version), the others removed. Compiled templates
        are code, so they live here, outside the work tree, and nowhere else."""
        base = self.folder / "templates"
        mine = base / code_signature()
        if not mine.is_dir():
            for old in base.glob("*"):
                if old.is_dir() and not old.is_symlink() and old != mine:
                    shutil.rmtree(old, ignore_errors=True)  # templates and catalogs (site/render.py)
            mine.mkdir(parents=True, exist_ok=True)
        return mine

    def reset(self) -> None:
        """Forget everything (`build --clean`)."""
        try:
            db = self.db()
            db.execute("DELETE FROM rows")
            db.execute("DELETE FROM meta WHERE name NOT IN ('schema', 'root')")
        except sqlite3.DatabaseError as exc:
            warn_once(str(self.folder / DB), exc)
        for path in sorted((self.folder / "sites").glob("*/*.json")):
            path.unlink(missing_ok=True)


class Table:
    """Rows of one kind under one signature; a table kept under another signature reads empty."""

    def __init__(self, state: State, name: str, signature: str) -> None:
        self.state, self.name, self.signature = state, name, signature

    def _valid(self, db: sqlite3.Connection) -> bool:
        row = db.execute("SELECT value FROM meta WHERE name = ?", (f"sig:{self.name}",)).fetchone()
        return row is not None and row[0] == self.signature

    def read(self) -> dict[Any, Any]:
        """Every row, decoded; {} when there is none, the signature differs or a row is bad."""
        try:
            db = self.state.db()
            if not self._valid(db):
                return {}
            rows = db.execute("SELECT key, value FROM rows WHERE tab = ?", (self.name,)).fetchall()
            return {codec.loads(key): codec.loads(value) for key, value in rows}
        except (sqlite3.DatabaseError, codec.BadState) as exc:
            warn_once(f"{self.state.folder / DB} ({self.name})", exc)
            self.clear()
            return {}

    def saved_at(self) -> int:
        """When the table was last written (ns since the epoch; 0 if never)."""
        try:
            row = self.state.db().execute("SELECT value FROM meta WHERE name = ?", (f"at:{self.name}",)).fetchone()
            return int(row[0]) if row and self._valid(self.state.db()) else 0
        except (sqlite3.DatabaseError, ValueError):
            return 0

    def write(self, changed: dict[Any, Any], removed: Iterable[Any] = (), whole: bool = False) -> None:
        """Store `changed` rows and drop `removed` ones (`whole`: `changed` is all there is)."""
        try:
            encoded = [(codec.dumps(k), codec.dumps(v)) for k, v in changed.items()]
            gone = [(self.name, codec.dumps(k)) for k in removed]
        except (codec.Unencodable, ValueError, RecursionError) as exc:  # only costs time next build
            log.info("state table %s not saved: %s", self.name, exc)
            return
        try:
            db = self.state.db()
            with db:
                db.execute("BEGIN IMMEDIATE")
                if whole or not self._valid(db):
                    db.execute("DELETE FROM rows WHERE tab = ?", (self.name,))
                db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?)",
                               [(self.name, k, v) for k, v in encoded])
                db.executemany("DELETE FROM rows WHERE tab = ? AND key = ?", gone)
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?), (?, ?)",
                           (f"sig:{self.name}", self.signature, f"at:{self.name}", str(time.time_ns())))
        except sqlite3.DatabaseError as exc:
            log.info("state table %s not saved: %s", self.name, exc)

    def clear(self) -> None:
        try:
            db = self.state.db()
            with db:
                db.execute("DELETE FROM rows WHERE tab = ?", (self.name,))
                db.execute("DELETE FROM meta WHERE name IN (?, ?)", (f"sig:{self.name}", f"at:{self.name}"))
        except sqlite3.DatabaseError:
            pass


def read_json(path: Path) -> Any:
    """A JSON record of the state folder; None when absent or unreadable (warned once)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        warn_once(str(path), exc)
        return None


def write_json(path: Path, data: Any, sync: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data, separators=(",", ":")))  # `dumps` runs in C; `dump` does not (2 s at 10k)
        if sync:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)


# --- what the output depends on besides the magazine's files -------------------------------

@lru_cache(maxsize=1)
def code_digest() -> str:
    """masthead's own code, by content (compiled files left out)."""
    h = hashlib.blake2b(digest_size=16)
    for folder, dirs, files in os.walk(CODE):
        dirs.sort()
        for name in sorted(files):
            if name.endswith((".py", ".html", ".yml", ".json", ".txt", ".css", ".js")):
                path = os.path.join(folder, name)
                h.update(os.path.relpath(path, CODE).encode())
                with open(path, "rb") as fh:
                    h.update(fh.read())
    return h.hexdigest()


@lru_cache(maxsize=1)
def library_versions() -> tuple[tuple[str, str], ...]:
    """The installed versions of the libraries that shape the output ('' when absent).
    Read from the names of the `<name>-<version>.dist-info` folders on `sys.path`, the
    first one found winning as for `importlib.metadata.version`, which is asked only for a
    library installed otherwise (importing it and its search cost 0.07 s, a quarter of a
    "nothing changed" build at 10,000 stories)."""
    found = _dist_info_versions({_normalised(name) for name in OUTPUT_LIBRARIES})
    out = []
    for name in OUTPUT_LIBRARIES:
        version = found.get(_normalised(name))
        if version is None:
            from importlib import metadata

            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                version = ""
        out.append((name, version))
    return tuple(out)


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _dist_info_versions(wanted: set[str]) -> dict[str, str]:
    """Normalised name -> version of the `wanted` distributions that have a dist-info folder."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if not folder.endswith(".dist-info") or "-" not in folder:
                continue
            name, _, version = folder[: -len(".dist-info")].partition("-")
            key = _normalised(name)
            if key in wanted and key not in found:
                found[key] = version
    return found


def code_signature() -> str:
    """masthead's version and code and the output libraries' versions: what every cache of
    derived data (records, cards, rows, plans) is valid for."""
    from masthead import __version__

    return hashlib.blake2b(repr((__version__, code_digest(), library_versions())).encode(),
                           digest_size=16).hexdigest()


def git_facts(root: Path) -> str:
    """A stamp of the repository's refs (any commit, branch move or fetch changes it): the
    build reads history (promises delivered, editors' start days)."""
    h = hashlib.blake2b(digest_size=16)
    git = root / ".git"
    folders = [git]
    if git.is_file():  # a worktree: `gitdir: ...`, with the shared refs in its common folder
        try:
            own = Path(git.read_text().split("gitdir:", 1)[1].strip())
            own = own if own.is_absolute() else (root / own).resolve()
            folders = [own]
            common = own / "commondir"
            if common.is_file():
                shared = Path(common.read_text().strip())
                folders.append(shared if shared.is_absolute() else (own / shared).resolve())
        except (OSError, IndexError):
            return ""
    for folder in folders:
        for name in ("HEAD", "packed-refs", "shallow"):
            _stamp_file(h, folder / name, read=name == "HEAD")
        for base, dirs, files in os.walk(folder / "refs"):
            dirs.sort()
            for name in sorted(files):
                _stamp_file(h, Path(base) / name, read=True)
    return h.hexdigest()


def _stamp_file(h: "hashlib.blake2b", path: Path, read: bool = False) -> None:
    try:
        st = path.stat()
        h.update(f"{path}:{st.st_mtime_ns}:{st.st_size};".encode())
        if read:
            h.update(path.read_bytes())
    except OSError:
        h.update(f"{path}:-;".encode())


# --- a state kept in memory, for a long-lived process (`masthead serve`) -------------------

class MemoryState(State):
    """A repository's state held in this process: tables are dictionaries of the objects
    themselves (no encoding, no database), so a rebuild reads nothing back. The first read
    of a table takes it from the state on disk when it is valid there (`seed`); nothing is
    written back. Records of sites (the body pack of a build) go to `folder`, a scratch folder
    the caller owns."""

    def __init__(self, root: Path, folder: Path, seed: State | None = None) -> None:
        super().__init__(root, folder)
        self.seed = seed
        self.tables: dict[str, tuple[str, dict[Any, Any], int]] = {}  # name -> signature, rows, saved at

    def table(self, name: str, signature: str) -> "Table":
        return MemoryTable(self, name, signature)

    def close(self) -> None:
        if self.seed is not None:
            self.seed.close()

    def reset(self) -> None:
        self.tables.clear()
        self.seed = None


class MemoryTable(Table):
    """A table of a `MemoryState`; the same contract as `Table`."""

    state: MemoryState

    def _rows(self) -> dict[Any, Any] | None:
        held = self.state.tables.get(self.name)
        if held is None and self.state.seed is not None:
            on_disk = Table(self.state.seed, self.name, self.signature)
            rows = on_disk.read()
            if rows:
                held = self.state.tables[self.name] = (self.signature, rows, on_disk.saved_at())
        if held is None or held[0] != self.signature:
            return None
        return held[1]

    def read(self) -> dict[Any, Any]:
        rows = self._rows()
        return dict(rows) if rows else {}

    def saved_at(self) -> int:
        held = self.state.tables.get(self.name)
        return held[2] if held is not None and held[0] == self.signature else 0

    def write(self, changed: dict[Any, Any], removed: Iterable[Any] = (), whole: bool = False) -> None:
        rows = None if whole else self._rows()
        rows = dict(changed) if rows is None else rows
        if not whole:
            rows.update(changed)
            for key in removed:
                rows.pop(key, None)
        self.state.tables[self.name] = (self.signature, rows, time.time_ns())

    def clear(self) -> None:
        self.state.tables.pop(self.name, None)


def keep_in_memory(root: Path, folder: Path) -> MemoryState:
    """From now on, `root`'s state in this process is a `MemoryState` (seeded from the state
    on disk) until `use` or `release` is called."""
    root = root.resolve()
    seed = State(root, state_dir(root)) if (state_dir(root) / DB).is_file() else None
    _forget(root)
    held = MemoryState(root, folder, seed)
    _open[root] = held
    return held


def release(root: Path) -> None:
    """Back to the state on disk for `root`."""
    _forget(root.resolve())
