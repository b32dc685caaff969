"""The batch's own rate-limit retries, after the client's: one budget and one jitter.

The client already retries a ``RequestLimitExceeded`` answer a few times
(:meth:`vpnkit.client.VpcClient.call`); a batch of many tunnels at 100 requests/s can still
meet one after those, so the batch's senders (create, delete, and the plan's Modify) give a
refused call a few more rounds here, each through one :class:`RateLimitRetries`. Only a
rate-limit answer is retried (:attr:`vpnkit.errors.ApiError.retryable`: the
``RequestLimitExceeded`` codes, ref §6): the API refused it without running it, so sending
it again can never create or change anything twice. Any other answer is the caller's to
handle, never a blind re-send.
"""

from __future__ import annotations

import random
import time

from vpnkit.errors import ApiError

__all__ = ["RATE_RETRIES", "RateLimitRetries", "sleep_jitter"]

#: extra rounds for a rate-limited call after the client's own retries gave up
RATE_RETRIES = 8


def sleep_jitter(attempt: int) -> None:
    """Sleep before retry number ``attempt`` (1, 2, ...): a random 0.05 s up to
    0.1 s * 2**attempt, capped at 2 s, so the threads of a pool do not retry in step."""
    time.sleep(random.uniform(0.05, min(2.0, 0.1 * 2 ** attempt)))


class RateLimitRetries:
    """The rate-limit rounds of one call (one create, delete or Modify): a budget of
    ``limit`` re-sends, shared by every attempt of that call::

        rate = RateLimitRetries()
        while True:
            try:
                return send()
            except ApiError as exc:
                if rate.sleep_if_retryable(exc):
                    continue
                ...  # refused (or out of rounds): the caller reports it
    """

    def __init__(self, limit: int = RATE_RETRIES) -> None:
        self.limit = limit
        #: re-sends granted so far
        self.rounds = 0

    def sleep_if_retryable(self, exc: ApiError) -> bool:
        """True, after a jittered sleep, when ``exc`` is a rate-limit refusal and the budget
        has a round left: send the same call again. False for any other answer, or once
        the budget is spent: ``exc`` is the call's outcome."""
        if not exc.retryable or self.rounds >= self.limit:
            return False
        self.rounds += 1
        sleep_jitter(self.rounds)
        return True
