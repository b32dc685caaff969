"""What every ``vpnkit`` command shares: usage errors, the one-line error, the client built
from the global options, the audit log, and table/CSV/JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from vpnkit.errors import ApiError, SpecError, TransportError, VpnkitError
from vpnkit.redact import scrub

if TYPE_CHECKING:
    import pandas as pd

    from vpnkit.client import AuditSink, VpcClient

__all__ = ["FORMATS", "TABLE_COLUMNS", "CountingSink", "UsageError", "add_crypto_profile",
           "add_workers", "audit_log", "client_from_args", "crypto_profile",
           "emit", "error_line", "in_utc", "input_path", "integer", "mode_from_args",
           "positive_int", "read_json", "resource_id", "seconds", "warn_rows"]

FORMATS = ("table", "csv", "json")
TABLE_COLUMNS = ["vpn_connection_id", "vpn_connection_name", "vpn_gateway_id",
                 "customer_gateway_id", "route_type", "state", "net_status", "spd_count",
                 "created_time"]


class UsageError(Exception):
    """A command was used wrongly (exit status 2)."""


def _transport_text(exc: TransportError, endpoint: str | None) -> str:
    """What went wrong on the wire, in words, naming the host (never a Python class)."""
    import re

    import requests

    where = endpoint or "the API endpoint"
    cause = exc.__cause__
    detail = str(cause) if cause is not None else exc.message
    if isinstance(cause, requests.exceptions.InvalidURL):
        return f"{where} is not a valid URL"
    if isinstance(cause, requests.exceptions.Timeout):
        return f"no answer from {where} in time"
    if isinstance(cause, requests.exceptions.SSLError):
        return f"TLS handshake with {where} failed"
    if any(s in detail for s in ("NameResolution", "Name or service not known",
                                 "nodename nor servname", "getaddrinfo failed",
                                 "Temporary failure in name resolution")):
        host = urlsplit(where).hostname or where
        return f"cannot resolve host {host} (of {where})"
    if "Connection refused" in detail or "ConnectionRefused" in detail:
        return f"{where} refused the connection (is anything listening there?)"
    if isinstance(cause, requests.exceptions.ConnectionError):
        return f"cannot connect to {where} (the connection failed or was dropped)"
    if isinstance(cause, requests.exceptions.RequestException):
        reason = re.sub(r"^\w+: ", "", exc.message)[:120]
        return f"the exchange with {where} failed: {reason}"
    return exc.message  # vpnkit's own words (HTTP status, not an API response, ...)


def error_line(exc: BaseException, endpoint: str | None = None) -> str:
    """One line for stderr: code, message, RequestId; the host for transport failures.
    Never a traceback, a Python class name or a secret."""
    if isinstance(exc, ApiError):
        rid = f" [RequestId {exc.request_id}]" if exc.request_id else ""
        text = f"error: {exc.code}: {exc.message}{rid}"
    elif isinstance(exc, SpecError):
        shown = "; ".join(f"{i.path or 'request'}: {i.message} ({i.code})"
                          for i in exc.issues[:5])
        more = f"; ... {len(exc.issues) - 5} more" if len(exc.issues) > 5 else ""
        n = len(exc.issues)
        text = f"error: invalid request ({n} problem{'s' if n != 1 else ''}): {shown}{more}"
    elif isinstance(exc, TransportError):
        action = f"{exc.action}: " if exc.action else ""
        text = f"error: {action}{_transport_text(exc, endpoint)}"
    elif isinstance(exc, OSError) and exc.filename is not None:
        text = f"error: {exc.filename}: {exc.strerror or exc}"
    elif isinstance(exc, VpnkitError | OSError | ValueError):
        text = f"error: {exc}"
    else:
        text = (f"error: internal error in vpnkit ({exc}); set VPNKIT_DEBUG=1 for the "
                "traceback and please report it")
    return scrub(" ".join(text.split()))


def integer(text: str) -> int:
    """An argparse ``type``: a plain decimal integer (:func:`vpnkit.integers.strict_int`:
    ASCII digits, optional sign), never ``int()``'s ``'²'``/``'٣'``/4,300-digit surprises."""
    from vpnkit.integers import NotAnInteger, strict_int

    try:
        return strict_int(text)
    except NotAnInteger as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def resource_id(prefix: str) -> Any:
    """An argparse ``type`` for ``<prefix>-xxxxxxxx`` ids (8 lowercase letters/digits, as the
    API writes them, ref §1.1): anything else is refused before connecting, naming it."""
    import re

    pattern = re.compile(rf"{prefix}-[a-z0-9]{{8}}\Z")

    def check(text: str) -> str:
        if not pattern.match(text):
            raise argparse.ArgumentTypeError(f"{text!r} is not a {prefix}- id "
                                             f"({prefix}-xxxxxxxx)")
        return text

    check.__name__ = f"{prefix} id"
    return check


def seconds(text: str) -> float:
    """An argparse ``type``: a finite, non-negative number of seconds."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or not text.strip().isascii():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds")
    return value


def add_crypto_profile(parser: argparse.ArgumentParser, what: str) -> None:
    """``--crypto-profile``: the named IKE/IPsec/DPD profile for the options ``what`` leaves
    empty (:data:`vpnkit.options.PROFILES`; ``none`` sends only what is given)."""
    from vpnkit import options

    names = [*options.PROFILES, "none"]
    parser.add_argument("--crypto-profile", choices=names, default=options.DEFAULT_PROFILE,
                        metavar="NAME", help=f"IKE/IPsec/DPD values for the options {what} "
                        f"leaves empty: {', '.join(names)} (none: send only what is given, "
                        "so the API's weak defaults apply; default: %(default)s)")


def crypto_profile(args: argparse.Namespace) -> str | None:
    """The profile name ``--crypto-profile`` chose, ``None`` for ``none``."""
    name: str = args.crypto_profile
    return None if name == "none" else name


def positive_int(text: str) -> int:
    """An argparse ``type``: an :func:`integer` of at least 1."""
    value = integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return value


def add_workers(parser: argparse.ArgumentParser, what: str) -> None:
    """``--workers N`` (at least 1, default 8): how many ``what`` run in parallel."""
    parser.add_argument("--workers", type=positive_int, default=8, metavar="N",
                        help=f"{what} (default: %(default)s)")


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


def mode_from_args(args: argparse.Namespace) -> str:
    """``real``, ``emulator`` or ``custom endpoint``: what the global options reach (see
    :func:`vpnkit.session.resolve_mode`), without connecting; a bad option is a usage error."""
    from vpnkit.errors import CredentialError
    from vpnkit.session import resolve_mode

    try:
        return resolve_mode(args.region, profile=args.profile, endpoint=args.endpoint)
    except (CredentialError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def audit_log(args: argparse.Namespace, mode: str | None = None) -> Any:
    """The AuditLog at --audit, else the one :func:`vpnkit.connect` would use for the global
    options (:func:`vpnkit.session.resolve_audit_path`): calls signed with the emulator's demo
    credentials go to :func:`vpnkit.session.emulator_audit_path`, everything else to the
    default log ($VPNKIT_AUDIT or the user's data dir). ``mode="emulator"`` (an embedded
    emulator: lab, demo) needs no resolving. None if the audit module is unavailable."""
    try:
        from vpnkit.audit import AuditLog
    except ImportError:
        return None
    from vpnkit.errors import CredentialError
    from vpnkit.session import emulator_audit_path, resolve_audit_path

    if args.audit:
        return AuditLog(args.audit)
    if mode == "emulator":
        return AuditLog(emulator_audit_path())
    try:
        path = resolve_audit_path(args.region, profile=args.profile, endpoint=args.endpoint)
    except (CredentialError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    return AuditLog(path)


def client_from_args(args: argparse.Namespace) -> VpcClient:
    """The client the global options name (see :func:`vpnkit.connect`), audited where
    ``connect`` would log (``--audit`` names another log). A bad --profile, --endpoint or
    --region is a usage error (exit 2); nothing is contacted. The options are resolved once,
    by ``connect``."""
    from vpnkit.errors import CredentialError
    from vpnkit.session import connect

    try:
        client = connect(args.region, profile=args.profile, endpoint=args.endpoint,
                         audit=audit_log(args) if args.audit else True)
    except (CredentialError, ValueError) as exc:  # refused before anything was sent
        raise UsageError(str(exc)) from None
    args.endpoint_used = client.endpoint  # named by error_line for transport failures
    return client


def input_path(text: str) -> Path:
    """The file an argument names (a ``file://`` prefix and ``~`` allowed)."""
    return Path(text.removeprefix("file://")).expanduser()


def read_json(text: str, *, want_object: bool = False) -> Any:
    """The JSON in file ``text`` (a ``file://`` prefix is allowed). Errors name the file and
    where it is wrong, never echo its content (it may hold a pre-shared key)."""
    path = input_path(text)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} "
                         f"column {exc.colno}") from None
    if want_object and not isinstance(data, dict):
        kind = {list: "a list", str: "a string", int: "a number", float: "a number",
                bool: "a boolean"}.get(type(data), "null")
        raise UsageError(f"{path} must hold one JSON object ({{...}}), not {kind}")
    return data


def _cell_json(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return value


def in_utc(frame: pd.DataFrame) -> pd.DataFrame:
    """The tunnel times in UTC, like the audit log (the API answers in +08:00)."""
    for col in ("created_time",):
        if col in frame.columns and hasattr(frame[col], "dt") and frame[col].dt.tz is not None:
            frame = frame.assign(**{col: frame[col].dt.tz_convert("UTC")})
    return frame


def warn_rows(warnings: pd.DataFrame) -> None:
    """One stderr line per warning of an issue table (weak crypto, ...), naming its row."""
    import pandas as pd

    for _, w in warnings.iterrows():
        where = "" if pd.isna(w["row"]) else f"row {w['row']} "
        where += f"{w['path']}: " if w["path"] else ""  # a batch-wide one has no path
        print(f"warning: {where}{w['message']} ({w['code']})", file=sys.stderr)


def emit(frame: pd.DataFrame, fmt: str, *, records: Any = None) -> None:
    """Print ``frame`` as a table, CSV or JSON (``records`` replaces the JSON body).

    CSV cells holding a mapping or list (``tags``, SPD sets) are written as JSON, never as a
    Python repr; a table shows missing values as blanks, not ``<NA>``."""
    if fmt == "csv":
        out = frame.copy()
        for col in out.columns:
            if out[col].dtype == object:
                out[col] = out[col].map(_cell_json)
        sys.stdout.write(out.to_csv(index=False))
    elif fmt == "json":
        data = records if records is not None else json.loads(
            frame.to_json(orient="records", date_format="iso"))
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif frame.empty:
        print("(none)")
    else:
        shown = frame.astype(object).where(frame.notna(), "")
        print(shown.to_string(index=False))
