"""The preview's web server: MkDocs' live-reload server, woken by the system's file events.

The one module that uses `mkdocs.livereload` and watchdog. MkDocs' `LiveReloadServer` serves
a folder, adds its reload script to pages and runs a builder after a watched file changes,
but it learns of changes by polling: watchdog's `PollingObserver` lists and stats every
watched file twice a second (about 19% of a core while idle at 10,000 stories).
`event_driven` gives it watchdog's native observer instead (inotify on Linux, FSEvents on
macOS, ReadDirectoryChangesW on Windows), which sleeps until the kernel reports a change.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

from mkdocs.livereload import LiveReloadServer
from watchdog import events
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

WATCHED = ("content", "contributors", "site_config", "theme")  # the folders a build reads
# Quiet time after a change before building: one save is a few events (write, rename,
# attributes) within milliseconds. MkDocs waits 0.1 s: a third of the 0.3 s budget from save to served.
SETTLE_SECONDS = 0.03


# What a save, a new file, a deletion or a rename looks like. Not opening or reading a file:
# every build reads the templates and stories, and each read would start another build.
CHANGES: list[type[events.FileSystemEvent]] = [
    events.FileCreatedEvent, events.FileModifiedEvent, events.FileClosedEvent, events.FileDeletedEvent,
    events.FileMovedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]

_Native: Any = Observer  # the platform's observer class, chosen by watchdog at import


class ChangeObserver(_Native):
    """Watchdog's native observer, reporting changes only (`CHANGES`) unless told otherwise,
    and keeping the paths they were about until `take_changes` (the builder reads just those
    story files first: `BuildSession.rebuild_first`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._changed: set[str] = set()
        self._changed_lock = threading.Lock()

    def schedule(self, event_handler: events.FileSystemEventHandler, path: str | Path, *, recursive: bool = False,
                 event_filter: list[type[events.FileSystemEvent]] | None = None,
                 follow_symlink: bool = False) -> ObservedWatch:
        return super().schedule(_Noting(event_handler, self._note), path, recursive=recursive,
                                event_filter=event_filter or CHANGES, follow_symlink=follow_symlink)

    def _note(self, event: events.FileSystemEvent) -> None:
        with self._changed_lock:
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path:
                    self._changed.add(os.fsdecode(path))

    def take_changes(self) -> set[str]:
        """The paths changed since the last call."""
        with self._changed_lock:
            out, self._changed = self._changed, set()
        return out


class _Noting(events.FileSystemEventHandler):
    """A handler that tells `note` of each event, then hands it on."""

    def __init__(self, handler: events.FileSystemEventHandler, note: Callable[[events.FileSystemEvent], None]) -> None:
        self.handler, self.note = handler, note

    def dispatch(self, event: events.FileSystemEvent) -> None:
        self.note(event)
        self.handler.dispatch(event)


def preview_server(builder: Callable[[], object], host: str, port: int, site_dir: Path) -> LiveReloadServer:
    """A server for `site_dir` on host:port that calls `builder` after changes to watched
    folders, and answers a missing address with the site's own 404 page."""
    def build() -> None:  # what `builder` returns (whether the build passed) is not MkDocs' business
        builder()

    server = LiveReloadServer(builder=build, host=host, port=port, root=str(site_dir))
    event_driven(server)
    server.build_delay = SETTLE_SECONDS
    server.error_handler = not_found_page(site_dir)
    return server


def reload_browsers(server: LiveReloadServer) -> None:
    """Tell the open pages to reload, as MkDocs does after a build, for files written after
    the build returned (`masthead serve` writes the rest of the site after the edited page).
    Only between builds: while one runs, its own end reloads them. Uses the server's epoch
    fields (mkdocs.livereload, MkDocs 1.6: milliseconds of the monotonic clock), set under
    its lock as its build loop does."""
    with server._epoch_cond:
        if server._visible_epoch == server._wanted_epoch:
            epoch = max(round(time.monotonic() * 1000), server._visible_epoch + 1)
            server._wanted_epoch = server._visible_epoch = epoch
            server._epoch_cond.notify_all()


def watch_magazine(server: LiveReloadServer, root: Path) -> None:
    for name in WATCHED:
        if (root / name).is_dir():
            server.watch(str(root / name))


def event_driven(server: LiveReloadServer) -> None:
    """Put watchdog's native observer in place of MkDocs' polling one, before the server
    starts; the paths it already watches (MkDocs' own, under `mkdocs serve`) move over."""
    watched = [(e.watch.path, e.watch.is_recursive) for e in server.observer.emitters]
    moved: list[tuple[str, bool, int]] = []
    for path, recursive in watched:
        times = 0
        while True:  # MkDocs counts repeated watch() calls; undo each, to redo each below
            try:
                server.unwatch(path)
            except KeyError:
                break
            times += 1
        moved.append((path, recursive, max(times, 1)))
    server.observer = ChangeObserver()  # in place of MkDocs' PollingObserver
    for path, recursive, times in moved:
        for _ in range(times):
            server.watch(path, recursive=recursive)


def changes_of(server: LiveReloadServer) -> Callable[[], set[str]] | None:
    """What tells the builder the paths changed since its last build (None: not known)."""
    observer = server.observer
    return observer.take_changes if isinstance(observer, ChangeObserver) else None


def not_found_page(site_dir: Path) -> Callable[[int], bytes | None]:
    """The body MkDocs' server sends with a 404: the designed `404.html` of the last good build."""
    def page(code: int) -> bytes | None:
        try:
            return (site_dir / "404.html").read_bytes() if code == 404 else None
        except OSError:
            return None  # no build yet: MkDocs' plain "404 Not Found"
    return page
