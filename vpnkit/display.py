"""Compact HTML summaries for Jupyter (``_repr_html_``), with secrets masked.

Imports nothing of vpnkit but :mod:`vpnkit.redact`: models and errors call these functions
from their ``_repr_html_`` (one-way), so objects are typed by what is read from them.

Plain string building with ``html.escape``; no pandas or ipywidgets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from html import escape
from typing import Any

from vpnkit.redact import MASK

__all__ = ["api_error_html", "connection_html", "issues_html", "spec_html"]

_STYLE = "border-collapse:collapse;font-size:90%"


def _table(title: str, rows: Iterable[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{escape(k)}</th>"
        f"<td style='text-align:left'>{escape(str(v))}</td></tr>"
        for k, v in rows if v not in (None, "", ())
    )
    return f"<div><b>{escape(title)}</b><table style='{_STYLE}'>{body}</table></div>"


def _spd(rules: Sequence[Any]) -> str:
    return "; ".join(f"{r.local_cidr_block} → {', '.join(map(str, r.remote_cidr_blocks))}"
                     for r in rules)


def _options(obj: Any) -> str:
    if obj is None:
        return ""
    names = [f.name for f in fields(obj) if f.repr]
    return ", ".join(f"{n}={getattr(obj, n)}" for n in names if getattr(obj, n) is not None)


def spec_html(spec: Any) -> str:
    """A create request, PSK masked."""
    return _table(f"CreateVpnConnection: {spec.vpn_connection_name}", [
        ("VPN gateway", spec.vpn_gateway_id), ("Customer gateway", spec.customer_gateway_id),
        ("VPC", spec.vpc_id), ("Pre-shared key", MASK if spec.pre_share_key else ""),
        ("Route type", spec.route_type), ("SPD", _spd(spec.security_policy_databases)),
        ("IKE", _options(spec.ike_options)), ("IPsec", _options(spec.ipsec_options)),
    ])


def connection_html(conn: Any) -> str:
    """A tunnel as described by the API, PSK masked."""
    return _table(f"{conn.vpn_connection_id} ({conn.vpn_connection_name})", [
        ("State", conn.state), ("Net status", conn.net_status),
        ("VPN gateway", conn.vpn_gateway_id), ("Customer gateway", conn.customer_gateway_id),
        ("VPC", conn.vpc_id), ("Created", conn.created_time), ("Route type", conn.route_type),
        ("SPD", _spd(conn.security_policy_databases)),
        ("IKE", _options(conn.ike_options)), ("IPsec", _options(conn.ipsec_options)),
        ("Pre-shared key", MASK if conn.pre_share_key else ""),
    ])


def api_error_html(exc: Any) -> str:
    """An API error: code, message, RequestId."""
    return _table(f"{exc.action or 'Request'} failed", [
        ("Code", exc.code), ("Message", exc.message), ("RequestId", exc.request_id)])


def issues_html(issues: Sequence[Any]) -> str:
    """Validation issues as a table."""
    rows = "".join(
        f"<tr><td>{escape(i.severity)}</td><td><code>{escape(i.path)}</code></td>"
        f"<td>{escape(i.message)}</td><td>{escape(i.code)}</td></tr>" for i in issues)
    return (f"<table style='{_STYLE}'><tr><th>severity</th><th>path</th><th>problem</th>"
            f"<th>API code</th></tr>{rows}</table>")
