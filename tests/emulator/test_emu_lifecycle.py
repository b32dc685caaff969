"""State machine (PENDING -> AVAILABLE, DELETING -> gone), tasks, Modify and Describe*."""

from __future__ import annotations

import time

import pytest
from emu_helpers import DELAY, Signer, code, tunnel_request, wait_state

from vpnkit.emulator import Emulator


def _create(signer: Signer, **overrides: object) -> tuple[str, str]:
    inner = signer.call("CreateVpnConnection", tunnel_request(**overrides))
    return inner["VpnConnection"]["VpnConnectionId"], inner["RequestId"]


def test_pending_then_available_with_task(signer: Signer) -> None:
    """A tunnel is PENDING, then AVAILABLE with a real CreatedTime; its task RUNNING -> SUCCESS."""
    tid, task = _create(signer)
    result = signer.call("DescribeVpcTaskResult", {"TaskId": task})
    assert result["Status"] == "RUNNING"
    assert result["Result"] == [{"ResourceId": tid, "Status": "RUNNING"}]
    wait_state(signer, tid, "AVAILABLE")
    t = signer.call("DescribeVpnConnections", {"VpnConnectionIds": [tid]})["VpnConnectionSet"][0]
    assert t["CreatedTime"] != "0000-00-00 00:00:00"
    assert t["NetStatus"] == "AVAILABLE"
    assert signer.call("DescribeVpcTaskResult", {"TaskId": task})["Status"] == "SUCCESS"


def test_unknown_task(signer: Signer) -> None:
    """An unknown TaskId -> ResourceNotFound."""
    inner = signer.call("DescribeVpcTaskResult", {"TaskId": "not-a-task"})
    assert code(inner) == "ResourceNotFound"


def test_delete_lifecycle(signer: Signer) -> None:
    """Delete: refused while PENDING; then DELETING (refused again) and finally gone."""
    tid, _ = _create(signer)
    req = {"VpnGatewayId": "vpngw-demo0001", "VpnConnectionId": tid}
    assert code(signer.call("DeleteVpnConnection", req)) == \
        "UnsupportedOperation.DeleteVpnConnInvalidState"
    wait_state(signer, tid, "AVAILABLE")
    deleted = signer.call("DeleteVpnConnection", req)
    assert set(deleted) == {"RequestId"}
    wait_state(signer, tid, "DELETING")
    assert code(signer.call("DeleteVpnConnection", req)) == \
        "UnsupportedOperation.DeleteVpnConnInvalidState"
    assert signer.call("DescribeVpcTaskResult", {"TaskId": deleted["RequestId"]})["Status"] \
        == "RUNNING"
    wait_state(signer, tid, None)
    assert code(signer.call("DeleteVpnConnection", req)) == "ResourceNotFound"
    assert code(signer.call("DescribeVpnConnections", {"VpnConnectionIds": [tid]})) == \
        "ResourceNotFound"


def test_delete_wrong_gateway(signer: Signer) -> None:
    """Deleting a tunnel through another gateway -> ResourceNotFound; bad ids -> Malformed."""
    tid, _ = _create(signer)
    assert code(signer.call("DeleteVpnConnection", {
        "VpnGatewayId": "vpngw-demo0002", "VpnConnectionId": tid})) == "ResourceNotFound"
    assert code(signer.call("DeleteVpnConnection", {
        "VpnGatewayId": "vpngw-demo0001", "VpnConnectionId": "vpnx-1"})) == \
        "InvalidParameterValue.Malformed"
    assert code(signer.call("DeleteVpnConnection", {"VpnGatewayId": "vpngw-demo0001"})) == \
        "MissingParameter"


def test_modify(signer: Signer) -> None:
    """Modify: refused while PENDING; renames, changes options and validates like create."""
    tid, _ = _create(signer)
    assert code(signer.call("ModifyVpnConnectionAttribute", {
        "VpnConnectionId": tid, "VpnConnectionName": "x"})) == \
        "UnsupportedOperation.VpnConnInvalidState"
    wait_state(signer, tid, "AVAILABLE")
    ok = signer.call("ModifyVpnConnectionAttribute", {
        "VpnConnectionId": tid, "VpnConnectionName": "renamed", "DpdEnable": 1,
        "IPSECOptionsSpecification": {"IntegrityAlgorithm": "MD5"}})
    assert code(ok) is None
    t = signer.call("DescribeVpnConnections", {"VpnConnectionIds": [tid]})["VpnConnectionSet"][0]
    assert (t["VpnConnectionName"], t["DpdEnable"]) == ("renamed", 1)
    assert t["IPSECOptionsSpecification"]["IntegrityAlgorith"] == "MD5"
    assert t["IPSECOptionsSpecification"]["EncryptAlgorithm"] == "AES-CBC-256"  # kept
    assert code(signer.call("ModifyVpnConnectionAttribute", {
        "VpnConnectionId": tid, "RouteType": "Bgp"})) == "UnknownParameter"
    assert code(signer.call("ModifyVpnConnectionAttribute", {
        "VpnConnectionId": tid, "HealthCheckRemoteIp": "10.0.3.3"})) == \
        "InvalidParameterValue.VpnConnHealthCheckIpConflict"
    assert code(signer.call("ModifyVpnConnectionAttribute", {
        "VpnConnectionId": tid, "CustomerGatewayId": "cgw-demo0002"})) == "UnsupportedOperation"
    assert code(signer.call("ModifyVpnConnectionAttribute", {
        "VpnConnectionId": "vpnx-zzzzzzzz"})) == "ResourceNotFound"


def test_describe_pagination_and_filters(signer: Signer) -> None:
    """TotalCount counts before paging; Offset/Limit page; filters AND, values OR."""
    ids = []
    for i in range(7):
        tid, _ = _create(signer, VpnConnectionName=f"t{i}", SecurityPolicyDatabases=[
            {"LocalCidrBlock": f"10.0.{i}.0/24", "RemoteCidrBlock": [f"192.168.{i}.0/24"]}])
        ids.append(tid)
    pages = [signer.call("DescribeVpnConnections", {"Offset": off, "Limit": 3})
             for off in (0, 3, 6)]
    assert all(p["TotalCount"] == 7 for p in pages)
    assert [t["VpnConnectionId"] for p in pages for t in p["VpnConnectionSet"]] == ids
    filtered = signer.call("DescribeVpnConnections", {"Filters": [
        {"Name": "vpn-connection-name", "Values": ["t1", "t5", "nope"]},
        {"Name": "vpn-gateway-id", "Values": ["vpngw-demo0001"]}]})
    assert [t["VpnConnectionName"] for t in filtered["VpnConnectionSet"]] == ["t1", "t5"]
    assert signer.call("DescribeVpnConnections", {"Limit": 0})["TotalCount"] == 7


@pytest.mark.parametrize(("params", "expected"), [
    ({"VpnConnectionIds": ["vpnx-aaaaaaaa"], "Filters": [{"Name": "vpc-id", "Values": ["v"]}]},
     "InvalidParameter.Coexist"),
    ({"Limit": 101}, "InvalidParameterValue.LimitExceeded"),
    ({"Limit": -1}, "InvalidParameterValue"),  # .Range is not in this action's list (GOINTL)
    ({"Offset": "1"}, "InvalidParameter"),
    ({"Filters": [{"Name": "colour", "Values": ["x"]}]}, "InvalidParameter.FilterInvalidKey"),
    ({"Filters": [{"Name": "vpc-id", "Values": ["a", "b", "c", "d", "e", "f"]}]},
     "InvalidParameterValue.LimitExceeded"),
    ({"Filters": [{"Name": "vpc-id", "Values": ["a"]}] * 11},
     "InvalidParameterValue.LimitExceeded"),
    ({"Filters": [{"Name": "vpc-id"}]}, "MissingParameter"),
    ({"VpnConnectionIds": ["vpnx-bad"]}, "InvalidParameterValue.Malformed"),
    ({"VpnConnectionIds": ["vpnx-zzzzzzzz"]}, "ResourceNotFound"),
    ({"VpnConnectionIds": [f"vpnx-{i:08d}" for i in range(101)]},
     "InvalidParameterValue.LimitExceeded"),
])
def test_describe_errors(signer: Signer, params: dict[str, object], expected: str) -> None:
    """Describe request errors answer their catalogue codes."""
    assert code(signer.call("DescribeVpnConnections", params)) == expected


def test_describe_vpcs_string_paging(signer: Signer) -> None:
    """DescribeVpcs takes Offset/Limit as strings (§3.1) and as ints; junk is Malformed."""
    assert signer.call("DescribeVpcs", {"Offset": "1", "Limit": "1"})["VpcSet"][0]["VpcId"] == \
        "vpc-demo0002"
    assert signer.call("DescribeVpcs", {"Offset": 1, "Limit": 1})["TotalCount"] == 2
    assert code(signer.call("DescribeVpcs", {"Limit": "ten"})) == \
        "InvalidParameterValue.Malformed"
    assert code(signer.call("DescribeVpcs", {"Limit": "101"})) == \
        "InvalidParameterValue.LimitExceeded"
    named = signer.call("DescribeVpcs", {"Filters": [{"Name": "vpc-name", "Values": ["dev"]}]})
    assert [v["VpcId"] for v in named["VpcSet"]] == ["vpc-demo0002"]


def test_describe_gateways_and_customer_gateways(signer: Signer) -> None:
    """Gateways and customer gateways per region; VpnConnNum counts tunnels."""
    gws = signer.call("DescribeVpnGateways", {"Filters": [{"Name": "type", "Values": ["CCN"]}]})
    assert [g["VpnGatewayId"] for g in gws["VpnGatewaySet"]] == ["vpngw-demo0003"]
    fsi = signer.call("DescribeVpnGateways", {}, region="ap-shanghai-fsi")
    assert fsi["VpnGatewaySet"][0]["PublicIpAddress"] == "203.0.113.230"
    _create(signer)
    cgws = signer.call("DescribeCustomerGateways", {"CustomerGatewayIds": ["cgw-demo0001"]})
    assert cgws["CustomerGatewaySet"][0]["VpnConnNum"] == 1
    assert code(signer.call("DescribeCustomerGateways", {"CustomerGatewayIds": [
        "cgw-demo0101"]})) == "ResourceNotFound"


@pytest.mark.parametrize(("params", "expected"), [
    ({"CustomerGatewayName": "new", "IpAddress": "8.8.4.4", "BgpAsn": 65010}, None),
    ({"CustomerGatewayName": "new", "IpAddress": "8.8.4.4", "BgpAsn": 45090},
     "InvalidParameterValue"),
    ({"CustomerGatewayName": "new", "IpAddress": "8.8.4.4", "BgpAsn": 0}, "InvalidParameterValue"),
    ({"CustomerGatewayName": "new", "IpAddress": "192.168.1.1"}, "InvalidParameterValue"),
    # .Malformed is not in CreateCustomerGateway's list (GOINTL client.go): its parent answers
    ({"CustomerGatewayName": "new", "IpAddress": "8.8.4"}, "InvalidParameterValue"),
    ({"CustomerGatewayName": "n" * 61, "IpAddress": "8.8.4.4"}, "InvalidParameterValue.TooLong"),
    ({"CustomerGatewayName": "dup", "IpAddress": "198.51.100.10"},
     "UnsupportedOperation.RecordExists"),
    ({"IpAddress": "8.8.4.4"}, "MissingParameter"),
])
def test_create_customer_gateway(signer: Signer, params: dict[str, object],
                                 expected: str | None) -> None:
    """CreateCustomerGateway validates IP, name and BgpAsn (§3.8)."""
    inner = signer.call("CreateCustomerGateway", params)
    assert code(inner) == expected
    if expected is None:
        assert inner["CustomerGateway"]["CustomerGatewayId"].startswith("cgw-")


def test_customer_gateway_quota(emu: Emulator, signer: Signer) -> None:
    """The 51st customer gateway in a region -> LimitExceeded."""
    for i in range(50):
        assert code(signer.call("CreateCustomerGateway", {
            "CustomerGatewayName": f"c{i}", "IpAddress": f"8.8.{i}.1"}, region="ap-tokyo")) \
            is None
    assert code(signer.call("CreateCustomerGateway", {
        "CustomerGatewayName": "one-too-many", "IpAddress": "9.9.9.9"}, region="ap-tokyo")) \
        == "LimitExceeded"


def test_lazy_transitions_follow_the_clock(emu: Emulator, signer: Signer) -> None:
    """Transitions are computed from timestamps: no timers, a later read sees the new state."""
    emu.backend.create_delay = 3600
    tid, _ = _create(signer)
    emu.backend.clock = lambda: time.time() + 3601
    try:
        wait_state(signer, tid, "AVAILABLE", timeout=DELAY)
    finally:
        emu.backend.clock = time.time
