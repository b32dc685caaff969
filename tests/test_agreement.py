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
from vpnkit.models import BgpConfig, VpnConnRoute

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
    # core side of issue 13 §1 and issue 11 §3: profiles, Route fields
    "api-defaults profile (accepted, warns)": {"profile": "api-defaults"},
    "strong-gcm profile on a 2.0 gateway": {"profile": "strong-gcm"},
    "weak choices (accepted, warn)": {"ike_options": IkeOptions(
        encryption_algorithm="DES-CBC", authentication_algorithm="MD5", dh_group="GROUP1"),
        "ipsec_options": IpsecOptions(pfs_dh_group="NULL", encryption_algorithm="NULL")},
    "route with a malformed destination": {"route": VpnConnRoute("192.168.0.1/24")},
    "route with priority 5": {"route": VpnConnRoute("192.168.0.0/24", priority=5)},
    "route with priority 100 (accepted)": {"route": VpnConnRoute("192.168.0.0/24",
                                                                 priority=100)},
    "route with priority False (a bool)": {"route": VpnConnRoute("192.168.0.0/24",
                                                                 priority=False)},
    "route with priority 0.0 (a float)": {"route": VpnConnRoute("192.168.0.0/24",
                                                                priority=0.0)},  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", list(CASES))
def test_client_and_emulator_agree(case: str, emu: Emulator, client: VpcClient) -> None:
    """The emulator rejects exactly what local validation rejects, with one of its codes."""
    spec = VpnConnectionSpec(**{**BASE, **CASES[case]})
    local = {i.code for i in local_issues(spec, vpc_cidr="10.0.0.0/16", gateway_version="2.0")
             if i.severity == "error"}
    assert_same_verdict(client, "CreateVpnConnection", spec.to_wire(), local)


def assert_same_verdict(client: VpcClient, action: str, body: dict[str, Any],
                        local: set[str]) -> None:
    """The emulator accepts ``body`` exactly when vpnkit found no error (codes ``local``),
    and refuses it with one of those codes."""
    try:
        client.call(action, body)
        remote = None
    except ApiError as exc:
        remote = exc.code
    if remote is None:
        assert local == set(), f"emulator accepted what vpnkit rejects: {local}"
    else:
        assert remote in local, f"emulator said {remote}, vpnkit said {local or 'OK'}"


# --- batch level: the rules between the tunnels of one gateway (issue 11 §4) ---------------
#
# Each case is some tunnels already on the gateway (created first, one by one) and the rows of
# a batch. The batch's dry run must refuse exactly the rows the emulator refuses when the rows
# are sent one by one in row order, with the emulator's code among the row's codes.

PSK = "agree-psk-123"


def _row(name: str, spd: str = "", gw: str = GATEWAY, cgw: str = CGW, vpc: str = VPC,
         **extra: str) -> dict[str, str]:
    return {"name": name, "vpn_gateway_id": gw, "customer_gateway_id": cgw, "vpc_id": vpc,
            "pre_share_key": PSK, "spd": spd, **extra}


def _bgp(name: str, cidr: str = "169.254.128.0/30", cgw: str = CGW) -> dict[str, str]:
    first = cidr.rsplit(".", 1)[0] + "." + str(int(cidr.split("/")[0].rsplit(".", 1)[1]) + 1)
    second = cidr.rsplit(".", 1)[0] + "." + str(int(cidr.split("/")[0].rsplit(".", 1)[1]) + 2)
    return _row(name, cgw=cgw, route_type="Bgp", bgp_tunnel_cidr=cidr, bgp_local_bgp_ip=first,
                bgp_remote_bgp_ip=second)


def _many(prefix: str, n: int) -> str:
    return ";".join(f"{prefix}.{k}.0/24" for k in range(n))


# name -> (tunnels on the gateway before the batch, the batch's rows)
BATCH_CASES: dict[str, tuple[list[dict[str, str]], list[dict[str, str]]]] = {
    "valid rows": ([], [_row("a", "10.0.1.0/24=192.168.1.0/24"),
                        _row("b", "10.0.2.0/24=192.168.2.0/24"),
                        _row("c", "10.0.3.0/24=192.168.3.0/24")]),
    "same name twice": ([], [_row("a", "10.0.1.0/24=192.168.1.0/24"),
                             _row("a", "10.0.2.0/24=192.168.2.0/24")]),
    "same BGP tunnel CIDR in two rows": ([], [_bgp("a"), _bgp("b")]),
    "BGP tunnel CIDR of an existing tunnel": ([_bgp("old")], [_bgp("a"),
                                                             _bgp("b", "169.254.128.4/30")]),
    "route types mixed in the batch": ([], [_row("a", "10.0.1.0/24=192.168.1.0/24",
                                                 route_type="Policy"), _bgp("b")]),
    "route types mixed with the gateway": ([_bgp("old")], [
        _row("a", "10.0.1.0/24=192.168.1.0/24", route_type="Policy")]),
    "static and policy tunnels mix": ([], [
        _row("a", "10.0.1.0/24=192.168.1.0/24", route_type="Policy"),
        _row("b", route_type="StaticRoute")]),
    "SPD overlaps on both sides between rows": ([], [
        _row("a", "10.0.1.0/24=192.168.1.0/24"), _row("b", "10.0.1.0/25=192.168.1.128/25")]),
    "SPD overlaps on both sides with an existing tunnel": (
        [_row("old", "10.0.0.0/16=192.168.0.0/16")], [_row("a", "10.0.5.0/24=192.168.5.0/24")]),
    "one IDC range from two VPC ranges (documented example)": ([], [
        _row("a", "10.0.1.0/24=192.168.2.0/24"), _row("b", "10.0.2.0/24=192.168.2.0/24")]),
    "route-based tunnels are not compared": ([], [
        _row("a", "10.0.1.0/24=192.168.1.0/24", route_type="StaticRoute"),
        _row("b", "10.0.1.0/24=192.168.1.0/24", route_type="StaticRoute")]),
    "a route-based row's own SPD meets the SPD-based tunnels": (
        [_row("old", "10.0.1.0/24=192.168.1.0/24", route_type="Policy")],
        [_row("a", "10.0.1.0/24=192.168.1.0/24", route_type="StaticRoute")]),
    "SPD-based rows after a route-based one with the same SPD": ([], [
        _row("a", "10.0.1.0/24=192.168.1.0/24", route_type="StaticRoute"),
        _row("b", "10.0.1.0/24=192.168.1.0/24", route_type="Policy")]),
    "a refused row does not block the next": ([], [
        _bgp("a", cgw="cgw-demo0003"), _bgp("b")]),
    "BGP on a customer gateway without ASN": ([], [_bgp("a", cgw="cgw-demo0003")]),
    "more than 200 SPD mappings on a gateway": ([_row("old", "10.0.0.0/24=" + _many(
        "198.18", 150))], [_row("a", "10.0.1.0/24=" + _many("198.19", 40)),
                           _row("b", "10.0.2.0/24=" + _many("198.18", 20).replace(
                               "198.18", "192.168"))]),
    "more tunnels than MaxConnection (not a tunnel quota)": ([], [
        _row(f"t{i}", f"10.0.{i}.0/24=192.168.{i}.0/24") for i in range(21)]),
}


def _codes_of_dry_run(client: VpcClient, rows: list[dict[str, str]]) -> dict[int, set[str]]:
    from vpnkit.batch import BatchInvalid, create_many

    try:
        create_many(client, rows, progress=False, dry_run=True)
    except BatchInvalid as exc:
        out: dict[int, set[str]] = {}
        for row, code in zip(exc.frame["row"], exc.frame["code"], strict=True):
            out.setdefault(int(row), set()).add(str(code))
        return out
    return {}


def _codes_one_by_one(client: VpcClient, rows: list[dict[str, str]]) -> dict[int, str]:
    from vpnkit.batch.io import read_rows

    inputs, problems = read_rows(rows)
    assert problems == [] and all(r.spec is not None for r in inputs)
    out = {}
    for r in inputs:
        assert r.spec is not None
        try:
            client.call("CreateVpnConnection", r.spec.to_wire())
        except ApiError as exc:
            out[r.row] = exc.code
    return out


@pytest.mark.parametrize("case", list(BATCH_CASES))
def test_batch_dry_run_and_emulator_agree(case: str, emu: Emulator, client: VpcClient,
                                          tmp_path: Any, monkeypatch: Any) -> None:
    """A batch's dry run refuses exactly the rows the emulator refuses one by one, same code."""
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    before, rows = BATCH_CASES[case]
    assert _codes_one_by_one(client, before) == {}, "the case's existing tunnels are valid"
    local = _codes_of_dry_run(client, rows)
    remote = _codes_one_by_one(client, rows)
    assert set(local) == set(remote), f"dry run refuses rows {local}, emulator {remote}"
    for row, code in remote.items():
        assert code in local[row], f"row {row}: emulator said {code}, dry run {local[row]}"


# --- gateway versions (ref §2.2, §2.3: GCM; §3.6: CustomerGatewayId), read as numbers -------

V4 = {"vpn_gateway_id": "vpngw-demo0002", "vpc_id": "vpc-demo0002",
      "security_policy_databases": {"172.16.1.0/24": ["192.168.10.0/24"]}}


@pytest.mark.parametrize(("version", "new_enough"), [
    ("2.0", False), ("3.9", False), ("4", True), ("4.0", True), ("4.1", True), ("5.0", True),
    ("10.0", True), ("ver3.1", False), ("ver4.0", True), ("IKEV1", False)])
def test_gateway_versions_compare_as_numbers(version: str, new_enough: bool, emu: Emulator,
                                             client: VpcClient) -> None:
    """GCM and a CustomerGatewayId change need version >= 4.0, compared numerically, and
    vpnkit's checks and the emulator give the same verdict for each version."""
    from vpnkit.modify import change_issues

    emu.backend.create_delay = 0
    conn = client.create_vpn_connection(VpnConnectionSpec(**{**BASE, **V4}), wait=True)
    emu.backend.state["regions"]["ap-guangzhou"]["vpn_gateways"]["vpngw-demo0002"][
        "Version"] = version
    gcm = VpnConnectionSpec(**{**BASE, **V4, "vpn_connection_name": "gcm",
                               "security_policy_databases": {"172.16.2.0/24": ["192.168.11.0/24"]},
                               "ipsec_options": IpsecOptions(encryption_algorithm="AES256GCM128")})
    local = [i for i in local_issues(gcm, gateway_version=version) if i.severity == "error"]
    try:
        client.call("CreateVpnConnection", gcm.to_wire())
        remote = None
    except ApiError as exc:
        remote = exc.code
    assert (not local, remote is None) == (new_enough, new_enough), (local, remote)
    change = {"customer_gateway_id": "cgw-demo0002"}
    local = change_issues(change, conn, gateway_version=version)
    try:
        client.call("ModifyVpnConnectionAttribute", {
            "VpnConnectionId": conn.vpn_connection_id, "CustomerGatewayId": "cgw-demo0002"})
        remote = None
    except ApiError as exc:
        remote = exc.code
    assert (not local, remote is None) == (new_enough, new_enough), (local, remote)


# name -> (emulator quota settings, tunnels before the batch, the batch's rows)
QUOTA_CASES: dict[str, tuple[dict[str, int], list[dict[str, str]], list[dict[str, str]]]] = {
    "past the quota per gateway": ({"tunnels_per_gateway": 3}, [
        _row("old", "10.0.9.0/24=192.168.9.0/24")], [
        _row(f"t{i}", f"10.0.{i}.0/24=192.168.{i}.0/24") for i in range(3)]),
    "past the quota per customer gateway (another gateway's tunnel counts)": (
        {"tunnels_per_customer_gateway": 2}, [
            _row("old", "172.16.1.0/24=192.168.1.0/24", gw="vpngw-demo0002",
                 vpc="vpc-demo0002")], [
            _row(f"t{i}", f"10.0.{i}.0/24=192.168.{i}.0/24") for i in range(2)]),
    "past the quota per account": ({"tunnels_per_account": 2}, [], [
        _row("a", "10.0.1.0/24=192.168.1.0/24"),
        _row("b", "172.16.2.0/24=192.168.2.0/24", gw="vpngw-demo0002", cgw="cgw-demo0002",
             vpc="vpc-demo0002"),
        _row("c", "10.0.3.0/24=192.168.3.0/24", cgw="cgw-demo0003")]),
    "a refused row uses no quota": ({"tunnels_per_gateway": 2}, [], [
        _bgp("a", cgw="cgw-demo0003"), _row("b", "10.0.2.0/24=192.168.2.0/24"),
        _row("c", "10.0.3.0/24=192.168.3.0/24")]),
}


@pytest.mark.parametrize("case", list(QUOTA_CASES))
def test_batch_quota_dry_run_and_emulator_agree(case: str, emu: Emulator, client: VpcClient,
                                                tmp_path: Any, monkeypatch: Any) -> None:
    """With small emulator quotas, the dry run refuses the rows the emulator refuses, same code."""
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    settings, before, rows = QUOTA_CASES[case]
    for name, value in settings.items():
        setattr(emu.backend, name, value)
    assert _codes_one_by_one(client, before) == {}, "the case's existing tunnels are valid"
    local = _codes_of_dry_run(client, rows)
    remote = _codes_one_by_one(client, rows)
    assert "LimitExceeded" in remote.values() or case == "a refused row uses no quota"
    assert set(local) == set(remote), f"dry run refuses rows {local}, emulator {remote}"
    for row, code in remote.items():
        assert code in local[row], f"row {row}: emulator said {code}, dry run {local[row]}"
