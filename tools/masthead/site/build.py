"""`build_site`: load -> resolve -> plan -> render what changed (on every core) -> publish.

The whole magazine is checked and planned before anything is written; a build with errors
raises `ContentError` and leaves the published site as it was. Everything kept between builds
is in the build state (`masthead/state.py`), outside the work tree.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, time as dtime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from masthead import state
from masthead.domain.magazine import Magazine
from masthead.heap import long_lived
from masthead.domain.problems import ContentError, Problem, has_errors
from masthead.sources.load import workers_available
from masthead.sources.magazine import load_magazine

from . import cards, highlight, search_index
from .freshness import build_options, forget, inputs_digest, is_fresh, records_of, remember
from .memo import save_memo, stale
from .pages import plan_site
from .pictures import Stats, derive_all
from .plan import Job, Planner
from .publish import FileInfo, Publisher, check_site, site_path, write_file
from .render import Theme
from .views import Views

log = logging.getLogger(__name__)
PARALLEL_FROM = 48  # below this many jobs, forking costs more than it saves
ROUND_PAGES = 3000  # pages a render worker writes before it is replaced (see `_rounds`)
CARDS_FROM = 200  # pages to write before rendering (or loading) the cards first pays off


@dataclass
class BuildReport:
    site_dir: Path
    pages: int = 0
    feeds: int = 0
    files: int = 0
    rendered: int = 0
    images: Stats = field(default_factory=Stats)  # derived images made by this build
    removed: int = 0
    kept: int = 0  # files whose planning was skipped: the last build planned them from the same inputs
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by stage and by cost (`cost_split`)
    fresh: bool = False
    left_out: list[str] = field(default_factory=list)  # files with errors not built (--keep-going)

    def summary(self) -> str:
        if self.fresh:
            return f"{self.site_dir} is up to date: nothing changed since the last build ({self.seconds:.2f} s)"
        return (f"built {self.site_dir}: {self.pages} pages, {self.feeds} feeds, {self.files} files in all; "
                f"{self.rendered} written, {self.removed} removed, in {self.seconds:.2f} s"
                + (f" (search index {self.timings['search']:.2f} s)" if "search" in self.timings else ""))

    def cost_split(self) -> str:
        """What the pictures, code and search cost, in CPU seconds (the benchmark reads this line)."""
        cpu = self.cpu
        return (f"cost: images {cpu.get('images', 0.0):.2f} s CPU, social cards {cpu.get('social_cards', 0.0):.2f} s CPU, "
                f"highlighting {cpu.get('highlighting', 0.0):.3f} s CPU, search {cpu.get('search', 0.0):.2f} s CPU; "
                "by stage: " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()
                                          if k not in ("images", "social_cards", "highlighting")) + " s CPU")


def cpu_now() -> float:
    """CPU seconds of this process and of its children that have ended and been waited for:
    a pool's forked workers once the pool is shut down, every Pagefind run."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


Written = dict[str, FileInfo]  # files written: path -> [key, digest, size, mtime] (publish.py)


@dataclass(frozen=True)
class RenderContext:
    """What the page workers render: the jobs, the folder, and whether it is a staging tree
    (see publish.write_file). Handed to each worker once by the pool's initialiser (inherited
    through `fork`: jobs hold closures, which are never pickled), not through module globals."""

    jobs: list[Job]
    target: Path
    staged: bool = False


_WORKER: list[RenderContext] = []  # set in a worker process by `_start_worker`, and only there


def _start_worker(context: RenderContext) -> None:
    _WORKER[:] = [context]


def _worker_chunk(indices: list[int]) -> tuple[int, list[tuple[str, str]], Written]:
    return _render_chunk(_WORKER[0], indices)


def _render_chunk(context: RenderContext, indices: list[int]) -> tuple[int, list[tuple[str, str]], Written]:
    failures: list[tuple[str, str]] = []
    written: Written = {}
    for i in indices:
        job = context.jobs[i]
        try:
            info = write_file(context.target, job.path, job.make(), staged=context.staged)
        except Exception as exc:  # noqa: BLE001 - reported with the page's path, then the build fails
            failures.append((job.path, f"{type(exc).__name__}: {exc}"))
        else:
            info[0] = job.key
            written[job.path] = info
    return len(indices), failures, written


def _chunks(indices: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(indices), size):
        yield indices[start:start + size]


def _rounds(todo: list[int], workers: int) -> Iterator[list[int]]:
    """`todo` in parts of at most ROUND_PAGES pages per worker: each part gets a pool of its
    own, so a worker ends before what it keeps (the cards, lists and fragments it rendered,
    its copies of the parent's pages) grows with the size of the magazine."""
    yield from _chunks(todo, ROUND_PAGES * workers)


def show_progress(explicit: bool | None) -> bool:
    """Bars on a terminal, quiet in CI and pipes."""
    if explicit is not None:
        return explicit
    return sys.stderr.isatty() and not os.environ.get("CI")


def render_jobs(jobs: list[Job], todo: list[int], target: Path, progress: bool,
                staged: bool = False) -> tuple[list[tuple[str, str]], Written]:
    """Write the jobs `todo` into `target`: the failures, and what was written."""
    context = RenderContext(jobs, target, staged)
    from tqdm import tqdm

    bar = tqdm(total=len(todo), unit="file", desc="writing", disable=not progress, leave=False)
    failures: list[tuple[str, str]] = []
    written: Written = {}
    workers = workers_available()
    try:
        if len(todo) < PARALLEL_FROM or workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
            for chunk in _chunks(todo, 64):
                done, failed, made = _render_chunk(context, chunk)
                failures += failed
                written.update(made)
                bar.update(done)
        else:
            size = max(16, min(256, len(todo) // (workers * 8)))
            for part in _rounds(todo, workers):
                with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                         initializer=_start_worker, initargs=(context,)) as pool:
                    for done, failed, made in pool.map(_worker_chunk, _chunks(part, size)):
                        failures += failed
                        written.update(made)
                        bar.update(done)
    finally:
        bar.close()
    return failures, written


def valid_until(magazine: Magazine, now: datetime) -> datetime:
    """The output stays right until the next story is due or the local day ends."""
    tz = magazine.settings.timezone
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), dtime(0), tzinfo=tz)
    upcoming = [s.date for s in magazine.stories if not s.draft and s.date > now]
    return min([midnight, *upcoming])


def load_and_plan(root: Path, report: BuildReport, workers: int, *, now: datetime, preview: bool, url: str | None,
                  theme_dir: Path | None, memo: Path | None, options: str,
                  keep_going: bool = False, sandboxed: bool = False) -> tuple[Magazine, Views, Planner]:
    """Load and check the magazine, then plan every file; `memo` is the folder of the last
    build's plan memo, if it may be used. Raises `ContentError` on errors, or with
    `keep_going` on errors in files that cannot be left out (sources/keep_going.py)."""
    t0, c0 = time.perf_counter(), cpu_now()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) if workers > 1 else None
    blocked = False
    try:
        if keep_going:
            from masthead.sources.keep_going import load_kept

            kept = load_kept(root, executor=pool, url=url)
            magazine, problems, report.left_out = kept.magazine, kept.problems, kept.left_out
            blocked = bool(kept.blocking)
        else:
            magazine, problems = load_magazine(root, executor=pool, url=url)
            blocked = has_errors(problems)
    finally:
        if pool is not None:
            pool.shutdown()
    report.timings["load"], report.cpu["load"] = time.perf_counter() - t0, cpu_now() - c0
    report.problems = problems
    if magazine is None or blocked:
        raise ContentError(problems)
    t0, c0 = time.perf_counter(), cpu_now()
    # compiled templates are code: kept only in the build state, outside the work tree
    theme = Theme(theme_dir or root / "theme", cache=state.for_root(root).templates(), sandboxed=sandboxed)
    views = Views(magazine, theme, now, preview)
    plan = plan_site(views, theme, root, memo, options)
    report.timings["plan"], report.cpu["plan"] = time.perf_counter() - t0, cpu_now() - c0
    if plan.problems:
        raise ContentError(problems + plan.problems)
    theme.preload()
    return magazine, views, plan


def build_site(root: Path, *, site_dir: Path | None = None, preview: bool = False, now: datetime | None = None,
               progress: bool | None = None, url: str | None = None, clean: bool = False,
               theme_dir: Path | None = None, direct: bool = False, digest: str | None = None,
               keep_going: bool = False, sandboxed: bool = False) -> BuildReport:
    """Build the magazine at `root` into `site_dir` (default `root/site`).

    `now` decides what is published (default: the clock); `preview` shows unpublished stories
    under a banner; `clean` forgets the build state and makes every file anew (the site is
    replaced only once the new one is complete); `direct` writes straight into `site_dir`
    (for MkDocs, which owns that folder); `digest` is the inputs' digest when the caller has
    computed it already; `keep_going` builds without the stories that have errors (their
    problems are in the report's `problems`, their files in `left_out`); `sandboxed`: the
    theme's templates are not trusted (`masthead review` of a branch, which may change them)
    and run in Jinja's sandbox."""
    started, cpu_started, highlighting = time.perf_counter(), cpu_now(), highlight.cpu_seconds()
    root = root.resolve()
    site_dir = site_path(site_dir or root / "site")
    now = now or datetime.now(timezone.utc)
    report = BuildReport(site_dir)
    if not direct:
        check_site(site_dir)  # before any work: a folder masthead may not replace is refused at once
    if clean:
        state.for_root(root).reset()
    records = records_of(root, site_dir)
    options = build_options(preview, url, site_dir, theme_dir)
    digest = digest or inputs_digest(root, options)
    if not direct and not clean and is_fresh(site_dir, records, digest, now):
        report.seconds = time.perf_counter() - started
        report.fresh = True
        return report
    forget(records)
    workers = workers_available()
    with long_lived():  # what load and plan make lives to the end of the build (see heap.py)
        magazine, views, plan = load_and_plan(root, report, workers, now=now, preview=preview, url=url,
                                              theme_dir=theme_dir, memo=None if direct or clean else records,
                                              options=options, keep_going=keep_going, sandboxed=sandboxed)
    highlight.keep_in(root)  # code blocks highlighted by earlier builds (read before the workers fork)
    t0, c0 = time.perf_counter(), cpu_now()
    report.images = derive_all(plan.pictures, workers)  # derived images made before render (docs/images.md)
    report.timings["images"], report.cpu["derive"] = time.perf_counter() - t0, cpu_now() - c0
    state.close_all()  # forked workers must not inherit an open database
    t0, c0 = time.perf_counter(), cpu_now()
    if direct:
        failures, _ = render_jobs(plan.jobs, list(range(len(plan.jobs))), site_dir, show_progress(progress))
        if not failures:
            search_index.add_to_tree(views, site_dir)
        removed: list[str] = []
        todo: list[int] = list(range(len(plan.jobs)))
        keys = {job.path: job.key for job in plan.jobs}
    else:
        failures, todo, removed, keys = _render_and_publish(root, report, views, plan, site_dir, records,
                                                            options, workers, progress, trust=not clean)
    report.timings["render"] = time.perf_counter() - t0
    report.cpu["pages"] = cpu_now() - c0 - sum(report.cpu.get(k, 0.0) for k in ("cards", "search", "publish"))
    if failures:
        raise ContentError([Problem(path, 0, "", f"could not be written: {why}", code="render")
                            for path, why in failures])
    report.files = len(keys)
    report.pages = sum(1 for path in keys if path.endswith(".html"))
    report.feeds = sum(1 for path in keys if path.endswith(("rss.xml", "atom.xml")))
    report.rendered, report.removed = len(todo), len(removed)
    report.kept = sum(len(entries) for _, _, entries in plan.kept)
    if not direct and not report.left_out:  # a build that left stories out is never "up to date"
        remember(records, digest, now, valid_until(magazine, now))
        state.for_root(root).remember_site(site_dir)
    report.seconds = time.perf_counter() - started
    report.cpu.update(total=cpu_now() - cpu_started, images=report.images.images_cpu,
                      social_cards=report.images.cards_cpu, highlighting=highlight.cpu_seconds() - highlighting)
    log.info("timings: %s", ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items()))
    log.info("%s", report.cost_split())
    return report


def _render_and_publish(root: Path, report: BuildReport, views: Views, plan: Planner, site_dir: Path,
                        records: Path, options: str, workers: int, progress: bool | None,
                        trust: bool) -> tuple[list[tuple[str, str]], list[int], list[str], dict[str, str]]:
    """Render what changed into a new tree, link the rest, and swap it in (publish.py)."""
    t0, c0 = time.perf_counter(), cpu_now()
    theme = views.theme
    publisher = Publisher(site_dir, records)
    before = publisher.open(trust=trust)
    if plan.kept and stale(plan.kept, before, publisher.damaged):  # the memo is not about this site
        log.info("the plan memo does not match the published site; planning everything")
        plan = plan_site(views, theme, root)
    keys = {path: key for path, key, _, _ in plan.entries()}
    todo = [i for i, job in enumerate(plan.jobs)
            if before.get(job.path) != job.key or job.path in publisher.damaged]
    removed = sorted(p for p in set(before) - set(keys) if not search_index.is_bundle(p))
    ahead = len(todo) > CARDS_FROM  # many pages to write: cards rendered ahead, and kept
    if ahead:
        cards.load(theme, root)
        in_feeds = {source for i in todo for source in plan.in_feeds.get(plan.jobs[i].path, ())}
        cards.prerender(views, theme, root, cards.missing(views, theme), workers,
                        [s for s in views.stories if s.source in in_feeds], records)
        report.timings["cards"], report.cpu["cards"] = time.perf_counter() - t0, cpu_now() - c0
    for story in views.stories:  # card views made once, before the workers fork, not once in each
        views.card(story)
    try:
        failures, written = render_jobs(plan.jobs, todo, publisher.stage, show_progress(progress), staged=True)
    finally:
        cards.drop_pack(records)
    t1, c1 = time.perf_counter(), cpu_now()
    if failures:
        publisher.discard()
        return failures, todo, removed, keys
    kept = [path for path in keys if path not in written]
    files = {**{path: publisher.manifest[path] for path in kept}, **written}
    try:  # the search bundles: made in the staging tree, published with it (search_index.py)
        kept += search_index.add_to_site(views, files, written, publisher)
    except search_index.SearchIndexError as exc:
        publisher.discard()
        return [(search_index.BUNDLE, str(exc))], todo, removed, keys
    report.timings["search"], report.cpu["search"] = time.perf_counter() - t1, cpu_now() - c1
    t1, c1 = time.perf_counter(), cpu_now()
    publisher.publish(files, kept)
    save_memo(plan, records, options)
    if ahead:
        cards.save(views, theme, root)
    report.timings["publish"], report.cpu["publish"] = time.perf_counter() - t1, cpu_now() - c1
    return failures, todo, removed, keys


def verify_site(root: Path, site_dir: Path | None = None, **options: object) -> list[str]:
    """Build `root` clean, with a build state of its own, into a temporary folder beside
    `site_dir`, and compare: the paths whose bytes differ, or that only one of them has."""
    import shutil
    import tempfile

    root = root.resolve()
    site_dir = site_path(site_dir or root / "site")
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    own_state = Path(tempfile.mkdtemp(prefix="masthead-verify-state-"))
    scratch = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.masthead-verify-", dir=site_dir.parent))
    chosen = state.chosen(root)
    try:
        state.use(root, own_state)
        build_site(root, site_dir=scratch / "site", clean=True, **options)  # type: ignore[arg-type]
        return compare_trees(site_dir, scratch / "site")
    finally:
        state.use(root, chosen)
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(own_state, ignore_errors=True)


def _files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def compare_trees(a: Path, b: Path) -> list[str]:
    """Paths that differ between two trees (present in one only, or other bytes); search
    bundles are compared by content (see search_index.py)."""
    import filecmp

    left, right = _files(a), _files(b)
    for files in (left, right):
        for path in [p for p in files if search_index.is_bundle(p)]:
            del files[path]
    return sorted([p for p in left.keys() ^ right.keys()]
                  + [p for p in left.keys() & right.keys() if not filecmp.cmp(left[p], right[p], shallow=False)]
                  + search_index.differing_bundles(a, b))
