"""TC3 and v1 signing against the published vectors (stored as files) and the official SDK."""

from __future__ import annotations

import hashlib
import json
import random
import string
from pathlib import Path
from typing import Any

import pytest
import requests

from vpnkit import signing
from vpnkit.credentials import Credential

VECTORS = Path(__file__).parent / "vectors"


def load(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name).read_text())


def steps(v: dict[str, Any]) -> dict[str, str]:
    """Run every TC3 step on a vector and return the intermediates."""
    headers = {"Content-Type": v["content_type"], "Host": v["host"]}
    payload = v["payload"].encode()
    block, signed = signing.canonical_headers(headers)
    canonical = signing.canonical_request(v["method"], v["query"], block, signed,
                                          signing.hash_payload(payload))
    date = signing.utc_date(v["timestamp"])
    to_sign = signing.string_to_sign(v["timestamp"], signing.credential_scope(date, v["service"]),
                                     canonical)
    key = signing.signing_key(v["secret_key"], date, v["service"])
    return {
        "hashed_payload": signing.hash_payload(payload),
        "hashed_canonical_request": hashlib.sha256(canonical.encode()).hexdigest(),
        "signing_key": key.hex(),
        "signature": signing.signature(key, to_sign),
    }


@pytest.mark.parametrize("name", sorted(p.name for p in VECTORS.glob("tc3_*.json")))
def test_tc3_vector_intermediates(name: str) -> None:
    """Every intermediate of each stored TC3 vector matches its published value."""
    v = load(name)
    got = steps(v)
    for key, expected in v["expect"].items():
        assert got[key] == expected, key


def test_vector_c_extra_signed_header() -> None:
    """Signing x-tc-action as an extra header reproduces the newest doc edition (vector C)."""
    v = load("tc3_a_doc_classic.json")
    headers = {"Content-Type": v["content_type"], "Host": v["host"],
               "X-TC-Action": "DescribeInstances"}
    block, signed = signing.canonical_headers(headers, ("content-type", "host", "x-tc-action"))
    assert signed == "content-type;host;x-tc-action"
    assert "x-tc-action:describeinstances\n" in block
    canonical = signing.canonical_request("POST", "", block, signed,
                                          signing.hash_payload(v["payload"].encode()))
    assert hashlib.sha256(canonical.encode()).hexdigest() == (
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84")
    to_sign = signing.string_to_sign(1551113065, "2019-02-25/cvm/tc3_request", canonical)
    key = bytes.fromhex("b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af")
    assert signing.signature(key, to_sign) == (
        "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f")


def test_v1_vector() -> None:
    """The v1 string to sign and both HMAC variants match the doc example (§4.3)."""
    v = load("v1_doc_example.json")
    to_sign = signing.v1_string_to_sign(v["method"], v["host"], v["params"])
    assert to_sign == v["expect"]["string_to_sign"]
    assert signing.sign_v1(v["secret_key"], to_sign, "HmacSHA1") == v["expect"]["HmacSHA1"]
    assert signing.sign_v1(v["secret_key"], to_sign, "HmacSHA256") == v["expect"]["HmacSHA256"]


def test_v1_rejects_unknown_method() -> None:
    """An unknown v1 SignatureMethod is a ValueError naming it."""
    with pytest.raises(ValueError, match="HmacMD5"):
        signing.sign_v1("k", "x", "HmacSHA999".replace("SHA999", "MD5"))


def test_flatten_matches_sdk_get_form() -> None:
    """Flattening nested params gives the SDK's GET keys, booleans as True/False (§7.6)."""
    flat = signing.flatten({"A": [{"B": ["x", "y"]}], "C": {"D": True}, "E": None, "F": []})
    assert flat == {"A.0.B.0": "x", "A.0.B.1": "y", "C.D": "True"}


def test_utc_date_is_utc_not_local() -> None:
    """The scope date is the UTC date, even just before midnight UTC+8 (§4.1)."""
    assert signing.utc_date(1700000000) == "2023-11-14"
    assert signing.utc_date(1551113065) == "2019-02-25"


def test_parse_authorization_roundtrip() -> None:
    """parse_authorization reads back what authorization_header writes."""
    header = signing.authorization_header("AKID1", "2023-11-14/vpc/tc3_request",
                                          "content-type;host;x-tc-action", "ab" * 32)
    auth = signing.parse_authorization(header)
    assert auth.secret_id == "AKID1"
    assert auth.service == "vpc"
    assert auth.signed_headers == ("content-type", "host", "x-tc-action")


@pytest.mark.parametrize("header", ["", "Basic abc", "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request",
                                    "TC3-HMAC-SHA256 Credential=x, SignedHeaders=a, Signature=b"])
def test_parse_authorization_rejects(header: str) -> None:
    """Malformed Authorization headers raise ValueError."""
    with pytest.raises(ValueError, match=r"\w"):
        signing.parse_authorization(header)


def test_auth_signs_prepared_request_like_vector_d() -> None:
    """Tc3Auth on a real PreparedRequest reproduces SDK vector D-POST byte for byte."""
    v = load("tc3_d_post_vpc.json")
    auth = signing.Tc3Auth(Credential(v["secret_id"], v["secret_key"]), "vpc",
                           clock=lambda: v["timestamp"])
    req = requests.Request("POST", "https://vpc.tencentcloudapi.com/", data=v["payload"].encode(),
                           headers={"Content-Type": "application/json"}, auth=auth).prepare()
    assert req.headers["X-TC-Timestamp"] == "1700000000"
    assert req.headers["Authorization"].endswith(f"Signature={v['expect']['signature']}")
    assert "Credential=AKIDEXAMPLEID/2023-11-14/vpc/tc3_request" in req.headers["Authorization"]
    assert "EXAMPLEKEY" not in repr(auth)


def _random_params(rng: random.Random) -> dict[str, Any]:
    alphabet = string.ascii_letters + string.digits + "-_/.:中文 é"
    def word() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
    return {word() or "K": rng.choice([word(), rng.randint(-5, 10**9), [word(), word()],
                                       {"X": word()}, True]) for _ in range(rng.randint(0, 6))}


def test_matches_official_sdk_signer_on_random_requests() -> None:
    """Our TC3 steps agree with the official SDK's signer on 300 random requests."""
    sign_mod = pytest.importorskip("tencentcloud.common.sign")
    rng = random.Random(20261125)
    for _ in range(300):
        key = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))
        ts = rng.randint(1_000_000_000, 2_000_000_000)
        service = rng.choice(["vpc", "cvm", "cam"])
        body = json.dumps(_random_params(rng)).encode()
        headers = {"Content-Type": "application/json", "Host": f"{service}.tencentcloudapi.com"}
        ours, _ = signing.tc3_signature(secret_key=key, service=service, timestamp=ts,
                                        method="POST", headers=headers, payload=body)
        block, signed = signing.canonical_headers(headers)
        canonical = signing.canonical_request("POST", "", block, signed,
                                              hashlib.sha256(body).hexdigest())
        date = signing.utc_date(ts)
        to_sign = signing.string_to_sign(ts, f"{date}/{service}/tc3_request", canonical)
        theirs = sign_mod.Sign.sign_tc3(key, date, service, to_sign)
        assert ours == theirs


# The SDK opens a requests session per client and never closes it: its sockets, not ours.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_matches_official_sdk_requests_captured_on_loopback() -> None:
    """Requests the official SDK really sends (captured on loopback) verify with our steps."""
    common = pytest.importorskip("tencentcloud.common.common_client")
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    captured: list[tuple[str, dict[str, str], bytes]] = []

    class Capture(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            captured.append((self.command, dict(self.headers), body))
            out = b'{"Response": {"RequestId": "r"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        host = f"127.0.0.1:{server.server_address[1]}"
        profile = ClientProfile(httpProfile=HttpProfile(endpoint=host, protocol="http"))
        rng = random.Random(7)
        keys = {}
        for i in range(60):
            key = "".join(rng.choice(string.ascii_letters) for _ in range(20)) + str(i)
            keys[f"AKID{i:04d}"] = key
            client = common.CommonClient("vpc", "2017-03-12",
                                         credential.Credential(f"AKID{i:04d}", key),
                                         "ap-guangzhou", profile=profile)
            client.call_json("DescribeVpcs", _random_params(rng))
    finally:
        server.shutdown()
        server.server_close()
    assert len(captured) == 60
    for method, headers, body in captured:
        auth = signing.parse_authorization(headers["Authorization"])
        ours, _ = signing.tc3_signature(
            secret_key=keys[auth.secret_id], service=auth.service,
            timestamp=int(headers["X-TC-Timestamp"]), method=method, headers=headers,
            payload=body, signed=auth.signed_headers)
        assert ours == auth.signature
