"""A tiny hand signer for raw emulator requests, built on :mod:`vpnkit.signing` only
(no vpnkit client involved), and envelope helpers."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from vpnkit.emulator import DEMO_SECRET_ID, DEMO_SECRET_KEY
from vpnkit.signing import (
    authorization_header,
    credential_scope,
    flatten,
    sign_v1,
    tc3_signature,
    utc_date,
    v1_string_to_sign,
)

VERSION = "2017-03-12"
REGION = "ap-guangzhou"
DELAY = 0.2  # create_delay used by the shared server


class Signer:
    """Builds and sends raw TC3 / v1 requests to an emulator."""

    def __init__(self, url: str, secret_id: str = DEMO_SECRET_ID,
                 secret_key: str = DEMO_SECRET_KEY) -> None:
        self.url = url
        self.host = urlsplit(url).netloc
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.session = requests.Session()

    def tc3_headers(self, action: str, body: bytes, *, method: str = "POST", query: str = "",
                    region: str | None = REGION, version: str = VERSION,
                    timestamp: int | None = None, content_type: str = "application/json",
                    signed: tuple[str, ...] = ("content-type", "host"),
                    secret_key: str | None = None, secret_id: str | None = None,
                    extra: Mapping[str, str] | None = None,
                    service: str = "vpc") -> dict[str, str]:
        """Headers of a TC3-signed request (for ``service``), Authorization included."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": content_type, "Host": self.host, "X-TC-Action": action,
                   "X-TC-Version": version, "X-TC-Timestamp": str(ts),
                   "X-TC-Language": "en-US", **(extra or {})}
        if region is not None:
            headers["X-TC-Region"] = region
        sig, signed_headers = tc3_signature(
            secret_key=secret_key or self.secret_key, service=service, timestamp=ts,
            method=method, headers=headers, payload=body, query=query, signed=signed)
        headers["Authorization"] = authorization_header(
            secret_id or self.secret_id, credential_scope(utc_date(ts), service),
            signed_headers, sig)
        return headers

    def post(self, action: str, params: Any = None, *, body: bytes | None = None,
             **kw: Any) -> requests.Response:
        """POST JSON signed with TC3 (``body`` overrides the JSON of ``params``)."""
        data = body if body is not None else json.dumps(params or {}).encode()
        return self.session.post(self.url + "/", data=data,
                                 headers=self.tc3_headers(action, data, **kw), timeout=10)

    def call(self, action: str, params: Any = None, **kw: Any) -> dict[str, Any]:
        """POST and return ``Response`` (asserting the envelope)."""
        return envelope(self.post(action, params, **kw))

    def get(self, action: str, params: Mapping[str, Any], **kw: Any) -> dict[str, Any]:
        """TC3 GET with flattened params in the query."""
        query = urlencode(flatten(params))
        headers = self.tc3_headers(action, b"", method="GET", query=query,
                                   content_type="application/x-www-form-urlencoded", **kw)
        return envelope(self.session.get(f"{self.url}/?{query}", headers=headers, timeout=10))

    def v1(self, action: str, params: Mapping[str, Any], *, method: str = "GET",
           signature_method: str = "HmacSHA256", secret_key: str | None = None,
           region: str = REGION, version: str = VERSION) -> dict[str, Any]:
        """A legacy v1 request (§4.3): common params and Signature in the query or form."""
        flat = {**flatten(params), "Action": action, "Version": version, "Region": region,
                "Timestamp": str(int(time.time())), "Nonce": "11886",
                "SecretId": self.secret_id, "SignatureMethod": signature_method}
        flat["Signature"] = sign_v1(secret_key or self.secret_key,
                                    v1_string_to_sign(method, self.host, flat), signature_method)
        if method == "GET":
            resp = self.session.get(f"{self.url}/?{urlencode(flat)}", timeout=10)
        else:
            resp = self.session.post(self.url + "/", data=urlencode(flat), timeout=10, headers={
                "Content-Type": "application/x-www-form-urlencoded"})
        return envelope(resp)


def envelope(resp: requests.Response) -> dict[str, Any]:
    """Assert the Tencent envelope (§6) and return ``Response``."""
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert "Date" in resp.headers
    data = resp.json()
    assert set(data) == {"Response"}
    inner = data["Response"]
    assert isinstance(inner["RequestId"], str)
    assert len(inner["RequestId"]) == 36
    if "Error" in inner:
        assert set(inner["Error"]) == {"Code", "Message"}
    return inner  # type: ignore[no-any-return]


def code(inner: Mapping[str, Any]) -> str | None:
    """The error code of a Response, or None on success."""
    err = inner.get("Error")
    return None if err is None else str(err["Code"])


def tunnel_request(**overrides: Any) -> dict[str, Any]:
    """A valid CreateVpnConnection request on the demo estate (ap-guangzhou, 10.0.0.0/16)."""
    req: dict[str, Any] = {
        "VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
        "VpnConnectionName": "hq-tunnel", "PreShareKey": "s3cret-psk", "VpcId": "vpc-demo0001",
        "SecurityPolicyDatabases": [
            {"LocalCidrBlock": "10.0.1.0/24", "RemoteCidrBlock": ["192.168.10.0/24"]}],
        "IKEOptionsSpecification": {"PropoEncryAlgorithm": "AES-CBC-256",
                                    "PropoAuthenAlgorithm": "SHA-256"},
        "IPSECOptionsSpecification": {"EncryptAlgorithm": "AES-CBC-256",
                                      "IntegrityAlgorith": "SHA-256"},
    }
    req.update(overrides)
    return req


def wait_state(signer: Signer, tunnel_id: str, state: str | None,
               region: str = REGION, timeout: float = 5.0) -> None:
    """Poll until the tunnel reaches ``state`` (None: until it is gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inner = signer.call("DescribeVpnConnections",
                            {"Filters": [{"Name": "vpn-connection-id", "Values": [tunnel_id]}]},
                            region=region)
        found = inner["VpnConnectionSet"]
        if (state is None and not found) or (found and found[0]["State"] == state):
            return
        time.sleep(0.05)
    raise AssertionError(f"{tunnel_id} never reached {state}")


