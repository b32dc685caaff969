"""A thread-safe token bucket per key: the API's 100 requests/s per action (§1, §3).

One implementation for both sides: the client *waits* for a token (:meth:`take`) so that it
never exceeds the documented limit, and the emulator *refuses* without one
(:meth:`try_take`), answering ``RequestLimitExceeded`` as the live API does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

__all__ = ["ACTION_RATES", "RateLimiter", "action_rates"]

#: Actions documented below the 100 requests/s default (ref §3.10), for both sides.
ACTION_RATES: dict[str, float] = {
    "GenerateVpnConnectionDefaultHealthCheckIp": 20.0,
    "DescribeVpcLimits": 20.0,  # "默认接口请求频率限制：20次/秒" (product 248 doc 42942)
    "ModifyResourceTags": 20.0,  # Tag service: "20 requests per second" (product 651 doc 33012)
}


def action_rates(rate: float) -> dict[str, float]:
    """Each :data:`ACTION_RATES` action's limit under an overall ``rate``: the lower of the
    two (a ``rate`` below an action's documented limit binds it too); none when ``rate`` is
    0 or less (no limiting at all)."""
    return {a: min(r, rate) for a, r in ACTION_RATES.items()} if rate > 0 else {}


class RateLimiter:
    """At most ``rate`` tokens per second per key, with up to ``burst`` saved up.

    ``burst`` defaults to ``rate`` (one second's worth). A ``rate`` of 0 or less disables
    limiting.
    """

    def __init__(self, rate: float, burst: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self.clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, stamp)
        self._lock = threading.Lock()

    def _draw(self, key: Hashable) -> float:
        """Take a token if there is one: 0.0, else the seconds until there will be."""
        with self._lock:
            now = self.clock()
            tokens, stamp = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - stamp) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def try_take(self, key: Hashable) -> bool:
        """Take one token for ``key`` if there is one; never waits."""
        return self.rate <= 0 or self._draw(key) == 0.0

    def take(self, key: Hashable) -> None:
        """Take one token for ``key``, sleeping until one is available."""
        if self.rate <= 0:
            return
        while (wait := self._draw(key)) > 0:
            time.sleep(wait)
