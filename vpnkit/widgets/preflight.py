"""Pre-flight of the form's one new tunnel against the tunnels its gateway already has.

The rules are :mod:`vpnkit.gateway_rules` (one copy, shared with the batch pre-flight: the
name unique per gateway, BGP not mixed with non-BGP, BGP tunnel CIDRs apart, SPD conflicts
only when both sides overlap, the 200 mappings per gateway); this module keeps the form's
side: :func:`gateway_tunnels`, the one lookup through the injected client, and
:func:`live_issues`, which names the other tunnels the form's way (``tunnel 'hq' (vpnx-...)``).
The account's tunnel quotas (:mod:`vpnkit.quotas`, the batch's counting) are read with the
gateway's tunnels (:func:`read_quota`: one DescribeVpcLimits call and the customer gateways'
``VpnConnNum``) and checked by :func:`quota_issues`; quotas that could not be read are a
warning, never "no limit".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from vpnkit.errors import ApiError, TransportError
from vpnkit.gateway_rules import MAX_GATEWAY_MAPPINGS, ROUTE_BASED, Ref, check_gateway
from vpnkit.models import VpnConnection, VpnConnectionSpec
from vpnkit.quotas import UNCHECKED, Quota, customer_gateway_counts, read_limits
from vpnkit.validate import Issue

__all__ = ["MAX_GATEWAY_MAPPINGS", "ROUTE_BASED", "QuotaState", "gateway_tunnels",
           "live_issues", "quota_issues", "read_quota"]


@dataclass(frozen=True)
class QuotaState:
    """The account's tunnel quotas and the tunnels per customer gateway, as last read."""

    limits: Mapping[str, int] | None  # None: not read (the warnings say why)
    per_customer_gateway: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[Issue, ...] = ()

    def with_tunnel(self, customer_gateway_id: str) -> QuotaState:
        """These counts with one more tunnel to ``customer_gateway_id`` (the form just created
        it): the customer gateway's count and so the account's total include it."""
        if self.limits is None or not customer_gateway_id:
            return self
        per_cgw = dict(self.per_customer_gateway)
        per_cgw[customer_gateway_id] = per_cgw.get(customer_gateway_id, 0) + 1
        return replace(self, per_customer_gateway=per_cgw)


def read_quota(client: Any) -> QuotaState:
    """One DescribeVpcLimits call and one (paged) DescribeCustomerGateways; never raises."""
    limits, warnings = read_limits(client)
    if limits is None:
        return QuotaState(None, {}, tuple(warnings))
    try:
        per_cgw = customer_gateway_counts(client.describe_customer_gateways())
    except (ApiError, TransportError) as exc:
        return QuotaState(None, {}, (Issue("", UNCHECKED, "could not count the customer "
                                           f"gateways' tunnels ({exc}): the tunnel quotas "
                                           "are not checked", "warning"),))
    return QuotaState(limits, per_cgw, tuple(warnings))


def quota_issues(spec: VpnConnectionSpec, existing: Sequence[VpnConnection],
                 state: QuotaState) -> list[Issue]:
    """``LimitExceeded`` if ``spec`` would pass a tunnel quota; the warnings of an unread one.

    ``existing``: the gateway's tunnels (those this form created since included)."""
    out = [replace(w, path="vpn_gateway_id") for w in state.warnings]  # shown by the gateway
    gw, cgw = spec.vpn_gateway_id, spec.customer_gateway_id
    if state.limits is None or not isinstance(gw, str) or not isinstance(cgw, str) \
            or not gw or not cgw:
        return out
    per_cgw = dict(state.per_customer_gateway)
    problem = Quota(state.limits, {gw: len(existing)}, per_cgw,
                    sum(per_cgw.values())).check(gw, cgw)
    return [*out, problem] if problem is not None else out


def _label(ref: Ref) -> str:
    if isinstance(ref, int):  # the form checks one spec: no earlier candidate to name
        return "this tunnel"
    return f"tunnel {ref.vpn_connection_name!r} ({ref.vpn_connection_id})"


def live_issues(spec: VpnConnectionSpec, existing: Sequence[VpnConnection]) -> list[Issue]:
    """Problems between ``spec`` and its gateway's ``existing`` tunnels (errors and warnings)."""
    return check_gateway(spec.vpn_gateway_id, [spec], existing, label=_label)[0]


def gateway_tunnels(client: Any, vpn_gateway_id: str) -> list[VpnConnection]:
    """One gateway's tunnels as models (all pages); raises what the client raises. (Many
    gateways at once, raw by name: :func:`vpnkit.batch.preflight.tunnels_by_gateway`.)"""
    found: list[VpnConnection] = client.describe_vpn_connections(
        filters={"vpn-gateway-id": vpn_gateway_id})
    return found
