"""vpnkit: create and audit Tencent Cloud VPN tunnels (CreateVpnConnection) from Jupyter.

``import vpnkit`` is lighter than ``import requests``: every public name is loaded on first
use (PEP 562 ``__getattr__``), so ``import vpnkit`` imports none of vpnkit's modules, and
pandas, ipywidgets, SQLite and the emulator load only when first used (``vpnkit.form``,
``vpnkit.frames``, ``vpnkit.AuditLog``, ``vpnkit.connect``). ``from vpnkit import VpcClient``
loads the client and what it needs (requests, models, signing, validation) at that point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the names as mypy and IDEs see them; at run time see _LAZY
    from vpnkit.audit import AuditLog
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
    from vpnkit.inventory import inventory
    from vpnkit.models import (
        BgpConfig,
        GatewayRoute,
        HealthCheckConfig,
        IkeOptions,
        IpsecOptions,
        SpdRule,
        Tag,
        VpnConnection,
        VpnConnectionSpec,
    )
    from vpnkit.modify import ModifyResult
    from vpnkit.plan import plan
    from vpnkit.session import connect
    from vpnkit.validate import Issue, check, issues
    from vpnkit.widgets import form

__all__ = [
    "ApiError",
    "AuditLog",
    "BgpConfig",
    "Credential",
    "CredentialError",
    "GatewayRoute",
    "HealthCheckConfig",
    "IkeOptions",
    "IpsecOptions",
    "Issue",
    "ModifyResult",
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
    "inventory",
    "issues",
    "plan",
]

# public name -> the module that defines it
_LAZY = {
    "AuditLog": "vpnkit.audit",
    "VpcClient": "vpnkit.client",
    "connect": "vpnkit.session",
    "Credential": "vpnkit.credentials",
    **dict.fromkeys(("ApiError", "CredentialError", "OutcomeUnknownError",
                     "SignatureExpireError", "SpecError", "TransportError", "VpnkitError",
                     "WaitTimeout"), "vpnkit.errors"),
    **dict.fromkeys(("BgpConfig", "GatewayRoute", "HealthCheckConfig", "IkeOptions",
                     "IpsecOptions", "SpdRule", "Tag", "VpnConnection", "VpnConnectionSpec"),
                    "vpnkit.models"),
    "ModifyResult": "vpnkit.modify",
    **dict.fromkeys(("Issue", "check", "issues"), "vpnkit.validate"),
    "form": "vpnkit.widgets",
    "inventory": "vpnkit.inventory",
    "plan": "vpnkit.plan",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vpnkit' has no attribute {name!r}")
    import importlib

    loaded = importlib.import_module(module)
    # vpnkit.plan and vpnkit.inventory are callable modules: the module itself is the name
    value = loaded if module == f"vpnkit.{name}" else getattr(loaded, name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
