"""A token bucket per key: the API's 100 requests/s per action and SecretId (§1, §3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

__all__ = ["RateLimiter"]


class RateLimiter:
    """``allow(key)`` is False once a key has spent ``rate`` tokens faster than they refill.

    Each key holds up to ``rate`` tokens (one second of burst) and regains ``rate`` per
    second. A ``rate`` of 0 or less disables limiting.
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, stamp)
        self._lock = threading.Lock()

    def allow(self, key: Hashable) -> bool:
        """Take one token for ``key`` if there is one."""
        if self.rate <= 0:
            return True
        with self._lock:
            now = self.clock()
            tokens, stamp = self._buckets.get(key, (self.rate, now))
            tokens = min(self.rate, tokens + (now - stamp) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            return allowed
