"""The HTTP/signature layer: envelope, TC3 and v1 verification, common-parameter errors."""

from __future__ import annotations

import json
import time

import requests
from emu_helpers import Signer, code, envelope

from vpnkit.emulator import Emulator


def test_envelope_success_shape(signer: Signer) -> None:
    """A success answers HTTP 200, Content-Type exactly application/json, Date and RequestId."""
    resp = signer.post("DescribeVpcs", {})
    inner = envelope(resp)
    assert resp.headers["Content-Type"] == "application/json"
    assert inner["TotalCount"] == 2


def test_charset_content_type_accepted(signer: Signer) -> None:
    """POST application/json; charset=utf-8 (the doc example) verifies and works."""
    inner = signer.call("DescribeVpcs", {}, content_type="application/json; charset=utf-8")
    assert code(inner) is None


def test_extra_signed_header_passes(signer: Signer) -> None:
    """A client that also signs x-tc-action (vector C style) is verified via SignedHeaders."""
    inner = signer.call("DescribeVpcs", {}, signed=("content-type", "host", "x-tc-action"))
    assert code(inner) is None


def test_tampered_signed_extra_header_fails(signer: Signer) -> None:
    """Changing a signed extra header after signing is a SignatureFailure."""
    body = b"{}"
    headers = signer.tc3_headers("DescribeVpcs", body,
                                 signed=("content-type", "host", "x-tc-region"))
    headers["X-TC-Region"] = "ap-shanghai"
    resp = signer.session.post(signer.url, data=body, headers=headers)
    assert code(envelope(resp)) == "AuthFailure.SignatureFailure"


def test_wrong_key_is_signature_failure(signer: Signer) -> None:
    """A signature made with the wrong SecretKey -> AuthFailure.SignatureFailure."""
    assert code(signer.call("DescribeVpcs", {}, secret_key="wrong")) == \
        "AuthFailure.SignatureFailure"


def test_body_changed_after_signing_fails(signer: Signer) -> None:
    """The payload hash is over the raw body bytes: reformatting the JSON breaks it."""
    headers = signer.tc3_headers("DescribeVpcs", b'{"Limit": "1"}')
    resp = signer.session.post(signer.url, data=b'{"Limit":"1"}', headers=headers)
    assert code(envelope(resp)) == "AuthFailure.SignatureFailure"


def test_wrong_scope_date_fails(signer: Signer) -> None:
    """A credential scope whose date is not the UTC date of X-TC-Timestamp fails."""
    headers = signer.tc3_headers("DescribeVpcs", b"{}")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    headers["Authorization"] = headers["Authorization"].replace(today, "2001-01-01")
    resp = signer.session.post(signer.url, data=b"{}", headers=headers)
    assert code(envelope(resp)) == "AuthFailure.SignatureFailure"


def test_unknown_secret_id(signer: Signer) -> None:
    """An unknown SecretId -> AuthFailure.SecretIdNotFound."""
    assert code(signer.call("DescribeVpcs", {}, secret_id="AKIDnobody")) == \
        "AuthFailure.SecretIdNotFound"


def test_expired_timestamp(signer: Signer) -> None:
    """A timestamp more than 300 s off -> AuthFailure.SignatureExpire (both directions)."""
    now = int(time.time())
    assert code(signer.call("DescribeVpcs", {}, timestamp=now - 301)) == \
        "AuthFailure.SignatureExpire"
    assert code(signer.call("DescribeVpcs", {}, timestamp=now + 400)) == \
        "AuthFailure.SignatureExpire"
    assert code(signer.call("DescribeVpcs", {}, timestamp=now - 250)) is None


def test_bad_authorization_header(signer: Signer) -> None:
    """A malformed Authorization header -> AuthFailure.InvalidAuthorization."""
    for value in ("Basic abc", "TC3-HMAC-SHA256 Credential=x", "TC3-HMAC-SHA256 garbage",
                  "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host, "
                  "Signature=00"):
        headers = signer.tc3_headers("DescribeVpcs", b"{}")
        headers["Authorization"] = value
        resp = signer.session.post(signer.url, data=b"{}", headers=headers)
        assert code(envelope(resp)) == "AuthFailure.InvalidAuthorization", value


def test_no_signature_at_all(emu: Emulator) -> None:
    """A request with neither Authorization nor v1 Signature -> InvalidAuthorization."""
    resp = requests.post(emu.url, json={}, timeout=5)
    assert code(envelope(resp)) == "AuthFailure.InvalidAuthorization"


def test_unknown_action(signer: Signer) -> None:
    """An action the API does not have -> InvalidAction."""
    assert code(signer.call("DescribeUnicorns", {})) == "InvalidAction"


def test_wrong_version(signer: Signer) -> None:
    """A version other than 2017-03-12 -> NoSuchVersion."""
    assert code(signer.call("DescribeVpcs", {}, version="2099-01-01")) == "NoSuchVersion"


def test_missing_region(signer: Signer) -> None:
    """No X-TC-Region -> MissingParameter."""
    assert code(signer.call("DescribeVpcs", {}, region=None)) == "MissingParameter"


def test_unknown_region(signer: Signer) -> None:
    """A region that does not exist -> UnsupportedRegion."""
    assert code(signer.call("DescribeVpcs", {}, region="mars-north-1")) == "UnsupportedRegion"


def test_known_region_without_resources(signer: Signer) -> None:
    """A real region outside the seed answers with empty sets."""
    assert signer.call("DescribeVpcs", {}, region="ap-tokyo")["TotalCount"] == 0


def test_bad_language(signer: Signer) -> None:
    """X-TC-Language other than zh-CN/en-US -> InvalidParameterValue."""
    inner = signer.call("DescribeVpcs", {}, extra={"X-TC-Language": "fr-FR"})
    assert code(inner) == "InvalidParameterValue"


def test_missing_action_header(signer: Signer) -> None:
    """A TC3 request without X-TC-Action -> MissingParameter."""
    headers = signer.tc3_headers("DescribeVpcs", b"{}")
    del headers["X-TC-Action"]
    resp = signer.session.post(signer.url, data=b"{}", headers=headers)
    assert code(envelope(resp)) == "MissingParameter"


def test_malformed_json(signer: Signer) -> None:
    """A body that is not JSON -> InvalidParameter; a JSON array -> InvalidParameter."""
    assert code(signer.call("DescribeVpcs", body=b'{"Limit": ')) == "InvalidParameter"
    assert code(signer.call("DescribeVpcs", body=b"[1, 2]")) == "InvalidParameter"
    assert code(signer.call("DescribeVpcs", body=b"\xff\xfe")) == "InvalidParameter"
    assert code(signer.call("DescribeVpcs", body=b"[" * 100_000)) == "InvalidParameter"


def test_unsupported_content_type(signer: Signer) -> None:
    """A signed POST with a Content-Type other than JSON or form -> InvalidParameter."""
    assert code(signer.call("DescribeVpcs", {}, content_type="text/xml")) == "InvalidParameter"


def test_unsupported_method(emu: Emulator) -> None:
    """PUT/DELETE/PATCH -> UnsupportedProtocol, still HTTP 200 JSON."""
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        resp = requests.request(method, emu.url, timeout=5)
        assert code(envelope(resp)) == "UnsupportedProtocol"


def test_body_over_10mb(signer: Signer) -> None:
    """A body over 10 MB -> RequestSizeLimitExceeded."""
    body = b'{"X": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    assert code(signer.call("DescribeVpcs", body=body)) == "RequestSizeLimitExceeded"


def test_query_over_32kb(signer: Signer) -> None:
    """A GET query over 32 KB -> RequestSizeLimitExceeded."""
    inner = signer.get("DescribeVpcs", {"VpcIds": ["vpc-" + "a" * 40_000]})
    assert code(inner) == "RequestSizeLimitExceeded"


def test_tc3_get_with_flattened_params(signer: Signer) -> None:
    """TC3 GET: flattened params in the query are rebuilt and typed from strings."""
    inner = signer.get("DescribeVpnGateways",
                       {"Filters": [{"Name": "vpc-id", "Values": ["vpc-demo0001"]}],
                        "Limit": 10})
    assert [g["VpnGatewayId"] for g in inner["VpnGatewaySet"]] == ["vpngw-demo0001"]


def test_tc3_get_create_with_booleans(signer: Signer) -> None:
    """GET create: EnableHealthCheck=True (the SDK's Python-style bool) is accepted."""
    from emu_helpers import tunnel_request

    inner = signer.get("CreateVpnConnection", tunnel_request(EnableHealthCheck=True))
    assert inner["VpnConnection"]["EnableHealthCheck"] is True


def test_deep_or_gappy_form_keys(signer: Signer) -> None:
    """Absurdly deep, repeated-index or gappy flattened keys -> InvalidParameter, no crash."""
    assert code(signer.get("DescribeVpcs", {".".join(["a"] * 5000): "x"})) == "InvalidParameter"
    assert code(signer.get("DescribeVpcs", {"VpcIds.1": "vpc-demo0001"})) == "InvalidParameter"
    assert code(signer.get("DescribeVpcs", {"VpcIds.01": "vpc-demo0001"})) == "InvalidParameter"
    assert code(signer.get("DescribeVpcs", {"Limit": "1", "Limit.0": "2"})) == "InvalidParameter"


def test_v1_get_and_post(signer: Signer) -> None:
    """Legacy v1 signatures verify for GET and POST, HmacSHA1 and HmacSHA256."""
    for method in ("GET", "POST"):
        for alg in ("HmacSHA1", "HmacSHA256"):
            inner = signer.v1("DescribeVpcs", {"VpcIds": ["vpc-demo0002"]}, method=method,
                              signature_method=alg)
            assert inner["VpcSet"][0]["CidrBlock"] == "172.16.0.0/16", (method, alg)


def test_v1_wrong_key(signer: Signer) -> None:
    """A v1 signature with the wrong key -> AuthFailure.SignatureFailure."""
    inner = signer.v1("DescribeVpcs", {}, secret_key="wrong")
    assert code(inner) == "AuthFailure.SignatureFailure"


def test_v1_oversized_post(signer: Signer) -> None:
    """v1 over 1 MB -> AuthFailure.SignatureFailure asking for TC3 (§4.3)."""
    inner = signer.v1("DescribeVpcs", {"VpcIds": ["x" * (1024 * 1024)]}, method="POST")
    assert code(inner) == "AuthFailure.SignatureFailure"
    assert "TC3" in inner["Error"]["Message"]


def test_unsigned_payload_header(signer: Signer) -> None:
    """X-TC-Content-SHA256: UNSIGNED-PAYLOAD hashes the literal, as PYSDK does."""
    from vpnkit.signing import authorization_header, credential_scope, tc3_signature, utc_date

    ts = int(time.time())
    headers = {"Content-Type": "application/json", "Host": signer.host,
               "X-TC-Action": "DescribeVpcs", "X-TC-Version": "2017-03-12",
               "X-TC-Timestamp": str(ts), "X-TC-Region": "ap-guangzhou",
               "X-TC-Content-SHA256": "UNSIGNED-PAYLOAD"}
    sig, sh = tc3_signature(secret_key=signer.secret_key, service="vpc", timestamp=ts,
                            method="POST", headers=headers, payload=b"UNSIGNED-PAYLOAD")
    headers["Authorization"] = authorization_header(
        signer.secret_id, credential_scope(utc_date(ts), "vpc"), sh, sig)
    resp = signer.session.post(signer.url, data=json.dumps({}), headers=headers)
    assert code(envelope(resp)) is None
