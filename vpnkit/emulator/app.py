"""The WSGI application: verify, admit, dispatch, wrap in the Tencent envelope (§6).

Every answer is HTTP 200 with ``Content-Type: application/json`` exactly (the official SDK
ignores errors under any other value, §6), a ``Date`` header (clients measure clock skew from
it) and ``{"Response": {..., "RequestId": uuid4}}``; errors go under ``Response.Error``. No
input yields a 500: anything unexpected is logged and answered as ``InternalError``. The one
exception is the opt-in ``drop_after_commit`` fault, which raises
:class:`~vpnkit.emulator.faults.ConnectionDropped` for the server to close the socket.

The app reads the WSGI environ directly rather than through Werkzeug's Request/Response:
profiling showed Werkzeug's header objects were half of the per-request cost.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from vpnkit.emulator import tagging
from vpnkit.emulator.backend import ACTIONS, MUTATING, Backend
from vpnkit.emulator.codes import EmulatorError
from vpnkit.emulator.faults import ConnectionDropped, Faults
from vpnkit.emulator.protocol import MAX_BODY, VERSION, Call, Product, Verifier
from vpnkit.ratelimit import RateLimiter, action_rates

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["PRODUCTS", "EmulatorApp", "build_app", "run_wsgi"]

#: what the loopback server serves: the VPC API, and the Tag service for tunnels' tags
#: (its Region is optional: "This parameter is not required", product 651 doc 33012)
PRODUCTS = {"vpc": Product(VERSION, frozenset(ACTIONS)),
            "tag": Product(tagging.VERSION, frozenset(tagging.ACTIONS), region_required=False)}

log = logging.getLogger("vpnkit.emulator")


class EmulatorApp:
    """A WSGI callable over a :class:`Backend`."""

    def __init__(self, backend: Backend, verifier: Verifier, *, limiter: RateLimiter,
                 faults: Faults) -> None:
        self.backend = backend
        self.verifier = verifier
        self.limiter = limiter
        self.faults = faults
        #: actions whose documented limit is below the default (ref §3.10), never above
        #: the emulator's own ``rate_limit``
        self.slow = {a: RateLimiter(r, clock=limiter.clock)
                     for a, r in action_rates(limiter.rate).items()}

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        request_id = str(uuid.uuid4())
        try:
            fields = self.handle(environ, request_id)
        except EmulatorError as exc:
            fields = {"Error": {"Code": exc.code, "Message": exc.message}}
        except ConnectionDropped:
            raise
        except Exception:  # the catch-all: never a 500 or a traceback on the wire
            log.exception("internal error handling request %s", request_id)
            fields = {"Error": {"Code": "InternalError", "Message": "An internal error "
                                f"occurred; RequestId {request_id}."}}
        body = json.dumps({"Response": {**fields, "RequestId": request_id}},
                          ensure_ascii=False).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body))),
                                  ("Date", formatdate(usegmt=True))])
        return [body]

    def handle(self, environ: WSGIEnvironment, request_id: str) -> dict[str, Any]:
        """Verify, admit and run one request; returns the Response fields."""
        headers = _headers(environ)
        call = self.verifier.verify(str(environ.get("REQUEST_METHOD", "")).upper(),
                                    headers.get("host", ""), environ.get("PATH_INFO") or "/",
                                    environ.get("QUERY_STRING", ""), headers, _body(environ))
        self._admit(call)
        result = self.backend.handle(call.action, call.region, call.params, request_id,
                                     form=call.form, service=call.service)
        if call.action in MUTATING or call.action in tagging.MUTATING:
            self.faults.after_commit(call.action)
        return self.faults.answer(call.action, result)

    def _admit(self, call: Call) -> None:
        # Per action, region and account (the API's RequestLimitExceeded.UinLimitExceeded;
        # the GlobalRegionUinLimitExceeded variant, ref §6, is not modelled).
        limiter = self.limiter
        if limiter.rate > 0 and call.action in self.slow:  # a lower documented rate
            limiter = self.slow[call.action]
        if not limiter.try_take((call.action, call.region, call.secret_id)):
            raise EmulatorError("RequestLimitExceeded", f"More than {limiter.rate:g} "
                                f"{call.action} requests per second in {call.region} for "
                                "this SecretId.")
        self.faults.before(call.action)


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    """Request headers, lower-case names (``HTTP_X_TC_ACTION`` -> ``x-tc-action``)."""
    out = {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
           if k.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            out[key.replace("_", "-").lower()] = environ[key]
    return out


def _body(environ: WSGIEnvironment) -> bytes:
    """At most 10 MB of body, per Content-Length (no length: no body)."""
    text = str(environ.get("CONTENT_LENGTH") or "0").strip()
    length = int(text) if text.isascii() and text.isdigit() else 0
    if length > MAX_BODY:
        raise EmulatorError("RequestSizeLimitExceeded", "The request body exceeds 10 MB.")
    data: bytes = environ["wsgi.input"].read(length) if length else b""
    return data


def build_app(
    backend: Backend | None = None,
    *,
    secret_id: str,
    secret_key: str,
    token: str | None = None,
    rate_limit: float = 100.0,
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
) -> EmulatorApp:
    """An app over ``backend`` (a fresh ``demo`` one if None) accepting one key pair."""
    if backend is None:
        from vpnkit.emulator.seed import build

        backend = Backend(build("demo"))
    verifier = Verifier({secret_id: (secret_key, token)}, PRODUCTS, clock)
    return EmulatorApp(backend, verifier, limiter=RateLimiter(rate_limit),
                       faults=faults if faults is not None else Faults())


def run_wsgi(app: EmulatorApp, environ: dict[str, Any], headers: Iterable[tuple[str, str]],
             body: Any) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run ``app`` on one request: ``environ`` holds the request line's keys, ``headers``
    the HTTP headers, ``body`` the ``wsgi.input`` stream. Returns (status, headers, body).

    Shared by the loopback server and the in-process ``requests`` adapter, so both build
    the same environ. :class:`ConnectionDropped` propagates (each side drops in its own way).
    """
    env: dict[str, Any] = {**environ, "SCRIPT_NAME": "", "wsgi.version": (1, 0),
                           "wsgi.url_scheme": "http", "wsgi.input": body,
                           "wsgi.errors": sys.stderr, "wsgi.multithread": True,
                           "wsgi.multiprocess": False, "wsgi.run_once": False}
    for key, value in headers:
        name = key.upper().replace("-", "_")
        env[name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"] = value
    captured: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Any:
        captured[:] = [status, response_headers]
        return lambda data: None

    content = b"".join(app(env, start_response))
    return captured[0], captured[1], content
