"""vpnkit: create and audit Tencent Cloud VPN tunnels (CreateVpnConnection) from Jupyter.

``import vpnkit`` stays as light as ``import requests``: pandas, ipywidgets, SQLite and the
emulator load only when first used (``vpnkit.form``, ``vpnkit.frames``, ``vpnkit.AuditLog``,
``vpnkit.connect``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from vpnkit.client import VpcClient
from vpnkit.credentials import Credential
from vpnkit.errors import (
    ApiError,
    CredentialError,
    OutcomeUnknownError,
    SignatureExpireError,
    SpecError,
    TransportError,
    VpnkitError,
    WaitTimeout,
)
from vpnkit.models import (
    BgpConfig,
    HealthCheckConfig,
    IkeOptions,
    IpsecOptions,
    SpdRule,
    Tag,
    VpnConnection,
    VpnConnectionSpec,
)
from vpnkit.validate import Issue, check, issues

if TYPE_CHECKING:
    from vpnkit.audit import AuditLog
    from vpnkit.connect import connect
    from vpnkit.widgets import form

__all__ = [
    "ApiError",
    "AuditLog",
    "BgpConfig",
    "Credential",
    "CredentialError",
    "HealthCheckConfig",
    "IkeOptions",
    "IpsecOptions",
    "Issue",
    "OutcomeUnknownError",
    "SignatureExpireError",
    "SpdRule",
    "SpecError",
    "Tag",
    "TransportError",
    "VpcClient",
    "VpnConnection",
    "VpnConnectionSpec",
    "VpnkitError",
    "WaitTimeout",
    "__version__",
    "check",
    "connect",
    "form",
    "issues",
]

_LAZY = {"AuditLog": "vpnkit.audit", "connect": "vpnkit.connect", "form": "vpnkit.widgets"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'vpnkit' has no attribute {name!r}")
