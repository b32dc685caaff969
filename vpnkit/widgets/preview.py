"""What Submit will send, as text: the JSON body, the HTTP target, and a tccli equivalent.

Pure functions. The pre-shared key is always masked (:func:`vpnkit.redact.redact`).
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from vpnkit.models import VpnConnectionSpec
from vpnkit.redact import MASK, redact

__all__ = ["ACTION", "VERSION", "body_json", "masked_body", "request_text", "tccli_text"]

ACTION = "CreateVpnConnection"
VERSION = "2017-03-12"
_DEFAULT_HOST = "vpc.tencentcloudapi.com"


def masked_body(spec: VpnConnectionSpec) -> dict[str, Any]:
    """The exact request body, with every secret field masked."""
    body: dict[str, Any] = redact(spec.to_wire())
    return body


def body_json(spec: VpnConnectionSpec) -> str:
    """The masked body as pretty JSON (compute once, pass to both texts below)."""
    return json.dumps(masked_body(spec), indent=2, ensure_ascii=False)


def request_text(spec: VpnConnectionSpec, *, region: str, endpoint: str,
                 body: str | None = None) -> str:
    """``POST <endpoint>/`` with the action headers and the pretty JSON body."""
    body = body if body is not None else body_json(spec)
    return (f"POST {endpoint}/\nX-TC-Action: {ACTION}\nX-TC-Version: {VERSION}\n"
            f"X-TC-Region: {region}\n\n{body}")


def tccli_text(spec: VpnConnectionSpec, *, region: str, endpoint: str | None = None,
               body: str | None = None) -> str:
    """A ``tccli`` command plus the ``request.json`` it reads (reference §8).

    tccli accepts ``--cli-input-json`` only as ``file://path``; the key stays masked, so the
    analyst puts the real one into the file.
    """
    body = body if body is not None else body_json(spec)
    cmd = (f"tccli vpc {ACTION} --region {shlex.quote(region)} "
           "--cli-input-json file://request.json")
    host = (endpoint or "").split("://", 1)[-1]
    if host and host != _DEFAULT_HOST and host.endswith("tencentcloudapi.com"):
        cmd += f" --endpoint {shlex.quote(host)}"
    note = ("# request.json (replace " + MASK + " with the pre-shared key before running)")
    if host and not host.endswith("tencentcloudapi.com"):
        note += f"\n# note: this form talks to {endpoint}, not the Tencent Cloud API"
    return f"{note}\n{body}\n\n# then:\n{cmd}\n"
