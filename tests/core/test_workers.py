"""The page and card pools get what they render from their initialiser, never from module
globals set in the parent before forking (site/build.py `RenderContext`, site/cards.py
`CardJob`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from masthead.site import build, cards
from masthead.site.plan import Job


def test_page_workers_render_from_the_context_their_initialiser_got(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTHEAD_WORKERS", "2")
    count = build.PARALLEL_FROM * 2  # enough for the pool
    # Each maker is a closure, which cannot be pickled: the jobs reach the workers through fork.
    jobs = [Job(f"page-{n}.txt", f"key-{n}", (lambda n=n: f"{n} from {os.getpid()}".encode()))
            for n in range(count)]
    failures, written = build.render_jobs(jobs, list(range(count)), tmp_path, progress=False)
    assert not failures and len(written) == count
    assert written["page-7.txt"][0] == "key-7"
    pids = {(tmp_path / f"page-{n}.txt").read_text().split(" from ")[1] for n in range(count)}
    assert str(os.getpid()) not in pids  # rendered in the workers
    assert build._WORKER == [] and cards._WORKER == []  # the parent holds no worker state
    assert not hasattr(build, "_JOBS") and not hasattr(cards, "_VIEWS")


def test_page_workers_are_replaced_every_round_of_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker ends after ROUND_PAGES pages, so what it keeps (cards, fragments, copied pages
    of the parent) stays bounded at any magazine size."""
    monkeypatch.setenv("MASTHEAD_WORKERS", "2")
    monkeypatch.setattr(build, "ROUND_PAGES", 30)
    count = 120  # four rounds of 2 x 30 pages
    jobs = [Job(f"page-{n}.txt", f"key-{n}", (lambda n=n: f"{os.getpid()}".encode())) for n in range(count)]
    failures, written = build.render_jobs(jobs, list(range(count)), tmp_path, progress=False)
    assert not failures and len(written) == count
    rounds = [{(tmp_path / f"page-{n}.txt").read_text() for n in range(start, start + 60)} for start in (0, 60)]
    assert rounds[0] and rounds[1] and not rounds[0] & rounds[1]  # no worker of the first round wrote in the second


def test_a_serial_render_needs_no_worker_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTHEAD_WORKERS", "1")
    jobs = [Job("one.txt", "k", lambda: b"one")]
    failures, written = build.render_jobs(jobs, [0], tmp_path, progress=False)
    assert not failures and (tmp_path / "one.txt").read_bytes() == b"one"
    assert build._WORKER == []
