"""`vpnkit rehearse` and `vpnkit.peer.rehearse(id, client=)` on the emulator's lab gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rehearse_lab import need_lab

from vpnkit import GatewayRoute, VpcClient, VpnConnection, VpnConnectionSpec
from vpnkit.emulator import Emulator
from vpnkit.peer import rehearse, render

LAB = "ap-hongkong"
KEY = "SENTINEL-rehearse-cli-77e1"


@pytest.fixture
def lab_client(emu: Emulator) -> VpcClient:
    """A client for the emulator's lab region (documentation ranges only)."""
    return VpcClient(LAB, endpoint=emu.url, credential=emu.credential)


def lab_tunnel(client: VpcClient, **changes: object) -> VpnConnection:
    """A 3-pair IKEv2 tunnel on the lab gateway (unless ``changes`` say otherwise), AVAILABLE."""
    fields: dict[str, Any] = {
        "route_type": "Policy", "security_policy_databases": {
            "198.18.1.0/24": ["198.19.1.0/24", "198.19.2.0/24"],
            "198.18.2.0/24": ["198.19.3.0/24"]}, **changes}
    spec = VpnConnectionSpec(
        vpn_gateway_id="vpngw-lab00001", customer_gateway_id="cgw-lab00001",
        vpc_id="vpc-lab00001", vpn_connection_name="rehearse-cli", pre_share_key=KEY,
        **fields)
    return client.create_vpn_connection(spec, wait=True)


def test_lab_seed_is_documentation_ranges_only(lab_client: VpcClient) -> None:
    """The lab VPC, gateway and customer gateway exist, in doc/benchmarking ranges."""
    import ipaddress

    vpc = lab_client.describe_vpcs(["vpc-lab00001"])[0]
    gw = lab_client.describe_vpn_gateways(["vpngw-lab00001"])[0]
    cgw = lab_client.describe_customer_gateways(["cgw-lab00001"])[0]
    allowed = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24",
                                                 "203.0.113.0/24", "198.18.0.0/15")]
    for addr in (vpc["CidrBlock"], gw["PublicIpAddress"], cgw["IpAddress"]):
        net = ipaddress.ip_network(addr)
        assert any(net.subnet_of(a) for a in allowed), addr


def test_rehearse_by_id_reads_the_tunnel_and_the_gateways(lab_client: VpcClient) -> None:
    """rehearse(id, client=) looks up the tunnel and both public IPs; every pair comes up."""
    need_lab()
    conn = lab_tunnel(lab_client)
    result = rehearse(conn.vpn_connection_id, client=lab_client)
    assert result.ok and len(result.pairs) == 3, result.table()
    assert result.vpn_connection_id == conn.vpn_connection_id


Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(emu: Emulator, tmp_path: Path) -> Cli:
    """Runs ``python -m vpnkit --region ap-hongkong ARGS`` against ``emu``; never shows the key."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    base.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"))

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-m", "vpnkit", "--region", LAB, *args],
                              env={**base, **(env or {})}, capture_output=True, text=True,
                              timeout=60, check=False)
        assert KEY not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
        return proc

    return run


def test_cli_exit_0_when_every_pair_carries_traffic(cli: Cli, lab_client: VpcClient) -> None:
    """`vpnkit rehearse ID --psk-env VAR`: exit 0 and one UP row per pair."""
    need_lab()
    conn = lab_tunnel(lab_client)
    proc = cli("rehearse", conn.vpn_connection_id, "--psk-env", "LAB_PSK",
               env={"LAB_PSK": KEY})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(" UP") == 3, proc.stdout


def test_cli_exit_1_with_the_reason_for_a_wrong_config(cli: Cli, lab_client: VpcClient,
                                                      tmp_path: Path) -> None:
    """--config with another PFS group than the tunnel's: exit 1, rows name NO_PROPOSAL_CHOSEN."""
    need_lab()
    conn = lab_tunnel(lab_client)
    gw, cgw = "203.0.113.50", "198.51.100.50"
    assert conn.ipsec_options is not None
    other = "DH-GROUP5" if conn.ipsec_options.pfs_dh_group == "DH-GROUP14" else "DH-GROUP14"
    wrong = replace(conn, ipsec_options=replace(conn.ipsec_options, pfs_dh_group=other))
    path = tmp_path / "swanctl.conf"
    path.write_text(render(wrong, "strongswan", gateway_ip=gw, customer_ip=cgw, psk=KEY).text)
    proc = cli("rehearse", conn.vpn_connection_id, "--config", str(path), "--psk-env",
               "LAB_PSK", "--format", "json", env={"LAB_PSK": KEY})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = json.loads(proc.stdout)["pairs"]
    assert {r["reason"] for r in rows} == {"NO_PROPOSAL_CHOSEN"}, rows


def test_cli_usage_errors_exit_2(cli: Cli, lab_client: VpcClient) -> None:
    """An unset --psk-env variable or a missing --config file is a usage error (2)."""
    conn = lab_tunnel(lab_client)
    assert cli("rehearse", conn.vpn_connection_id, "--psk-env", "NOT_SET_X").returncode == 2
    assert cli("rehearse", conn.vpn_connection_id, "--config", "/nonexistent/x.conf"
               ).returncode == 2


def test_cli_exit_3_says_what_to_install_when_charon_is_missing(cli: Cli,
                                                                lab_client: VpcClient) -> None:
    """No charon anywhere (here: a private root that does not exist): exit 3 and the hint."""
    if Path("/usr/lib/ipsec/charon").exists():
        pytest.skip("charon is installed system-wide here; cannot hide it")
    conn = lab_tunnel(lab_client)
    proc = cli("rehearse", conn.vpn_connection_id,
               env={"VPNKIT_STRONGSWAN_ROOT": "/nonexistent/strongswan"})
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "apt-get install" in proc.stderr and "strongswan-charon" in proc.stderr


def test_cli_rehearses_a_static_route_tunnel_per_gateway_route(cli: Cli,
                                                                lab_client: VpcClient) -> None:
    """StaticRoute tunnel: the CLI reads its gateway's routes and VPC; one UP row per route."""
    need_lab()
    conn = lab_tunnel(lab_client, route_type="StaticRoute",
                      security_policy_databases={"0.0.0.0/0": ["0.0.0.0/0"]})
    lab_client.create_vpn_gateway_routes("vpngw-lab00001", [
        GatewayRoute("198.19.1.0/24", conn.vpn_connection_id),
        GatewayRoute("192.0.2.0/24", conn.vpn_connection_id)])
    proc = cli("rehearse", conn.vpn_connection_id, "--psk-env", "LAB_PSK", "--format", "json",
               env={"LAB_PSK": KEY})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["route_based"] is True
    assert [(r["local_cidr"], r["remote_cidr"], r["status"]) for r in out["pairs"]] == [
        ("198.18.0.0/16", "198.19.1.0/24", "UP"), ("198.18.0.0/16", "192.0.2.0/24", "UP")]
