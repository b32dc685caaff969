"""What the Submit button does: send once, wait for AVAILABLE with progress, record results.

Never raises to the notebook (errors show as code, message and RequestId) and never sends
the same tunnel twice: a lock covers concurrent clicks, the button is disabled while
sending, the client itself never re-sends a create blindly, and a (gateway, name) pair that
already succeeded in this form is refused until the name changes.
"""

from __future__ import annotations

import time
from html import escape
from typing import TYPE_CHECKING, Any

from vpnkit.models import VpnConnection
from vpnkit.widgets.results import connection_frame, error_html, issues_html, result_html

if TYPE_CHECKING:
    from vpnkit.widgets.vpnform import VpnForm

__all__ = ["run_submit"]


def run_submit(form: VpnForm) -> VpnConnection | None:
    """Validate, create, optionally wait, and show the outcome in ``form``."""
    if not form._lock.acquire(blocking=False):
        form.status.value = "<i>already submitting…</i>"
        return None
    try:
        form.submit_button.disabled = True
        form._changed()  # validate exactly what is about to be sent
        return _submit_locked(form)
    finally:
        form.progress.layout.display = "none"
        form._lock.release()
        form.submit_button.disabled = form.has_errors


def _submit_locked(form: VpnForm) -> VpnConnection | None:
    spec, client = form.spec, form.targets.client
    if form.has_errors:
        form.output.value = "<b>Not sent: fix the errors first.</b>" + issues_html(form.issues)
        return None
    if client is None:
        form.output.value = "<b>Not sent: this form has no client.</b>"
        return None
    key = (spec.vpn_gateway_id, spec.vpn_connection_name)
    if key in form._created:
        done = form._created[key]
        form.output.value = (f"<b>Not sent: {escape(done.vpn_connection_id)} was already "
                             f"created as {escape(spec.vpn_connection_name)!r} on "
                             f"{escape(spec.vpn_gateway_id)}.</b> Change the name to create "
                             "another tunnel.")
        return None
    form.output.value = ""
    form.status.value = "Creating…"
    form.progress.value, form.progress.bar_style = 10, "info"
    form.progress.layout.display = None
    try:
        conn: VpnConnection = client.create_vpn_connection(spec)
    except Exception as exc:  # ApiError, TransportError, SpecError...: shown, never raised
        form.status.value = ""
        form.output.value = error_html(exc)
        return None
    form._created[key] = conn
    if form.wait_box.value:
        conn = _wait(form, client, conn)
    form.result = conn
    row = connection_frame([conn])
    form.results = row if len(form.results) == 0 else _concat(form.results, row)
    form.progress.value, form.progress.bar_style = 100, "success"
    form.status.value = f"Created <b>{escape(conn.vpn_connection_id)}</b> ({conn.state})"
    form.output.value = result_html(row, f"Created {conn.vpn_connection_id}")
    n = len(form.results)
    form.results_html.value = result_html(form.results, f"This session: {n} tunnel"
                                          f"{'s' if n != 1 else ''} (form.results)")
    return conn


def _concat(a: Any, b: Any) -> Any:
    import pandas as pd

    return pd.concat([a, b], ignore_index=True)


def _wait(form: VpnForm, client: Any, conn: VpnConnection) -> VpnConnection:
    """Poll until AVAILABLE, showing the state; a timeout or error only warns (it exists)."""
    started = time.monotonic()
    while True:
        waited = time.monotonic() - started
        state = conn.state or "?"
        form.status.value = f"{escape(conn.vpn_connection_id)}: {escape(state)} ({waited:.1f} s)"
        form.progress.value = min(95, 10 + int(85 * waited / max(form.wait_timeout, 1e-9)))
        if state == "AVAILABLE":
            return conn
        if waited >= form.wait_timeout:
            form.output.value = (f"<span style='color:#b35c00'>Created, but still {escape(state)}"
                                 f" after {waited:.0f} s.</span>")
            return conn
        time.sleep(form.poll_interval)
        try:
            found: list[VpnConnection] = client.describe_vpn_connections(
                [conn.vpn_connection_id])
        except Exception as exc:
            form.output.value = "Created, but checking its state failed: " + error_html(exc)
            return conn
        if not found:
            return conn
        conn = found[0]
