"""The write stage: a reader sees the old site or the new one, never a mix, even across `kill -9`.

Every build makes a complete new tree beside the site, `.<site>.masthead-stage/`: the files
that changed are written there, the files that did not are hard links to the published ones
(no copy). The new tree then takes the site's place in one `renameat2(RENAME_EXCHANGE)`. The
old tree, now under the staging name, is kept with its manifest: the next build turns it into
its new tree by touching only the files that differ (those changed by the last two builds),
so the cost follows the changes, not the size of the site. A build stopped at any moment
leaves either the old tree in place or the new one; a staging tree it was changing is
forgotten first, and the next build starts a new one.

What the site holds is recorded in the build state (`masthead/state.py`), in a manifest named
after the inode of the tree it describes: path -> (key, content digest, size, mtime). It is
written before the swap; after a crash the site's own inode says which manifest is true. A
file of the site deleted or edited since (size or mtime differ, then its digest) is made again.

The site folder itself is only ever replaced when masthead made it: each tree carries a
`.masthead-site` mark. A symlink, a file, or a non-empty folder without the mark is refused.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import signal
import stat
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from masthead.domain.problems import UsageError
from masthead.state import code_signature, read_json, write_json

log = logging.getLogger(__name__)
MARK = ".masthead-site"
MARK_TEXT = b"This folder is made by masthead build, which replaces it whole on every build.\n"
LEGACY_HOME = ".{}.masthead"  # where versions before the build state kept their records
CRASH_ENV = "MASTHEAD_TEST_CRASH_AT"  # tests: kill the build at a named point of publication
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_MADE: set[Path] = set()  # folders this process has made; cleared when a tree moves

FileInfo = list[Any]  # [key, digest, size, mtime_ns], as kept in the manifest


def crash_point(name: str) -> None:
    """Die here, as `kill -9` would, when a test asks for it."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def write_file(base: Path, rel: str, data: bytes, staged: bool = False) -> FileInfo:
    """Write `data` to `base/rel` through a temporary name and rename, so no reader ever sees
    half a file; the file's digest, size and mtime for the manifest.

    `staged`: the file goes into a staging tree nobody reads until the build has succeeded, so
    a file that does not exist yet is created in place (a rename less per file)."""
    target = base / rel
    if target.parent not in _MADE:
        target.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(target.parent)
    written = False
    if staged:
        try:
            with open(target, "xb") as fh:
                fh.write(data)
            written = True
        except FileExistsError:
            pass
    if not written:
        tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    st = os.stat(target)
    return ["", hashlib.blake2b(data, digest_size=16).hexdigest(), st.st_size, st.st_mtime_ns]


def exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically where Linux allows it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
    except (AttributeError, OSError):
        pass
    spare = a.with_name(a.name + ".swap")  # not atomic: only where renameat2 is missing
    os.rename(b, spare)
    os.rename(a, b)
    os.rename(spare, a)


def site_path(site_dir: Path) -> Path:
    """`site_dir` made absolute with its parents resolved but not itself (a link is refused)."""
    absolute = Path(os.path.abspath(site_dir))
    return absolute.parent.resolve() / absolute.name


def made_by_masthead(folder: Path) -> bool:
    return (folder / MARK).is_file() or (folder.parent / LEGACY_HOME.format(folder.name)).is_dir()


def check_site(site: Path, what: str = "site folder") -> None:
    """Refuse to replace anything masthead did not make (see the module's docstring)."""
    if site.is_symlink():
        raise UsageError(f"the {what} {site} is a symbolic link (to {os.path.realpath(site)}); masthead "
                         "replaces the site folder whole and will not follow a link to do it. Remove the "
                         "link, or pass --site-dir with a real folder")
    if site.exists() and not site.is_dir():
        raise UsageError(f"the {what} {site} is a file, not a folder; move it away or pass another --site-dir")
    if site.is_dir() and any(os.scandir(site)) and not made_by_masthead(site):
        raise UsageError(f"the {what} {site} is not empty and was not made by masthead (it has no {MARK} "
                         "file); masthead replaces the site folder whole, so it will not use this one. "
                         "Pass --site-dir with a new or empty folder, or empty this one yourself")


def _inode(path: Path) -> str:
    st = os.stat(path)
    return f"{st.st_dev}-{st.st_ino}"


def manifest_path(records: Path, inode: str) -> Path:
    return records / f"manifest-{inode}.json"


def read_manifest(records: Path, site: Path, code: str | None = None,
                  tree: Path | None = None) -> dict[str, FileInfo] | None:
    """The files the tree published at `site` holds, as recorded; None when unknown, or when
    `code` is given and the tree was made by other code (other masthead, other libraries).
    `tree`: the tree is now elsewhere (the staging tree, once the site it was)."""
    data = _manifest(records, site, code, tree)
    return data["files"] if data is not None else None


def _manifest(records: Path, site: Path, code: str | None, tree: Path | None) -> dict[str, Any] | None:
    try:
        inode = _inode(tree or site)
    except OSError:
        return None
    data = read_json(manifest_path(records, inode))
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or data.get("site") != str(site):
        return None
    if code is not None and data.get("code") != code:
        return None
    if not all(isinstance(v, list) and len(v) == 4 for v in data["files"].values()):
        return None
    return data


def _folders_of(paths: "set[str] | dict[str, FileInfo]") -> set[str]:
    """Every folder holding one of `paths` (relative to the tree), the tree's own ("") included."""
    folders = {""}
    for rel in paths:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _changed_folders(tree: Path, stamps: dict[str, int]) -> list[str] | None:
    """The folders of `stamps` whose stamp changed (gone ones left out); None when one is no
    longer a folder (a link to elsewhere put in its place: the tree must not be written into)."""
    base = str(tree) + os.sep
    changed = []
    for rel, stamp in stamps.items():
        try:
            st = os.lstat(base + rel)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            return None
        if st.st_mtime_ns != stamp:
            changed.append(rel)
    return changed


def folder_stamps(tree: Path, folders: set[str]) -> dict[str, int]:
    """The modification time of each of `folders` of `tree`: a folder where a file is later
    added, removed or renamed has another (see `Publisher._prune`)."""
    base = str(tree) + os.sep
    return {rel: os.stat(base + rel).st_mtime_ns for rel in folders}


def quick_path(records: Path, inode: str) -> Path:
    return records / f"stamps-{inode}.json"


def _stat_digest(sizes_and_times: "array[int]") -> str:
    return hashlib.blake2b(sizes_and_times.tobytes(), digest_size=16).hexdigest()


def write_stamps(records: Path, inode: str, site: Path, files: dict[str, FileInfo]) -> None:
    """Beside the manifest, what `unchanged` needs: the paths, and one digest of every
    file's size and modification time. Decoding the whole manifest took 0.14 s at 10,000
    stories (65,000 files); this file, a fifth of that."""
    values = array("q")
    for _key, _digest, size, mtime in files.values():
        values.append(size)
        values.append(mtime)
    write_json(quick_path(records, inode), {"site": str(site), "paths": "\n".join(files),
                                            "stamp": _stat_digest(values)})


def unchanged(records: Path, site: Path) -> bool:
    """Every file the site was published with is there, with the size and modification time
    it was published with (a stat of each, no more). False also when unknown: the caller
    then asks `damaged`, which reads a file whose stat differs to compare its digest."""
    try:
        data = read_json(quick_path(records, _inode(site)))
    except OSError:
        return False
    if not isinstance(data, dict) or data.get("site") != str(site) or not isinstance(data.get("paths"), str):
        return False
    values = array("q")
    put, stat_at = values.append, os.stat
    try:
        fd = os.open(site, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        for rel in data["paths"].split("\n"):
            st = stat_at(rel, dir_fd=fd)
            put(st.st_size)
            put(st.st_mtime_ns)
    except (OSError, ValueError):
        return False
    finally:
        os.close(fd)
    return _stat_digest(values) == data.get("stamp")


def damaged(site: Path, files: dict[str, FileInfo]) -> set[str]:
    """Files of the manifest that are missing or changed in `site`: stat first, digest when the
    stat differs (a file touched but unchanged is fine)."""
    out = set()
    base = str(site) + os.sep
    for rel, (key, digest, size, mtime) in files.items():
        try:
            st = os.stat(base + rel)
        except OSError:
            out.add(rel)
            continue
        if st.st_size == size and st.st_mtime_ns == mtime:
            continue
        try:
            with open(base + rel, "rb") as fh:
                same = st.st_size == size and hashlib.blake2b(fh.read(), digest_size=16).hexdigest() == digest
        except OSError:
            same = False
        if same:
            files[rel] = [key, digest, st.st_size, st.st_mtime_ns]
        else:
            out.add(rel)
    return out


def _link(source: Path, target: Path, replace: bool) -> None:
    """`target` made a hard link to `source` (a copy across file systems)."""
    if target.parent not in _MADE:
        target.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(target.parent)
    tmp = target.with_name(f".{target.name}.link{os.getpid()}") if replace else target
    try:
        os.link(source, tmp)
    except FileExistsError:
        tmp = target.with_name(f".{target.name}.link{os.getpid()}")
        replace = True
        os.link(source, tmp)
    except OSError:  # no hard links here: a copy will do
        shutil.copy2(source, tmp)
    if replace:
        os.replace(tmp, target)


@dataclass
class Publisher:
    """Owns the site folder, its staging tree and its manifest (kept in `records`, the
    site's folder in the build state)."""

    site: Path
    records: Path
    manifest: dict[str, FileInfo] = field(default_factory=dict)
    damaged: set[str] = field(default_factory=set)
    spare: dict[str, FileInfo] = field(default_factory=dict)  # what the staging tree holds, when reused
    spare_damaged: set[str] = field(default_factory=set)
    spare_folders: dict[str, int] | None = None  # the staging tree's folders' stamps, when recorded
    spare_changed: list[str] = field(default_factory=list)  # its folders changed since it was published
    reused: bool = False  # the staging tree is the site the last publication replaced

    @property
    def stage(self) -> Path:
        return self.site.with_name(f".{self.site.name}.masthead-stage")

    def open(self, trust: bool = True) -> dict[str, str]:
        """The keys of the files the published site holds (its damaged files included: see
        `damaged`); a staging tree to write the changed files into. `trust=False`: the site
        is made anew."""
        check_site(self.site)
        self.records.mkdir(parents=True, exist_ok=True)
        code = code_signature()
        known = read_manifest(self.records, self.site, code) if trust and self.site.is_dir() else None
        self.manifest = known or {}
        self.damaged = damaged(self.site, self.manifest)
        if self.damaged:
            log.info("%d file(s) of %s were deleted or changed since the last build; writing them again",
                     len(self.damaged), self.site)
        self._open_stage()
        _MADE.clear()
        return {rel: info[0] for rel, info in self.manifest.items()}

    def _open_stage(self) -> None:
        """The tree the last publication replaced, when it is known file by file, becomes the
        staging tree (only what differs from the new site is then touched); else a new one.
        It is reused whatever code made it, in clean builds too: only the content digests of
        its files are used (a file is kept when its bytes are the new site's), and deleting a
        whole tree costs more than the build (2-3 ms a file on a busy disk)."""
        stage = self.stage
        self.spare, self.spare_damaged, self.reused, self.spare_folders = {}, set(), False, None
        self.spare_changed = []
        if stage.is_symlink() or stage.is_file():
            stage.unlink()
        elif stage.is_dir():
            check_site(stage, "staging folder")
            data = _manifest(self.records, self.site, None, stage)
            if data is not None:
                # From here on the tree changes: forgotten first, so a build stopped half-way
                # leaves a staging tree the next build does not trust.
                manifest_path(self.records, _inode(stage)).unlink()
                folders = data.get("folders")
                if not (isinstance(folders, dict) and all(isinstance(v, int) for v in folders.values())):
                    folders = None
                changed = _changed_folders(stage, folders) if folders is not None else []
                if changed is not None:
                    spare = data["files"]
                    self.spare, self.spare_damaged, self.reused = spare, damaged(stage, spare), True
                    self.spare_folders, self.spare_changed = folders, changed
                    return
                log.info("a folder of %s was replaced by a link or a file; making a new staging tree", stage)
            shutil.rmtree(stage)
        stage.mkdir(parents=True)
        (stage / MARK).write_bytes(MARK_TEXT)

    def publish(self, files: dict[str, FileInfo], kept: list[str]) -> None:
        """Put the new tree in the site's place: `files` are every file of the new site with
        its key (those rendered are in the staging tree already), `kept` those taken over
        unchanged from the published site (hard links to its files)."""
        _MADE.clear()
        site, stage = self.site, self.stage
        for rel in kept:
            spare = self.spare.get(rel)
            if spare is not None and spare[1] == files[rel][1] and rel not in self.spare_damaged:
                # the staging tree has it already: the new site holds that file, so its stat
                # goes into the manifest (else every later build would find every file changed
                # and read it whole to compare digests)
                files[rel] = [files[rel][0], *spare[1:]]
                continue
            _link(site / rel, stage / rel, replace=spare is not None)
        folders = _folders_of(files)
        self._prune(files, folders)  # MARK is at the root, which `folders` holds
        _MADE.clear()
        crash_point("after-stage")
        inode = _inode(stage)
        write_json(manifest_path(self.records, inode), {"site": str(site), "code": code_signature(), "files": files,
                                                         "folders": folder_stamps(stage, folders)}, sync=True)
        write_stamps(self.records, inode, site, files)
        crash_point("after-manifest")
        if site.is_dir():
            exchange(stage, site)  # the old site, its manifest kept, is the next build's staging tree
            crash_point("after-swap")
        else:
            os.rename(stage, site)
        self.manifest = files
        inodes = [inode, _inode(stage) if stage.is_dir() else ""]
        keep = {manifest_path(self.records, i).name for i in inodes} | {quick_path(self.records, i).name for i in inodes}
        for old in [*self.records.glob("manifest-*.json"), *self.records.glob("stamps-*.json")]:
            if old.name not in keep:
                old.unlink(missing_ok=True)

    def _prune(self, files: dict[str, FileInfo], folders: set[str]) -> None:
        """Remove from a reused staging tree what the new site does not hold: the files of the
        tree it was, and anything added to it while it was published. Only the folders whose
        stamp changed since the tree was published are read (those this build wrote into, or
        where something was added by hand): reading all of them took 4-8 s at 10,000 stories
        (43,000 folders). A tree with no recorded stamps is read whole."""
        if not self.reused:
            return
        wanted = set(files) | {MARK}  # `folders`: those of `wanted`
        if self.spare_folders is None:
            self._prune_walk(wanted, folders)
            return
        base = str(self.stage) + os.sep
        for rel in self.spare_changed:
            self._prune_folder(rel, wanted, folders)
        for rel in self.spare:
            if rel not in wanted:
                try:
                    os.unlink(base + rel)
                except OSError:
                    pass
        for rel in sorted(self.spare_folders.keys() - folders, key=lambda f: -f.count("/")):
            try:
                os.rmdir(base + rel)
            except OSError:  # not empty: a folder the new site has below it, or gone already
                pass

    def _prune_folder(self, rel: str, wanted: set[str], folders: set[str]) -> None:
        """Remove what the folder `rel` of the staging tree holds that the new site does not
        (a folder nobody recorded, whole; links are removed, never followed)."""
        prefix = rel + "/" if rel else ""
        try:
            entries = list(os.scandir(self.stage / rel if rel else self.stage))
        except OSError:
            return
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if name not in folders and name not in (self.spare_folders or {}):
                    shutil.rmtree(entry.path, ignore_errors=True)
            elif name not in wanted:
                os.unlink(entry.path)

    def _prune_walk(self, wanted: set[str], folders: set[str]) -> None:
        base = str(self.stage)
        for folder, dirs, names in os.walk(base, topdown=False):
            rel_folder = os.path.relpath(folder, base)
            prefix = "" if rel_folder == "." else rel_folder + "/"
            for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
                if prefix + name not in wanted:
                    os.unlink(os.path.join(folder, name))
            if prefix and rel_folder not in folders:
                try:
                    os.rmdir(folder)
                except OSError:
                    pass

    def discard(self) -> None:
        """After a failed build: the site is untouched; the staging tree is removed now."""
        shutil.rmtree(self.stage, ignore_errors=True)
