"""The emulator follows the documented API (issue 11 §5, §6): the SPD rule of the console doc,
per-action error codes, answers shaped like the official examples, and state rules of
Modify / Delete / Reset / GenerateVpnConnectionDefaultHealthCheckIp."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from emu_helpers import Signer, code, tunnel_request, wait_state

from vpnkit.emulator import Emulator
from vpnkit.emulator.backend import Backend
from vpnkit.emulator.codes import ACTION_CODES, COMMON, EmulatorError, for_action, listed
from vpnkit.emulator.rules import MAX_GATEWAY_MAPPINGS, default_health_ips
from vpnkit.emulator.seed import build

SPD = "SecurityPolicyDatabases"


def _spd(local: str, *remotes: str) -> list[dict[str, Any]]:
    return [{"LocalCidrBlock": local, "RemoteCidrBlock": list(remotes)}]


def available(signer: Signer, **overrides: Any) -> str:
    """Create a tunnel and wait until it is AVAILABLE; its id."""
    inner = signer.call("CreateVpnConnection", tunnel_request(**overrides))
    tid = str(inner["VpnConnection"]["VpnConnectionId"])
    wait_state(signer, tid, "AVAILABLE")
    return tid


# --- codes -------------------------------------------------------------------------------

def test_every_action_lists_its_codes() -> None:
    """The per-action table covers every action the emulator serves, and only catalogue codes."""
    from vpnkit.emulator.backend import ACTIONS

    assert set(ACTIONS) <= set(ACTION_CODES)
    assert for_action("CreateVpnConnection", "UnsupportedOperation.VpnConnRouteTypeMixed") == \
        "UnsupportedOperation"
    assert for_action("ModifyVpnConnectionAttribute", "InvalidParameterValue.TooLong") == \
        "InvalidParameterValue"
    assert for_action("ModifyVpnConnectionAttribute",
                      "UnsupportedOperation.VpnConnSPDOverlap") == \
        "UnsupportedOperation.VpnConnSPDOverlap"


BAD_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("CreateVpnConnection", tunnel_request(VpnConnectionName="x" * 61)),
    ("CreateVpnConnection", tunnel_request(**{SPD: _spd("10.0.1.0/24", "192.168.0.0/16",
                                                        "192.168.1.0/24")})),
    ("CreateVpnConnection", tunnel_request(CustomerGatewayId="cgw-demo0003", RouteType="Bgp",
                                           BgpConfig={"TunnelCidr": "169.254.128.0/30",
                                                      "LocalBgpIp": "169.254.128.1",
                                                      "RemoteBgpIp": "169.254.128.2"})),
    ("ModifyVpnConnectionAttribute", {"VpnConnectionId": "vpnx-zzzzzzzz"}),
    ("ModifyVpnConnectionAttribute", {"VpnConnectionId": "bad"}),
    ("DeleteVpnConnection", {"VpnGatewayId": "vpngw-demo0001", "VpnConnectionId": "vpnx-bad"}),
    ("DescribeCustomerGateways", {"CustomerGatewayIds": ["cgw-demo0001"],
                                  "Filters": [{"Name": "ip-address", "Values": ["1.1.1.1"]}]}),
    ("DescribeCustomerGateways", {"Limit": 101}),
    ("DescribeVpnConnections", {"Limit": -1}),
    ("CreateCustomerGateway", {"CustomerGatewayName": "n", "IpAddress": "8.8.4"}),
    ("ResetVpnConnection", {"VpnGatewayId": "vpngw-demo0001", "VpnConnectionId": "vpnx-zzzzzzzz"}),
    ("GenerateVpnConnectionDefaultHealthCheckIp", {"VpnGatewayId": "vpngw-zzzzzzzz"}),
    ("DescribeVpnGatewayRoutes", {"VpnGatewayId": "vpngw-demo0001", "Limit": 101}),
    ("CreateVpnGatewayRoutes", {"VpnGatewayId": "vpngw-demo0001", "Routes": [{
        "DestinationCidrBlock": "192.168.1.0/24", "InstanceType": "VPNCONN",
        "InstanceId": "vpnx-zzzzzzzz", "Priority": 0, "Status": "ENABLE"}]}),
    ("DeleteVpnGatewayRoutes", {"VpnGatewayId": "vpngw-demo0001", "RouteIds": ["vpnr-bad"]}),
    ("DownloadCustomerGatewayConfiguration", {
        "VpnGatewayId": "vpngw-demo0001", "VpnConnectionId": "vpnx-zzzzzzzz",
        "InterfaceName": "eth0", "CustomerGatewayVendor": {
            "VendorName": "cisco", "Platform": "ios", "SoftwareVersion": "V15.4"}}),
]


@pytest.mark.parametrize(("action", "params"), BAD_CALLS,
                         ids=[f"{a}-{i}" for i, (a, _) in enumerate(BAD_CALLS)])
def test_errors_use_only_the_actions_codes(signer: Signer, action: str,
                                           params: dict[str, Any]) -> None:
    """A refused call answers a code listed for that action (GOINTL client.go) or a common one."""
    got = code(signer.call(action, params))
    assert got is not None
    assert listed(action, got), got


def test_customer_gateway_describe_has_no_coexist_code(signer: Signer) -> None:
    """DescribeCustomerGateways lists no InvalidParameter.Coexist: ids + filters -> the parent."""
    inner = signer.call("DescribeCustomerGateways", {
        "CustomerGatewayIds": ["cgw-demo0001"],
        "Filters": [{"Name": "ip-address", "Values": ["1.1.1.1"]}]})
    assert code(inner) == "InvalidParameter"
    assert "InvalidParameter.Coexist" not in COMMON


# --- SPD rule (console doc 1037/39635) and limits -------------------------------------------

def test_doc_example_both_sides_overlap_is_refused(signer: Signer) -> None:
    """The doc: with 10.0.0.0/24->192.168.1.0/24 present, adding the same mapping is refused."""
    signer.call("CreateVpnConnection", tunnel_request(**{SPD: [
        *_spd("10.0.0.0/24", "192.168.0.0/24", "192.168.1.0/24"),
        *_spd("10.0.1.0/24", "192.168.2.0/24"), *_spd("10.0.2.0/24", "192.168.2.0/24")]}))
    clash = tunnel_request(VpnConnectionName="clash", CustomerGatewayId="cgw-demo0002",
                           **{SPD: _spd("10.0.0.0/24", "192.168.1.0/24")})
    assert code(signer.call("CreateVpnConnection", clash)) == \
        "InvalidParameterValue.VpnConnCidrConflict"
    fine = tunnel_request(VpnConnectionName="fine", CustomerGatewayId="cgw-demo0002",
                          **{SPD: _spd("10.0.1.0/24", "192.168.1.0/24")})
    assert code(signer.call("CreateVpnConnection", fine)) is None


def test_gateway_mapping_limit(signer: Signer) -> None:
    """More than 200 (VPC range, IDC range) mappings on one gateway -> LimitExceeded."""
    remotes = [f"192.168.{i // 256}.{i % 256}/32" for i in range(MAX_GATEWAY_MAPPINGS)]
    ok = tunnel_request(**{SPD: _spd("10.0.1.0/24", *remotes)})
    assert code(signer.call("CreateVpnConnection", ok)) is None
    more = tunnel_request(VpnConnectionName="more", CustomerGatewayId="cgw-demo0002",
                          **{SPD: _spd("10.0.2.0/24", "172.31.0.0/24")})
    assert code(signer.call("CreateVpnConnection", more)) == "LimitExceeded"


def test_route_based_tunnel_reports_any_any(signer: Signer) -> None:
    """A StaticRoute tunnel (no SPD, or the any-any selector) reports 0.0.0.0/0 -> 0.0.0.0/0."""
    for name, spd in (("r1", []), ("r2", _spd("0.0.0.0/0", "0.0.0.0/0"))):
        inner = signer.call("CreateVpnConnection", tunnel_request(
            VpnConnectionName=name, RouteType="StaticRoute", **{SPD: spd}))
        assert inner["VpnConnection"]["SecurityPolicyDatabaseSet"] == \
            _spd("0.0.0.0/0", "0.0.0.0/0"), inner


def test_any_any_and_reserved_ranges_refused_on_policy_tunnels(signer: Signer) -> None:
    """SPD ranges may not be all-0, multicast or loopback (Use Limits, 1037/32682)."""
    ccn = {"VpnGatewayId": "vpngw-demo0003", "VpcId": ""}
    for spd in (_spd("0.0.0.0/0", "0.0.0.0/0"), _spd("10.50.0.0/16", "127.0.0.0/8"),
                _spd("10.50.0.0/16", "224.0.0.0/24")):
        inner = signer.call("CreateVpnConnection", tunnel_request(**ccn, **{SPD: spd}))
        assert code(inner) == "InvalidParameterValue", spd


def test_modify_keeps_a_loaded_any_any_spd(emu: Emulator, signer: Signer) -> None:
    """Loaded state may hold any-any SPDs on a policy tunnel; a rename does not re-check them."""
    tid = available(signer)
    state = emu.backend.dump()
    state["regions"]["ap-guangzhou"]["vpn_connections"][tid]["SecurityPolicyDatabaseSet"] = \
        _spd("0.0.0.0/0", "0.0.0.0/0")
    emu.backend.reset(state)
    inner = signer.call("ModifyVpnConnectionAttribute", {"VpnConnectionId": tid,
                                                         "VpnConnectionName": "renamed"})
    assert code(inner) is None


# --- Modify / Delete / Reset state rules and codes -----------------------------------------

def test_modify_spd_overlap_uses_modifys_code(signer: Signer) -> None:
    """An SPD change overlapping a sibling on both sides -> Modify's VpnConnSPDOverlap."""
    available(signer)
    other = available(signer, VpnConnectionName="b", CustomerGatewayId="cgw-demo0002",
                      **{SPD: _spd("10.0.2.0/24", "192.168.20.0/24")})
    inner = signer.call("ModifyVpnConnectionAttribute", {
        "VpnConnectionId": other, SPD: _spd("10.0.1.0/25", "192.168.10.0/25")})
    assert code(inner) == "UnsupportedOperation.VpnConnSPDOverlap"


def test_modify_name_too_long_is_not_create_code(signer: Signer) -> None:
    """Modify lists no .TooLong: a 61-character name answers InvalidParameterValue."""
    tid = available(signer)
    inner = signer.call("ModifyVpnConnectionAttribute", {"VpnConnectionId": tid,
                                                         "VpnConnectionName": "x" * 61})
    assert code(inner) == "InvalidParameterValue"


def test_gateway_not_available_is_invalid_state(emu: Emulator, signer: Signer) -> None:
    """Tunnels of a gateway that is not AVAILABLE cannot change: ...InvalidState."""
    tid = available(signer)
    state = emu.backend.dump()
    state["regions"]["ap-guangzhou"]["vpn_gateways"]["vpngw-demo0001"]["State"] = "PENDING"
    emu.backend.reset(state)
    for action, params in (
            ("ModifyVpnConnectionAttribute", {"VpnConnectionId": tid, "DpdEnable": 1}),
            ("DeleteVpnConnection", {"VpnGatewayId": "vpngw-demo0001", "VpnConnectionId": tid}),
            ("ResetVpnConnection", {"VpnGatewayId": "vpngw-demo0001", "VpnConnectionId": tid})):
        assert code(signer.call(action, params)) == "UnsupportedOperation.InvalidState", action


def test_customer_gateway_change_needs_version_4(signer: Signer) -> None:
    """CustomerGatewayId changes only on a gateway of version 4.0 or later (ref §3.6)."""
    tid = available(signer)
    inner = signer.call("ModifyVpnConnectionAttribute", {"VpnConnectionId": tid,
                                                         "CustomerGatewayId": "cgw-demo0002"})
    assert code(inner) == "UnsupportedOperation"
    v4 = available(signer, VpnGatewayId="vpngw-demo0002", VpcId="vpc-demo0002",
                   **{SPD: _spd("172.16.1.0/24", "192.168.10.0/24")})
    inner = signer.call("ModifyVpnConnectionAttribute", {"VpnConnectionId": v4,
                                                         "CustomerGatewayId": "cgw-demo0002"})
    assert code(inner) is None


def test_reset_renegotiates_and_blocks_delete(emu: Emulator, signer: Signer) -> None:
    """Reset: NetStatus UNAVAILABLE while it runs, Delete meanwhile is MutexOperationTaskRunning."""
    tid = available(signer)
    emu.backend.create_delay = 30
    ids = {"VpnGatewayId": "vpngw-demo0001", "VpnConnectionId": tid}
    assert code(signer.call("ResetVpnConnection", ids)) is None
    [conn] = signer.call("DescribeVpnConnections", {"VpnConnectionIds": [tid]})[
        "VpnConnectionSet"]
    assert conn["NetStatus"] == "UNAVAILABLE" and conn["State"] == "AVAILABLE"
    assert code(signer.call("DeleteVpnConnection", ids)) == \
        "UnsupportedOperation.MutexOperationTaskRunning"


def test_reset_pending_tunnel_is_refused(emu: Emulator, signer: Signer) -> None:
    """No reset while the tunnel is PENDING: UnsupportedOperation.VpnConnInvalidState."""
    emu.backend.create_delay = 30
    tid = signer.call("CreateVpnConnection", tunnel_request())["VpnConnection"][
        "VpnConnectionId"]
    inner = signer.call("ResetVpnConnection", {"VpnGatewayId": "vpngw-demo0001",
                                               "VpnConnectionId": tid})
    assert code(inner) == "UnsupportedOperation.VpnConnInvalidState"


def test_generate_health_check_ips(signer: Signer) -> None:
    """Two distinct probe IPs in 169.254.128.0/17, not those of the gateway's tunnels."""
    tid = available(signer)
    [conn] = signer.call("DescribeVpnConnections", {"VpnConnectionIds": [tid]})[
        "VpnConnectionSet"]
    inner = signer.call("GenerateVpnConnectionDefaultHealthCheckIp",
                        {"VpnGatewayId": "vpngw-demo0001"})
    pair = {inner["HealthCheckLocalIp"], inner["HealthCheckRemoteIp"]}
    assert len(pair) == 2 and all(ip.startswith("169.254.") for ip in pair)
    assert not pair & {conn["HealthCheckLocalIp"], conn["HealthCheckRemoteIp"]}


# --- §6: default health-check IPs never equal ---------------------------------------------

def test_default_health_ips_never_equal() -> None:
    """The second probe IP is drawn from the pool without the first, so never equal."""
    class Stuck(random.Random):
        """A generator that always answers the same number (the worst case for the old draw)."""

        def randrange(self, *args: Any, **kw: Any) -> int:
            return 5

    a, b = default_health_ips(Stuck())
    assert a != b
    rng = random.Random(7)
    for _ in range(2000):
        x, y = default_health_ips(rng)
        assert x != y


def test_create_with_stuck_rng_still_succeeds() -> None:
    """A create with default probe IPs never fails because both draws matched."""
    backend = Backend(build("demo"), create_delay=0)

    class Stuck(random.Random):
        def randrange(self, *args: Any, **kw: Any) -> int:
            return 3

        def choices(self, population: Any, *args: Any, **kw: Any) -> list[Any]:
            return random.Random().choices(population, *args, **kw)

    backend._rng = Stuck()
    out = backend.handle("CreateVpnConnection", "ap-guangzhou", tunnel_request(), "r-1")
    conn = out["VpnConnection"]
    assert conn["HealthCheckLocalIp"] != conn["HealthCheckRemoteIp"]


# --- answers shaped like the official examples ----------------------------------------------

def test_shapes_follow_the_examples(emu: Emulator, signer: Signer) -> None:
    """Create: PENDING with NetStatus and HealthCheckStatus AVAILABLE; task Output SUCCESS."""
    inner = signer.call("CreateVpnConnection", tunnel_request())
    conn = inner["VpnConnection"]
    assert conn["State"] == "PENDING"
    assert conn["NetStatus"] == "AVAILABLE" and conn["HealthCheckStatus"] == "AVAILABLE"
    assert conn["EnableHealthCheck"] is False
    wait_state(signer, conn["VpnConnectionId"], "AVAILABLE")
    deadline = time.monotonic() + 5
    while True:
        task = signer.call("DescribeVpcTaskResult", {"TaskId": inner["RequestId"]})
        if task["Status"] == "SUCCESS" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert task["Status"] == "SUCCESS" and task["Output"] == "SUCCESS"


def test_cidr_block_filter_matches_the_example(signer: Signer) -> None:
    """DescribeVpcs cidr-block ``10.0.0.0`` finds the 10.0.0.0/16 VPC (tccli example)."""
    inner = signer.call("DescribeVpcs", {"Filters": [
        {"Name": "cidr-block", "Values": ["192.168.0.0", "10.0.0.0"]},
        {"Name": "is-default", "Values": ["false"]}], "Offset": "0", "Limit": "2"})
    assert [v["CidrBlock"] for v in inner["VpcSet"]] == ["10.0.0.0/16"]
    exact = signer.call("DescribeVpcs", {"Filters": [
        {"Name": "cidr-block", "Values": ["10.0.0.0/16"]}]})
    assert exact["TotalCount"] == 1


def test_error_codes_outside_catalogue_rejected() -> None:
    """EmulatorError refuses a code no Tencent list defines (typos never reach clients)."""
    with pytest.raises(ValueError, match="catalogue"):
        EmulatorError("UnsupportedOperation.MadeUp", "x")


# --- §6: signatures and Finance hosts ----------------------------------------------------

def test_non_ascii_signature_is_auth_failure(emu: Emulator, signer: Signer) -> None:
    """A Signature= with non-ASCII characters answers AuthFailure.*, never InternalError."""
    import json

    body = json.dumps({}).encode()
    headers = signer.tc3_headers("DescribeVpcs", body)
    auth, _, _ = headers["Authorization"].rpartition("Signature=")
    headers["Authorization"] = auth + "Signature=" + "\u00e9" * 64
    resp = signer.session.post(emu.url + "/", data=body, headers=headers, timeout=10)
    error = resp.json()["Response"]["Error"]
    assert error["Code"].startswith("AuthFailure."), error


@pytest.mark.parametrize(("host", "region", "refused"), [
    ("vpc.tencentcloudapi.com", "ap-shanghai-fsi", True),
    ("vpc.tencentcloudapi.com.", "ap-shanghai-fsi", True),
    ("vpc.ap-shanghai.tencentcloudapi.com", "ap-shanghai-fsi", True),
    ("vpc.ap-shanghai-fsi.tencentcloudapi.com", "ap-shanghai-fsi", False),
    ("vpc.ap-shanghai-fsi.tencentcloudapi.com", "ap-guangzhou", True),
    ("vpc.tencentcloudapi.com", "ap-guangzhou", False),
    # a look-alike is not a Tencent host: the emulator's own name, serving every region
    ("vpc.eviltencentcloudapi.com", "ap-shanghai-fsi", False),
])
def test_finance_region_on_a_non_finance_host(emu: Emulator, host: str, region: str,
                                              refused: bool) -> None:
    """Finance regions are isolated: the wrong Tencent host answers InvalidParameterValue."""
    port_signer = Signer(emu.url)
    port_signer.host = host
    import json

    body = json.dumps({}).encode()
    headers = port_signer.tc3_headers("DescribeVpcs", body, region=region)
    resp = port_signer.session.post(emu.url + "/", data=body, headers=headers, timeout=10)
    got = code(resp.json()["Response"])
    assert got == ("InvalidParameterValue" if refused else None), (host, region, got)


# --- gateway routes and vendors ---------------------------------------------------------

def _route(tid: str, **kw: Any) -> dict[str, Any]:
    return {"DestinationCidrBlock": "192.168.60.0/24", "InstanceType": "VPNCONN",
            "InstanceId": tid, "Priority": 0, "Status": "ENABLE", **kw}


def test_route_rules(signer: Signer) -> None:
    """Routes: all or none; duplicates, bad enums and reserved ranges refused; CCN checked."""
    tid = available(signer, RouteType="StaticRoute", **{SPD: []})
    gw = {"VpnGatewayId": "vpngw-demo0001"}
    bad = [(_route(tid, Priority=5), "InvalidParameterValue"),
           (_route(tid, Status="ON"), "InvalidParameterValue"),
           (_route(tid, DestinationCidrBlock="127.0.0.0/8"), "InvalidParameterValue"),
           (_route(tid, DestinationCidrBlock="192.168.60.0/33"),
            "InvalidParameterValue.Malformed"),
           (_route("ccn-demo0009", InstanceType="CCN"), "ResourceNotFound")]
    for route, expected in bad:
        inner = signer.call("CreateVpnGatewayRoutes", {**gw, "Routes": [_route(tid), route]})
        assert code(inner) == expected, route
    assert signer.call("DescribeVpnGatewayRoutes", gw)["TotalCount"] == 0  # none were added
    assert code(signer.call("CreateVpnGatewayRoutes", {**gw, "Routes": [_route(tid)]})) is None
    again = signer.call("CreateVpnGatewayRoutes", {**gw, "Routes": [_route(tid)]})
    assert code(again) == "InvalidParameterValue"
    ccn = signer.call("CreateVpnGatewayRoutes", {"VpnGatewayId": "vpngw-demo0003", "Routes": [
        _route("ccn-demo0001", InstanceType="CCN")]})
    assert code(ccn) is None
    gone = signer.call("DeleteVpnGatewayRoutes", {**gw, "RouteIds": ["vpnr-zzzzzzzz"]})
    assert code(gone) == "ResourceNotFound"


def test_generate_is_limited_to_20_per_second() -> None:
    """GenerateVpnConnectionDefaultHealthCheckIp has its own 20/s limit (ref §3.10)."""
    from vpnkit.emulator import serve

    with serve(rate_limit=100) as emu:
        s = Signer(emu.url)
        answers = [code(s.call("GenerateVpnConnectionDefaultHealthCheckIp",
                               {"VpnGatewayId": "vpngw-demo0001"})) for _ in range(40)]
        assert "RequestLimitExceeded" in answers
        assert answers.count(None) < 40
        describes = [code(s.call("DescribeVpcs", {})) for _ in range(40)]
        assert describes.count(None) == 40


def test_generate_limit_never_exceeds_the_emulator_rate_limit() -> None:
    """With rate_limit=5 the emulator holds GenerateVpnConnectionDefaultHealthCheckIp to 5/s
    too: min(the action's documented 20/s, the emulator's limit)."""
    from vpnkit.emulator import serve

    with serve(rate_limit=5) as emu:
        s = Signer(emu.url)
        answers = [code(s.call("GenerateVpnConnectionDefaultHealthCheckIp",
                               {"VpnGatewayId": "vpngw-demo0001"})) for _ in range(10)]
        assert answers[:5] == [None] * 5
        assert "RequestLimitExceeded" in answers[5:]


def test_official_example_tunnels_load_and_modify() -> None:
    """The tunnels of tccli's examples.json (any-any SPDs, DpdEnable -1, placeholders) load
    into the emulator, describe, and accept a rename, a DPD change and a key rotation."""
    import copy
    import json
    from pathlib import Path

    tccli = pytest.importorskip("tccli")
    path = Path(tccli.__file__).parent / "services" / "vpc" / "v20170312" / "examples.json"
    examples = json.loads(path.read_text())["actions"]

    def response(action: str) -> dict[str, Any]:
        text = examples[action][0]["output"]
        return json.loads(text[text.index("{"):])["Response"]  # type: ignore[no-any-return]

    tunnels = [response("CreateVpnConnection")["VpnConnection"],
               *response("DescribeVpnConnections")["VpnConnectionSet"]]
    state = build("demo")
    region = state["regions"]["ap-guangzhou"]
    for i, t in enumerate(tunnels):
        t = copy.deepcopy(t)
        if i == 1:  # older examples carry integers as strings and "" placeholders (ref §2.4)
            t["IKEOptionsSpecification"]["IKESaLifetimeSeconds"] = "86400"
            t["IPSECOptionsSpecification"]["IPSECSaLifetimeSeconds"] = "3600"
            t.update(DpdEnable=-1, NegotiationType="", DpdAction="")
            t["IPSECOptionsSpecification"].update(EncapMode="TUNNEL", SecurityProto="ESP")
        if i == 2:  # one older example has no PreShareKey at all
            del t["PreShareKey"]
        t.update(VpnConnectionId=f"vpnx-exampl{i:02d}", VpnGatewayId="vpngw-demo0001",
                 VpcId="vpc-demo0001", CustomerGatewayId="cgw-demo0001",
                 VpnConnectionName=f"example-{i}", _created=0.0, _ready=0.0, _gone=None)
        region["vpn_connections"][t["VpnConnectionId"]] = t
    backend = Backend(state, create_delay=0)
    listed_ = backend.handle("DescribeVpnConnections", "ap-guangzhou", {}, "r")
    assert listed_["TotalCount"] == len(tunnels)
    for i in range(len(tunnels)):
        tid = f"vpnx-exampl{i:02d}"
        for change in ({"VpnConnectionName": f"renamed-{i}"},
                       {"DpdEnable": 1, "DpdTimeout": "40"}, {"PreShareKey": "rotated-key-1"}):
            backend.handle("ModifyVpnConnectionAttribute", "ap-guangzhou",
                           {"VpnConnectionId": tid, **change}, "r")
    kept = backend.dump()["regions"]["ap-guangzhou"]["vpn_connections"]["vpnx-exampl01"]
    assert kept["NegotiationType"] == ""  # a field the requests did not name is left alone
    assert kept["IKEOptionsSpecification"]["IKESaLifetimeSeconds"] == "86400"
    assert (kept["DpdEnable"], kept["DpdTimeout"], kept["PreShareKey"]) == (1, "40",
                                                                           "rotated-key-1")
