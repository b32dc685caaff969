"""Client-side validation and the emulator agree: same verdict, same Tencent error code.

Each bad spec is checked locally (vpnkit.validate) and then sent raw to the emulator,
bypassing local validation, so a rule missing on either side shows up here.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CGW, GATEWAY, VPC
from vpnkit import ApiError, IkeOptions, IpsecOptions, SpdRule, VpcClient, VpnConnectionSpec
from vpnkit import issues as local_issues
from vpnkit.emulator import Emulator
from vpnkit.models import BgpConfig

BASE: dict[str, Any] = {"vpn_gateway_id": GATEWAY, "customer_gateway_id": CGW,
                        "vpn_connection_name": "agree", "pre_share_key": "agree-psk-123",
                        "vpc_id": VPC}
CASES: dict[str, dict[str, Any]] = {
    "valid": {"security_policy_databases": {"10.0.1.0/24": ["192.168.0.0/24"]}},
    "host bits": {"security_policy_databases": {"10.0.1.5/24": ["192.168.0.0/24"]}},
    "local outside VPC": {"security_policy_databases": {"10.9.0.0/24": ["192.168.0.0/24"]}},
    "remote inside VPC": {"security_policy_databases": {"10.0.1.0/24": ["10.0.2.0/24"]}},
    "remotes overlap": {"security_policy_databases": {"10.0.1.0/24": ["192.168.0.0/16"],
                                                      "10.0.2.0/24": ["192.168.1.0/24"]}},
    "policy tunnel without SPD": {"route_type": "Policy"},
    "empty remote list": {"security_policy_databases": (SpdRule("10.0.1.0/24", ()),)},
    "duplicate local": {"security_policy_databases": (
        SpdRule("10.0.1.0/24", ("192.168.0.0/24",)), SpdRule("10.0.1.0/24", ("192.168.1.0/24",)))},
    "name too long": {"vpn_connection_name": "x" * 61},
    "malformed gateway id": {"vpn_gateway_id": "vpngw-1"},
    "empty psk": {"pre_share_key": ""},
    "dh group": {"ike_options": IkeOptions(dh_group="GROUP3")},
    "dpd timeout range": {"dpd_enable": 1, "dpd_timeout": 61},
    "dpd fields without dpd (accepted)": {"dpd_timeout": 30},
    "fqdn without name": {"ike_options": IkeOptions(local_identity="FQDN")},
    "address identity without address": {"ike_options": IkeOptions(remote_identity="ADDRESS")},
    "bgp mask": {"route_type": "Bgp", "bgp_config": BgpConfig("169.254.128.0/29",
                                                              "169.254.128.1", "169.254.128.2")},
    "bgp ip outside": {"route_type": "Bgp", "bgp_config": BgpConfig(
        "169.254.128.0/30", "169.254.128.1", "169.254.129.2")},
    "bgp without route type": {"bgp_config": BgpConfig("169.254.128.0/30", "169.254.128.1",
                                                       "169.254.128.2")},
    "bgp route type without config": {"route_type": "Bgp"},
    "probe ip inside VPC": {"enable_health_check": True, "health_check_local_ip": "10.0.0.9"},
    "gcm on a 2.0 gateway": {"ike_options": IkeOptions(encryption_algorithm="AES256GCM128")},
    "duplicate tag keys": {"tags": [("a", "1"), ("a", "2")]},
    "traffic lifetime range": {"ipsec_options": IpsecOptions(sa_lifetime_traffic=100)},
    "short psk (accepted)": {"pre_share_key": "654321"},
    "whitespace-only psk": {"pre_share_key": "   "},
    "psk with surrounding space": {"pre_share_key": "agree-psk-123 "},
    "psk with a newline": {"pre_share_key": "agree\npsk"},
    "tag key too long": {"tags": [("k" * 128, "v")]},
    "tag value too long": {"tags": [("k", "v" * 256)]},
    "tag key and value at their limits (accepted)": {"tags": [("k" * 127, "v" * 255)]},
    "tag key with a space at the end": {"tags": [("env ", "v")]},
    "reserved tag key": {"tags": [("qcs:owner", "v")]},
    # emulator side of issue 11 §5 (SPD rule of console doc 1037/39635, ranges of 1037/32682)
    "one IDC range from two VPC ranges (accepted)": {"security_policy_databases": {
        "10.0.1.0/24": ["192.168.2.0/24"], "10.0.2.0/24": ["192.168.2.0/24"]}},
    "mappings overlap on both sides": {"security_policy_databases": {
        "10.0.0.0/20": ["192.168.0.0/16"], "10.0.1.0/24": ["192.168.1.0/24"]}},
    "any-any on a route-based tunnel (accepted)": {
        "route_type": "StaticRoute", "security_policy_databases": {"0.0.0.0/0": ["0.0.0.0/0"]}},
    "any-any on a policy tunnel": {
        "route_type": "Policy", "security_policy_databases": {"0.0.0.0/0": ["0.0.0.0/0"]}},
    "loopback IDC range": {"security_policy_databases": {"10.0.1.0/24": ["127.0.0.0/8"]}},
    "multicast IDC range": {"security_policy_databases": {"10.0.1.0/24": ["224.0.1.0/24"]}},
}


@pytest.mark.parametrize("case", list(CASES))
def test_client_and_emulator_agree(case: str, emu: Emulator, client: VpcClient) -> None:
    """The emulator rejects exactly what local validation rejects, with one of its codes."""
    spec = VpnConnectionSpec(**{**BASE, **CASES[case]})
    local = {i.code for i in local_issues(spec, vpc_cidr="10.0.0.0/16", gateway_version="2.0")
             if i.severity == "error"}
    try:
        client.call("CreateVpnConnection", spec.to_wire())
        remote = None
    except ApiError as exc:
        remote = exc.code
    if remote is None:
        assert local == set(), f"emulator accepted what vpnkit rejects: {local}"
    else:
        assert remote in local, f"emulator said {remote}, vpnkit said {local or 'OK'}"
