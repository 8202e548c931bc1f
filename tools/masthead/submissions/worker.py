"""The delivery loop: stored submissions become branches or pull requests, with retries.

Threads take one due submission at a time from the store (`claim_due`). A failure that may
pass (GitHub down, a rate limit, a busy repository) is retried after a delay that doubles
each attempt, never sooner than GitHub's Retry-After; one that needs a person (a refused
token, a missing repository) or the last allowed attempt marks it `failed` with the reason,
and `masthead submissions retry` queues it again. Nothing is ever dropped.

A housekeeping thread asks the backend whether submissions in review were published or
declined, and deletes contact addresses older than `contact_days`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Callable

from masthead.domain.problems import MastheadError
from masthead.domain.submissions import short_id
from masthead.domain.urls import absolute
from masthead.forge import ForgeError

from .backends import Backend, DeliveryConflict
from .delivery import deliver
from .settings import ServiceFields
from .store import DECLINED, IN_REVIEW, PUBLISHED, Record, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Site:
    """What delivery needs to know of the magazine."""

    language: str
    timezone: tzinfo
    url: str


def backoff(attempts: int, base: float, cap: float, retry_after: float | None, rand: float) -> float:
    """Seconds before the next attempt: doubling from `base`, capped, spread by ±10%
    (`rand` in 0..1) so retries do not arrive together, and never before `retry_after`."""
    delay = min(cap, base * (2 ** max(0, attempts - 1))) * (0.9 + 0.2 * rand)
    return max(delay, retry_after or 0.0)


class Worker:
    def __init__(self, store: Store, backend: Backend, settings: ServiceFields, site: Site,
                 clock: Callable[[], float] = time.time) -> None:
        self.store, self.backend, self.settings, self.site, self.clock = store, backend, settings, site, clock
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.last_refresh = 0.0

    # --- life ------------------------------------------------------------------------------

    def start(self) -> None:
        interrupted = self.store.release_interrupted()
        if interrupted:
            log.warning("%d delivery(ies) were interrupted by a stop; finishing them", interrupted)
        for n in range(self.settings.workers):
            self._threads.append(threading.Thread(target=self._deliver_loop, name=f"deliver-{n}", daemon=True))
        self._threads.append(threading.Thread(target=self._housekeeping_loop, name="housekeeping", daemon=True))
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def _deliver_loop(self) -> None:
        while not self._stop.is_set():
            if self.run_once():
                continue
            due = self.store.next_due()
            wait = 1.0 if due is None else min(1.0, max(0.0, due - self.clock()))
            self._wake.wait(wait)
            self._wake.clear()

    def _housekeeping_loop(self) -> None:
        while not self._stop.wait(self.settings.refresh_seconds):
            try:
                self.housekeeping()
            except Exception:  # housekeeping must never stop: log, and try again next round
                log.exception("housekeeping failed")

    # --- work ------------------------------------------------------------------------------

    def run_once(self) -> bool:
        """Deliver one due submission, if there is one; True when one was handled."""
        record = self.store.claim_due(self.clock())
        if record is None:
            return False
        self.process(record)
        return True

    def process(self, record: Record) -> None:
        short = short_id(record.id)
        try:
            outcome = deliver(record, self.backend, self.site.language, self.site.timezone)
        except (DeliveryConflict, ForgeError) as exc:
            if isinstance(exc, ForgeError) and exc.transient:
                self._retry(record, exc, exc.retry_after)
            else:
                log.error("submission %s failed: %s", short, exc)
                self.store.mark_failed(record.id, str(exc))
        except (MastheadError, OSError) as exc:
            self._retry(record, exc, None)
        except Exception as exc:  # a bug must not lose the submission: keep it, say why, retry
            log.exception("submission %s: unexpected error", short)
            self._retry(record, exc, None)
        else:
            self.store.mark_delivered(record.id, branch=outcome.branch, story_path=outcome.story_path,
                                      site_path=outcome.site_path, commit_sha=outcome.commit,
                                      review_url=outcome.review.url, review_number=outcome.review.number)
            log.info("submission %s delivered to %s", short, outcome.review.url or outcome.branch)

    def _retry(self, record: Record, exc: Exception, retry_after: float | None) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        if record.attempts >= self.settings.max_attempts:
            log.error("submission %s failed after %d attempts: %s", short_id(record.id), record.attempts, reason)
            self.store.mark_failed(record.id, f"gave up after {record.attempts} attempts: {reason}")
            return
        delay = backoff(record.attempts, self.settings.retry_base_seconds, self.settings.retry_max_seconds,
                        retry_after, random.random())
        log.warning("submission %s: attempt %d failed (%s); next in %.0f s", short_id(record.id), record.attempts,
                    reason, delay)
        self.store.schedule_retry(record.id, reason, self.clock() + delay)

    def housekeeping(self) -> None:
        """Refresh review states and forget old contact addresses."""
        self.last_refresh = self.clock()
        cutoff = datetime.now(timezone.utc) - timedelta(days=self.settings.contact_days)
        if purged := self.store.purge_contacts(cutoff):
            log.info("deleted %d contact address(es) older than %d days", purged, self.settings.contact_days)
        for record in self.store.iter_status(IN_REVIEW):
            self.refresh(record)

    def refresh(self, record: Record) -> None:
        try:
            state = self.backend.state(record)
        except (MastheadError, OSError) as exc:
            log.warning("submission %s: could not check its review: %s", short_id(record.id), exc)
            return
        if state is None:
            return
        status, reason = state
        if status == PUBLISHED:
            self.store.mark_published(record.id, absolute(self.site.url, record.site_path))
        elif status == DECLINED:
            self.store.decline(record.id, reason)
