"""The targets (§3.1-3.3): VPCs, VPN gateways, customer gateways; and validation issues."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from vpnkit.frames._columns import _Col
from vpnkit.frames._convert import _add_tags, _extract, _frame
from vpnkit.validate import Issue


def _snake(wire: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", wire).lower()


def _schema(*fields: str | tuple[Any, ...]) -> tuple[_Col, ...]:
    """``"Wire"`` (a string) or ``("Wire", kind[, categories])`` -> columns in snake_case."""
    out: list[_Col] = []
    for f in fields:
        wire, kind, cats = (f, "str", ()) if isinstance(f, str) else (*f, ())[:3]
        out.append((_snake(wire), (wire,), kind, cats))
    return tuple(out)


_VPC = _schema(
    "VpcId", "VpcName", "CidrBlock", ("IsDefault", "bool"), ("EnableMulticast", "bool"),
    ("CreatedTime", "time"), ("DnsServerSet", "obj"), "DomainName", "DhcpOptionsId",
    ("EnableDhcp", "bool"), "Ipv6CidrBlock", ("AssistantCidrSet", "obj"),
    ("EnableRouteVpcPublish", "bool"), ("Ipv6CidrBlockSet", "obj"),
    ("EnableRouteVpcPublishIpv6", "bool"), ("StackType", "cat", ("DualStack", "IPv6Only")))
_GATEWAY = _schema(
    "VpnGatewayId", "VpcId", "VpnGatewayName", ("Type", "cat", ("IPSEC", "SSL", "CCN", "SSL_CCN")),
    ("State", "cat", ("PENDING", "PENDING_ERROR", "DELETING", "DELETING_ERROR", "AVAILABLE")),
    "PublicIpAddress", ("RenewFlag", "cat", ("NOTIFY_AND_MANUAL_RENEW", "NOTIFY_AND_AUTO_RENEW",
                                             "NOT_NOTIFY_AND_NOT_RENEW")),
    ("InstanceChargeType", "cat", ("POSTPAID_BY_HOUR", "PREPAID")),
    ("InternetMaxBandwidthOut", "int"), ("CreatedTime", "time"), ("ExpiredTime", "time"),
    ("IsAddressBlocked", "bool"), ("NewPurchasePlan", "cat", ("PREPAID_TO_POSTPAID",)),
    ("RestrictState", "cat", ("PROTECTIVELY_ISOLATED", "NORMAL")), ("Zone", "cat"),
    ("VpnGatewayQuotaSet", "obj"), ("Version", "cat"), "NetworkInstanceId", "CdcId",
    ("MaxConnection", "int"), ("BgpAsn", "int"), ("IsPrivate", "bool"))
_CUSTOMER_GATEWAY = _schema(
    "CustomerGatewayId", "CustomerGatewayName", "IpAddress", ("CreatedTime", "time"),
    ("BgpAsn", "int"), ("VpnConnNum", "int"))


def _target_frame(items: Iterable[Mapping[str, Any]], schema: tuple[_Col, ...]) -> pd.DataFrame:
    rows = [r for r in items if isinstance(r, Mapping)]
    data = _extract(rows, schema)
    _add_tags(data, rows)
    return _frame(data, len(rows))


def vpcs_frame(vpcs: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per VPC from ``DescribeVpcs``' ``VpcSet`` (§3.1); join on ``vpc_id``."""
    return _target_frame(vpcs, _VPC)


def vpn_gateways_frame(gateways: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per VPN gateway from ``VpnGatewaySet`` (§3.2); join on ``vpn_gateway_id``."""
    return _target_frame(gateways, _GATEWAY)


def customer_gateways_frame(gateways: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per customer gateway (§3.3); join on ``customer_gateway_id``."""
    return _target_frame(gateways, _CUSTOMER_GATEWAY)


def issues_frame(issues: Iterable[Issue] | Any) -> pd.DataFrame:
    """Validation issues (a list of ``Issue`` or a ``SpecError``): path, code, message, severity."""
    items = list(getattr(issues, "issues", issues))
    return pd.DataFrame({
        "path": pd.array([i.path for i in items], dtype="string"),
        "code": pd.array([i.code for i in items], dtype="string"),
        "message": pd.array([i.message for i in items], dtype="string"),
        "severity": pd.Categorical([i.severity for i in items],
                                   categories=["error", "warning"]),
    })
