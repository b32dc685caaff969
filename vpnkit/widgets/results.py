"""How outcomes are shown: issue lists, API errors and the created tunnels as DataFrames.

Pure functions returning HTML or DataFrames; never a traceback and never the pre-shared key.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from vpnkit.models import VpnConnection
from vpnkit.validate import Issue
from vpnkit.widgets.wording import human_path

__all__ = ["connection_frame", "error_html", "issues_html", "result_html"]

_RED, _AMBER, _GREEN = "#d9534f", "#b35c00", "#2e7d32"


def issues_html(found: Sequence[Issue], limit: int = 60, rule_rows: Sequence[int] = ()) -> str:
    """Every issue where a person finds it (errors first), or a green "no problems" line.

    Locations read ``SPD rule 2, IDC range 1`` (rows counted from 1); the machine path stays
    in ``form.issues`` and in each line's tooltip.
    """
    if not found:
        return f"<span style='color:{_GREEN}'>✔ No problems found.</span>"
    ordered = sorted(found, key=lambda i: i.severity != "error")
    n_err = sum(i.severity == "error" for i in found)
    head = (f"<b>{n_err} error{'s' if n_err != 1 else ''}, {len(found) - n_err} "
            f"warning{'s' if len(found) - n_err != 1 else ''}</b>")
    items = "".join(
        f"<li class='vpnkit-issue vpnkit-{i.severity}' title='{escape(i.path)}' style='color:"
        f"{_RED if i.severity == 'error' else _AMBER}'><b>{escape(human_path(i.path, rule_rows))}"
        f"</b>: {escape(i.message)} <small>({escape(i.code)})</small></li>"
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


#: The key columns the form shows (the full frame is ``form.results`` / "All columns").
SUMMARY = {"vpn_connection_id": "tunnel", "vpn_connection_name": "name", "state": "state",
           "route_type": "route type", "spd_count": "SPD rules",
           "ike_version": "IKE", "ike_encryption_algorithm": "IKE cipher",
           "ipsec_encryption_algorithm": "IPsec cipher", "created_time": "created"}
_TABLE_CSS = ("border-collapse:collapse;font-size:12px;line-height:1.35;"
              "font-variant-numeric:tabular-nums")


def _cell(value: Any) -> str:
    """One cell's text; times in UTC, as the audit log and the runbooks show them."""
    if getattr(value, "tzinfo", None) is not None and hasattr(value, "tz_convert"):
        return escape(value.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S UTC"))
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return escape("" if text in ("NaT", "<NA>") else text)


def result_html(frame: Any, title: str, *, full: bool = False) -> str:
    """A compact table of the key columns (or every column) under a title.

    The table scrolls inside its own box (``overflow-x:auto``), never the form.
    """
    names = list(frame.columns) if full else [c for c in SUMMARY if c in frame.columns]
    heads = "".join(f"<th style='text-align:left;padding:2px 6px;border-bottom:1px solid #999;"
                    "white-space:nowrap'>"
                    f"{escape(SUMMARY.get(c, c) if not full else c)}</th>" for c in names)
    rows = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 6px;border-bottom:1px solid #eee;"
                         f"white-space:nowrap'>{_cell(v)}</td>" for v in rec) + "</tr>"
        for rec in frame[names].itertuples(index=False, name=None))
    return (f"<div class='vpnkit-result'><b>{escape(title)}</b>"
            f"<div class='vpnkit-result-scroll' style='overflow-x:auto;max-width:100%'>"
            f"<table class='dataframe vpnkit-table' style='{_TABLE_CSS}'><thead><tr>{heads}"
            f"</tr></thead><tbody>{rows}</tbody></table></div></div>")
