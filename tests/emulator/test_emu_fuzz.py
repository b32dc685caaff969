"""Fuzzing the HTTP layer: every answer is a well-formed Tencent envelope, and a validly
signed request never reaches the InternalError catch-all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from emu_helpers import Signer, envelope, tunnel_request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpnkit.emulator import Emulator, EmulatorAdapter, build_app
from vpnkit.emulator.backend import ACTIONS, Backend
from vpnkit.emulator.codes import listed
from vpnkit.emulator.schema import SCHEMAS, ListOf, Node, Obj
from vpnkit.emulator.seed import build
from vpnkit.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

BASE = "http://emulator.local"


def _names(node: Node, out: set[str]) -> set[str]:
    if isinstance(node, ListOf):
        _names(node.item, out)
    elif isinstance(node, Obj):
        for key, child in node.fields.items():
            out.add(key)
            _names(child, out)
    return out


FIELDS = sorted(set().union(*(_names(s, set()) for s in SCHEMAS.values())))
scalars = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(max_size=30) | st.sampled_from([
               "10.0.1.0/24", "192.168.0.0/24", "10.0.0.5", "169.254.128.0/30", "30", "Bgp",
               "vpngw-demo0001", "cgw-demo0001", "vpc-demo0001", "FQDN", "AES128GCM128"]))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5),
    max_leaves=25)


@st.composite
def mutated_create(draw: st.DrawFn) -> dict[str, Any]:
    """A valid create request with some fields replaced by junk."""
    req = tunnel_request()
    for key in draw(st.lists(st.sampled_from([*req, *FIELDS]), max_size=4)):
        if draw(st.booleans()):
            req.pop(key, None)
        else:
            req[key] = draw(json_values)
    return req


@pytest.fixture(scope="module")
def app_signer() -> Iterator[Signer]:
    """A signer whose session runs an in-process app (no socket) for fast fuzzing."""
    app = build_app(Backend(build("demo"), create_delay=0), secret_id=DEMO_SECRET_ID,
                    secret_key=DEMO_SECRET_KEY, rate_limit=0)
    signer = Signer(BASE)
    signer.session.mount(BASE, EmulatorAdapter(app))
    yield signer
    signer.session.close()


def _not_internal(inner: dict[str, Any], action: str = "") -> None:
    code = inner.get("Error", {}).get("Code")
    assert code != "InternalError", inner
    if code and action in ACTIONS:  # each action answers only the codes it lists
        assert listed(action, code), (action, code)


FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(action=st.sampled_from(ACTIONS), params=json_values)
def test_signed_random_json_never_internal(app_signer: Signer, action: str, params: Any) -> None:
    """Signed POSTs with arbitrary JSON bodies answer envelopes, never InternalError."""
    _not_internal(app_signer.call(action, body=json.dumps(params).encode()), action)


@FUZZ
@given(req=mutated_create())
def test_signed_mutated_create_never_internal(app_signer: Signer, req: dict[str, Any]) -> None:
    """Near-valid CreateVpnConnection requests answer success or a catalogue error."""
    _not_internal(app_signer.call("CreateVpnConnection", req), "CreateVpnConnection")


@FUZZ
@given(action=st.sampled_from(ACTIONS),
       pairs=st.dictionaries(st.text("abcLV.019_", min_size=1, max_size=12) |
                             st.sampled_from(FIELDS), st.text(max_size=12), max_size=6))
def test_signed_random_get_never_internal(app_signer: Signer, action: str,
                                          pairs: dict[str, str]) -> None:
    """Signed GETs with arbitrary flattened query params never reach InternalError."""
    _not_internal(app_signer.get(action, pairs), action)


header_names = st.sampled_from([
    "Authorization", "Content-Type", "X-TC-Action", "X-TC-Version", "X-TC-Region",
    "X-TC-Timestamp", "X-TC-Token", "X-TC-Language", "X-TC-Content-SHA256", "Content-Length",
    "X-Anything"])
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126),
                        max_size=60).map(str.strip) | \
    st.sampled_from(["TC3-HMAC-SHA256 Credential=a/b/vpc/tc3_request, SignedHeaders="
                     "content-type;host, Signature=0", "application/json", "DescribeVpcs",
                     "2017-03-12", "ap-guangzhou", "UNSIGNED-PAYLOAD", "1700000000"])
bodies = st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()) | \
    st.sampled_from([b"", b"{" * 50_000, b"x" * (10 * 1024 * 1024 + 1)])


@FUZZ
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO"]),
       headers=st.dictionaries(header_names, header_values, max_size=6),
       query=st.text(max_size=40), body=bodies)
def test_raw_junk_yields_envelopes(app_signer: Signer, method: str, headers: dict[str, str],
                                   query: str, body: bytes) -> None:
    """Unsigned junk (methods, headers, bodies, huge payloads) yields only error envelopes."""
    headers.pop("Content-Length", None)
    resp = app_signer.session.request(method, f"{BASE}/", params={"q": query} if query else None,
                                      headers=headers, data=body)
    inner = envelope(resp)
    assert "Error" in inner


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT", "HEAD"]),
       headers=st.dictionaries(header_names, header_values, max_size=4), body=bodies)
def test_loopback_junk_yields_envelopes(emu: Emulator, method: str, headers: dict[str, str],
                                        body: bytes) -> None:
    """The same over a real socket, through the threaded server."""
    headers.pop("Content-Length", None)
    resp = requests.request(method, emu.url, headers=headers, data=body, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/json"
    if method != "HEAD":
        assert "Error" in envelope(resp)
