"""DescribeVpcLimits and the tunnel quotas it answers: the emulator's settings, enforced."""

from __future__ import annotations

import json
from typing import Any

import pytest
from emu_helpers import Signer, code, tunnel_request, wait_state

from vpnkit.emulator import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator
from vpnkit.emulator.limits import DOCUMENTED

VPN_TYPES = ["vpn-gateway-max-custom-gateways", "custom-gateway-max-vpn-connections",
             "appid-max-vpn-connections", "appid-max-custom-gateways"]


def _limits(signer: Signer, types: Any) -> dict[str, Any]:
    return signer.call("DescribeVpcLimits", {"LimitTypes": types})


def _spd(i: int) -> list[dict[str, Any]]:
    return [{"LocalCidrBlock": f"10.0.{i}.0/24", "RemoteCidrBlock": [f"192.168.{i}.0/24"]}]


def _spd_dev(i: int) -> list[dict[str, Any]]:
    return [{"LocalCidrBlock": f"172.16.{i}.0/24", "RemoteCidrBlock": [f"192.168.{i}.0/24"]}]


def test_vpn_quotas_are_the_emulator_settings(signer: Signer, emu: Emulator) -> None:
    """The four VPN limit types answer the backend's settings, in request order."""
    emu.backend.tunnels_per_gateway = 3
    emu.backend.tunnels_per_customer_gateway = 4
    emu.backend.tunnels_per_account = 5
    inner = _limits(signer, VPN_TYPES)
    assert inner["VpcLimitSet"] == [
        {"LimitType": "vpn-gateway-max-custom-gateways", "LimitValue": 3},
        {"LimitType": "custom-gateway-max-vpn-connections", "LimitValue": 4},
        {"LimitType": "appid-max-vpn-connections", "LimitValue": 5},
        {"LimitType": "appid-max-custom-gateways", "LimitValue": 50}]
    assert set(inner) == {"VpcLimitSet", "RequestId"}


def test_documented_types_without_a_documented_default_are_left_out(signer: Signer) -> None:
    """The doc's example (GET, LimitTypes.0=appid-max-vpcs) succeeds; no value is made up."""
    inner = signer.get("DescribeVpcLimits", {"LimitTypes": ["appid-max-vpcs"]})
    assert code(inner) is None and inner["VpcLimitSet"] == []
    every = _limits(signer, sorted(DOCUMENTED))
    assert [x["LimitType"] for x in every["VpcLimitSet"]] == sorted(VPN_TYPES)


def test_a_type_given_twice_is_answered_once(signer: Signer) -> None:
    """Repeated LimitTypes give one VpcLimit each."""
    inner = _limits(signer, ["appid-max-vpn-connections"] * 3)
    assert [x["LimitType"] for x in inner["VpcLimitSet"]] == ["appid-max-vpn-connections"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"LimitTypes": ["vpn-gateway-max-tunnels"]}, "InvalidParameterValue"),
    ({"LimitTypes": ["appid-max-vpcs"] * 101}, "InvalidParameterValue.LimitExceeded"),
    ({}, "MissingParameter"),
    ({"LimitTypes": "appid-max-vpcs"}, "InvalidParameter"),
    ({"LimitTypes": [5]}, "InvalidParameter"),
    ({"LimitTypes": ["appid-max-vpcs"], "Filters": []}, "UnknownParameter"),
])
def test_bad_requests_are_refused(signer: Signer, params: dict[str, Any], expected: str) -> None:
    """An undocumented type, >100 types, a missing or mistyped LimitTypes: the listed codes."""
    assert code(signer.call("DescribeVpcLimits", params)) == expected


def test_customer_gateway_quota_is_enforced_across_gateways(signer: Signer,
                                                            emu: Emulator) -> None:
    """custom-gateway-max-vpn-connections: the 3rd tunnel to one customer gateway is refused."""
    emu.backend.tunnels_per_customer_gateway = 2
    answers = [code(signer.call("CreateVpnConnection", tunnel_request(
        VpnConnectionName=f"t{i}", SecurityPolicyDatabases=_spd(i)))) for i in range(2)]
    third = signer.call("CreateVpnConnection", tunnel_request(
        VpnGatewayId="vpngw-demo0002", VpcId="vpc-demo0002", VpnConnectionName="t2",
        SecurityPolicyDatabases=_spd_dev(2)))
    other_cgw = signer.call("CreateVpnConnection", tunnel_request(
        CustomerGatewayId="cgw-demo0002", VpnConnectionName="t3", SecurityPolicyDatabases=_spd(3)))
    assert answers == [None, None]
    assert code(third) == "LimitExceeded" and "cgw-demo0001" in third["Error"]["Message"]
    assert code(other_cgw) is None


def test_account_quota_counts_every_tunnel_of_the_region(signer: Signer, emu: Emulator) -> None:
    """appid-max-vpn-connections: a tunnel past it is refused whatever its gateways."""
    emu.backend.tunnels_per_account = 2
    first = code(signer.call("CreateVpnConnection", tunnel_request(
        VpnConnectionName="a", SecurityPolicyDatabases=_spd(1))))
    second = code(signer.call("CreateVpnConnection", tunnel_request(
        VpnGatewayId="vpngw-demo0002", VpcId="vpc-demo0002", CustomerGatewayId="cgw-demo0002",
        VpnConnectionName="b", SecurityPolicyDatabases=_spd_dev(2))))
    third = signer.call("CreateVpnConnection", tunnel_request(
        CustomerGatewayId="cgw-demo0003", VpnConnectionName="c", SecurityPolicyDatabases=_spd(3)))
    assert (first, second, code(third)) == (None, None, "LimitExceeded")
    assert "this account" in third["Error"]["Message"]


def test_modify_to_a_full_customer_gateway_is_refused(signer: Signer, emu: Emulator) -> None:
    """Moving a tunnel (4.0 gateway) onto a customer gateway at its quota is LimitExceeded."""
    emu.backend.tunnels_per_customer_gateway = 1
    made = [signer.call("CreateVpnConnection", tunnel_request(
        VpnGatewayId="vpngw-demo0002", VpcId="vpc-demo0002", CustomerGatewayId=cgw,
        VpnConnectionName=f"m{i}", SecurityPolicyDatabases=_spd_dev(i)))
        for i, cgw in enumerate(("cgw-demo0001", "cgw-demo0002"))]
    assert [code(m) for m in made] == [None, None]
    tid = made[1]["VpnConnection"]["VpnConnectionId"]
    wait_state(signer, tid, "AVAILABLE")
    inner = signer.call("ModifyVpnConnectionAttribute", {"VpnConnectionId": tid,
                                                         "CustomerGatewayId": "cgw-demo0001"})
    assert code(inner) == "LimitExceeded"


def test_the_official_sdk_reads_the_answer(emu: Emulator) -> None:
    """tencentcloud-sdk-python (test-only oracle) parses VpcLimitSet into VpcLimit objects."""
    common = pytest.importorskip("tencentcloud.common.credential")
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.vpc.v20170312 import models, vpc_client

    http = HttpProfile(endpoint=f"{emu.host}:{emu.port}", protocol="http")
    sdk = vpc_client.VpcClient(common.Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY),
                               "ap-guangzhou", ClientProfile(httpProfile=http))
    req = models.DescribeVpcLimitsRequest()
    req.from_json_string(json.dumps({"LimitTypes": ["vpn-gateway-max-custom-gateways"]}))
    answer = sdk.DescribeVpcLimits(req)
    assert [(x.LimitType, x.LimitValue) for x in answer.VpcLimitSet] == [
        ("vpn-gateway-max-custom-gateways", emu.backend.tunnels_per_gateway)]


def test_quota_settings_from_serve_and_the_command_line() -> None:
    """serve() and `python -m vpnkit.emulator` flags set the quotas DescribeVpcLimits answers."""
    import argparse

    from vpnkit.emulator import serve
    from vpnkit.emulator.__main__ import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--tunnels-per-customer-gateway", "5", "--tunnels-per-account", "9"])
    assert (args.tunnels_per_customer_gateway, args.tunnels_per_account) == (5, 9)
    with serve(tunnels_per_gateway=2, tunnels_per_customer_gateway=5,
               tunnels_per_account=9) as emu:
        got = _limits(Signer(emu.url), VPN_TYPES[:3])["VpcLimitSet"]
    assert [x["LimitValue"] for x in got] == [2, 5, 9]
