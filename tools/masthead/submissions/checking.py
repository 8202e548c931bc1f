"""Checking a submission's text off the event loop, with a time budget and a bounded queue.

Cleaning and escaping are linear (masthead.domain.submission_text), so a 200 KB text takes
milliseconds; they still run in their own threads so that the event loop, and `/health`,
never waits for them. At most MAX_WAITING checks wait at once (64 bodies of at most 1 MB:
bounded memory, and enough for the 50 concurrent clients of the load benchmark) and each has `budget`
seconds: beyond either, the request gets 503 and the author is asked to try again, instead
of every request slowing down together. A thread cannot be stopped from outside, so a
check over its budget finishes in the background; the work is bounded by the body size
(`max_body_bytes`), so it ends soon after.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from masthead.domain.problems import MastheadError

T = TypeVar("T")
MAX_WAITING = 64


class Busy(MastheadError):
    """Too many checks waiting, or one took longer than its budget: answer 503."""


class Checker:
    def __init__(self, workers: int, budget: float) -> None:
        self.workers, self.budget = workers, budget
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check")
        self._waiting = 0  # only touched on the event loop's thread

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        if self._waiting >= MAX_WAITING:
            raise Busy("the service is busy checking other texts; please send yours again in a minute")
        self._waiting += 1
        try:
            future = asyncio.wrap_future(self._pool.submit(fn, *args))
            return await asyncio.wait_for(future, self.budget)
        except asyncio.TimeoutError:
            raise Busy("checking the text took too long; please send it again in a minute") from None
        finally:
            self._waiting -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
