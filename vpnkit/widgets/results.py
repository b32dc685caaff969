"""How outcomes are shown: issue lists, API errors and the created tunnels as DataFrames.

Pure functions returning HTML or DataFrames; never a traceback and never the pre-shared key.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from vpnkit.models import VpnConnection
from vpnkit.validate import Issue

__all__ = ["connection_frame", "error_html", "issues_html", "result_html"]

_RED, _AMBER, _GREEN = "#d9534f", "#b35c00", "#2e7d32"


def issues_html(found: Sequence[Issue], limit: int = 60) -> str:
    """Every issue with its path (errors first), or a green "no problems" line."""
    if not found:
        return f"<span style='color:{_GREEN}'>✔ No problems found.</span>"
    ordered = sorted(found, key=lambda i: i.severity != "error")
    n_err = sum(i.severity == "error" for i in found)
    head = (f"<b>{n_err} error{'s' if n_err != 1 else ''}, {len(found) - n_err} "
            f"warning{'s' if len(found) - n_err != 1 else ''}</b>")
    items = "".join(
        f"<li class='vpnkit-issue vpnkit-{i.severity}' style='color:"
        f"{_RED if i.severity == 'error' else _AMBER}'><code>{escape(i.path or '(request)')}"
        f"</code>: {escape(i.message)} <small>({escape(i.code)})</small></li>"
        for i in ordered[:limit])
    more = f"<li>… and {len(found) - limit} more</li>" if len(found) > limit else ""
    return f"<div class='vpnkit-issues'>{head}<ul style='margin:2px 0'>{items}{more}</ul></div>"


def error_html(exc: BaseException) -> str:
    """An exception as code, message and RequestId (no traceback; messages are scrubbed)."""
    from vpnkit.errors import ApiError, SpecError
    from vpnkit.redact import scrub

    if isinstance(exc, ApiError):
        rid = escape(exc.request_id or "-")
        action = escape(exc.action or "Request")
        return (f"<div class='vpnkit-error' style='color:{_RED}'><b>{action} failed</b>"
                f"<br>Code: <code>{escape(exc.code)}</code><br>Message: "
                f"{escape(exc.message)}<br>RequestId: <code>{rid}</code></div>")
    if isinstance(exc, SpecError):
        return issues_html(exc.issues)
    return (f"<div class='vpnkit-error' style='color:{_RED}'><b>{escape(type(exc).__name__)}"
            f"</b>: {escape(scrub(str(exc)))}</div>")


def connection_frame(conns: Sequence[VpnConnection]) -> Any:
    """Tunnels as a DataFrame (:func:`vpnkit.frames.connections_frame`: never a PSK column)."""
    from vpnkit.frames import connections_frame

    return connections_frame(list(conns))


#: Columns shown first in the form (the full frame stays in ``form.results``).
SUMMARY = ("vpn_connection_id", "vpn_connection_name", "state", "net_status", "vpn_gateway_id",
           "customer_gateway_id", "vpc_id", "route_type", "spd_count",
           "ike_encryption_algorithm", "ike_dh_group", "ipsec_encryption_algorithm",
           "created_time")


def result_html(frame: Any, title: str) -> str:
    """The summary columns of a DataFrame under a title, as the notebook would render it."""
    cols = [c for c in SUMMARY if c in frame.columns] or list(frame.columns)
    return (f"<div class='vpnkit-result'><b>{escape(title)}</b>"
            f"<div style='overflow-x:auto'>{frame[cols].to_html(index=False, na_rep='')}"
            "</div></div>")
