"""Load and fault benchmark of the send-text service (not a test: run it by hand).

    .venv/bin/python tests/submissions/bench_submissions.py                 # 500 from 50 clients
    .venv/bin/python tests/submissions/bench_submissions.py --submissions 100 --clients 10

Load run: a real `masthead formbot` process on 127.0.0.1 with the local backend (branches in
a clone, pushed to a bare upstream), N submissions from C concurrent clients (each fetches a
form token, then posts JSON). It reports acknowledgement latency (p50/p95/p99: the time to a
durable 201), acknowledgements per second, and delivery throughput, then checks that every
acknowledged submission became exactly one branch holding its own story.

Fault run: the same, with `kill -9` of the service while deliveries are under way, a restart,
and the same check: nothing lost, nothing duplicated.

Every request goes to 127.0.0.1 only; the run is bounded in count and time and stops itself.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from masthead.domain.submissions import short_id  # noqa: E402
from conftest import (EMAIL, ORIGIN, THEME, Magazine, Process, free_port, git, magazine_files, seed_repo,  # noqa: E402
                      make_magazine, service_env, valid)
from masthead.submissions.store import Store  # noqa: E402


def one(client: httpx.Client, url: str, n: int) -> tuple[str | None, float]:
    token = client.get(url + "submissions/token").json()["token"]
    start = time.perf_counter()
    try:
        answer = client.post(url + "submissions", json=valid(title=f"Load test {n}", csrf_token=token),
                             headers={"Origin": ORIGIN, "Accept": "application/json"})
    except httpx.HTTPError:
        return None, 0.0
    took = time.perf_counter() - start
    return (answer.json()["id"] if answer.status_code == 201 else None), took


def load(url: str, total: int, clients: int, stop: threading.Event | None = None) -> tuple[list[str], list[float]]:
    ids: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client_loop() -> None:
        with httpx.Client(timeout=60, verify=False) as client:
            for n in counter:
                if stop is not None and stop.is_set():
                    return
                try:
                    sid, took = one(client, url, n)
                except httpx.HTTPError:
                    return
                if sid:
                    with lock:
                        ids.append(sid)
                        latencies.append(took)

    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client_loop)
    return ids, latencies


def wait_delivered(mag: Magazine, count: int, timeout: float) -> float:
    store = Store(mag.data)
    start = time.perf_counter()
    try:
        while time.perf_counter() - start < timeout:
            counts = store.counts()
            if counts.get("in-review", 0) >= count and set(counts) == {"in-review"}:
                return time.perf_counter() - start
            time.sleep(0.1)
        raise SystemExit(f"not delivered in {timeout} s: {store.counts()}")
    finally:
        store.close()


def emails_found(mag: Magazine, logs: str) -> int:
    """How many times the contact address appears in any git object (upstream and clone) or
    the service's logs: it must be 0."""
    found = logs.count(EMAIL)
    for repo in (mag.upstream, mag.clone):
        names = git(repo, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split()
        out = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=("\n".join(names) + "\n").encode(),
                             capture_output=True, check=True).stdout
        found += out.count(EMAIL.encode("utf-8"))
    return found


def verify(mag: Magazine, acknowledged: list[str], logs: str = "") -> None:
    """Every acknowledged submission is exactly one branch, with its own story in it, and the
    contact address is nowhere in Git or the logs."""
    store = Store(mag.data)
    stored = {r.id: r for r in store.list(limit=100_000)}
    store.close()
    missing = [i for i in acknowledged if i not in stored]
    assert not missing, f"acknowledged but not stored: {missing[:5]}"
    branches = mag.branches()
    assert len(branches) == len(stored), f"{len(branches)} branches for {len(stored)} submissions"
    by_suffix = {b.rsplit("-", 1)[1]: b for b in branches}
    assert len(by_suffix) == len(branches)
    for sid, record in stored.items():
        branch = by_suffix[short_id(sid)]
        story = mag.show(branch, record.story_path)
        assert f"title: {record.title}\n" in story, branch
    lost = len(missing)
    duplicated = len(branches) - len(stored)
    print(f"  checked: {len(acknowledged)} acknowledged, {len(stored)} stored, {len(branches)} branches, "
          f"each with its own story: {lost} lost, {duplicated} duplicated, "
          f"{emails_found(mag, logs)} e-mail addresses found in Git objects and logs")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load_run(folder: Path, seed: Path, total: int, clients: int) -> None:
    mag = make_magazine(seed, folder)
    port = free_port()
    proc = Process(mag, service_env(mag, port, rate_limit="100000/minute", retry_base_seconds=0.2), port)
    proc.start()
    try:
        start = time.perf_counter()
        ids, latencies = load(proc.url, total, clients)
        posting = time.perf_counter() - start
        drained = wait_delivered(mag, len(ids), timeout=900)
        total_time = time.perf_counter() - start
    finally:
        proc.stop()
    ms = [x * 1000 for x in latencies]
    print(f"load run: {total} submissions from {clients} clients")
    print(f"  acknowledged {len(ids)} in {posting:.1f} s: {len(ids) / posting:.0f} submissions/s")
    print(f"  time to durable 201: p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
          f"p99 {percentile(ms, 99):.0f} ms (mean {statistics.mean(ms):.0f} ms)")
    print(f"  all delivered {total_time:.1f} s after the first post "
          f"({len(ids) / total_time:.1f} branches/s end to end, {drained:.1f} s after the last post)")
    verify(mag, ids, proc.log_text())


def fault_run(folder: Path, seed: Path, total: int, clients: int) -> None:
    mag = make_magazine(seed, folder)
    port = free_port()
    proc = Process(mag, service_env(mag, port, rate_limit="100000/minute", retry_base_seconds=0.2), port)
    proc.start()
    stop = threading.Event()
    result: dict[str, list[str]] = {}
    poster = threading.Thread(target=lambda: result.setdefault("ids", load(proc.url, total, clients, stop)[0]))
    poster.start()
    while len(mag.branches(mag.clone)) < max(5, total // 10):
        time.sleep(0.01)
    proc.kill()
    stop.set()
    poster.join()
    ids = result["ids"]
    before = len(mag.branches(mag.clone))
    print(f"fault run: kill -9 after {len(ids)} acknowledged and {before} delivered")
    proc.start()
    try:
        took = wait_delivered(mag, len(ids), timeout=900)
    finally:
        proc.stop()
    print(f"  restarted; the rest delivered in {took:.1f} s")
    verify(mag, ids, proc.log_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--skip-fault", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seed = seed_repo(folder / "seed")
        if not args.skip_load:
            (folder / "load").mkdir()
            load_run(folder / "load", seed, args.submissions, args.clients)
        if not args.skip_fault:
            (folder / "fault").mkdir()
            fault_run(folder / "fault", seed, min(args.submissions, 200), min(args.clients, 20))


if __name__ == "__main__":
    main()
