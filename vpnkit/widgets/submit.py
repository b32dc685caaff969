"""What the Submit button does: check against live state, send once, wait, record results.

Never raises to the notebook (errors show as code, message and RequestId) and never sends
the same tunnel twice: a lock covers concurrent clicks, the button is disabled while
sending, the client itself never re-sends a create blindly, and a (gateway, name) pair that
already succeeded in this form is refused until the name changes.

Progress is honest: each state the tunnel reports, with the seconds since Submit; no bar
pretends to move toward the timeout.
"""

from __future__ import annotations

import time
from html import escape
from typing import TYPE_CHECKING, Any

from vpnkit.models import VpnConnection
from vpnkit.widgets.results import error_html

if TYPE_CHECKING:
    from vpnkit.widgets.vpnform import VpnForm

__all__ = ["Timeline", "run_submit"]


class Timeline:
    """State transitions with elapsed seconds, shown in ``form.progress``."""

    def __init__(self, form: VpnForm) -> None:
        self.form = form
        self.started = time.monotonic()
        self.steps: list[tuple[float, str]] = []

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def step(self, text: str, *, now: str = "") -> None:
        """Record a new state (shown with its time) and, optionally, what is happening now."""
        self.steps.append((self.elapsed, text))
        self.show(now)

    def show(self, now: str = "") -> None:
        parts = [f"{escape(text)} <small>({t:.1f} s)</small>" for t, text in self.steps]
        tail = f" · <i>{escape(now)} {self.elapsed:.1f} s</i>" if now else ""
        self.form.progress.value = ("<span class='vpnkit-progress'>" + " → ".join(parts)
                                    + tail + "</span>")


def run_submit(form: VpnForm) -> VpnConnection | None:
    """Validate, pre-flight, create, optionally wait, and show the outcome in ``form``."""
    if not form._lock.acquire(blocking=False):
        form.status.value = "<i>already submitting…</i>"
        return None
    try:
        form.submit_button.disabled = True
        form.show_all = True
        return _submit_locked(form)
    finally:
        form._lock.release()
        form.submit_button.disabled = False
        form._changed()


def show_refusal(form: VpnForm) -> bool:
    """Say that Submit sent nothing because of the form's errors, counting them as they are
    now; clear the line once there are none. Whether a refusal is still shown."""
    n = sum(i.severity == "error" for i in form.issues)
    form.output.value = (f"<b style='color:#c9302c'>Not sent: fix the {n} error"
                         f"{'s' if n != 1 else ''} first</b> (shown at each field)."
                         if n else "")
    return n > 0


def _submit_locked(form: VpnForm) -> VpnConnection | None:
    client = form.targets.client
    form.output.value = ""
    form._refused = False
    if client is not None:
        form.refresh_live()  # the gateway's tunnels as they are now
    form._changed()  # validate exactly what is about to be sent
    spec = form.spec
    key = (spec.vpn_gateway_id, spec.vpn_connection_name)
    if key in form._created:
        done = form._created[key]
        form.output.value = (f"<b>Not sent: {escape(done.vpn_connection_id)} was already "
                             f"created as {escape(spec.vpn_connection_name)!r} on "
                             f"{escape(spec.vpn_gateway_id)}.</b> Change the name to create "
                             "another tunnel.")
        return None
    if form.has_errors:
        form._refused = show_refusal(form)
        form.open_errors()
        return None
    if client is None:
        form.output.value = "<b>Not sent: this form has no client.</b>"
        return None
    line = Timeline(form)
    line.step("sending CreateVpnConnection", now="waiting for the answer")
    try:
        conn: VpnConnection = client.create_vpn_connection(spec)
    except Exception as exc:  # ApiError, TransportError, SpecError...: shown, never raised
        line.step("refused")
        form.output.value = error_html(exc)
        return None
    form._created[key] = conn
    form.remember(conn)
    line.step(f"created {conn.vpn_connection_id}: {conn.state or '?'}")
    if form.wait_box.value:
        conn = _wait(form, client, conn, line)
    form.result = conn
    form.show_all = False  # the next tunnel starts with quiet fields again
    form.add_result(conn)
    form.status.value = ""  # the bar says "Created <id>", the timeline how it went
    return conn


def _wait(form: VpnForm, client: Any, conn: VpnConnection, line: Timeline) -> VpnConnection:
    """Poll until AVAILABLE, recording each state; a timeout or error only warns (it exists)."""
    state = conn.state or "?"
    while state != "AVAILABLE":
        if line.elapsed >= form.wait_timeout:
            form.output.value = (f"<span style='color:#b35c00'>Created, but still "
                                 f"{escape(state)} after {line.elapsed:.0f} s; it may still "
                                 "become AVAILABLE (check it later with describe).</span>")
            return conn
        line.show(now=f"{state}, checking again")
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
        if (conn.state or "?") != state:
            state = conn.state or "?"
            line.step(state)
    line.show()
    return conn

