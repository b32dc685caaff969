"""Turn an HTTP request into a verified :class:`Call`, or the Tencent error that refuses it.

Both signature styles of §4 are verified with the pure steps of :mod:`vpnkit.signing`:

* **TC3-HMAC-SHA256** (§4.1): POST JSON (``application/json`` with or without a charset) or
  GET/POST form; the canonical headers are exactly those listed in ``SignedHeaders`` (so a
  client that also signs ``x-tc-action`` passes, vector C) and the payload hash is over the
  raw body bytes. Common params travel in ``X-TC-*`` headers.
* **v1** (§4.3): ``Signature``/``SignatureMethod`` and the common params in the query (GET) or
  a form body (POST); HmacSHA256 only when ``SignatureMethod=HmacSHA256``, else HmacSHA1.

Checks, in order: method (``UnsupportedProtocol``), size (``RequestSizeLimitExceeded``: GET
32 KB, TC3 POST 10 MB; v1 POST over 1 MB -> ``AuthFailure.SignatureFailure`` as §4.3
records), Authorization syntax (``AuthFailure.InvalidAuthorization``), missing common params
(``MissingParameter``), clock skew over 300 s (``AuthFailure.SignatureExpire``), SecretId
(``AuthFailure.SecretIdNotFound``), signature (``AuthFailure.SignatureFailure``), token
(``AuthFailure.TokenFailure``), action (``InvalidAction``), version (``NoSuchVersion``),
language, region, and finally the body (``InvalidParameter`` when it is not JSON).

Two products share the loopback server as they share the signature: the VPC API (service
``vpc``, 2017-03-12) and the Tag service (``tag``, 2018-08-13, ref §1.2 notes). A request
goes to the product a real endpoint would route it to: on a Tencent host, the host's first
label (``tag.tencentcloudapi.com``); elsewhere (loopback), the TC3 credential scope's
service, or for v1 (which signs no service) the product that has the action. A scope that
names another service than the host's fails its signature, as it would live.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from vpnkit.emulator.codes import EmulatorError
from vpnkit.emulator.schema import unflatten
from vpnkit.endpoints import is_tencent_host
from vpnkit.signing import (
    Authorization,
    parse_authorization,
    sign_v1,
    tc3_signature,
    utc_date,
    v1_string_to_sign,
)

__all__ = ["MAX_BODY", "Call", "Product", "Verifier", "check_host"]

VERSION = "2017-03-12"
SERVICE = "vpc"
MAX_SKEW = 300  # §4.1 DOC-V3
MAX_BODY = 10 * 1024 * 1024  # TC3 POST (§4.1 size limits)
MAX_QUERY = 32 * 1024  # GET
MAX_V1_BODY = 1024 * 1024  # v1 POST
LANGUAGES = ("zh-CN", "en-US")
_V1_COMMON = frozenset({"Action", "Version", "Timestamp", "Nonce", "SecretId", "Signature",
                        "SignatureMethod", "Region", "Token", "Language", "RequestClient"})


@dataclass(frozen=True, slots=True)
class Call:
    """A verified request: who asked for what, with the raw (untyped) params."""

    action: str
    region: str  # "" when a Tag-service request leaves the optional Region out
    secret_id: str
    params: Any
    form: bool  # params came flattened from a form (all scalars are strings)
    service: str = SERVICE


@dataclass(frozen=True, slots=True)
class Product:
    """One API served here: its version, actions, and whether Region is required."""

    version: str
    actions: frozenset[str]
    region_required: bool = True


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key in out:
            raise EmulatorError("InvalidParameter", f"The parameter `{key}` is repeated.")
        out[key] = value
    return out


class Verifier:
    """Checks signatures against a table of ``SecretId -> (SecretKey, token or None)``."""

    def __init__(self, keys: Mapping[str, tuple[str, str | None]],
                 products: Mapping[str, Product], clock: Callable[[], float]) -> None:
        self.keys = dict(keys)
        self.products = dict(products)
        self.clock = clock

    def verify(self, method: str, host: str, path: str, query: str,
               headers: Mapping[str, str], body: bytes) -> Call:
        """Verify one request (``headers`` keys lower-case) or raise :class:`EmulatorError`."""
        if method not in ("GET", "POST"):
            raise EmulatorError("UnsupportedProtocol", f"HTTP method {method} is not "
                                "supported; use GET or POST.")
        if len(query) > MAX_QUERY:
            raise EmulatorError("RequestSizeLimitExceeded", "The query exceeds 32 KB.")
        if "authorization" in headers:
            return self._tc3(method, host, query, headers, body)
        params = _pairs(query if method == "GET" else _text(body))
        if "Signature" in params:
            if len(body) > MAX_V1_BODY:
                raise EmulatorError("AuthFailure.SignatureFailure", "The request exceeds the "
                                    "size limit of signature v1; use TC3-HMAC-SHA256.")
            return self._v1(method, host, path, params)
        raise EmulatorError("AuthFailure.InvalidAuthorization", "The request carries neither "
                            "an Authorization header nor a v1 Signature.")

    # --- the two signature styles ---------------------------------------------------------

    def _tc3(self, method: str, host: str, query: str, headers: Mapping[str, str],
             body: bytes) -> Call:
        try:
            auth = parse_authorization(headers["authorization"])
        except ValueError as exc:
            raise EmulatorError("AuthFailure.InvalidAuthorization", str(exc)) from None
        if not {"content-type", "host"} <= set(auth.signed_headers):
            raise EmulatorError("AuthFailure.InvalidAuthorization",
                                "SignedHeaders must include content-type and host.")
        action, version, stamp = (_need(headers, f"x-tc-{n}", f"X-TC-{n.title()}")
                                  for n in ("action", "version", "timestamp"))
        timestamp = self._fresh(stamp, "X-TC-Timestamp")
        key = self._secret(auth.secret_id, headers.get("x-tc-token"))
        payload = (b"UNSIGNED-PAYLOAD"
                   if headers.get("x-tc-content-sha256") == "UNSIGNED-PAYLOAD" else body)
        service = _host_service(host) or (auth.service if auth.service in self.products
                                          else SERVICE)
        expected, _ = tc3_signature(secret_key=key, service=service, timestamp=timestamp,
                                    method=method, headers=headers, payload=payload,
                                    query=query, signed=auth.signed_headers)
        _check_scope(auth, timestamp, service)
        # bytes, not str: compare_digest refuses non-ASCII str (a crafted Signature= made this
        # an InternalError with a traceback); any such signature simply does not match.
        if not hmac.compare_digest(expected.encode(),
                                   auth.signature.encode("utf-8", "replace")):
            raise EmulatorError("AuthFailure.SignatureFailure", "The provided credentials "
                                "could not be validated; check your signature.")
        region = self._common(service, action, version, headers.get("x-tc-language"),
                              headers.get("x-tc-region"), headers.get("host", ""))
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if method == "GET" or ctype == "application/x-www-form-urlencoded":
            return Call(action, region, auth.secret_id,
                        unflatten(_pairs(query if method == "GET" else _text(body)).items()),
                        True, service)
        if ctype != "application/json":
            raise EmulatorError("InvalidParameter", f"Content-Type {ctype!r} is not supported; "
                                "POST application/json.")
        return Call(action, region, auth.secret_id, _json(body), False, service)

    def _v1(self, method: str, host: str, path: str, params: Mapping[str, str]) -> Call:
        for name in ("Action", "Version", "Timestamp", "Nonce", "SecretId"):
            _need(params, name, name)
        timestamp = self._fresh(params["Timestamp"], "Timestamp")
        del timestamp
        key = self._secret(params["SecretId"], params.get("Token"))
        sig_method = "HmacSHA256" if params.get("SignatureMethod") == "HmacSHA256" else "HmacSHA1"
        signed = {k: v for k, v in params.items() if k != "Signature"}
        expected = sign_v1(key, v1_string_to_sign(method, host, signed, path or "/"), sig_method)
        if not hmac.compare_digest(expected.encode(), params["Signature"].encode()):
            raise EmulatorError("AuthFailure.SignatureFailure", "The provided credentials "
                                "could not be validated; check your signature.")
        service = _host_service(host) or next(
            (name for name, p in self.products.items() if params["Action"] in p.actions),
            SERVICE)
        region = self._common(service, params["Action"], params["Version"],
                              params.get("Language"), params.get("Region"), host)
        rest = ((k, v) for k, v in params.items() if k not in _V1_COMMON)
        return Call(params["Action"], region, params["SecretId"], unflatten(rest), True,
                    service)

    # --- shared checks ---------------------------------------------------------------------

    def _fresh(self, stamp: str, name: str) -> int:
        if not re.fullmatch(r"[0-9]{1,12}", stamp):
            raise EmulatorError("InvalidParameterValue", f"{name}={stamp!r} is not a Unix time.")
        timestamp = int(stamp)
        skew = self.clock() - timestamp
        if abs(skew) > MAX_SKEW:
            raise EmulatorError("AuthFailure.SignatureExpire", f"Signature expired: the "
                                f"timestamp is {skew:+.0f} s from server time (limit {MAX_SKEW}).")
        return timestamp

    def _secret(self, secret_id: str, token: str | None) -> str:
        found = self.keys.get(secret_id)
        if found is None:
            raise EmulatorError("AuthFailure.SecretIdNotFound",
                                "The SecretId is not found; check it for typos or spaces.")
        key, expected_token = found
        if expected_token is not None and token != expected_token:
            raise EmulatorError("AuthFailure.TokenFailure", "The token is invalid or expired.")
        return key

    def _common(self, service: str, action: str, version: str, language: str | None,
                region: str | None, host: str) -> str:
        product = self.products.get(service)
        if product is None:
            raise EmulatorError("NoSuchProduct", f"The product {service!r} is not served here.")
        if action not in product.actions:
            raise EmulatorError("InvalidAction", f"The action {action!r} does not exist.")
        if version != product.version:
            raise EmulatorError("NoSuchVersion", f"Version {version!r} does not exist; "
                                f"use {product.version}.")
        if language is not None and language not in LANGUAGES:
            raise EmulatorError("InvalidParameterValue", f"Language {language!r} is not one "
                                f"of {', '.join(LANGUAGES)}.")
        if not region:
            if product.region_required:
                raise EmulatorError("MissingParameter", "The request is missing the Region.")
            return ""
        check_host(host, region, service)
        return region


def check_host(host: str, region: str, service: str = SERVICE) -> None:
    """Finance and non-Finance regions are isolated (ref §5): on a Tencent API host, a
    Finance region (``*-fsi``) needs exactly ``<service>.<region>.tencentcloudapi.com`` and a
    Finance host serves only its own region. Other hosts (loopback, a test's own name) are
    the emulator's and serve every region. The Tag service's docs are silent on Finance
    regions; the VPC rule is applied to ``tag.`` hosts too (and only when a Region is sent).

    The docs name no code for this ("api server side will do the check",
    tencentcloud-sdk-go issue #19). The live API answers a Region it cannot use with
    ``InvalidParameterValue`` ("A value specified in `Region` is not valid, is unsupported,
    or cannot be used.", tencentcloud-sdk-python issue #21), so that is answered here.
    """
    name = _tencent_host(host)
    if name is None:
        return
    finance_host = re.search(r"\.([a-z]{2}-[a-z]+-fsi)\.", f".{name}")
    wanted = f"{service}.{region}.tencentcloudapi.com"
    if (region.endswith("-fsi") and name != wanted) or (
            finance_host is not None and finance_host.group(1) != region):
        raise EmulatorError("InvalidParameterValue", "A value specified in `Region` is not "
                            f"valid, is unsupported, or cannot be used: {region} on {host}.")


def _need(source: Mapping[str, str], key: str, name: str) -> str:
    value = source.get(key)
    if not value:
        raise EmulatorError("MissingParameter", f"The request is missing {name}.")
    return value


def _tencent_host(host: str) -> str | None:
    """``host`` without port, case or trailing dot when it is a Tencent API host
    (``*.tencentcloudapi.com``), else None (loopback, a test's own name, a look-alike)."""
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host
    return name.lower().rstrip(".") if is_tencent_host(name) else None


def _host_service(host: str) -> str | None:
    """The product a Tencent API host serves (its first label), None for other hosts."""
    name = _tencent_host(host)
    return None if name is None else name.split(".", 1)[0]


def _check_scope(auth: Authorization, timestamp: int, service: str) -> None:
    if auth.service != service or auth.date != utc_date(timestamp):
        raise EmulatorError("AuthFailure.SignatureFailure", f"The credential scope must be "
                            f"{utc_date(timestamp)}/{service}/tc3_request (UTC date of "
                            "X-TC-Timestamp).")


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise EmulatorError("InvalidParameter", "The body is not UTF-8.") from None


def _json(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise EmulatorError("InvalidParameter", "The body is not valid JSON.") from None
