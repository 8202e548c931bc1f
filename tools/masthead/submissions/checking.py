"""Reading and checking a submission off the event loop: in worker processes, with a time
budget and a bounded queue.

Parsing a body and cleaning and escaping its text are linear (masthead.domain.submission_text),
so a 200 KB text takes milliseconds; they still run in their own processes, so that the event
loop, and `/health`, never waits for them, not even for the interpreter lock (the attack
benchmark measured /health at p99 760 ms with the checks in threads of the service's own
process; see docs/send-text.md). At most MAX_WAITING checks wait at once (64 bodies of at
most 1 MB: bounded memory, and room for the 50 concurrent clients of the load benchmark),
and each has `budget` seconds: beyond either, the request gets 503 and the author is asked
to try again, instead of every request slowing down together. A check over its budget
finishes in its process and its answer is dropped; the work is bounded by the body size
(`max_body_bytes`), so it ends soon after. Bodies up to 32 KB (most texts: about a
millisecond of linear work) are checked in a thread instead, so a flood of big posts cannot
make a short one wait, and the load benchmark's posts pay no process round trip.

The workers run at a lower priority (`nice` 10): when the machine is short of CPU, the event
loop's process, which answers `/health` and acknowledges submissions, goes first.

Only plain data crosses to the workers (the body's bytes, the form's rules) and back (fields,
a Submission, field errors); the workers are started fresh ("spawn"), not forked from a
process that runs threads.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, TypeVar

from masthead.domain.problems import MastheadError

T = TypeVar("T")
MAX_WAITING = 64
SMALL = 32_000  # bodies up to this size are checked in a thread: about a millisecond of linear work


class Busy(MastheadError):
    """Too many checks waiting, or one took longer than its budget: answer 503."""


WORKER_NICENESS = 10  # checks yield the CPU to the event loop's process when both want it


def _ready() -> bool:
    return True


def _lower_priority() -> None:
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not allowed here: the checks still run, at the same priority
        pass


class Checker:
    def __init__(self, workers: int, budget: float) -> None:
        self.workers, self.budget = workers, budget
        self._pool = self._new_pool(workers)
        self._waiting = 0  # only touched on the event loop's thread

    @staticmethod
    def _new_pool(workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_lower_priority)

    async def start(self) -> None:
        """Start every worker now, so the first submission does not wait for one to start."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._pool, _ready) for _ in range(self.workers)))

    async def run(self, fn: Callable[..., T], *args: Any, size: int = 0) -> T:
        """`fn(*args)` off the event loop: in a thread for a body of at most SMALL bytes (`size`),
        so short texts never queue behind big ones and pay no process round trip; else in a
        worker process."""
        if self._waiting >= MAX_WAITING:
            raise Busy("the service is busy checking other texts; please send yours again in a minute")
        self._waiting += 1
        try:
            if size <= SMALL:
                return await asyncio.wait_for(asyncio.to_thread(fn, *args), self.budget)
            future = asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
            return await asyncio.wait_for(future, self.budget)
        except asyncio.TimeoutError:
            raise Busy("checking the text took too long; please send it again in a minute") from None
        except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool(self.workers)
            raise Busy("the service had to restart its checks; please send your text again") from None
        finally:
            self._waiting -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
