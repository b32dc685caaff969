"""VpcClient's day-two actions against the emulator over loopback: reset, probe IPs, the VPN
gateway routes of a route-based tunnel, and Tencent's customer-gateway configuration."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CGW, GATEWAY, VPC
from tests.test_client import Recorder, recording_client
from vpnkit import (
    ApiError,
    AuditLog,
    GatewayRoute,
    OutcomeUnknownError,
    SpecError,
    VpcClient,
    VpnConnectionSpec,
)
from vpnkit.emulator import Emulator

PSK = "day-two-psk-0001"


def route_tunnel(client: VpcClient, name: str = "routed") -> str:
    """An AVAILABLE route-based (StaticRoute) tunnel on the demo gateway; its id."""
    conn = client.create_vpn_connection(VpnConnectionSpec(GATEWAY, CGW, name, PSK, vpc_id=VPC,
                                                          route_type="StaticRoute"))
    client.wait_vpn_connection(conn.vpn_connection_id, interval=0.05, timeout=10)
    return conn.vpn_connection_id


def test_reset_then_net_status_recovers(client: VpcClient, emu: Emulator) -> None:
    """reset_vpn_connection answers a RequestId; NetStatus is UNAVAILABLE, then AVAILABLE."""
    tid = route_tunnel(client)
    emu.backend.create_delay = 30  # the renegotiation outlasts the describe below
    request_id = client.reset_vpn_connection(GATEWAY, tid)
    assert len(request_id) == 36
    [conn] = client.describe_vpn_connections([tid])
    assert conn.net_status == "UNAVAILABLE"
    assert client.describe_vpc_task_result(request_id)["Status"] == "RUNNING"
    emu.backend.clock = lambda: __import__("time").time() + 60
    [conn] = client.describe_vpn_connections([tid])
    assert conn.net_status == "AVAILABLE"
    assert client.describe_vpc_task_result(request_id)["Status"] == "SUCCESS"


def test_reset_unknown_tunnel_is_resource_not_found(client: VpcClient) -> None:
    """Resetting a tunnel that does not exist is ResourceNotFound."""
    with pytest.raises(ApiError) as info:
        client.reset_vpn_connection(GATEWAY, "vpnx-zzzzzzzz")
    assert info.value.code == "ResourceNotFound"


def test_generate_health_check_ips_are_a_usable_pair(client: VpcClient) -> None:
    """Two distinct link-local probe IPs that a create then accepts."""
    local, remote = client.generate_health_check_ips(GATEWAY)
    assert local != remote and local.startswith("169.254.") and remote.startswith("169.254.")
    conn = client.create_vpn_connection(VpnConnectionSpec(
        GATEWAY, CGW, "probed", PSK, vpc_id=VPC, enable_health_check=True,
        health_check_local_ip=local, health_check_remote_ip=remote,
        security_policy_databases={"10.0.1.0/24": ["192.168.10.0/24"]}))
    assert (conn.health_check_local_ip, conn.health_check_remote_ip) == (local, remote)


def test_generate_has_its_own_rate_limit(emu: Emulator) -> None:
    """The client holds GenerateVpnConnectionDefaultHealthCheckIp to 20/s, others to 100/s."""
    c = VpcClient("ap-guangzhou", endpoint=emu.url, credential=emu.credential)
    assert c._limiters["GenerateVpnConnectionDefaultHealthCheckIp"].rate == 20.0
    assert c.limiter.rate == 100.0


def test_generate_draws_from_its_own_limiter(emu: Emulator) -> None:
    """A GenerateVpnConnectionDefaultHealthCheckIp call takes its token from the 20/s bucket."""
    c = VpcClient("ap-guangzhou", endpoint=emu.url, credential=emu.credential)
    action = "GenerateVpnConnectionDefaultHealthCheckIp"
    c.generate_health_check_ips(GATEWAY)
    assert ("ap-guangzhou", action) in c._limiters[action]._buckets
    assert ("ap-guangzhou", action) not in c.limiter._buckets


def test_gateway_routes_create_describe_delete(client: VpcClient) -> None:
    """Routes to a route-based tunnel are created with ids, described, filtered and deleted."""
    tid = route_tunnel(client)
    created = client.create_vpn_gateway_routes(GATEWAY, [
        GatewayRoute("192.168.50.0/24", tid), GatewayRoute("192.168.51.0/24", tid, priority=100,
                                                           status="DISABLE")])
    assert [r["RouteId"][:5] for r in created] == ["vpnr-", "vpnr-"]
    assert {r["Type"] for r in created} == {"Static"}
    routes = client.describe_vpn_gateway_routes(GATEWAY)
    assert {r["DestinationCidrBlock"] for r in routes} == {"192.168.50.0/24", "192.168.51.0/24"}
    only = client.describe_vpn_gateway_routes(GATEWAY,
                                              filters={"DestinationCidr": "192.168.51.0/24"})
    assert [r["Priority"] for r in only] == [100]
    client.delete_vpn_gateway_routes(GATEWAY, [created[0]["RouteId"]])
    assert [r["RouteId"] for r in client.describe_vpn_gateway_routes(GATEWAY)] == \
        [created[1]["RouteId"]]


def test_invalid_route_sends_nothing(emu: Emulator) -> None:
    """A bad priority, status or CIDR is a SpecError naming the field; nothing is sent."""
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(SpecError) as info:
        c.create_vpn_gateway_routes(GATEWAY, [
            GatewayRoute("192.168.50.0/33", "vpnx-abcdefgh"),
            GatewayRoute("192.168.51.0/24", "vpnx-abcdefgh", priority=5, status="ON"),
            GatewayRoute("224.0.0.0/24", "vpnx-abcdefgh")])
    paths = {i.path for i in info.value.issues}
    assert {"routes[0].destination_cidr_block", "routes[1].priority", "routes[1].status",
            "routes[2].destination_cidr_block"} <= paths
    assert adapter.sent == []


def test_route_to_a_policy_tunnel_is_refused(client: VpcClient) -> None:
    """A destination route needs a destination-routed tunnel: Policy -> UnsupportedOperation."""
    conn = client.create_vpn_connection(VpnConnectionSpec(
        GATEWAY, CGW, "policy", PSK, vpc_id=VPC, route_type="Policy",
        security_policy_databases={"10.0.1.0/24": ["192.168.10.0/24"]}))
    client.wait_vpn_connection(conn.vpn_connection_id, interval=0.05, timeout=10)
    with pytest.raises(ApiError) as info:
        client.create_vpn_gateway_routes(GATEWAY, [GatewayRoute("192.168.60.0/24",
                                                                conn.vpn_connection_id)])
    assert info.value.code == "UnsupportedOperation"


def test_lost_route_answer_is_reconciled_not_resent(client: VpcClient, emu: Emulator) -> None:
    """The create answer is lost after commit: the routes are found, the call sent once."""
    tid = route_tunnel(client)
    adapter = Recorder(lose_answers=1, action="CreateVpnGatewayRoutes")
    c = recording_client(emu, adapter)
    found = c.create_vpn_gateway_routes(GATEWAY, [GatewayRoute("192.168.70.0/24", tid)])
    assert [r["DestinationCidrBlock"] for r in found] == ["192.168.70.0/24"]
    assert adapter.sent.count("CreateVpnGatewayRoutes") == 1
    assert len(c.describe_vpn_gateway_routes(GATEWAY)) == 1


def test_vendors_and_configuration(client: VpcClient, tmp_path: Any, emu: Emulator) -> None:
    """Vendors are listed; the configuration names the tunnel and never holds its key."""
    audit = AuditLog(tmp_path / "audit.db")
    c = client.with_audit(audit)
    vendors = c.describe_customer_gateway_vendors()
    assert {"VendorName": "cisco", "Platform": "ios", "SoftwareVersion": "V15.4"} in vendors
    tid = route_tunnel(c)
    text = c.download_customer_gateway_configuration(GATEWAY, tid, vendors[0], "eth0")
    assert tid in text and "eth0" in text and text.endswith("\r\n")
    assert PSK not in text
    assert PSK.encode() not in (tmp_path / "audit.db").read_bytes()
    with pytest.raises(ApiError) as info:
        c.download_customer_gateway_configuration(
            GATEWAY, tid, {"VendorName": "acme", "Platform": "x", "SoftwareVersion": "1"}, "eth0")
    assert info.value.code == "InvalidParameterValue"
    audit.close()


def test_gateway_routes_lost_answer_is_reconciled(client: VpcClient, emu: Emulator) -> None:
    """A create whose answer is lost after it committed returns the routes, created once."""
    tid = route_tunnel(client)
    emu.faults.update(drop_after_commit=1.0, actions="CreateVpnGatewayRoutes")
    created = client.create_vpn_gateway_routes(GATEWAY, [GatewayRoute("192.168.60.0/24", tid)])
    emu.faults.update(drop_after_commit=0.0)
    assert [r["DestinationCidrBlock"] for r in created] == ["192.168.60.0/24"]
    assert len(client.describe_vpn_gateway_routes(GATEWAY)) == 1


def test_gateway_routes_internal_error_before_commit_is_sent_again(
        client: VpcClient, emu: Emulator) -> None:
    """An InternalError that committed nothing: the routes are absent, so sent once more."""
    tid = route_tunnel(client)
    emu.faults.update(internal_error=1.0, actions="CreateVpnGatewayRoutes", seed=1)
    with pytest.raises(OutcomeUnknownError, match="sent twice"):
        client.create_vpn_gateway_routes(GATEWAY, [GatewayRoute("192.168.61.0/24", tid)])
    emu.faults.update(internal_error=0.0)
    assert client.describe_vpn_gateway_routes(GATEWAY) == []


def test_describe_vpc_limits_is_typed_and_rate_limited(emu: Emulator, client: VpcClient) -> None:
    """describe_vpc_limits: {type: int} from the emulator's settings, at 20/s, <= 100 types."""
    emu.backend.tunnels_per_gateway = 7
    got = client.describe_vpc_limits(["vpn-gateway-max-custom-gateways", "appid-max-vpcs"])
    assert got == {"vpn-gateway-max-custom-gateways": 7}  # appid-max-vpcs: no default to answer
    assert client._limiters["DescribeVpcLimits"].rate == 20.0
    with pytest.raises(ValueError, match="at most 100"):
        client.describe_vpc_limits(["appid-max-vpcs"] * 101)


def test_describe_vpc_limits_rides_out_rate_limits(emu: Emulator, client: VpcClient) -> None:
    """A rate-limited DescribeVpcLimits is retried, then answers."""
    emu.faults.update(rate_limit_burst=2, actions="DescribeVpcLimits")
    assert client.describe_vpc_limits(["appid-max-vpn-connections"]) == {
        "appid-max-vpn-connections": emu.backend.tunnels_per_account}
    assert emu.faults.injected["rate_limit_burst"] == 2
