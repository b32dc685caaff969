"""Tencent Cloud API signing: TC3-HMAC-SHA256 in named pure steps, and legacy v1.

One function per step of the reference (§4.1 of ``tencent-vpc-api.md``); the timestamp is
always an argument, never read inside a step. :class:`Tc3Auth` is the ``requests`` auth
that strings the steps together at send time. The emulator uses the same steps to verify.

TC3, for a request with payload ``P`` at time ``t`` (UTC date ``d``)::

    CanonicalRequest = METHOD \\n / \\n query \\n headers \\n signed_headers \\n sha256hex(P)
    StringToSign     = TC3-HMAC-SHA256 \\n t \\n d/service/tc3_request \\n sha256hex(CR)
    kSigning         = HMAC(HMAC(HMAC("TC3"+SecretKey, d), service), "tc3_request")
    Signature        = hex(HMAC(kSigning, StringToSign))
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from requests.auth import AuthBase
from requests.structures import CaseInsensitiveDict

if TYPE_CHECKING:
    from requests import PreparedRequest

    from vpnkit.credentials import Credential

__all__ = [
    "ALGORITHM",
    "Authorization",
    "Tc3Auth",
    "authorization_header",
    "canonical_headers",
    "canonical_request",
    "credential_scope",
    "flatten",
    "hash_payload",
    "parse_authorization",
    "sign_v1",
    "signature",
    "signing_key",
    "string_to_sign",
    "tc3_signature",
    "utc_date",
    "v1_string_to_sign",
]

ALGORITHM = "TC3-HMAC-SHA256"
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_DEFAULT_SIGNED = ("content-type", "host")


# --- TC3 steps (§4.1) -------------------------------------------------------------------

def utc_date(timestamp: int) -> str:
    """The ``YYYY-MM-DD`` UTC date of a Unix timestamp (never local time, §4.1 DOC-V3)."""
    return _day(int(timestamp) // 86400)


@lru_cache(maxsize=8)
def _day(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")


def hash_payload(payload: bytes) -> str:
    """Step 3.6: lowercase hex SHA-256 of the exact body bytes."""
    return _EMPTY_SHA256 if not payload else hashlib.sha256(payload).hexdigest()


def canonical_headers(
    headers: Mapping[str, str], signed: Iterable[str] = _DEFAULT_SIGNED
) -> tuple[str, str]:
    """Steps 3.4-3.5: ``(canonical headers, signed headers)`` for the named headers.

    Names are lower-cased and sorted; values lower-cased and trimmed (DOC-V3 rules).
    """
    names = _DEFAULT_SIGNED if signed is _DEFAULT_SIGNED else \
        tuple(sorted({s.strip().lower() for s in signed}))
    if not isinstance(headers, CaseInsensitiveDict):
        headers = {k.lower(): v for k, v in headers.items()}
    block = "".join(f"{n}:{str(headers.get(n, '')).strip().lower()}\n" for n in names)
    return block, ";".join(names)


def canonical_request(
    method: str, query: str, headers_block: str, signed_headers: str, payload_hash: str
) -> str:
    """Step 3: the six-line canonical request (path is always ``/``)."""
    return "\n".join((method.upper(), "/", query, headers_block, signed_headers, payload_hash))


def credential_scope(date: str, service: str) -> str:
    """``<date>/<service>/tc3_request``."""
    return f"{date}/{service}/tc3_request"


def string_to_sign(timestamp: int, scope: str, canonical: str) -> str:
    """Step 4."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{digest}"


@lru_cache(maxsize=64)
def signing_key(secret_key: str, date: str, service: str) -> bytes:
    """Step 5: the derived key (cached: it changes once a day per key and service)."""
    k_date = hmac.digest(("TC3" + secret_key).encode("utf-8"), date.encode("utf-8"), "sha256")
    k_service = hmac.digest(k_date, service.encode("utf-8"), "sha256")
    return hmac.digest(k_service, b"tc3_request", "sha256")


def signature(key: bytes, to_sign: str) -> str:
    """Step 5, last HMAC: lowercase hex."""
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(secret_id: str, scope: str, signed_headers: str, sig: str) -> str:
    """Step 6 (comma + space separators)."""
    return (
        f"{ALGORITHM} Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={sig}"
    )


def tc3_signature(
    *,
    secret_key: str,
    service: str,
    timestamp: int,
    method: str,
    headers: Mapping[str, str],
    payload: bytes,
    query: str = "",
    signed: Iterable[str] = _DEFAULT_SIGNED,
) -> tuple[str, str]:
    """All steps at once: ``(signature, signed_headers)``."""
    block, signed_headers = canonical_headers(headers, signed)
    canonical = canonical_request(method, query, block, signed_headers, hash_payload(payload))
    date = utc_date(timestamp)
    to_sign = string_to_sign(timestamp, credential_scope(date, service), canonical)
    return signature(signing_key(secret_key, date, service), to_sign), signed_headers


@dataclass(frozen=True)
class Authorization:
    """The parts of a TC3 ``Authorization`` header."""

    secret_id: str
    date: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(header: str) -> Authorization:
    """Parse ``TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``.

    Raises ``ValueError`` naming what is wrong; the emulator maps it to
    ``AuthFailure.InvalidAuthorization``.
    """
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise ValueError(f"algorithm must be {ALGORITHM}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, eq, value = part.strip().partition("=")
        if not eq:
            raise ValueError(f"malformed part {part.strip()!r}")
        fields[key] = value
    missing = {"Credential", "SignedHeaders", "Signature"} - fields.keys()
    if missing:
        raise ValueError(f"missing {', '.join(sorted(missing))}")
    scope = fields["Credential"].split("/")
    if len(scope) != 4 or scope[3] != "tc3_request" or not scope[0]:
        raise ValueError("Credential must be <SecretId>/<date>/<service>/tc3_request")
    signed = tuple(h for h in fields["SignedHeaders"].split(";") if h)
    if not signed:
        raise ValueError("SignedHeaders is empty")
    return Authorization(scope[0], scope[1], scope[2], signed, fields["Signature"])


class Tc3Auth(AuthBase):
    """``requests`` auth that signs with TC3-HMAC-SHA256 at send time.

    ``clock`` returns the current Unix time; tests and the clock-skew report pass their own.
    ``extra_signed_headers`` adds headers such as ``x-tc-action`` to the signed set.
    """

    def __init__(
        self,
        credential: Credential,
        service: str = "vpc",
        *,
        clock: Callable[[], float] = time.time,
        extra_signed_headers: Sequence[str] = (),
    ) -> None:
        self.credential = credential
        self.service = service
        self.clock = clock
        extra = tuple(h.lower() for h in extra_signed_headers)
        self.signed = (*_DEFAULT_SIGNED, *extra) if extra else _DEFAULT_SIGNED

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        timestamp = int(self.clock())
        url = urlsplit(r.url or "")
        headers = r.headers
        headers["X-TC-Timestamp"] = str(timestamp)
        if self.credential.token:
            headers["X-TC-Token"] = self.credential.token
        if "Host" not in headers:
            headers["Host"] = url.netloc.rpartition("@")[2]
        body = r.body if isinstance(r.body, bytes) else (r.body or "").encode("utf-8")
        sig, signed_headers = tc3_signature(
            secret_key=self.credential.secret_key,
            service=self.service,
            timestamp=timestamp,
            method=r.method or "POST",
            headers=headers,
            payload=body if r.method != "GET" else b"",
            query=url.query if r.method == "GET" else "",
            signed=self.signed,
        )
        scope = credential_scope(utc_date(timestamp), self.service)
        headers["Authorization"] = authorization_header(
            self.credential.secret_id, scope, signed_headers, sig
        )
        return r

    def __repr__(self) -> str:
        return f"Tc3Auth(secret_id={self.credential.secret_id!r}, service={self.service!r})"


# --- legacy v1 (§4.3, §7.6) ------------------------------------------------------------

def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested params the GET/v1 way: ``A.0.B=…``; None and empty lists vanish.

    Booleans become ``True``/``False`` as the official SDK sends them (§7.6).
    """
    out: dict[str, str] = {}

    def walk(value: Any, key: str) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{key}.{k}" if key else str(k))
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                walk(v, f"{key}.{i}")
        else:
            out[key] = str(value)

    walk(params, prefix)
    return out


def v1_string_to_sign(method: str, host: str, params: Mapping[str, str], path: str = "/") -> str:
    """``METHOD + host + path + "?" + sorted k=v`` with raw (not URL-encoded) values."""
    pairs = "&".join(f"{k}={params[k]}" for k in sorted(params))
    return f"{method.upper()}{host}{path}?{pairs}"


def sign_v1(secret_key: str, to_sign: str, method: str = "HmacSHA256") -> str:
    """Base64 HMAC-SHA1 or HMAC-SHA256 of the v1 string to sign."""
    digest = {"HmacSHA1": "sha1", "HmacSHA256": "sha256"}.get(method)
    if digest is None:
        raise ValueError(f"SignatureMethod must be HmacSHA1 or HmacSHA256, not {method!r}")
    mac = hmac.digest(secret_key.encode("utf-8"), to_sign.encode("utf-8"), digest)
    return base64.b64encode(mac).decode("ascii")
