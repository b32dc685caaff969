"""Many tunnels at once: validated up front, rate-limited, resumable, never created twice.

>>> result = create_many(client, "branches.csv", audit=log)       # doctest: +SKIP
>>> create_many(client, "branches.csv", batch_id=result.batch_id)  # resume: only the rest

The rooms (each concern in one file):

- :mod:`vpnkit.batch.io`: the input layouts (CSV, DataFrame, JSON, specs) -> rows
- :mod:`vpnkit.batch.preflight`: planning checks against live state (targets, names, SPD
  conflicts between rows and with a gateway's tunnels, the account's tunnel quotas read with
  DescribeVpcLimits) before anything is sent
- :mod:`vpnkit.batch.journal`: the SQLite journal of intent and outcome per row
- :mod:`vpnkit.batch.execute`: the rate-limited, exactly-once sending and the waits
- :mod:`vpnkit.batch.retry`: the rate-limit retries its senders (and plan's) share
- :mod:`vpnkit.batch.create`: :func:`create_many` and its result, tying the above together
- :mod:`vpnkit.batch.delete`: :func:`delete_many`, the cleanup counterpart, and
  :func:`~vpnkit.batch.delete.delete_one`, the delete path plan shares
"""

from __future__ import annotations

from vpnkit.batch.create import (
    BatchInterrupted,
    BatchInvalid,
    BatchResult,
    create_many,
    new_batch_id,
)
from vpnkit.batch.delete import confirmation_phrase, delete_many
from vpnkit.batch.io import parse_spd, read_rows

__all__ = ["BatchInterrupted", "BatchInvalid", "BatchResult", "confirmation_phrase",
           "create_many", "delete_many", "new_batch_id", "parse_spd", "read_rows"]
