#!/usr/bin/env python3
"""`masthead serve` (or `hugo server`) from outside: idle CPU, and "saved a story -> new text served".

The server runs as a child process on 127.0.0.1. Idle CPU is the child's utime + stime
(/proc/PID/stat) over a quiet window after the first build. Each edit writes a new marker
into one story and polls the story's page over HTTP until the marker is served; the figure
is the time from the write to that response (median of --edits).

Usage:
    python benchmarks/serve_latency.py --root . --edits 10                    # masthead serve
    python benchmarks/serve_latency.py --root /tmp/mag-1000
    python benchmarks/serve_latency.py --hugo BIN --root /tmp/hugo-1000       # hugo server
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

MARK = "serve-probe-"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return str(response.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        return None  # not up yet, or a page caught while it is rewritten


def wait_for(url: str, text: str, deadline: float, proc: subprocess.Popen[bytes]) -> float:
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text in page:
            return time.monotonic()
        if proc.poll() is not None:
            raise SystemExit(f"the server ended (rc {proc.returncode}); see its log")
        time.sleep(0.005)
    raise SystemExit(f"{text!r} not served at {url} in time")


def pick_story(root: Path, hugo: bool) -> Path:
    stories = sorted((root / "content").rglob("*.md"))
    return next(s for s in stories[len(stories) // 2:] if not s.name.startswith("_"))


def mark(story: Path, n: int) -> None:
    text = re.sub(rf"\n\n{MARK}\d+\n$", "\n", story.read_text(encoding="utf-8"))
    story.write_text(f"{text.rstrip()}\n\n{MARK}{n}\n", encoding="utf-8")


def page_of(site: Path, marker: str) -> str:
    for page in site.rglob("index.html"):
        if marker in page.read_text(encoding="utf-8", errors="replace"):
            rel = page.parent.relative_to(site).as_posix()
            return "" if rel == "." else rel + "/"
    raise SystemExit(f"no page in {site} shows {marker!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, required=True, help="the magazine (or Hugo site) to serve")
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured")
    ap.add_argument("--hugo", default=None, help="measure `hugo server` with this binary instead")
    ap.add_argument("--masthead", default=str(Path(sys.executable).with_name("masthead")))
    args = ap.parse_args(argv)
    root = args.root.resolve()
    port = free_port()
    story = pick_story(root, bool(args.hugo))
    original = story.read_text(encoding="utf-8")
    mark(story, 0)
    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    site = work / "site"
    if args.hugo:
        cmd = [args.hugo, "server", "--port", str(port), "--bind", "127.0.0.1",
               "--destination", str(site), "--logLevel", "warn", "--source", str(root)]
    else:
        cmd = [args.masthead, "--root", str(root), "serve", "--port", str(port), "--site-dir", str(site)]
    log = (work / "server.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        start = time.monotonic()
        deadline = start + 900
        while not (site.is_dir() and fetch(f"http://127.0.0.1:{port}/") is not None):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; see {work / 'server.log'}")
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/" + page_of(site, f"{MARK}0")
        wait_for(url, f"{MARK}0", deadline, proc)
        first = time.monotonic() - start
        time.sleep(1.0)  # let the first build's after-work (threads, caches) settle
        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(args.idle)
        idle = (cpu_seconds(proc.pid) - c0) / (time.monotonic() - t0)
        latencies = []
        for n in range(1, args.edits + 1):
            mark(story, n)
            written = time.monotonic()
            latencies.append(wait_for(url, f"{MARK}{n}", written + 120, proc) - written)
            time.sleep(0.3)  # the next save comes after the reload, as a writer's would
        result = {"server": "hugo" if args.hugo else "masthead", "root": str(root), "first_s": round(first, 2),
                  "idle_cpu_percent": round(100 * idle, 2), "idle_window_s": args.idle,
                  "edit_to_served_s": {"median": round(statistics.median(latencies), 3),
                                       "min": round(min(latencies), 3), "max": round(max(latencies), 3),
                                       "n": len(latencies)}}
        print(json.dumps(result, indent=2))
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
        story.write_text(original, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
