"""DescribeCustomerGatewayVendors and DownloadCustomerGatewayConfiguration (issue 12).

Shapes: PYSDK ``CustomerGatewayVendor`` (Platform, SoftwareVersion, VendorName) and the
tccli 3.1.189.1 ``examples.json`` answers. The vendor list is the two entries of the official
example (cisco/ios/V15.4 and h3c/comware/V1.0): the real list is longer, but no source here
gives it, so the emulator serves only what is documented.

The configuration text follows the example's shape only: ``#`` comment lines ending in
``\\r\\n`` (the SDK field doc says "XML格式配置信息", the example shows plain text: the example
wins). Its body lists the tunnel's parameters as the emulator holds them; it is not a device
configuration (vendor-correct renderings are ``vpnkit.peer``'s job, which the emulator may
not import: the dependency direction keeps it away from models/wire). The pre-shared key is
never written into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vpnkit.emulator.codes import EmulatorError

__all__ = ["VENDORS", "configuration", "find_vendor"]

VENDORS: tuple[dict[str, str], ...] = (
    {"Platform": "ios", "SoftwareVersion": "V15.4", "VendorName": "cisco"},
    {"Platform": "comware", "SoftwareVersion": "V1.0", "VendorName": "h3c"},
)


def find_vendor(given: Mapping[str, str]) -> dict[str, str]:
    """The listed vendor equal to ``given``; ``InvalidParameterValue.Empty`` for a blank
    field, ``InvalidParameterValue`` for a vendor not in the list."""
    for key in ("VendorName", "Platform", "SoftwareVersion"):
        if not given[key].strip():
            raise EmulatorError("InvalidParameterValue.Empty",
                                f"`CustomerGatewayVendor.{key}` must not be empty.")
    for vendor in VENDORS:
        if all(vendor[k] == given[k] for k in vendor):
            return dict(vendor)
    raise EmulatorError("InvalidParameterValue", "CustomerGatewayVendor "
                        f"{given['VendorName']}/{given['Platform']}/{given['SoftwareVersion']} "
                        "is not one DescribeCustomerGatewayVendors lists.")


def configuration(vendor: Mapping[str, str], interface: str, tunnel: Mapping[str, Any],
                  gateway: Mapping[str, Any], customer_gateway: Mapping[str, Any]) -> str:
    """The text of one tunnel's configuration, in the example's comment-line shape."""
    ike = tunnel.get("IKEOptionsSpecification", {})
    ipsec = tunnel.get("IPSECOptionsSpecification", {})
    lines = [
        "# VPC utilizes unique identifiers to manipulate the configuration of",
        "# a VPN Connection. Each VPN Connection is assigned an identifier and is",
        "# associated with Virtual Private Gateway ...",
        f"# VPN connection: {tunnel['VpnConnectionId']} ({tunnel['VpnConnectionName']})",
        f"# Vendor: {vendor['VendorName']} {vendor['Platform']} {vendor['SoftwareVersion']}",
        f"# Interface: {interface}",
        f"# Tencent Cloud VPN gateway: {gateway['VpnGatewayId']} "
        f"{gateway.get('PublicIpAddress', '')}",
        f"# Customer gateway: {customer_gateway['CustomerGatewayId']} "
        f"{customer_gateway.get('IpAddress', '')}",
        "# Pre-shared key: the one set on the tunnel (not repeated here)",
        f"# IKE: {ike.get('IKEVersion', '')} {ike.get('ExchangeMode', '')} "
        f"{ike.get('PropoEncryAlgorithm', '')} {ike.get('PropoAuthenAlgorithm', '')} "
        f"{ike.get('DhGroupName', '')} lifetime {ike.get('IKESaLifetimeSeconds', '')}",
        f"# IPsec: {ipsec.get('EncryptAlgorithm', '')} {ipsec.get('IntegrityAlgorith', '')} "
        f"PFS {ipsec.get('PfsDhGroup', '')} lifetime {ipsec.get('IPSECSaLifetimeSeconds', '')}",
    ]
    for rule in tunnel.get("SecurityPolicyDatabaseSet", []):
        for remote in rule["RemoteCidrBlock"]:
            lines.append(f"# Traffic selector: {remote} <-> {rule['LocalCidrBlock']}")
    return "\r\n".join(lines) + "\r\n"
