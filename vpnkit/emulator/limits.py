"""DescribeVpcLimits: the account's quotas, answered from the emulator's settings.

Sources: the action doc (cloud.tencent.com product 248 doc 42942, the SDK docstrings of
PYSDK ``vpc_client.py`` 3.1.193 and GOSDK ``client.go`` v1.3.166 carry the same list) names
the ``LimitTypes`` below; PYSDK models: at most 100 types per call ("每次最大查询100个配额
类型"); the tccli example answers ``{"VpcLimitSet": [{"LimitType": "appid-max-vpcs",
"LimitValue": 5}]}``. GOSDK lists two error codes for the action, ``InvalidParameterValue``
and ``InvalidParameterValue.LimitExceeded`` (GOINTL v3.0.1474 has no DescribeVpcLimits).

The emulator's choices, where no doc says more:

* the four VPN quotas are answered from the backend's settings (emulator settings, not
  documented defaults: no doc gives a default for any of them);
* the other documented types are left out of ``VpcLimitSet``: no doc gives their default
  (the example's ``appid-max-vpcs: 5`` is one account's answer, not a default), and making
  one up would pass for a real quota. A caller must treat a missing type as "not known";
* a type the doc does not list is ``InvalidParameterValue``, more than 100 types
  ``InvalidParameterValue.LimitExceeded`` (the two codes the action lists); a type given
  twice is answered once, in request order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vpnkit.emulator.codes import EmulatorError

__all__ = ["CUSTOMER_GATEWAYS", "DOCUMENTED", "MAX_TYPES", "PER_ACCOUNT", "PER_CUSTOMER_GATEWAY",
           "PER_GATEWAY", "answer"]

PER_GATEWAY = "vpn-gateway-max-custom-gateways"  # "每个VPNGW可以创建的通道数"
PER_CUSTOMER_GATEWAY = "custom-gateway-max-vpn-connections"  # "每个对端网关可创建的VPN通道数"
PER_ACCOUNT = "appid-max-vpn-connections"  # "每个开发商可创建的VPN通道数"
CUSTOMER_GATEWAYS = "appid-max-custom-gateways"  # "每个开发商可创建的对端网关数"
MAX_TYPES = 100

#: Every LimitType the doc lists (product 248 doc 42942; GOSDK v1.3.166 adds the IPv6 ones).
DOCUMENTED: frozenset[str] = frozenset({
    "appid-max-vpcs", "vpc-max-subnets", "vpc-max-route-tables", "route-table-max-policies",
    "vpc-max-vpn-gateways", CUSTOMER_GATEWAYS, PER_ACCOUNT, PER_CUSTOMER_GATEWAY, PER_GATEWAY,
    "vpc-max-network-acls", "network-acl-max-inbound-policies",
    "network-acl-max-outbound-policies", "vpc-max-vpcpeers", "vpc-max-available-vpcpeers",
    "vpc-max-basic-network-interconnections", "direct-connection-max-snats",
    "direct-connection-max-dnats", "direct-connection-max-snapts",
    "direct-connection-max-dnapts", "vpc-max-nat-gateways", "nat-gateway-max-eips",
    "vpc-max-enis", "vpc-max-havips", "eni-max-private-ips", "nat-gateway-max-dnapts",
    "vpc-max-ipv6s", "eni-max-ipv6s", "vpc-max-assistant_cidrs",
    "appid-max-end-point-services", "appid-max-end-point-service-white-lists",
    "vpc-max-cmcc-ipv6-cidrs", "vpc-max-ctcc-ipv6-cidrs", "vpc-max-cucc-ipv6-cidrs",
    "vpc-max-bgp-ipv6-cidrs", "vpc-max-custom-ipv6-cidrs", "vpc-max-ula-ipv6-cidrs",
})


def answer(limit_types: Sequence[str], values: Mapping[str, int]) -> list[dict[str, Any]]:
    """``VpcLimitSet`` for ``limit_types``: each known type once, with its value in ``values``."""
    if len(limit_types) > MAX_TYPES:
        raise EmulatorError("InvalidParameterValue.LimitExceeded",
                            f"`LimitTypes` has {len(limit_types)} types; at most {MAX_TYPES} "
                            "per request.")
    for i, kind in enumerate(limit_types):
        if kind not in DOCUMENTED:
            raise EmulatorError("InvalidParameterValue",
                                f"The value `{kind}` of `LimitTypes.{i}` is not a limit type.")
    seen: dict[str, None] = dict.fromkeys(limit_types)
    return [{"LimitType": kind, "LimitValue": values[kind]} for kind in seen if kind in values]
