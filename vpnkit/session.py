"""``vpnkit.connect()``: the runbook's one-liner, with the embedded emulator as the default.

Which API a runbook talks to, first match wins:

1. an explicit ``endpoint=`` / ``credential=``;
2. ``VPNKIT_ENDPOINT`` (e.g. an emulator started by CI or ``vpnkit emulator``), with the
   configured credentials or else the emulator's documented demo credentials;
3. configured credentials (environment, ``~/.tencentcloud``, tccli): the **real account**;
4. nothing configured: an **embedded emulator** on loopback, started once per process.

The choice is announced with an unmistakable banner (printed, and shown as HTML in Jupyter).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

from vpnkit.client import AuditSink, VpcClient
from vpnkit.credentials import Credential, resolve_credential, resolve_region

if TYPE_CHECKING:
    from vpnkit.emulator import Emulator

__all__ = ["banner", "connect", "embedded_emulator"]

DEFAULT_REGION = "ap-guangzhou"
_lock = threading.Lock()
_embedded: Emulator | None = None


def embedded_emulator() -> Emulator:
    """The process-wide emulator (``demo`` seed), started on first use, closed at exit."""
    global _embedded
    with _lock:
        if _embedded is None:
            from vpnkit.emulator import serve

            delay = float(os.environ.get("VPNKIT_CREATE_DELAY", "1.0"))
            _embedded = serve(seed="demo", create_delay=delay)
            atexit.register(_embedded.close)
        return _embedded


def _demo_credential() -> Credential:
    from vpnkit.emulator import DEMO_CREDENTIAL

    return DEMO_CREDENTIAL


def connect(
    region: str | None = None,
    *,
    profile: str | None = None,
    endpoint: str | None = None,
    credential: Credential | None = None,
    audit: AuditSink | bool | None = True,
    quiet: bool = False,
    **client_options: Any,
) -> VpcClient:
    """A ``VpcClient`` for the runbook (see the module docstring for which API it reaches).

    ``audit=True`` (the default) records every call in the default audit log
    (:func:`vpnkit.audit.default_audit_path`); pass an ``AuditLog`` or ``None``/``False``.
    """
    region = resolve_region(region, profile) or DEFAULT_REGION
    endpoint = endpoint or os.environ.get("VPNKIT_ENDPOINT") or None
    mode = "custom endpoint"
    if credential is None:
        credential = resolve_credential(profile)
    if endpoint is None and credential is None:
        emu = embedded_emulator()
        endpoint, credential, mode = emu.url, emu.credential, "emulator"
    elif credential is None:
        credential, mode = _demo_credential(), "emulator"
    elif endpoint is None:
        mode = "real"
    sink: AuditSink | None
    if audit is True:
        from vpnkit.audit import AuditLog

        sink = AuditLog()
    else:
        sink = audit or None
    client = VpcClient(region, credential=credential, endpoint=endpoint, audit=sink,
                       **client_options)
    client.mode = mode
    if not quiet:
        _announce(client, mode)
    return client


def banner(client: VpcClient, mode: str) -> str:
    """One line saying which API ``client`` reaches and with whose keys (never the secret)."""
    if mode == "real":
        return (f"vpnkit: REAL TENCENT CLOUD ACCOUNT - region {client.region}, "
                f"{client.endpoint}, keys {client.credential.secret_id} from "
                f"{client.credential_source}. Calls create real, billable resources.")
    if mode == "emulator":
        return (f"vpnkit: EMULATOR (offline rehearsal) - region {client.region}, "
                f"{client.endpoint}. Nothing leaves this machine.")
    return (f"vpnkit: custom endpoint {client.endpoint} - region {client.region}, keys "
            f"{client.credential.secret_id} from {client.credential_source}.")


def _announce(client: VpcClient, mode: str) -> None:
    text = banner(client, mode)
    if "ipykernel" in sys.modules:
        from html import escape

        from IPython.display import HTML, display

        colour = "#b00020" if mode == "real" else "#1b5e20"
        html = (f"<div style='padding:6px 10px;border-left:6px solid {colour};"
                f"background:#f6f6f6;font-weight:bold'>{escape(text)}</div>")
        display(HTML(html))  # type: ignore[no-untyped-call]
    else:
        print(text, file=sys.stderr)
