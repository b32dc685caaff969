"""``VpcClient``: a thin TC3-signed client of the VPC API (2017-03-12) on ``requests``.

* ``call(action, params)`` returns the contents of ``Response``; API errors raise
  :class:`~vpnkit.errors.ApiError`, transport failures :class:`~vpnkit.errors.TransportError`.
* Every action is rate limited client-side to the documented 100 requests/s.
* ``RequestLimitExceeded*`` answers are retried with jittered backoff for every action (the
  API rejected the request without executing it); transport errors are retried only for
  read-only actions. A create whose outcome is unknown is never blindly re-sent: the client
  first looks the tunnel up by gateway + name (:meth:`VpcClient.create_vpn_connection`).
* With ``audit=`` every call leaves an intent row before sending and an outcome row after.
* Tags of a live tunnel go through Tencent's Tag service (:meth:`VpcClient.tag_service`,
  :meth:`VpcClient.modify_resource_tags`; rules in :mod:`vpnkit.tags`).
"""

from __future__ import annotations

import copy
import json
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from vpnkit import __version__
from vpnkit.credentials import Credential, resolve_credential, resolve_region
from vpnkit.endpoints import SERVICE, is_tencent_host, resolve_endpoint
from vpnkit.errors import (
    ApiError,
    CredentialError,
    OutcomeUnknownError,
    SignatureExpireError,
    SpecError,
    TransportError,
    WaitTimeout,
)
from vpnkit.models import GatewayRoute, VpnConnection, VpnConnectionSpec
from vpnkit.ratelimit import RateLimiter, action_rates
from vpnkit.redact import redact
from vpnkit.signing import Tc3Auth
from vpnkit.validate import check, errors, route_issues
from vpnkit.wire import connection_from_wire, modify_to_wire, route_to_wire

if TYPE_CHECKING:
    from vpnkit.modify import ModifyResult
    from vpnkit.tags import TagDiff, TagResult

__all__ = ["API_VERSION", "AuditSink", "VpcClient"]

API_VERSION = "2017-03-12"
PAGE = 100  # the documented maximum Limit (§3.4)
MAX_LIMIT_TYPES = 100  # DescribeVpcLimits: "每次最大查询100个配额类型" (PYSDK models)
Filters = Mapping[str, str | Sequence[str]]


class AuditSink(Protocol):
    """What the client needs of an audit log (see :class:`vpnkit.audit.AuditLog`)."""

    def begin(self, *, action: str, region: str, endpoint: str,
              params: Mapping[str, Any]) -> Any: ...

    def finish(self, token: Any, *, outcome: str, request_id: str | None = None,
               error_code: str | None = None, error_message: str | None = None,
               resource_id: str | None = None, latency_ms: float | None = None) -> None: ...


def _filters(filters: Filters | None) -> list[dict[str, Any]] | None:
    if not filters:
        return None
    return [{"Name": k, "Values": [v] if isinstance(v, str) else list(v)}
            for k, v in filters.items()]


def _limiter(rate: float) -> RateLimiter:
    # burst rate/10: workers cannot front-load a second's worth into the API's window
    return RateLimiter(rate, burst=max(1.0, rate / 10))


class VpcClient:
    """A client of the Tencent Cloud VPC API for one region."""

    def __init__(
        self,
        region: str | None = None,
        *,
        credential: Credential | None = None,
        endpoint: str | None = None,
        session: requests.Session | None = None,
        profile: str | None = None,
        timeout: float = 30.0,
        language: str = "en-US",
        audit: AuditSink | None = None,
        rate_limit: float = 100.0,
        max_attempts: int = 5,
        pin_region: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        resolved = resolve_region(region, profile)
        if not resolved:
            raise CredentialError(
                "no region given: pass region=, set TENCENTCLOUD_REGION or configure tccli")
        self.region = resolved
        credential = credential or resolve_credential(profile)
        if credential is None:
            raise CredentialError(
                "no credentials found (tried TENCENTCLOUD_SECRET_ID/KEY, "
                "~/.tencentcloud/credentials, ~/.tccli); use vpnkit.connect() for the "
                "embedded emulator")
        self.credential: Credential = credential
        if language not in ("zh-CN", "en-US"):
            raise ValueError(f"language must be zh-CN or en-US, not {language!r}")
        self.endpoint = resolve_endpoint(self.region, endpoint, pin_region=pin_region)
        self._pin_region = pin_region
        self._service = SERVICE  # "tag" on the copy tag_service() makes
        self._vpc: VpcClient = self  # the VPC client a Tag-service copy reads tunnels with
        #: "real" (a Tencent endpoint), "custom endpoint", or "emulator" (set by connect())
        self.mode = "real" if endpoint is None else "custom endpoint"
        self.timeout = timeout
        self.audit = audit
        self.max_attempts = max(1, max_attempts)
        self.limiter = _limiter(rate_limit)
        self._limiters = {a: _limiter(r) for a, r in action_rates(rate_limit).items()}
        self._auth = Tc3Auth(credential, SERVICE, clock=clock)
        self._headers = {
            "Content-Type": "application/json",
            "X-TC-Version": API_VERSION,
            "X-TC-Region": self.region,
            "X-TC-Language": language,
            "X-TC-RequestClient": f"vpnkit/{__version__}",
        }
        self._url = self.endpoint + "/"
        self._own_session = session is None
        if session is None:
            session = requests.Session()
            session.trust_env = False
        # Proxy/CA lookup from the environment costs about half of a small request's CPU
        # when requests repeats it per call; it is done once here instead.
        self._send_kwargs: dict[str, Any] = {
            "proxies": requests.utils.get_environ_proxies(self._url),
            "verify": os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE") or True,
        }
        self.session = session

    def with_audit(self, audit: AuditSink | None) -> VpcClient:
        """The same client (session, keys, limits) recording into another audit sink."""
        other = copy.copy(self)
        other.audit = audit
        return other

    def for_region(self, region: str) -> VpcClient:
        """The same keys, session, audit log and rate limits, in another region.

        A Tencent endpoint is re-derived for the region (Finance regions get their own
        domain); a custom endpoint (an emulator) is kept.
        """
        if region == self.region:
            return self
        other = copy.copy(self)
        other.region = region
        other.endpoint = resolve_endpoint(
            region, None if self.mode == "real" else self.endpoint, pin_region=self._pin_region,
            service=self._service)
        other._url = other.endpoint + "/"
        other._headers = {**self._headers, "X-TC-Region": region}
        other._send_kwargs = {**self._send_kwargs,
                              "proxies": requests.utils.get_environ_proxies(other._url)}
        if self._service != SERVICE:
            other._vpc = self._vpc.for_region(region)
        return other

    def tag_service(self) -> VpcClient:
        """The same keys, session, audit log, region and rate limits, talking to Tencent's Tag
        service (API 2018-08-13, TC3 service ``tag``): ``tag.tencentcloudapi.com``, or
        ``tag.<region>...`` when pinned or in a Finance region (:func:`resolve_endpoint`). A
        custom endpoint is kept (an emulator serves both), its ``vpc.`` label, if it is a
        Tencent host, becoming ``tag.``. ``call()`` on it sends Tag-service actions.
        """
        from vpnkit import tags

        if self._service == tags.SERVICE:
            return self
        other = copy.copy(self)
        other._service = tags.SERVICE
        other._vpc = self
        if self.mode == "real":
            other.endpoint = resolve_endpoint(self.region, None, pin_region=self._pin_region,
                                              service=tags.SERVICE)
        else:
            parts = urlsplit(self.endpoint)
            host = parts.hostname or ""
            if is_tencent_host(host) and host.startswith(f"{SERVICE}."):
                netloc = f"{tags.SERVICE}.{parts.netloc[len(SERVICE) + 1:]}"
                other.endpoint = resolve_endpoint(self.region, f"{parts.scheme}://{netloc}",
                                                  service=tags.SERVICE)
        other._url = other.endpoint + "/"
        other._headers = {**self._headers, "X-TC-Version": tags.VERSION}
        other._auth = Tc3Auth(self.credential, tags.SERVICE, clock=self._auth.clock)
        other._send_kwargs = {**self._send_kwargs,
                              "proxies": requests.utils.get_environ_proxies(other._url)}
        return other

    def __repr__(self) -> str:
        return (f"VpcClient(region={self.region!r}, endpoint={self.endpoint!r}, "
                + (f"service={self._service!r}, " if self._service != SERVICE else "") +
                f"credential={self.credential.secret_id!r} from {self.credential.source})")

    @property
    def credential_source(self) -> str:
        """Where the credentials came from (never the secret)."""
        return self.credential.source

    # --- the one generic call ------------------------------------------------------

    def call(self, action: str, params: Mapping[str, Any] | None = None, *,
             idempotent: bool | None = None) -> dict[str, Any]:
        """Call ``action`` and return the contents of ``Response`` (minus nothing).

        ``idempotent`` defaults to True for ``Describe*`` actions; only idempotent calls are
        retried after a transport error.
        """
        params = dict(params or {})
        if idempotent is None:
            idempotent = action.startswith(("Describe", "Inquir", "Generate"))
        with self._audited(action, params) as record:
            response = self._send(action, params, idempotent)
            record.update(request_id=response.get("RequestId"),
                          resource_id=_resource_id(response))
        return response

    @contextmanager
    def _audited(self, action: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Intent row before the block, outcome row after it (``record`` fills the outcome).

        An exception other than ApiError/TransportError leaves the intent row "unknown",
        which is the honest answer.
        """
        if self.audit is None:
            yield {}
            return
        token = self.audit.begin(action=action, region=self.region, endpoint=self.endpoint,
                                 params=redact(params))
        started = time.perf_counter()
        record: dict[str, Any] = {"outcome": "ok"}

        def finish() -> None:
            assert self.audit is not None
            self.audit.finish(token, latency_ms=(time.perf_counter() - started) * 1000,
                              **record)

        try:
            yield record
        except ApiError as exc:
            record.update(outcome="error", request_id=exc.request_id, error_code=exc.code,
                          error_message=exc.message)
            finish()
            raise
        except TransportError as exc:
            record.update(outcome="transport-error", error_message=exc.message)
            finish()
            raise
        finish()

    def _send(self, action: str, params: Mapping[str, Any], idempotent: bool) -> dict[str, Any]:
        body = json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {**self._headers, "X-TC-Action": action}
        limiter = self._limiters.get(action, self.limiter)  # a lower documented rate
        for attempt in range(self.max_attempts):
            limiter.take((self.region, action))  # per region and action
            last = attempt == self.max_attempts - 1
            try:
                resp = self._post(body, headers)
            except requests.RequestException as exc:
                if idempotent and not last:
                    self._backoff(attempt)
                    continue
                raise TransportError(f"{type(exc).__name__}: {exc}", action) from exc
            try:
                return self._parse(action, resp)
            except ApiError as exc:
                if exc.retryable and not last:
                    self._backoff(attempt)
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _post(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        if not self._own_session:  # a caller's session: honour all of its settings
            return self.session.post(self._url, data=body, headers=headers, auth=self._auth,
                                     timeout=self.timeout)
        # Our own session has no cookies, hooks, redirects or env lookups to apply, so the
        # request goes straight to the mounted adapter; Session.send's bookkeeping was a
        # third of a call's CPU (bench/bench_client.py).
        prep = requests.PreparedRequest()
        prep.method, prep.url, prep.body = "POST", self._url, body
        prep.headers = CaseInsensitiveDict(headers)
        prep.headers["Content-Length"] = str(len(body))
        self._auth(prep)
        return self.session.get_adapter(self._url).send(prep, timeout=self.timeout,
                                                        **self._send_kwargs)

    @staticmethod
    def _backoff(attempt: int) -> None:
        # Full jitter (AWS architecture blog): spreads retries of parallel workers apart.
        time.sleep(random.uniform(0.05, min(5.0, 0.2 * 2 ** attempt)))

    def _parse(self, action: str, resp: requests.Response) -> dict[str, Any]:
        if resp.status_code != 200:
            raise TransportError(f"HTTP {resp.status_code} from {self.endpoint}", action)
        try:
            payload = json.loads(resp.content)
            response = payload["Response"]
            if not isinstance(response, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise TransportError(f"not a Tencent Cloud API response from {self.endpoint}",
                                 action) from None
        error = response.get("Error")
        if error is None:
            return response
        code = str(error.get("Code", "InternalError"))
        message = str(error.get("Message", ""))
        request_id = str(response.get("RequestId", ""))
        if code == "AuthFailure.SignatureExpire":
            raise SignatureExpireError(code, message, request_id, action,
                                      _skew(resp, self._auth.clock))
        raise ApiError(code, message, request_id, action)

    # --- VPN tunnel actions ----------------------------------------------------------

    def create_vpn_connection(self, spec: VpnConnectionSpec, *, wait: bool = False,
                              timeout: float = 300.0) -> VpnConnection:
        """Create a tunnel; never twice. ``SpecError`` before sending if ``spec`` is invalid.

        If the answer is lost (timeout, dropped connection, InternalError) the tunnel is
        looked up by gateway + name; only if a lookup that succeeded shows it absent is the
        request sent again, once. A lookup that fails is never taken for "absent": the
        create ends in :class:`OutcomeUnknownError` (the tunnel may exist), as it does when
        an answer without ``VpnConnectionId`` (ref §1.2) cannot be matched to a tunnel, or
        the second send is refused as a duplicate name and the lookup fails.
        """
        check(spec)
        body = spec.to_wire()
        with self._audited("CreateVpnConnection", body) as record:
            conn, request_id, outcome = self._create_once_or_reconcile(spec, body)
            record.update(outcome=outcome, request_id=request_id,
                          resource_id=conn.vpn_connection_id)
        if wait:
            return self.wait_vpn_connection(conn.vpn_connection_id, timeout=timeout)
        return conn

    def _create_once_or_reconcile(
        self, spec: VpnConnectionSpec, body: Mapping[str, Any]
    ) -> tuple[VpnConnection, str | None, str]:
        first = ""  # what made the first send's outcome unknown
        for attempt in (1, 2):
            try:
                response = self._send("CreateVpnConnection", body, idempotent=False)
            except TransportError as exc:
                found = self._lookup_after_unknown(spec, exc.message)
                if found is not None:
                    return found, None, "reconciled"
                if attempt == 2:
                    raise OutcomeUnknownError(
                        f"{exc.message}; sent twice, and no tunnel named "
                        f"{spec.vpn_connection_name!r} exists on {spec.vpn_gateway_id}",
                        "CreateVpnConnection") from exc
                first = exc.message
                continue  # not there: the first send never landed, so one more is safe
            except ApiError as exc:
                if exc.code.startswith("InternalError"):
                    # The server failed somewhere after receiving the create: the tunnel
                    # may exist. Same treatment as a lost answer.
                    found = self._lookup_after_unknown(spec, str(exc))
                    if found is not None:
                        return found, exc.request_id, "reconciled"
                    if attempt == 1:
                        first = str(exc)
                        continue
                if attempt == 2 and exc.code == "InvalidParameterValue.Duplicate":
                    # The name is taken: by the first send (its answer lost) or by someone
                    # else since the lookup. Only a lookup that succeeds can say which tunnel.
                    found = self._lookup_after_unknown(
                        spec, f"{first}; sent again, and refused as a duplicate name ({exc})")
                    if found is not None:
                        return found, exc.request_id, "reconciled"
                raise
            conn = connection_from_wire(response.get("VpnConnection") or {})
            request_id = response.get("RequestId")
            if not conn.vpn_connection_id:
                # TF has seen an empty id in a successful create answer (ref §1.2): the
                # tunnel exists; find it by name, and never send again.
                why = f"created (RequestId {request_id}) but answered no VpnConnectionId"
                found = self._lookup_after_unknown(spec, why)
                if found is None:
                    raise OutcomeUnknownError(
                        f"{why}, and no tunnel named {spec.vpn_connection_name!r} is listed "
                        f"on {spec.vpn_gateway_id} yet; {self._how_to_find(spec)}",
                        "CreateVpnConnection")
                conn = found
            return conn, request_id, "ok"
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _how_to_find(spec: VpnConnectionSpec) -> str:
        return (f"do not create it again: look it up with find_vpn_connection("
                f"{spec.vpn_gateway_id!r}, {spec.vpn_connection_name!r}) or `vpnkit describe "
                f"--gateway {spec.vpn_gateway_id}`")

    def _lookup_after_unknown(self, spec: VpnConnectionSpec,
                              cause: str) -> VpnConnection | None:
        """The tunnel by gateway + name, or None if a lookup that succeeded shows none.

        A lookup that fails raises :class:`OutcomeUnknownError`: it is never "not found".
        """
        try:
            return self.find_vpn_connection(spec.vpn_gateway_id, spec.vpn_connection_name)
        except (ApiError, TransportError) as exc:
            raise OutcomeUnknownError(
                f"{cause}; and looking the tunnel up failed too ({exc}); the tunnel may "
                f"exist: {self._how_to_find(spec)}", "CreateVpnConnection") from exc

    def find_vpn_connection(self, vpn_gateway_id: str, name: str) -> VpnConnection | None:
        """The tunnel named ``name`` on a gateway, or None (names are unique per gateway)."""
        for conn in self.describe_vpn_connections(
                filters={"vpn-gateway-id": vpn_gateway_id, "vpn-connection-name": name}):
            if conn.vpn_connection_name == name:
                return conn
        return None

    def describe_vpn_connections(
        self, ids: Sequence[str] | None = None, *, filters: Filters | None = None
    ) -> list[VpnConnection]:
        """Every tunnel matching ``ids`` or ``filters`` (all pages)."""
        return [connection_from_wire(d) for d in self.describe_vpn_connections_raw(
            ids, filters=filters)]

    def describe_vpn_connections_raw(
        self, ids: Sequence[str] | None = None, *, filters: Filters | None = None
    ) -> list[dict[str, Any]]:
        """Like :meth:`describe_vpn_connections`, as the API's dicts (fastest for frames)."""
        return self._describe("DescribeVpnConnections", "VpnConnectionIds", "VpnConnectionSet",
                              ids, filters)

    def delete_vpn_connection(self, vpn_connection_id: str,
                              vpn_gateway_id: str | None = None) -> str:
        """Start deleting a tunnel; returns the RequestId (the task id)."""
        if vpn_gateway_id is None:
            found = self.describe_vpn_connections([vpn_connection_id])
            if not found:
                raise ApiError("ResourceNotFound", f"{vpn_connection_id} does not exist", "",
                               "DeleteVpnConnection")
            vpn_gateway_id = found[0].vpn_gateway_id
        response = self.call("DeleteVpnConnection", {"VpnGatewayId": vpn_gateway_id,
                                                     "VpnConnectionId": vpn_connection_id})
        return str(response.get("RequestId", ""))

    def modify_vpn_connection(
        self, vpn_connection_id: str, *, current: VpnConnection | None = None,
        vpc_cidr: str | None = None, gateway_version: str | None = None, **changes: Any,
    ) -> ModifyResult:
        """Change a tunnel in place (ModifyVpnConnectionAttribute, §3.6); never blindly twice.

        ``changes`` are spec attribute names (``vpn_connection_name``, ``pre_share_key``,
        ``security_policy_databases``, ``ike_options``, ``ipsec_options``, ``dpd_enable``,
        ``dpd_timeout``, ``dpd_action``, ``negotiation_type``, ``enable_health_check``,
        ``health_check_local_ip``, ``health_check_remote_ip``, ``health_check_config``,
        ``bgp_config``, and ``customer_gateway_id`` on a 4.0 gateway) with model values;
        option sections send only their non-``None`` options. ``SpecError`` before sending
        if a changed field is invalid (``current``, ``vpc_cidr``, ``gateway_version`` give
        the validation context when known).

        If the outcome is unknown (transport error, InternalError) the tunnel is read back
        and compared with the change: applied -> ``outcome="reconciled"``; shown not
        applied by a read that succeeded -> sent once more; a failed read, a tunnel that is
        not AVAILABLE, or a second unknown -> :class:`OutcomeUnknownError`.
        """
        from vpnkit.modify import ModifyResult, change_errors, normalize  # only Modify needs it

        wanted = normalize(changes)
        bad = change_errors(wanted, current, vpc_cidr=vpc_cidr, gateway_version=gateway_version)
        if bad:
            raise SpecError(bad)
        body = modify_to_wire(vpn_connection_id, wanted)
        action = "ModifyVpnConnectionAttribute"
        with self._audited(action, body) as record:
            request_id, outcome = self._modify_once_or_reconcile(vpn_connection_id, body,
                                                                 wanted)
            record.update(outcome=outcome, request_id=request_id,
                          resource_id=vpn_connection_id)
        return ModifyResult(vpn_connection_id, request_id, outcome, tuple(wanted))

    def _send_unsure(self, action: str, body: Mapping[str, Any]
                     ) -> tuple[dict[str, Any] | None, str, str | None]:
        """One non-idempotent send: ``(response, "", None)``, or ``(None, cause, request_id)``
        when its outcome is unknown (a lost answer, an InternalError); other errors raise."""
        try:
            return self._send(action, body, idempotent=False), "", None
        except TransportError as exc:
            return None, exc.message, None
        except ApiError as exc:
            if not exc.code.startswith("InternalError"):
                raise
            return None, str(exc), exc.request_id

    def _modify_once_or_reconcile(self, vpn_connection_id: str, body: Mapping[str, Any],
                                  wanted: Mapping[str, Any]) -> tuple[str | None, str]:
        from vpnkit.modify import unapplied

        action = "ModifyVpnConnectionAttribute"
        for attempt in (1, 2):
            response, cause, request_id = self._send_unsure(action, body)
            if response is not None:
                return response.get("RequestId"), "ok"
            try:
                found = self.describe_vpn_connections([vpn_connection_id])
            except (ApiError, TransportError) as exc:
                raise OutcomeUnknownError(
                    f"{cause}; and reading {vpn_connection_id} back failed too ({exc}); "
                    "read the tunnel before modifying again", action) from exc
            if not found:
                raise OutcomeUnknownError(
                    f"{cause}; and {vpn_connection_id} no longer exists", action)
            missing = unapplied(found[0], wanted)
            if not missing:
                return request_id, "reconciled"
            if found[0].state != "AVAILABLE" or attempt == 2:
                raise OutcomeUnknownError(
                    f"{cause}; {vpn_connection_id} is {found[0].state} and does not show "
                    f"{', '.join(missing)} yet" + ("; sent twice" if attempt == 2 else
                                                   "; read it again before modifying"),
                    action)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- tags, through the Tag service (ModifyVpnConnectionAttribute has none, §3.6) ---------

    def modify_resource_tags(self, resource: str, *, replace: Mapping[str, str] | None = None,
                             delete: Sequence[str] | None = None) -> TagResult:
        """Bind ``replace`` (key -> value) and unbind ``delete`` (keys) on ``resource``, a
        six-segment name (:func:`vpnkit.tags.resource_name` for a tunnel), with the Tag
        service's ModifyResourceTags; never blindly twice.

        ``SpecError`` before sending if the change breaks a rule of :func:`vpnkit.tags.issues`.
        If the outcome is unknown (transport error, InternalError) the tunnel is read back
        (DescribeVpnConnections, its ``TagSet``) and compared: made -> ``outcome="reconciled"``;
        shown not made by a read that succeeded -> sent once more; a failed read, a resource
        that is not a tunnel, or a second unknown -> :class:`OutcomeUnknownError`.
        """
        from vpnkit import tags

        bad = tags.issues(replace, delete)
        if bad:
            raise SpecError(bad)
        change = tags.TagDiff(tuple((replace or {}).items()), tuple(delete or ()))
        svc = self.tag_service()
        body = tags.to_wire(resource, replace, delete)
        parsed = tags.parse_resource(resource)
        with svc._audited("ModifyResourceTags", body) as record:
            request_id, outcome = svc._tags_once_or_reconcile(resource, body, change)
            record.update(outcome=outcome, request_id=request_id,
                          resource_id=parsed[1] if parsed else resource)
        return tags.TagResult(resource, request_id, outcome)

    def _tags_once_or_reconcile(self, resource: str, body: Mapping[str, Any],
                                change: TagDiff) -> tuple[str | None, str]:
        from vpnkit.tags import parse_resource

        action = "ModifyResourceTags"
        parsed = parse_resource(resource)
        for attempt in (1, 2):
            response, cause, request_id = self._send_unsure(action, body)
            if response is not None:
                return response.get("RequestId"), "ok"
            if parsed is None:
                raise OutcomeUnknownError(
                    f"{cause}; {resource} is not a tunnel, so its tags cannot be read back: "
                    "read them before sending again", action)
            region, tunnel_id = parsed
            try:
                found = self._vpc.for_region(region).describe_vpn_connections([tunnel_id])
            except (ApiError, TransportError) as exc:
                raise OutcomeUnknownError(
                    f"{cause}; and reading {tunnel_id} back failed too ({exc}); read its "
                    "tags before sending again", action) from exc
            if not found:
                raise OutcomeUnknownError(f"{cause}; and {tunnel_id} no longer exists", action)
            if change.applied({t.key: t.value or "" for t in found[0].tags}):
                return request_id, "reconciled"
            if attempt == 2:
                raise OutcomeUnknownError(
                    f"{cause}; sent twice, and {tunnel_id} does not show the tags yet", action)
        raise AssertionError("unreachable")  # pragma: no cover

    def set_vpn_connection_tags(self, vpn_connection_id: str, change: TagDiff) -> list[TagResult]:
        """Apply ``change`` to a tunnel of this region, in requests of at most 10 tags each."""
        from vpnkit.tags import resource_name

        resource = resource_name(self.region, vpn_connection_id)
        return [self.modify_resource_tags(resource, replace=replace or None,
                                          delete=delete or None)
                for replace, delete in change.batches()]

    def reset_vpn_connection(self, vpn_gateway_id: str, vpn_connection_id: str) -> str:
        """Renegotiate a tunnel (ResetVpnConnection); returns the RequestId.

        Not retried after a transport error (the outcome would be unknown; a reset is
        harmless to repeat, so the caller decides).
        """
        response = self.call("ResetVpnConnection", {"VpnGatewayId": vpn_gateway_id,
                                                    "VpnConnectionId": vpn_connection_id})
        return str(response.get("RequestId", ""))

    def generate_health_check_ips(self, vpn_gateway_id: str) -> tuple[str, str]:
        """A free pair of probe IPs (GenerateVpnConnectionDefaultHealthCheckIp, 20 req/s):
        ``(local, remote)`` for ``health_check_local_ip``/``health_check_remote_ip``."""
        response = self.call("GenerateVpnConnectionDefaultHealthCheckIp",
                             {"VpnGatewayId": vpn_gateway_id})
        return str(response["HealthCheckLocalIp"]), str(response["HealthCheckRemoteIp"])

    # --- destination routes of a route-based tunnel's gateway ----------------------------

    def describe_vpn_gateway_routes(self, vpn_gateway_id: str, *,
                                    filters: Filters | None = None) -> list[dict[str, Any]]:
        """Every destination route of a gateway (filters: DestinationCidr, InstanceId,
        InstanceType), all pages."""
        params: dict[str, Any] = {"VpnGatewayId": vpn_gateway_id}
        if filters:
            params["Filters"] = _filters(filters)
        return list(self._pages("DescribeVpnGatewayRoutes", params, "Routes"))

    def create_vpn_gateway_routes(self, vpn_gateway_id: str,
                                  routes: Sequence[GatewayRoute]) -> list[dict[str, Any]]:
        """Add destination routes (CreateVpnGatewayRoutes); the created routes, with ids.

        ``SpecError`` before sending if a route is invalid. Never created twice: after an
        unknown outcome the gateway's routes are read; all present -> those are returned;
        none present (a read that succeeded) -> sent once more; otherwise
        :class:`OutcomeUnknownError`.
        """
        bad = errors(route_issues(list(routes)))
        if bad:
            raise SpecError(bad)
        body = {"VpnGatewayId": vpn_gateway_id, "Routes": [route_to_wire(r) for r in routes]}
        action = "CreateVpnGatewayRoutes"
        with self._audited(action, body) as record:
            for attempt in (1, 2):
                response, cause, _ = self._send_unsure(action, body)
                if response is not None:
                    record.update(request_id=response.get("RequestId"))
                    return list(response.get("Routes") or [])
                found = self._routes_present(vpn_gateway_id, routes, cause)
                if len(found) == len(routes):
                    record.update(outcome="reconciled")
                    return found
                if found or attempt == 2:
                    raise OutcomeUnknownError(
                        f"{cause}; {len(found)} of {len(routes)} routes are on "
                        f"{vpn_gateway_id}" + ("; sent twice" if attempt == 2 else ""), action)
        raise AssertionError("unreachable")  # pragma: no cover

    def _routes_present(self, vpn_gateway_id: str, routes: Sequence[GatewayRoute],
                        cause: str) -> list[dict[str, Any]]:
        try:
            have = self.describe_vpn_gateway_routes(vpn_gateway_id)
        except (ApiError, TransportError) as exc:
            raise OutcomeUnknownError(
                f"{cause}; and reading the routes of {vpn_gateway_id} failed too ({exc}); "
                "read them before creating again", "CreateVpnGatewayRoutes") from exc
        index = {(h.get("DestinationCidrBlock"), h.get("InstanceId")): h for h in have}
        return [index[k] for k in ((r.destination_cidr_block, r.instance_id) for r in routes)
                if k in index]

    def delete_vpn_gateway_routes(self, vpn_gateway_id: str, route_ids: Sequence[str]) -> str:
        """Delete destination routes by id (DeleteVpnGatewayRoutes); returns the RequestId."""
        response = self.call("DeleteVpnGatewayRoutes", {"VpnGatewayId": vpn_gateway_id,
                                                        "RouteIds": list(route_ids)})
        return str(response.get("RequestId", ""))

    # --- the customer gateway's side (issue 12) --------------------------------------------

    def describe_customer_gateway_vendors(self) -> list[dict[str, str]]:
        """The vendors DownloadCustomerGatewayConfiguration can render for
        (``VendorName``, ``Platform``, ``SoftwareVersion``)."""
        response = self.call("DescribeCustomerGatewayVendors", {})
        return [dict(v) for v in response.get("CustomerGatewayVendorSet") or []]

    def download_customer_gateway_configuration(
        self, vpn_gateway_id: str, vpn_connection_id: str, vendor: Mapping[str, str],
        interface_name: str,
    ) -> str:
        """Tencent's own configuration text for the customer gateway of a tunnel.

        ``vendor`` is one of :meth:`describe_customer_gateway_vendors`; ``interface_name``
        the device's physical interface. The text is returned, never logged or audited.
        """
        response = self.call("DownloadCustomerGatewayConfiguration", {
            "VpnGatewayId": vpn_gateway_id, "VpnConnectionId": vpn_connection_id,
            "CustomerGatewayVendor": {k: vendor[k] for k in
                                      ("Platform", "SoftwareVersion", "VendorName")},
            "InterfaceName": interface_name}, idempotent=True)
        return str(response.get("CustomerGatewayConfiguration", ""))

    def wait_vpn_connection(self, vpn_connection_id: str, state: str = "AVAILABLE", *,
                            timeout: float = 300.0, interval: float = 1.0) -> VpnConnection:
        """Poll until the tunnel is in ``state`` (``"DELETED"`` waits until it is gone)."""
        deadline = time.monotonic() + timeout
        last: str | None = None
        while True:
            try:
                found = self.describe_vpn_connections([vpn_connection_id])
            except ApiError as exc:
                if exc.code != "ResourceNotFound":  # TF treats it as "gone" too (§3.4)
                    raise
                found = []
            conn = found[0] if found else None
            last = conn.state if conn else "DELETED"
            if last == state:
                return conn or VpnConnection(vpn_connection_id, state="DELETED")
            if time.monotonic() + interval > deadline:
                raise WaitTimeout(vpn_connection_id, state, last, timeout)
            time.sleep(interval)

    def describe_vpc_limits(self, limit_types: Sequence[str]) -> dict[str, int]:
        """The account's quotas (DescribeVpcLimits, 20 req/s): ``{LimitType: LimitValue}``.

        ``limit_types`` e.g. ``["vpn-gateway-max-custom-gateways"]`` (tunnels per VPN
        gateway), at most 100 per call (cloud.tencent.com product 248 doc 42942). A type the
        answer leaves out is absent from the dict: not known, never "no limit". A read
        action, so it is retried after a transport error like the other describes.
        """
        types = list(limit_types)
        if len(types) > MAX_LIMIT_TYPES:
            raise ValueError(f"limit_types: {len(types)} types, at most {MAX_LIMIT_TYPES} "
                             "per DescribeVpcLimits call")
        response = self.call("DescribeVpcLimits", {"LimitTypes": types})
        return {str(item["LimitType"]): int(item["LimitValue"])
                for item in response.get("VpcLimitSet") or []}

    def describe_vpc_task_result(self, task_id: str) -> dict[str, Any]:
        """Status (RUNNING/SUCCESS/FAILED) of an asynchronous call, by its RequestId."""
        return self.call("DescribeVpcTaskResult", {"TaskId": task_id})

    # --- the targets -----------------------------------------------------------------

    def describe_vpcs(self, ids: Sequence[str] | None = None, *,
                      filters: Filters | None = None) -> list[dict[str, Any]]:
        """Every VPC matching ``ids`` or ``filters`` (Offset/Limit are strings here, §3.1)."""
        return self._describe("DescribeVpcs", "VpcIds", "VpcSet", ids, filters, as_str=True)

    def describe_vpn_gateways(self, ids: Sequence[str] | None = None, *,
                              filters: Filters | None = None) -> list[dict[str, Any]]:
        """Every VPN gateway matching ``ids`` or ``filters``."""
        return self._describe("DescribeVpnGateways", "VpnGatewayIds", "VpnGatewaySet", ids,
                              filters)

    def describe_customer_gateways(self, ids: Sequence[str] | None = None, *,
                                   filters: Filters | None = None) -> list[dict[str, Any]]:
        """Every customer gateway matching ``ids`` or ``filters``."""
        return self._describe("DescribeCustomerGateways", "CustomerGatewayIds",
                              "CustomerGatewaySet", ids, filters)

    def _describe(self, action: str, ids_key: str, set_key: str, ids: Sequence[str] | None,
                  filters: Filters | None, as_str: bool = False) -> list[dict[str, Any]]:
        params: dict[str, Any] = {ids_key: list(ids)} if ids else {}
        if filters:
            params["Filters"] = _filters(filters)
        return list(self._pages(action, params, set_key, as_str=as_str))

    def _pages(self, action: str, params: Mapping[str, Any], key: str,
               as_str: bool = False) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            page = dict(params)
            page["Offset"], page["Limit"] = (str(offset), str(PAGE)) if as_str else (offset,
                                                                                    PAGE)
            response = self.call(action, page)
            items = response.get(key) or []
            yield from items
            offset += len(items)
            if not items or offset >= int(response.get("TotalCount") or 0):
                return


def _resource_id(response: Mapping[str, Any]) -> str | None:
    for key in ("VpnConnection", "CustomerGateway", "VpnGateway", "Vpc"):
        obj = response.get(key)
        if isinstance(obj, Mapping):
            for field in (f"{key}Id", "VpnConnectionId"):
                if obj.get(field):
                    return str(obj[field])
    return None


def _skew(resp: requests.Response, clock: Callable[[], float]) -> float | None:
    """Local clock minus the server's, from the response's Date header (seconds)."""
    date = resp.headers.get("Date")
    if not date:
        return None
    try:
        return clock() - parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return None
