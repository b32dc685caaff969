"""The batch's own rate-limit retries, after the client's: one budget and one jitter.

The client already retries a ``RequestLimitExceeded`` answer a few times
(:meth:`vpnkit.client.VpcClient.call`); a batch of many tunnels at 100 requests/s can still
meet one after those, so the batch's senders (create, delete, and the plan's Modify) give a
refused call a few more rounds here. Only a rate-limit answer is retried
(:attr:`vpnkit.errors.ApiError.retryable`): the API refused it without running it, so
sending it again can never create or change anything twice.
"""

from __future__ import annotations

import random
import time

__all__ = ["RATE_RETRIES", "sleep_jitter"]

#: extra rounds for a rate-limited call after the client's own retries gave up
RATE_RETRIES = 8


def sleep_jitter(attempt: int) -> None:
    """Sleep before retry number ``attempt`` (1, 2, ...): a random 0.05 s up to
    0.1 s * 2**attempt, capped at 2 s, so the threads of a pool do not retry in step."""
    time.sleep(random.uniform(0.05, min(2.0, 0.1 * 2 ** attempt)))
