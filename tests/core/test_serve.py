"""`masthead serve` (issue 10): rebuilds in this process without growing the heap, a watcher
woken by file events rather than polling, edits served over real HTTP, the designed 404 page,
and heap tricks kept to batch runs."""

from __future__ import annotations

import gc
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from bs4 import BeautifulSoup
from mkdocs.livereload import LiveReloadServer
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.polling import PollingObserver

from masthead import heap
from masthead.commands.serve import Preview
from masthead.site.live_server import WATCHED, preview_server, watch_magazine
from masthead.site.plugin import MastheadPlugin

from ..conftest import REPO, Magazine

DEADLINE = 60.0  # seconds; generous for a loaded CI machine, never waited out when things work


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=DEADLINE) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def served(url: str, wanted: str, within: float = DEADLINE) -> BeautifulSoup:
    """The page at `url` once its story body shows `wanted`; fails after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            status, text = get(url)
        except (urllib.error.URLError, ConnectionError):
            status, text = 0, ""
        soup = BeautifulSoup(text, "html.parser")
        body = soup.select_one(".story-body")
        if status == 200 and body is not None and wanted in body.get_text(" "):
            return soup
        assert time.monotonic() < deadline, f"{url} did not show {wanted!r} within {within} s (last: {status})"
        time.sleep(0.02)


def rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def tracked_objects() -> int:
    gc.collect()
    return len(gc.get_objects())


@pytest.fixture
def preview(magazine: Magazine, tmp_path: Path) -> Preview:
    magazine.story("city/river.md", title="The river", body="First words.\n")
    magazine.story("culture/song.md", title="A song", section="culture", body="La la.\n")
    port = free_port()
    return Preview(magazine.root, tmp_path / "preview" / "site", f"http://127.0.0.1:{port}/")


@pytest.fixture
def server(preview: Preview) -> Iterator[LiveReloadServer]:
    """`masthead serve` as `run` starts it, serving on a thread; stopped after the test."""
    assert preview.rebuild()
    port = int(preview.url.rsplit(":", 1)[1].strip("/"))
    live = preview_server(preview.rebuild, "127.0.0.1", port, preview.site_dir)
    watch_magazine(live, preview.root)
    thread = threading.Thread(target=live.serve, daemon=True)
    thread.start()
    try:
        served(preview.url + "city/river/", "First words")
        yield live
    finally:
        live.shutdown(wait=True)
        thread.join(DEADLINE)


def test_a_saved_story_is_served_without_polling_the_disk(server: LiveReloadServer, preview: Preview,
                                                         magazine: Magazine) -> None:
    assert not isinstance(server.observer, PollingObserver)  # MkDocs' own server polls twice a second
    for n in range(3):
        magazine.story("city/river.md", title="The river", body=f"Edited words, take {n}.\n")
        page = served(preview.url + "city/river/", f"Edited words, take {n}.")
        assert page.select_one("h1").get_text(strip=True) == "The river"


def test_reading_a_watched_file_starts_no_build(server: LiveReloadServer, preview: Preview,
                                                 magazine: Magazine) -> None:
    """Every build reads the stories and templates: were reads reported, each build would start
    the next one. Events arrive in order, so once the write is seen the read would have been."""
    seen: list[FileSystemEvent] = []

    class Recorder(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            seen.append(event)

    server.observer.schedule(Recorder(), str(preview.root / "content"), recursive=True)  # as server.watch does
    (preview.root / "content" / "culture" / "song.md").read_text(encoding="utf-8")
    written = magazine.story("city/river.md", title="The river", body="Read, then written.\n")
    deadline = time.monotonic() + DEADLINE
    while not any(e.event_type == "closed" and e.src_path == str(written) for e in seen):
        assert time.monotonic() < deadline, f"the write was never reported: {seen}"
        time.sleep(0.02)
    assert {e.event_type for e in seen} <= {"created", "modified", "closed", "deleted", "moved"}, seen


def test_a_broken_edit_keeps_the_last_good_preview(server: LiveReloadServer, preview: Preview,
                                                   magazine: Magazine, capfd: pytest.CaptureFixture[str]) -> None:
    magazine.write("content/city/river.md", "---\ntitle: [unclosed\n---\nBroken.\n")
    magazine.story("culture/song.md", title="A song", section="culture", body="Still here.\n")
    deadline, said = time.monotonic() + DEADLINE, ""
    while "fix the errors above" not in said:
        assert time.monotonic() < deadline, f"the broken story was never reported: {said!r}"
        time.sleep(0.02)
        said += capfd.readouterr().err
    assert "content/city/river.md" in said
    assert served(preview.url + "city/river/", "First words")
    magazine.story("city/river.md", title="The river", body="Mended.\n")
    served(preview.url + "city/river/", "Mended.")
    served(preview.url + "culture/song/", "Still here.")


def test_a_missing_address_gets_the_designed_404_page(server: LiveReloadServer, preview: Preview) -> None:
    status, text = get(preview.url + "no/such/story/")
    page = BeautifulSoup(text, "html.parser")
    from babel.messages.pofile import read_po

    with open(REPO / "theme/locale/en/LC_MESSAGES/messages.po", "rb") as fh:
        title = read_po(fh)["notfound.title"].string
    assert status == 404
    assert title and page.select_one("h1").get_text(strip=True) == title
    assert {a["href"] for a in page.select(".notfound-links a")} >= {"/search/", "/archive/"}


def test_a_hundred_rebuilds_do_not_grow_the_heap(preview: Preview, magazine: Magazine) -> None:
    frozen = gc.get_freeze_count()
    counts, sizes = {}, {}
    for n in range(1, 101):
        magazine.story("city/river.md", title="The river", body=f"Edit number {n}.\n")
        assert preview.rebuild()
        if n in (10, 100):
            counts[n], sizes[n] = tracked_objects(), rss_bytes()
    page = BeautifulSoup((preview.site_dir / "city" / "river" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert "Edit number 100." in page.select_one(".story-body").get_text()
    assert gc.get_freeze_count() == frozen  # the old serve froze every build: +36k objects each at 1,000 stories
    assert counts[100] <= counts[10] * 1.02 + 1000, counts
    assert sizes[100] - sizes[10] < 16 * 2**20, sizes


def test_mkdocs_serve_gets_the_event_driven_watcher_too(magazine: Magazine, tmp_path: Path) -> None:
    live = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(tmp_path))
    docs = magazine.root / "site_config" / "pages"
    live.watch(str(docs))  # as `mkdocs serve` does before it asks the plugins
    plugin = MastheadPlugin()
    plugin.root = magazine.root
    config: Any = None
    live = plugin.on_serve(live, config, live.builder)
    assert not isinstance(live.observer, PollingObserver)
    watched = {Path(e.watch.path) for e in live.observer.emitters}
    assert watched == {docs, *(magazine.root / name for name in WATCHED)}
    live.unwatch(str(docs))  # MkDocs' own bookkeeping still matches what is scheduled
    assert docs not in {Path(e.watch.path) for e in live.observer.emitters}


def test_heap_tricks_do_nothing_outside_a_batch_run() -> None:
    assert not heap.is_batch_run()  # pytest is a long-lived process
    frozen = gc.get_freeze_count()
    with heap.long_lived():
        assert gc.isenabled()
        made = [object() for _ in range(1000)]
    assert gc.get_freeze_count() == frozen
    with pytest.raises(SystemExit):
        heap.exit_now(0)  # the usual exit, with exit handlers, not os._exit
    del made


def test_only_the_batch_commands_run_as_a_batch(tmp_path: Path) -> None:
    script = ("import sys, gc; from masthead import cli, heap\n"
              "cli.main = lambda argv=None: print(heap.is_batch_run(), gc.get_freeze_count()) or 0\n"
              "cli.entry()\n")

    def batch(*argv: str) -> str:
        done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=DEADLINE)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()[0]

    assert batch("build") == "True" and batch("check") == "True"
    assert batch("serve") == "False" and batch("formbot") == "False"


def test_the_command_serves_until_interrupted_and_removes_its_folder(magazine: Magazine, tmp_path: Path) -> None:
    magazine.story("city/river.md", title="The river", body="First words.\n")
    port, temp = free_port(), tmp_path / "tmp"
    temp.mkdir()
    command = [sys.executable, "-m", "masthead.cli", "--root", str(magazine.root), "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env={**os.environ, "TMPDIR": str(temp)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        page = served(f"http://127.0.0.1:{port}/city/river/", "First words")
        assert page.select_one("h1").get_text(strip=True) == "The river"
        assert [p.name[:15] for p in temp.iterdir()] == ["masthead-serve-"]
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl+C
        out, _ = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 0, out.decode()
    assert "Traceback" not in out.decode()
    assert not list(temp.iterdir())  # the preview folder it made is gone
