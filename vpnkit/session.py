"""``vpnkit.connect()``: the runbook's one-liner, with the embedded emulator as the default.

Which API a runbook talks to, first match wins:

1. an explicit ``endpoint=`` / ``credential=``;
2. ``VPNKIT_ENDPOINT`` (e.g. an emulator started by CI or ``vpnkit emulator``), with the
   configured credentials or else the emulator's documented demo credentials (never for a
   ``*.tencentcloudapi.com`` host: that needs real keys);
3. configured credentials (environment, ``~/.tencentcloud``, tccli): the **real account**;
4. nothing configured: an **embedded emulator** on loopback, started once per process.

The mode follows what is contacted: ``real`` for a Tencent host, ``emulator`` for a loopback
host signed with the emulator's keys, ``custom endpoint`` otherwise. A named profile that does
not exist is an error, never a silent fallback. The choice is announced with an unmistakable
banner (printed, and shown as HTML in Jupyter), naming the audit log the calls go to.

Which audit log (:func:`audit_path`): calls signed with the emulator's demo credentials go to
their own log (:func:`emulator_audit_path`), never into the real account's, whatever the
endpoint (loopback, or a custom host such as an emulator in another container): those keys
open no real account, so their calls are rehearsals. Every other credential's calls go to
the default log (:func:`vpnkit.audit.default_audit_path`), even to a loopback endpoint.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import re
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from vpnkit.client import AuditSink, VpcClient
from vpnkit.credentials import (
    DEMO_SECRET_ID,
    Credential,
    demo_credential,
    resolve_credential,
    resolve_region,
)
from vpnkit.endpoints import is_loopback_host, is_tencent_host, resolve_endpoint
from vpnkit.errors import CredentialError

if TYPE_CHECKING:
    from vpnkit.emulator import Emulator

__all__ = ["audit_path", "banner", "connect", "embedded_emulator", "emulator_audit_path",
           "endpoint_mode", "resolve_audit_path", "resolve_mode"]

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


_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*"
                   r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?\Z")


def emulator_audit_path() -> Path:
    """Where rehearsals against an emulator are logged: ``$VPNKIT_EMULATOR_AUDIT``, else
    ``emulator-audit.sqlite3`` beside the real audit log (never the real log itself)."""
    explicit = os.environ.get("VPNKIT_EMULATOR_AUDIT")
    if explicit:
        return Path(explicit).expanduser()
    from vpnkit.audit import default_audit_path

    return default_audit_path().with_name("emulator-audit.sqlite3")


def audit_path(credential: Credential | None) -> Path:
    """The log for calls signed with ``credential`` (see the module docstring): the emulator's
    demo key pair, or ``None`` (the embedded emulator brings that pair), is logged in
    :func:`emulator_audit_path`; any other key pair in the default audit log."""
    if credential is None or credential.secret_id == DEMO_SECRET_ID:
        return emulator_audit_path()
    from vpnkit.audit import default_audit_path

    return default_audit_path()


def endpoint_mode(endpoint: str, region: str = DEFAULT_REGION) -> str:
    """``real`` (a Tencent host), ``loopback`` or ``custom endpoint`` for ``endpoint``;
    ``ValueError`` naming it when it is not a usable ``[scheme://]host[:port]``."""
    url = resolve_endpoint(region, endpoint)
    host = urlsplit(url).hostname or ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is None and not _HOST.match(host):
        raise ValueError(f"endpoint {endpoint!r}: {host!r} is not a host name or IP address")
    if is_loopback_host(host):
        return "loopback"
    if is_tencent_host(host):
        return "real"
    return "custom endpoint"


def _profile_credential(profile: str | None) -> Credential | None:
    credential = resolve_credential(profile)
    if credential is None and profile is not None:
        raise CredentialError(f"profile {profile!r} not found (looked in "
                              "~/.tencentcloud/credentials and ~/.tccli/"
                              f"{profile}.credential)")
    return credential


def _resolve(region: str, profile: str | None, endpoint: str | None,
             credential: Credential | None) -> tuple[str, str | None, Credential | None]:
    """(mode, endpoint, credential); endpoint ``None`` means the embedded emulator."""
    endpoint = endpoint or os.environ.get("VPNKIT_ENDPOINT") or None
    if credential is None:
        credential = _profile_credential(profile)
    if endpoint is None:
        return ("emulator" if credential is None else "real"), None, credential
    kind = endpoint_mode(endpoint, region)
    if credential is None and kind == "real":
        raise CredentialError(
            f"endpoint {endpoint} is the real Tencent Cloud API but no credentials are "
            "configured (TENCENTCLOUD_SECRET_ID/KEY, ~/.tencentcloud/credentials or a "
            "tccli profile); without an endpoint vpnkit rehearses on its emulator")
    if credential is None:
        return ("emulator" if kind == "loopback" else "custom endpoint"), endpoint, \
            demo_credential()
    return ("real" if kind == "real" else "custom endpoint"), endpoint, credential


def resolve_mode(region: str | None = None, *, profile: str | None = None,
                 endpoint: str | None = None) -> str:
    """The mode :func:`connect` would choose (``real``, ``emulator`` or ``custom
    endpoint``), without starting anything; errors as :func:`connect` raises them."""
    region = resolve_region(region, profile) or DEFAULT_REGION
    return _resolve(region, profile, endpoint, None)[0]


def resolve_audit_path(region: str | None = None, *, profile: str | None = None,
                       endpoint: str | None = None) -> Path:
    """The log :func:`connect` (``audit=True``) would write to, without starting anything;
    errors as :func:`connect` raises them."""
    region = resolve_region(region, profile) or DEFAULT_REGION
    return audit_path(_resolve(region, profile, endpoint, None)[2])


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

    ``audit=True`` (the default) records every call in :func:`audit_path`: the default audit
    log (:func:`vpnkit.audit.default_audit_path`), or for the emulator's demo credentials
    :func:`emulator_audit_path`; pass an ``AuditLog`` or ``None``/``False``.
    """
    region = resolve_region(region, profile) or DEFAULT_REGION
    mode, endpoint, credential = _resolve(region, profile, endpoint, credential)
    if endpoint is None and credential is None:
        emu = embedded_emulator()
        endpoint, credential = emu.url, emu.credential
    sink: AuditSink | None
    if audit is True:
        from vpnkit.audit import AuditLog

        sink = AuditLog(audit_path(credential))
    else:
        sink = audit or None
    client = VpcClient(region, credential=credential, endpoint=endpoint, audit=sink,
                       **client_options)
    client.mode = mode
    if not quiet:
        _announce(client, mode)
    return client


def banner(client: VpcClient, mode: str) -> str:
    """One line saying which API ``client`` reaches, with whose keys (never the secret) and
    where its calls are logged."""
    path = getattr(client.audit, "path", None)
    logged = f" Calls logged in {path}." if path is not None else ""
    if mode == "real":
        return (f"vpnkit: REAL TENCENT CLOUD ACCOUNT - region {client.region}, "
                f"{client.endpoint}, keys {client.credential.secret_id} from "
                f"{client.credential_source}. Calls create real, billable resources.{logged}")
    if mode == "emulator":
        return (f"vpnkit: EMULATOR (offline rehearsal) - region {client.region}, "
                f"{client.endpoint}. Nothing leaves this machine.{logged}")
    return (f"vpnkit: custom endpoint {client.endpoint} - region {client.region}, keys "
            f"{client.credential.secret_id} from {client.credential_source}.{logged}")


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
