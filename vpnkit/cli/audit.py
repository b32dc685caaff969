"""``vpnkit audit``: the call log, filtered."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from vpnkit.cli._common import FORMATS, UsageError, audit_log, emit

__all__ = ["OUTCOMES", "register"]

#: every outcome the client and the batch write into the log (vpnkit.client, vpnkit.batch)
OUTCOMES = ("ok", "error", "transport-error", "unknown", "reconciled", "exists")


def _action(text: str) -> str:
    if not re.fullmatch(r"[A-Z][A-Za-z]{2,63}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an API action name such as "
                                         "CreateVpnConnection")
    return text


def register(sub: Any) -> None:
    """Add ``audit`` to the subcommands."""
    p = sub.add_parser("audit", help="show the audit log (every call, secrets masked)",
                       description="Show the audit log: one row per API call. Calls to an "
                       "emulator are kept in their own log; the path is printed on stderr.")
    p.add_argument("--since", help="only calls since this ISO time (2024-05-01, "
                   "2024-05-01T10:00, UTC unless an offset is given) or age (30m, 2h, 7d); "
                   "default: all")
    p.add_argument("--action", type=_action, help="only this action, e.g. "
                   "CreateVpnConnection (default: all)")
    p.add_argument("--outcome", choices=OUTCOMES, help="only this outcome (default: all)")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="output format (default: %(default)s; table: short columns, "
                   "csv/json: every column)")
    p.set_defaults(func=cmd_audit)


def _since(text: str) -> Any:
    import pandas as pd

    m = re.fullmatch(r"\s*(\d{1,9})\s*([smhdw])\s*", text)
    try:
        if m:
            unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
            return pd.Timestamp.now(tz="UTC") - pd.Timedelta(**{unit[m[2]]: int(m[1])})
        ts = pd.Timestamp(text)
    except (ValueError, OverflowError):  # pandas' OutOfBounds* errors are ValueErrors
        ts = pd.NaT
    if ts is pd.NaT:
        raise UsageError(f"--since {text!r}: give an ISO time or an age like 30m, 2h, 7d")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _table(frame: Any) -> Any:
    """The terminal view: a line fits ~110 columns."""
    import pandas as pd

    out = pd.DataFrame({
        "time (UTC)": frame["started_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        "action": frame["action"].astype(str),
        "outcome": frame["outcome"].astype(str),
        "ms": frame["latency_ms"].round().astype("Int64"),
        "resource": frame["resource_id"],
        "error": frame["error_code"].fillna(
            frame["error_message"].str.replace(r"^\w+: ", "", regex=True).str.slice(0, 30)),
        "request": frame["request_id"].str.slice(0, 8),
    })
    return out


def cmd_audit(args: argparse.Namespace) -> int:
    """audit: the call log, filtered (secrets were redacted before they were written)."""
    import pandas as pd

    log = audit_log(args)
    if log is None:
        raise UsageError("the audit log (vpnkit.audit) is not available in this install")
    print(f"vpnkit: audit log {log.path}", file=sys.stderr)
    frame = log.frame()
    if args.since:
        cutoff = _since(args.since)
        times = pd.to_datetime(frame["started_at"], utc=True, errors="coerce")
        frame = frame[times >= cutoff]
    if args.action:
        frame = frame[frame["action"] == args.action]
    if args.outcome:
        frame = frame[frame["outcome"] == args.outcome]
    frame = frame.reset_index(drop=True)
    emit(_table(frame) if args.format == "table" else frame, args.format)
    return 0
