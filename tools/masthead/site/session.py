"""`BuildSession`: the build of a long-lived process (`masthead serve`), kept in memory.

`masthead build` starts from nothing each run and reads what it needs back from the build
state on disk (records, settings, the plan memo, the site's manifest), then publishes a whole
new tree. A session does the same steps once, then keeps their results in this process:

- the build state is a `state.MemoryState`: the story records, loaded settings and
  contributors, the plan memo, the cards and related-story tables are dictionaries of the
  objects themselves, seeded from the state on disk the first time and never decoded again;
- the theme (compiled templates, catalogs, rendered cards) is kept while no file of
  `theme/` changed (`Theme.next_build`);
- the keys of the files the served folder holds are kept, so that after an edit only the
  files whose key changed are written.

A rebuild therefore re-reads only the files whose stamp changed, plans again (every unit
whose inputs are unchanged is taken over from the memo), renders the files whose key
changed and writes each one into the served folder by rename, so a reader gets the old file
or the new one. MkDocs' server holds every request while a build runs, so no page of a
half-made rebuild is served. The served folder is the session's: a file removed from it by
hand is not noticed (a restart of `masthead serve` makes it again).

`rebuild_first` (what `serve` calls) writes the pages of the edited stories first and the
rest of the site on a thread right after; a newer save gives an unfinished rest up.

The cycle collector is kept off the path from a save to the served page (`IdleCollector`):
with the whole build held, a full collection scans a few hundred thousand objects (0.04 to
0.56 s of a 0.4 to 0.7 s rebuild at 1,000 stories, measured); it runs instead once the
preview has been quiet for a moment. Nothing is frozen: every build's garbage is collected.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from masthead import state
from masthead.domain.problems import ContentError, Problem, has_errors
from masthead.domain.magazine import Magazine
from masthead.domain.stories import Story, same_but_body
from masthead.paths import stamp_tree
from masthead.sources.load import workers_available
from masthead.sources.magazine import load_magazine
from masthead.sources.records import StoryRecord, read_record
from masthead.sources.resolve import link_problems, resolve_record

from . import cards, search_index
from .build import CARDS_FROM, BuildReport, render_jobs
from .freshness import build_options, records_of
from .memo import global_signature, open_memo, save_memo, stale
from .pages import new_planner, plan_site
from .pictures import derive_all
from .plan import Planner
from .publish import write_file, MARK, MARK_TEXT, check_site, made_by_masthead, site_path
from .render import Theme
from .story_pages import plan_stories
from .views import Views


IDLE_COLLECT_SECONDS = 1.0  # quiet time after a rebuild before the full collection
FIRST_AT_MOST = 8  # story pages an edit may change and still be written before the rest
BUILDS_BETWEEN_COLLECTIONS = 20  # saves in a row with no quiet second: collect anyway, after the 20th


class IdleCollector:
    """The cycle collector paused from the start of a build until no build has started for
    `delay` seconds (a writer reads the page before saving again); then it is resumed with
    one full collection. Resuming right after the build would not do: the first allocation
    would then scan every object the build made (0.15 to 0.25 s at 1,000 stories). After
    `BUILDS_BETWEEN_COLLECTIONS` builds with no quiet time between them, the collection is
    made at the end of the build, so a long run of saves cannot pile up garbage."""

    def __init__(self, delay: float = IDLE_COLLECT_SECONDS) -> None:
        self.delay = delay
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._paused = False
        self._was_enabled = True
        self._builds = 0  # builds since the last full collection

    @contextmanager
    def building(self) -> Iterator[None]:
        with self._lock:
            self._cancel()
            if not self._paused:
                self._was_enabled, self._paused = gc.isenabled(), True
                gc.disable()
        try:
            yield
        finally:
            self._builds += 1
            if self._builds >= BUILDS_BETWEEN_COLLECTIONS:
                self._builds = 0
                gc.collect()
            with self._lock:
                self._timer = threading.Timer(self.delay, self.resume)
                self._timer.daemon = True
                self._timer.start()

    def resume(self, collect: bool = True) -> None:
        """The collector as it was before the first build, after one full collection."""
        with self._lock:
            self._cancel()
            if not self._paused:
                return
            self._paused = False
            if self._was_enabled:
                gc.enable()
        if collect:
            self._builds = 0
            gc.collect()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None


class Superseded(Exception):
    """A newer save came while the rest of the site was being planned for an older one."""


@dataclass
class Loaded:
    """One rebuild's magazine, read and checked, with what its writing needs."""

    views: Views
    report: BuildReport
    records: Path
    options: str
    now: datetime
    started: float
    edited: set[str]  # stories whose file was read again (new, or changed since the last load)


@dataclass
class BuildSession:
    """Builds of `root` into `site_dir`, one after another, in this process."""

    root: Path
    site_dir: Path
    preview: bool = True
    url: str | None = None
    held: dict[str, str] = field(default_factory=dict)  # path -> key of every file the folder holds
    last_now: datetime | None = None  # the moment the last good build was made as of
    builds: int = 0
    scratch: Path | None = None  # where the session keeps its few files (default: a new temporary folder)
    _theme: Theme | None = None
    _theme_stamp: str = ""
    _scratch: Path | None = None
    _memory: state.MemoryState | None = None
    collector: IdleCollector = field(default_factory=IdleCollector)
    _rest: threading.Thread | None = None  # the rest of the last `rebuild_first`, being written
    _stories: dict[str, Story] = field(default_factory=dict)  # the last load's stories, by source
    _magazine: Magazine | None = None  # the last load's
    _views: Views | None = None  # the last load's
    _search_keys: dict[str, str] = field(default_factory=dict)  # search shard ("en/0") -> key of its pages
    _superseded: threading.Event = field(default_factory=threading.Event)  # a newer save came

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.site_dir = site_path(self.site_dir)
        check_site(self.site_dir)  # a folder masthead did not make is refused before any work

    def open(self) -> None:
        """Hold the build state in memory from now on (see `state.keep_in_memory`)."""
        if self._memory is None:
            if self.scratch is not None:
                self.scratch.mkdir(parents=True, exist_ok=True)
            self._scratch = Path(tempfile.mkdtemp(prefix="masthead-session-", dir=self.scratch))
            self._memory = state.keep_in_memory(self.root, self._scratch)

    def close(self) -> None:
        """Back to the state on disk; the session's scratch folder is removed."""
        self.wait()
        if self._memory is not None:
            state.release(self.root)
            self._memory = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        self.collector.resume(collect=False)
        self._theme = self._magazine = self._views = None
        self._stories = {}
        self.held = {}

    def rebuild(self, now: datetime | None = None) -> BuildReport:
        """Build what changed since the last call, all of it; raises `ContentError` (the
        served folder is then as the last good build left it)."""
        self.wait(supersede=True)
        with self.collector.building():
            return self._complete(self._load(now))

    def rebuild_first(self, now: datetime | None = None,
                      then: Callable[[BuildReport | ContentError], None] = lambda _: None,
                      changed: Iterable[str] | None = None) -> int:
        """`rebuild`, the edited stories' own pages first: when an edit changed at most
        `FIRST_AT_MOST` story pages, they are written now and the number of them returned;
        the rest of the site (lists, feeds, author pages...) is then built on a thread, which
        calls `then` with its report or its errors. Otherwise (or on a first build) all is
        built now, `then` is called before returning, and 0 is returned. Raises
        `ContentError` when the magazine does not load (nothing is written then). A rest
        still being planned when the next save comes is given up (the next one plans all
        again), so a save never waits for the whole site of the one before.

        `changed`: the files the watcher reported since the last call (absolute paths).
        When they are story files whose front matter is as it was, only those files are
        read before their pages are written (`_quick_first`); the rest then loads the whole
        magazine as any rebuild does, so a change the watcher missed is still built."""
        self.wait(supersede=True)
        when = now or datetime.now(timezone.utc)
        with self.collector.building():
            quick = self._quick_first(changed, when) if changed is not None else 0
            loaded: Loaded | None = None
            if not quick:
                loaded = self._load(when)
                first = self._stories_first(loaded)
                if not first:
                    then(self._complete(loaded))
                    return 0

        def rest() -> None:
            with self.collector.building():
                try:
                    whole = loaded or self._load(when, self._superseded.is_set)
                    report = self._complete(whole, self._superseded.is_set)
                except Superseded:
                    return
                except ContentError as exc:
                    then(exc)
                else:
                    then(report)

        self._rest = threading.Thread(target=rest, name="masthead-serve-rest", daemon=True)
        self._rest.start()
        return quick or first

    def wait(self, supersede: bool = False) -> None:
        """Until the rest of the last `rebuild_first` is written; `supersede`: or given up,
        if it is still planning (nothing of it is written then)."""
        if self._rest is not None:
            if supersede:
                self._superseded.set()
            self._rest.join()
            self._rest = None
        self._superseded.clear()

    def _load(self, now: datetime | None, superseded: Callable[[], bool] = lambda: False) -> Loaded:
        """Read and check the magazine (only the files whose stamp changed are read again);
        `superseded`: checked between the steps of loading (raises `Superseded`)."""
        def check() -> None:
            if superseded():
                raise Superseded()

        check()
        self.open()
        started = time.perf_counter()
        now = now or datetime.now(timezone.utc)
        report = BuildReport(self.site_dir)
        records = records_of(self.root, self.site_dir)
        records.mkdir(parents=True, exist_ok=True)  # in the session's scratch folder
        workers = workers_available() if not self.held else 1  # a pool to re-read a few files costs more
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) if workers > 1 else None
        try:
            magazine, problems = load_magazine(self.root, executor=pool, url=self.url, between=check)
        finally:
            if pool is not None:
                pool.shutdown()
        report.timings["load"] = time.perf_counter() - started
        report.problems = problems
        if magazine is None or has_errors(problems):
            raise ContentError(problems)
        views = Views(magazine, self.theme(), now, self.preview)
        options = build_options(self.preview, self.url, self.site_dir, None)
        stories = {s.source: s for s in magazine.stories}
        # a story file read again is a new object; an unchanged one comes from the records as it was
        edited = {source for source, story in stories.items() if self._stories.get(source) is not story}
        self._stories, self._magazine, self._views = stories, magazine, views
        return Loaded(views, report, records, options, now, started, edited)

    def _quick_first(self, changed: Iterable[str], now: datetime) -> int:
        """The pages of the story files in `changed`, read alone and put in place of their
        last versions in the last load's magazine, written at once, when each is a story
        that magazine has, still a plain file, with no error, and nothing but its body
        changed (the rest of the site cannot look different then, save for its reading
        time on cards, which the rest writes). 0, with nothing written, otherwise (a new or
        removed file, front matter, settings, templates...: `_load` reads all). A file
        whose name starts with a dot, or ends with "~" (an editor's swap or backup file),
        is never read by a build (`sources.load.walk`) and is let be."""
        magazine = self._magazine
        if magazine is None or not self.held:
            return 0
        sources = self._changed_stories(changed)
        if not sources or len(sources) > FIRST_AT_MOST:
            return 0
        swapped: dict[str, Story] = {}
        read: dict[str, StoryRecord] = {}
        for rel in sources:
            old = self._stories[rel]
            try:
                if os.path.islink(self.root / rel):
                    return 0
                record = resolve_record(read_record(str(self.root), rel), magazine.settings)
            except OSError:
                return 0
            new = record.story
            if new is None or has_errors(record.problems + record.story_problems) or not same_but_body(old, new):
                return 0
            swapped[rel], read[rel] = new, record
        edited = dataclasses.replace(magazine, stories=[swapped.get(s.source, s) for s in magazine.stories])
        theme, last = self.theme(), self._views
        views = last.with_stories(edited, swapped, theme, now) if last is not None and last.theme is theme else None
        views = views or Views(edited, theme, now, self.preview)
        if has_errors(link_problems(list(read.values()), views.by_content)):  # a link to no story: reported by a load
            return 0
        records = records_of(self.root, self.site_dir)
        options = build_options(self.preview, self.url, self.site_dir, None)
        return self._write_first(views, records, options, set(swapped))

    def _changed_stories(self, changed: Iterable[str]) -> set[str] | None:
        """The story files (by source) among the changed paths; None when one is anything
        else a build may read."""
        out: set[str] = set()
        for path in changed:
            try:
                rel = Path(os.path.abspath(path)).relative_to(self.root).as_posix()
            except ValueError:
                return None
            name = rel.rpartition("/")[2]
            if any(part.startswith(".") for part in rel.split("/")) or name.endswith("~"):
                continue
            if rel not in self._stories:
                return None
            out.add(rel)
        return out

    def _stories_first(self, loaded: Loaded) -> int:
        """Write the pages of the stories whose files were edited (see `rebuild_first`),
        planned as the whole build plans them (`plan_stories` comes first in
        `pages.PROVIDERS`, so its pages see the same planner), and kept in `held`, so the
        rest does not write them again. 0, with nothing written, when no story file or more
        than `FIRST_AT_MOST` were edited (a template, a contributor, the settings: then every
        story may look different, and all is built at once). The pages of other stories
        that show an edited one (its neighbours, related stories) come with the rest."""
        if not self.held or not loaded.edited or len(loaded.edited) > FIRST_AT_MOST:
            return 0
        return self._write_first(loaded.views, loaded.records, loaded.options, loaded.edited)

    def _write_first(self, views: Views, records: Path, options: str, edited: set[str]) -> int:
        """The pages of the stories `edited`, planned as the whole build plans them, written
        when at most `FIRST_AT_MOST` of them changed (see `_stories_first`)."""
        plan = new_planner(views, views.theme, self.root)
        plan.memo = open_memo(plan, records, global_signature(plan, options)).entries
        plan_stories(plan, only=edited)
        todo = [i for i, job in enumerate(plan.jobs)
                if job.path.endswith(".html") and self.held.get(job.path) != job.key]
        if not todo or len(todo) > FIRST_AT_MOST or plan.problems:
            return 0
        derive_all(plan.pictures, 1)  # a new cover or body image of the edited story (docs/images.md)
        views.theme.preload()
        state.close_all()
        failed, _ = render_jobs(plan.jobs, todo, self.site_dir, progress=False, staged=False)
        for i in todo:
            job = plan.jobs[i]
            if job.path not in dict(failed):
                self.held[job.path] = job.key
        return len(todo) - len(failed)

    def _complete(self, loaded: Loaded, superseded: Callable[[], bool] = lambda: False) -> BuildReport:
        """Plan every file, write those whose key changed, remove those the site lost;
        raises `Superseded`, having written nothing, when `superseded()` turns true while
        it plans, or with the search not yet refreshed when it does while Pagefind runs."""
        views, report, records, options = loaded.views, loaded.report, loaded.records, loaded.options
        t0 = time.perf_counter()
        warm = bool(self.held)

        def check() -> None:
            if superseded():
                raise Superseded()

        plan = plan_site(views, views.theme, self.root, records if warm else None, options, between=check)
        check()
        report.timings["plan"] = time.perf_counter() - t0
        if plan.problems:
            raise ContentError(report.problems + plan.problems)
        report.images = derive_all(plan.pictures, workers_available())  # before render (docs/images.md)
        views.theme.preload()
        if not warm:
            self._start_folder()
        state.close_all()  # forked workers must not inherit an open database
        t0 = time.perf_counter()
        if plan.kept and stale(plan.kept, self.held):  # the memo is not about this folder
            plan = plan_site(views, views.theme, self.root)
            derive_all(plan.pictures, workers_available())
        keys = {path: key for path, key, _, _ in plan.entries()}
        todo = [i for i, job in enumerate(plan.jobs) if self.held.get(job.path) != job.key]
        removed = sorted(self.held.keys() - keys.keys())
        failures = self._write(views, plan, todo, records)
        for rel in removed:
            self._remove(rel)
        report.timings["render"] = time.perf_counter() - t0
        self.held = {path: key for path, key in keys.items() if path not in failures}
        if failures:
            raise ContentError([Problem(path, 0, "", f"could not be written: {why}", code="render")
                                for path, why in failures.items()])
        self._refresh_search(views, superseded)
        save_memo(plan, records, options)
        if len(todo) > CARDS_FROM:
            cards.save(views, views.theme, self.root)
        self.last_now = loaded.now
        self.builds += 1
        report.files = len(keys)
        report.pages = sum(1 for path in keys if path.endswith(".html"))
        report.feeds = sum(1 for path in keys if path.endswith(("rss.xml", "atom.xml")))
        report.rendered, report.removed = len(todo), len(removed)
        report.kept = sum(len(entries) for _, _, entries in plan.kept)
        report.seconds = time.perf_counter() - loaded.started
        return report

    def _refresh_search(self, views: Views, superseded: Callable[[], bool] = lambda: False) -> None:
        """Make again, in the served folder, the search shards whose story pages changed
        (keyed by the pages' job keys), and remove the shards a language no longer has: the
        edited page is served first, its search catches up in this second pass (docs/search.md).
        A newer save stops Pagefind (`Superseded`): the next build indexes those shards (a
        shard of 500 stories takes 2-3 s at 10,000 stories, which the next save had waited for)."""
        jobs: dict[str, search_index.Job] = {}
        keys: dict[str, str] = {}
        wanted: set[str] = set()
        for lang, parts in search_index.shards(views, set(self.held)).items():
            write_file(self.site_dir, f"{search_index.BUNDLE}{lang}/{search_index.SHARDS_FILE}",
                       search_index.shards_file(len(parts)))
            for k, paths in enumerate(parts):
                name = f"{lang}/{k}"
                wanted.add(name)
                key = search_index.index_key(name, [(p, self.held[p]) for p in paths])
                if self._search_keys.get(name) != key:
                    jobs[name] = (lang, k == 0, [(p, self.site_dir / p) for p in paths])
                    keys[name] = key
        for name in set(self._search_keys) - wanted:
            del self._search_keys[name]
            shutil.rmtree(self.site_dir / f"{search_index.BUNDLE}{name}", ignore_errors=True)
        if not jobs:
            return
        with tempfile.TemporaryDirectory(prefix="masthead-pagefind-") as work:
            try:
                made_all = search_index.bundles(jobs, Path(work), stop=superseded)
            except search_index.Stopped:
                raise Superseded() from None
            for name, made in made_all.items():
                self._search_keys[name] = keys[name]
                folder = self.site_dir / f"{search_index.BUNDLE}{name}"
                folder.mkdir(parents=True, exist_ok=True)  # a shard removed earlier in the session may return
                for rel, data in made.items():
                    write_file(self.site_dir, f"{search_index.BUNDLE}{name}/{rel}", data)
                for old in [p for p in folder.rglob("*") if p.is_file()]:  # fragments the new index lost
                    if old.relative_to(folder).as_posix() not in made:
                        old.unlink()

    def theme(self) -> Theme:
        """The theme of the last build while no file of `theme/` changed; else loaded anew."""
        h = hashlib.blake2b(digest_size=16)
        stamp_tree(h, self.root / "theme")
        stamp = h.hexdigest()
        if self._theme is None or stamp != self._theme_stamp:
            self._theme, self._theme_stamp = Theme(self.root / "theme"), stamp
            return self._theme
        return self._theme.next_build()

    def _start_folder(self) -> None:
        """The first build of a session makes the folder anew (one masthead made, or empty)."""
        if self.site_dir.is_dir() and made_by_masthead(self.site_dir):
            shutil.rmtree(self.site_dir)
        self._search_keys.clear()
        self.site_dir.mkdir(parents=True, exist_ok=True)
        (self.site_dir / MARK).write_bytes(MARK_TEXT)

    def _write(self, views: Views, plan: Planner, todo: list[int], records: Path) -> dict[str, str]:
        """Render the jobs `todo` straight into the served folder: the failures by path."""
        theme = views.theme
        if len(todo) > CARDS_FROM:  # many pages: cards first, on every core (as `build` does)
            cards.load(theme, self.root)
            in_feeds = {source for i in todo for source in plan.in_feeds.get(plan.jobs[i].path, ())}
            cards.prerender(views, theme, self.root, cards.missing(views, theme), workers_available(),
                            [s for s in views.stories if s.source in in_feeds], records)
        try:
            failed, _ = render_jobs(plan.jobs, todo, self.site_dir, progress=False, staged=False)
        finally:
            cards.drop_pack(records)
        return dict(failed)

    def _remove(self, rel: str) -> None:
        """A file the site no longer has, and the folders it leaves empty."""
        path = self.site_dir / rel
        path.unlink(missing_ok=True)
        folder = path.parent
        while folder != self.site_dir:
            try:
                os.rmdir(folder)
            except OSError:
                return
            folder = folder.parent
