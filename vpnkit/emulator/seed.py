"""Starting states: ``demo`` (a small realistic estate) and ``empty``.

The ``demo`` IDs are stable; notebooks, tests and other vpnkit parts rely on them. Public IPs
are from the documentation ranges 203.0.113.0/24 (VPN gateways) and 198.51.100.0/24
(customer gateways). Every gateway's quota (``MaxConnection``) is 20 unless noted.

============== ============== ============== ======================================
region         VPC            CIDR           VPN gateways / customer gateways
============== ============== ============== ======================================
ap-guangzhou   vpc-demo0001   10.0.0.0/16    vpngw-demo0001 IPSEC 2.0 203.0.113.10
               vpc-demo0002   172.16.0.0/16  vpngw-demo0002 IPSEC 4.0 203.0.113.20
               (none)                        vpngw-demo0003 CCN   2.0 203.0.113.30
                                             cgw-demo0001 198.51.100.10 (BGP ASN 65001)
                                             cgw-demo0002 198.51.100.20 (BGP ASN 65002)
                                             cgw-demo0003 198.51.100.30 (no BGP ASN)
ap-shanghai    vpc-demo0101   10.1.0.0/16    vpngw-demo0101 IPSEC 2.0 203.0.113.110,
                                             quota 5, no BGP ASN
                                             cgw-demo0101 198.51.100.110 (BGP ASN 65101)
ap-beijing     vpc-demo0201   10.2.0.0/16    vpngw-demo0201 IPSEC 4.0 203.0.113.210
                                             cgw-demo0201 198.51.100.210 (BGP ASN 65201)
ap-shanghai-fsi vpc-demo0301  10.30.0.0/16   vpngw-demo0301 IPSEC 2.0 203.0.113.230
                                             cgw-demo0301 198.51.100.230 (BGP ASN 65301)
ap-hongkong    vpc-lab00001   198.18.0.0/16  vpngw-lab00001 IPSEC 4.0 203.0.113.50
                                             cgw-lab00001 198.51.100.50 (BGP ASN 65050)
============== ============== ============== ======================================

The ``ap-hongkong`` entries are the rehearsal lab (``vpnkit rehearse``, notebook 05): every
address is a documentation (203.0.113.0/24, 198.51.100.0/24) or benchmarking (198.18.0.0/15)
range, so a lab tunnel's SPD pairs (VPC side in 198.18.0.0/16, IDC side in 198.19.0.0/16) can
carry real test traffic inside the namespaces a rehearsal creates.

Gateways with a BGP ASN use Tencent's 45090. Other known regions (:data:`REGIONS`) start empty.
"""

from __future__ import annotations

from typing import Any

__all__ = ["REGIONS", "SEEDS", "build"]

#: Region IDs the emulator answers for (§5: Go SDK region constants plus ap-beijing-fsi).
REGIONS: frozenset[str] = frozenset({
    "ap-bangkok", "ap-beijing", "ap-beijing-fsi", "ap-chengdu", "ap-chongqing",
    "ap-guangzhou", "ap-guangzhou-open", "ap-hongkong", "ap-jakarta", "ap-mumbai",
    "ap-nanjing", "ap-seoul", "ap-shanghai", "ap-shanghai-fsi", "ap-shenzhen-fsi",
    "ap-singapore", "ap-tokyo", "eu-frankfurt", "eu-moscow", "na-ashburn",
    "na-siliconvalley", "na-toronto", "sa-saopaulo",
})

_CREATED = "2024-03-01 10:00:00"
TENCENT_BGP_ASN = 45090


def _vpc(vpc_id: str, name: str, cidr: str) -> dict[str, Any]:
    return {"VpcName": name, "VpcId": vpc_id, "CidrBlock": cidr, "IsDefault": False,
            "EnableMulticast": False, "CreatedTime": _CREATED,
            "DnsServerSet": ["183.60.83.19", "183.60.82.98"], "DomainName": "",
            "DhcpOptionsId": "", "EnableDhcp": True, "Ipv6CidrBlock": "", "TagSet": [],
            "AssistantCidrSet": [], "EnableRouteVpcPublish": False, "Ipv6CidrBlockSet": [],
            "EnableRouteVpcPublishIpv6": False}


def _gateway(gw_id: str, name: str, vpc_id: str, ip: str, zone: str, *, version: str = "2.0",
             kind: str = "IPSEC", quota: int = 20, bgp: bool = True) -> dict[str, Any]:
    return {"VpnGatewayId": gw_id, "VpcId": vpc_id, "VpnGatewayName": name, "Type": kind,
            "State": "AVAILABLE", "PublicIpAddress": ip, "RenewFlag": "",
            "InstanceChargeType": "POSTPAID_BY_HOUR", "InternetMaxBandwidthOut": 100,
            "CreatedTime": _CREATED, "ExpiredTime": "0000-00-00 00:00:00",
            "IsAddressBlocked": False, "NewPurchasePlan": "", "RestrictState": "NORMAL",
            "Zone": zone, "VpnGatewayQuotaSet": [
                {"Bandwidth": 100, "Cname": "", "Name": "", "MaxConnection": quota}],
            "Version": version, "NetworkInstanceId": "ccn-demo0001" if kind == "CCN" else "",
            "CdcId": "", "MaxConnection": quota, "BgpAsn": TENCENT_BGP_ASN if bgp else 0,
            "TagSet": [], "IsPrivate": False}


def _cgw(cgw_id: str, name: str, ip: str, asn: int) -> dict[str, Any]:
    return {"CustomerGatewayId": cgw_id, "CustomerGatewayName": name, "IpAddress": ip,
            "CreatedTime": _CREATED, "BgpAsn": asn, "VpnConnNum": 0, "TagSet": []}


def _region(vpcs: list[dict[str, Any]], gateways: list[dict[str, Any]],
            cgws: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    return {"vpcs": {v["VpcId"]: v for v in vpcs},
            "vpn_gateways": {g["VpnGatewayId"]: g for g in gateways},
            "customer_gateways": {c["CustomerGatewayId"]: c for c in cgws},
            "vpn_connections": {}}


def _demo() -> dict[str, Any]:
    gz, sh, bj, fsi = "ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-shanghai-fsi"
    return {"regions": {
        gz: _region(
            [_vpc("vpc-demo0001", "demo-gz-prod", "10.0.0.0/16"),
             _vpc("vpc-demo0002", "demo-gz-dev", "172.16.0.0/16")],
            [_gateway("vpngw-demo0001", "gz-prod-vpngw", "vpc-demo0001", "203.0.113.10",
                      f"{gz}-3"),
             _gateway("vpngw-demo0002", "gz-dev-vpngw-v4", "vpc-demo0002", "203.0.113.20",
                      f"{gz}-4", version="4.0"),
             _gateway("vpngw-demo0003", "gz-ccn-vpngw", "", "203.0.113.30", f"{gz}-3",
                      kind="CCN")],
            [_cgw("cgw-demo0001", "hq-office", "198.51.100.10", 65001),
             _cgw("cgw-demo0002", "dc-shenzhen", "198.51.100.20", 65002),
             _cgw("cgw-demo0003", "branch-no-bgp", "198.51.100.30", 0)]),
        sh: _region(
            [_vpc("vpc-demo0101", "demo-sh-prod", "10.1.0.0/16")],
            [_gateway("vpngw-demo0101", "sh-prod-vpngw", "vpc-demo0101", "203.0.113.110",
                      f"{sh}-2", quota=5, bgp=False)],
            [_cgw("cgw-demo0101", "sh-office", "198.51.100.110", 65101)]),
        bj: _region(
            [_vpc("vpc-demo0201", "demo-bj-prod", "10.2.0.0/16")],
            [_gateway("vpngw-demo0201", "bj-prod-vpngw-v4", "vpc-demo0201", "203.0.113.210",
                      f"{bj}-5", version="4.0")],
            [_cgw("cgw-demo0201", "bj-office", "198.51.100.210", 65201)]),
        fsi: _region(
            [_vpc("vpc-demo0301", "demo-fsi-prod", "10.30.0.0/16")],
            [_gateway("vpngw-demo0301", "fsi-prod-vpngw", "vpc-demo0301", "203.0.113.230",
                      f"{fsi}-1")],
            [_cgw("cgw-demo0301", "fsi-office", "198.51.100.230", 65301)]),
        "ap-hongkong": _region(
            [_vpc("vpc-lab00001", "lab-rehearsal", "198.18.0.0/16")],
            [_gateway("vpngw-lab00001", "lab-vpngw", "vpc-lab00001", "203.0.113.50",
                      "ap-hongkong-2", version="4.0")],
            [_cgw("cgw-lab00001", "lab-idc", "198.51.100.50", 65050)]),
    }, "tasks": {}}


def _empty() -> dict[str, Any]:
    return {"regions": {}, "tasks": {}}


SEEDS = {"demo": _demo, "empty": _empty}


def build(name: str) -> dict[str, Any]:
    """A fresh copy of the named seed state (``KeyError`` names the choices)."""
    try:
        return SEEDS[name]()
    except KeyError:
        raise KeyError(f"unknown seed {name!r}; choose one of {', '.join(SEEDS)}") from None
