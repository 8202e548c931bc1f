"""Attack benchmark of the send-text service (not a test: run it by hand).

    .venv/bin/python tests/submissions/bench_attacks.py                 # 20 s of attack
    .venv/bin/python tests/submissions/bench_attacks.py --seconds 10 --attackers 4

A real `masthead formbot` process on 127.0.0.1 (local backend), with the rate limit opened
wide so that every attack reaches the checks (the worst case: an attacker with many
addresses). For `--seconds`, `--attackers` threads post the worst inputs we know, round and
round: the issue's 200 KB of fence openers (with a valid token, so the whole text is checked
and, half of the time, accepted and delivered), the same without a token, JSON nested
100,000 deep, 1 MB bodies, and the other worst texts of test_attacks.py. Meanwhile one
process asks `/health` every 20 ms (its own process, so the attackers' work in this one does
not slow the measuring) and one thread sends a legitimate submission every half second. The
attackers run in their own process at a lower priority (nice 10), as they would on machines
of their own: what is measured is the service, not the load generator next to it.

It reports `/health` latency (p50/p95/p99/max) before and under the attack, the answers the
attack got, and whether every legitimate post was acknowledged (and how fast). The target:
p99 under 50 ms under attack, and every legitimate post acknowledged.

Every request goes to 127.0.0.1 only; the run is bounded in time and stops itself.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import httpx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from conftest import ORIGIN, Process, free_port, make_magazine, seed_repo, service_env, valid  # noqa: E402
from test_attacks import WORST  # noqa: E402

JSON = {"Origin": ORIGIN, "Accept": "application/json"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def attacks(url: str) -> list[tuple[str, Callable[[httpx.Client], int]]]:
    def token(client: httpx.Client) -> str:
        return str(client.get(url + "submissions/token").json()["token"])

    def fences(accept: bool) -> Callable[[httpx.Client], int]:
        def go(client: httpx.Client) -> int:
            fields = valid(title="Fences", text="```a\n" * 40_000, email="", csrf_token=token(client))
            if not accept:
                fields.pop("consent")  # checked in full, then refused
            return client.post(url + "submissions", json=fields, headers=JSON).status_code
        return go

    def no_token(client: httpx.Client) -> int:
        return client.post(url + "submissions", json=valid(text="```a\n" * 40_000), headers=JSON).status_code

    def deep(client: httpx.Client) -> int:
        body = b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        return client.post(url + "submissions", content=body,
                           headers={**JSON, "Content-Type": "application/json"}).status_code

    def huge(client: httpx.Client) -> int:
        return client.post(url + "submissions", content=b"x" * 1_000_500,
                           headers={**JSON, "Content-Type": "application/x-www-form-urlencoded"}).status_code

    def worst(text: str) -> Callable[[httpx.Client], int]:
        def go(client: httpx.Client) -> int:
            fields = valid(title="Worst", text=text, email="", csrf_token=token(client))
            fields.pop("consent")
            return client.post(url + "submissions", json=fields, headers=JSON).status_code
        return go

    out = [("fences, accepted", fences(True)), ("fences, refused after the check", fences(False)),
           ("fences, no token", no_token), ("JSON 100,000 deep", deep), ("1 MB body", huge)]
    out += [(f"worst text: {name}", worst(text)) for name, text in WORST.items()]
    return out


def probe(url: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            start = time.perf_counter()
            client.get(url + "health")
            out.append((time.perf_counter() - start) * 1000)
            stop.wait(0.02)


def probe_process(url: str, seconds: float, out: "multiprocessing.Queue[list[float]]") -> None:
    stop = threading.Event()
    found: list[float] = []
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    probe(url, stop, found)
    out.put(found)


def attack_process(url: str, seconds: float, attackers: int, out: "multiprocessing.Queue[dict[str, int]]") -> None:
    os.nice(10)
    stop = threading.Event()
    seen: Counter[str] = Counter()
    plan = attacks(url)
    threads = [threading.Thread(target=attacker, args=(url, stop, plan, n * 3, seen)) for n in range(attackers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    out.put(dict(seen))


def legitimate(url: str, stop: threading.Event, out: list[tuple[int, float]]) -> None:
    with httpx.Client(timeout=60) as client:
        for n in itertools.count():
            if stop.is_set():
                return
            token = client.get(url + "submissions/token").json()["token"]
            start = time.perf_counter()
            answer = client.post(url + "submissions", json=valid(title=f"A real text {n}", csrf_token=token),
                                 headers=JSON)
            out.append((answer.status_code, (time.perf_counter() - start) * 1000))
            if answer.status_code != 201:
                print(f"  legitimate post {n}: {answer.status_code} {answer.text[:200]}")
            stop.wait(0.5)


def attacker(url: str, stop: threading.Event, plan: list[tuple[str, Callable[[httpx.Client], int]]],
             offset: int, seen: Counter[str]) -> None:
    with httpx.Client(timeout=120) as client:
        for name, go in itertools.islice(itertools.cycle(plan), offset, None):
            if stop.is_set():
                return
            try:
                seen[f"{name}: {go(client)}"] += 1
            except httpx.HTTPError as exc:
                seen[f"{name}: {type(exc).__name__}"] += 1


def summary(label: str, ms: list[float]) -> str:
    return (f"{label}: {len(ms)} probes, p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
            f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms")


def run(seconds: float, attackers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mag = make_magazine(seed_repo(folder / "seed"), folder)
        port = free_port()
        proc = Process(mag, service_env(mag, port, rate_limit="100000/minute", workers=1), port)
        proc.start()
        try:
            ctx = multiprocessing.get_context("spawn")
            results: multiprocessing.Queue[Any] = ctx.Queue()
            quiet_probe = ctx.Process(target=probe_process, args=(proc.url, 3.0, results))
            quiet_probe.start()
            quiet: list[float] = results.get()
            quiet_probe.join()
            print(summary("/health, quiet", quiet))

            stop = threading.Event()
            legit: list[tuple[int, float]] = []
            poster = threading.Thread(target=legitimate, args=(proc.url, stop, legit))
            loud_probe = ctx.Process(target=probe_process, args=(proc.url, seconds, results))
            attack = ctx.Process(target=attack_process, args=(proc.url, seconds, attackers, results))
            for started in (loud_probe, attack, poster):
                started.start()
            first, second = results.get(), results.get()
            loud, seen = (first, second) if isinstance(first, list) else (second, first)
            stop.set()
            for ended in (loud_probe, attack, poster):
                ended.join()
            print(summary(f"/health, under attack by {attackers} clients for {seconds:.0f} s", loud))
            print(f"attack requests: {sum(seen.values())}")
            for key, count in sorted(seen.items()):
                print(f"  {count:5d}  {key}")
            acked = [ms for status, ms in legit if status == 201]
            others = Counter(status for status, _ in legit if status != 201)
            if others:
                print(f"legitimate posts not acknowledged, by status: {dict(others)}")
            print(f"legitimate posts: {len(acked)} of {len(legit)} acknowledged (201); "
                  f"time to 201 p50 {percentile(acked, 50):.0f} ms, p95 {percentile(acked, 95):.0f} ms, "
                  f"max {max(acked):.0f} ms" if acked else "legitimate posts: none acknowledged")
            crashes = proc.log_text().count("Traceback")
            print(f"tracebacks in the service's log: {crashes}")
        finally:
            proc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=6)
    args = parser.parse_args()
    run(args.seconds, args.attackers)


if __name__ == "__main__":
    main()
