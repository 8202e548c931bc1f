"""The per-address rate limit: the one module that imports `limits`.

A moving window in memory: the service is one process, and a limit that forgets on restart
costs nothing but a few extra posts.
"""

from __future__ import annotations

import time

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from masthead.domain.problems import UsageError


class RateLimit:
    """`allow(address)` records one post and says whether it is within every window."""

    def __init__(self, spec: str) -> None:
        try:
            self.items = parse_many(spec)
        except ValueError:
            raise UsageError(f"rate_limit '{spec}' is not understood; write it like '10/minute;60/hour'") from None
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, address: str) -> tuple[bool, int]:
        """(allowed, seconds to wait when not)."""
        for item in self.items:
            if not self._limiter.hit(item, "post", address):
                reset = self._limiter.get_window_stats(item, "post", address).reset_time
                return False, max(1, int(reset - time.time() + 0.999))
        return True, 0
