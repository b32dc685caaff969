"""What every ``vpnkit`` command shares: usage errors, the one-line error, the client built
from the global options, the audit log, and table/CSV/JSON output."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpnkit.errors import ApiError, SpecError, TransportError, VpnkitError
from vpnkit.redact import scrub

if TYPE_CHECKING:
    import pandas as pd

    from vpnkit.client import AuditSink, VpcClient

__all__ = ["FORMATS", "TABLE_COLUMNS", "CountingSink", "UsageError", "audit_log", "audit_path",
           "client_from_args", "emit", "error_line", "read_json"]

FORMATS = ("table", "csv", "json")
TABLE_COLUMNS = ["vpn_connection_id", "vpn_connection_name", "vpn_gateway_id",
                 "customer_gateway_id", "route_type", "state", "net_status", "spd_count",
                 "created_time"]


class UsageError(Exception):
    """A command was used wrongly (exit status 2)."""


def error_line(exc: BaseException) -> str:
    """One line for stderr: code, message, RequestId. Never a traceback or a secret."""
    if isinstance(exc, ApiError):
        rid = f" [RequestId {exc.request_id}]" if exc.request_id else ""
        text = f"error: {exc.code}: {exc.message}{rid}"
    elif isinstance(exc, SpecError):
        shown = "; ".join(f"{i.path}: {i.message} ({i.code})" for i in exc.issues[:5])
        more = f"; ... {len(exc.issues) - 5} more" if len(exc.issues) > 5 else ""
        n = len(exc.issues)
        text = f"error: invalid request ({n} problem{'s' if n != 1 else ''}): {shown}{more}"
    elif isinstance(exc, TransportError):
        text = f"error: {type(exc).__name__}: {exc.message}"
    elif isinstance(exc, VpnkitError | OSError | ValueError):
        text = f"error: {type(exc).__name__}: {exc}"
    else:
        text = f"error: unexpected {type(exc).__name__}: {exc} (set VPNKIT_DEBUG=1 for details)"
    return scrub(" ".join(text.split()))


# --- plumbing -----------------------------------------------------------------------------

class CountingSink:
    """Wraps the audit sink (if any) and counts outcomes per action for summaries."""

    def __init__(self, inner: AuditSink | None) -> None:
        self.inner = inner
        self.counts: Counter[tuple[str, str]] = Counter()

    def begin(self, **kw: Any) -> Any:
        begin: Any = self.inner.begin if self.inner is not None else None
        return kw.get("action"), begin(**kw) if begin is not None else None

    def finish(self, token: Any, **kw: Any) -> None:
        action, inner = token
        self.counts[(str(action), str(kw.get("outcome")))] += 1
        if self.inner is not None:
            self.inner.finish(inner, **kw)


def audit_path(args: argparse.Namespace) -> str | None:
    """--audit, else $VPNKIT_AUDIT, else None (the default path)."""
    return args.audit or os.environ.get("VPNKIT_AUDIT") or None


def audit_log(args: argparse.Namespace) -> Any:
    """The AuditLog at --audit / $VPNKIT_AUDIT / the default, or None if unavailable."""
    try:
        from vpnkit.audit import AuditLog
    except ImportError:
        return None
    path = audit_path(args)
    return AuditLog(path) if path else AuditLog()


def client_from_args(args: argparse.Namespace, audit: Any = None) -> VpcClient:
    """The client the global options name (see :func:`vpnkit.connect`), audited."""
    from vpnkit.session import connect

    sink = audit_log(args) if audit is None else audit
    return connect(args.region, profile=args.profile, endpoint=args.endpoint,
                   audit=sink or None)


def read_json(text: str) -> Any:
    """The JSON in file ``text`` (a ``file://`` prefix is allowed)."""
    path = Path(text.removeprefix("file://")).expanduser()
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None


def emit(frame: pd.DataFrame, fmt: str, *, records: Any = None) -> None:
    """Print ``frame`` as a table, CSV or JSON (``records`` replaces the JSON body)."""
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt == "json":
        data = records if records is not None else json.loads(
            frame.to_json(orient="records", date_format="iso"))
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif frame.empty:
        print("(none)")
    else:
        print(frame.to_string(index=False))
