"""Tunnels for the peer tests, as DescribeVpnConnections returns them (documentation ranges)."""

from __future__ import annotations

from typing import Any

from vpnkit.models import VpnConnection
from vpnkit.wire import connection_from_wire

GATEWAY_IP = "203.0.113.10"
CUSTOMER_IP = "198.51.100.10"
SENTINEL_PSK = "SENTINEL-peer-psk-7f3a"


def wire(**changes: Any) -> dict[str, Any]:
    """A fully stated policy tunnel (every option explicit) with two SPD rules, three pairs."""
    base: dict[str, Any] = {
        "VpnConnectionId": "vpnx-lab00001", "VpnConnectionName": "lab",
        "VpnGatewayId": "vpngw-lab00001", "CustomerGatewayId": "cgw-lab00001",
        "VpcId": "vpc-lab00001", "PreShareKey": SENTINEL_PSK, "RouteType": "Policy",
        "SecurityPolicyDatabaseSet": [
            {"LocalCidrBlock": "198.18.0.0/24",
             "RemoteCidrBlock": ["198.19.1.0/24", "198.19.2.0/24"]},
            {"LocalCidrBlock": "198.18.10.0/24", "RemoteCidrBlock": ["198.19.1.0/24"]},
        ],
        "IKEOptionsSpecification": {
            "PropoEncryAlgorithm": "AES-CBC-128", "PropoAuthenAlgorithm": "SHA-256",
            "ExchangeMode": "MAIN", "LocalIdentity": "ADDRESS", "RemoteIdentity": "ADDRESS",
            "LocalAddress": GATEWAY_IP, "RemoteAddress": CUSTOMER_IP, "DhGroupName": "GROUP14",
            "IKESaLifetimeSeconds": 86400, "IKEVersion": "IKEV2"},
        "IPSECOptionsSpecification": {
            "EncryptAlgorithm": "AES-CBC-256", "IntegrityAlgorith": "SHA-256",
            "IPSECSaLifetimeSeconds": 3600, "PfsDhGroup": "DH-GROUP14",
            "IPSECSaLifetimeTraffic": 1843200},
        "DpdEnable": 1, "DpdTimeout": "30", "DpdAction": "restart",
        "NegotiationType": "active",
    }
    for key, value in changes.items():
        if key in ("ike", "ipsec"):
            name = "IKEOptionsSpecification" if key == "ike" else "IPSECOptionsSpecification"
            base[name] = {**base[name], **value}
        else:
            base[key] = value
    return base


def tunnel(**changes: Any) -> VpnConnection:
    """:func:`wire` read the way the client reads a DescribeVpnConnections answer."""
    return connection_from_wire(wire(**changes))
