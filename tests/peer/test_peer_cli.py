"""`vpnkit peer-config` / `vpnkit peer-check` as subprocesses against a loopback emulator."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vpnkit import VpcClient
from vpnkit.emulator import Emulator
from vpnkit.emulator.seed import build
from vpnkit.models import IkeOptions, IpsecOptions, VpnConnectionSpec

REGION = "ap-guangzhou"
KEY = "SENTINEL-cli-peer-key-91c0"
OTHER = "SENTINEL-env-peer-key-5d2e"


@pytest.fixture
def lab(emu: Emulator, client: VpcClient) -> str:
    """A lab VPC/gateway/customer gateway in documentation ranges and one Policy tunnel."""
    state = build("demo")
    region = state["regions"][REGION]
    vpc = copy.deepcopy(region["vpcs"]["vpc-demo0001"])
    vpc.update(VpcId="vpc-lab00001", CidrBlock="198.18.0.0/16")
    gw = copy.deepcopy(region["vpn_gateways"]["vpngw-demo0001"])
    gw.update(VpnGatewayId="vpngw-lab00001", VpcId="vpc-lab00001",
              PublicIpAddress="203.0.113.50")
    cgw = copy.deepcopy(region["customer_gateways"]["cgw-demo0001"])
    cgw.update(CustomerGatewayId="cgw-lab00001", IpAddress="198.51.100.50")
    region["vpcs"]["vpc-lab00001"] = vpc
    region["vpn_gateways"]["vpngw-lab00001"] = gw
    region["customer_gateways"]["cgw-lab00001"] = cgw
    emu.backend.reset(state)
    spec = VpnConnectionSpec(
        "vpngw-lab00001", "cgw-lab00001", "peer-cli", KEY, vpc_id="vpc-lab00001",
        security_policy_databases={"198.18.1.0/24": ["198.19.1.0/24", "198.19.2.0/24"]},
        route_type="Policy", negotiation_type="active", dpd_enable=1, dpd_timeout=30,
        dpd_action="clear",
        ike_options=IkeOptions(encryption_algorithm="AES-CBC-128",
                               authentication_algorithm="SHA-256", dh_group="GROUP14",
                               version="IKEV2", exchange_mode="MAIN",
                               local_identity="ADDRESS", remote_identity="ADDRESS",
                               local_address="203.0.113.50", remote_address="198.51.100.50",
                               sa_lifetime_seconds=86400),
        ipsec_options=IpsecOptions(encryption_algorithm="AES-CBC-256",
                                   integrity_algorithm="SHA-256", pfs_dh_group="DH-GROUP14",
                                   sa_lifetime_seconds=3600, sa_lifetime_traffic=1843200))
    return client.create_vpn_connection(spec, wait=True).vpn_connection_id


def run(emu: Emulator, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m vpnkit ARGS` at the emulator; no traceback, never the tunnel's key."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    base.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
                HOME=str(tmp_path), **env)
    proc = subprocess.run([sys.executable, "-m", "vpnkit", *args], env=base,
                          capture_output=True, text=True, timeout=60, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert KEY not in proc.stdout + proc.stderr
    return proc


def test_peer_config_prints_a_config_without_the_key(emu: Emulator, lab: str,
                                                     tmp_path: Path) -> None:
    """peer-config looks up both gateway IPs and prints the config; the key stays out."""
    proc = run(emu, tmp_path, "peer-config", lab, "--vendor", "strongswan")
    assert proc.returncode == 0, proc.stderr
    assert "remote_addrs = 203.0.113.50" in proc.stdout
    assert "local_addrs = 198.51.100.50" in proc.stdout
    assert "local_ts = 198.19.2.0/24" in proc.stdout
    assert "REPLACE-WITH-PRE-SHARED-KEY" in proc.stdout


def test_psk_env_puts_that_key_in_but_not_in_the_audit_log(emu: Emulator, lab: str,
                                                          tmp_path: Path) -> None:
    """--psk-env VAR writes the key from VAR into the config; the audit file never has it."""
    proc = run(emu, tmp_path, "peer-config", lab, "--vendor", "libreswan", "--psk-env",
               "PEER_KEY", PEER_KEY=OTHER)
    assert proc.returncode == 0 and f'PSK "{OTHER}"' in proc.stdout
    assert OTHER not in proc.stderr
    audit = tmp_path / "audit.sqlite3"
    for path in tmp_path.rglob("*.sqlite3*"):
        assert OTHER.encode() not in path.read_bytes() and KEY.encode() not in path.read_bytes()
    assert audit.exists() or list(tmp_path.rglob("*.sqlite3"))


def test_psk_env_unset_is_a_usage_error(emu: Emulator, lab: str, tmp_path: Path) -> None:
    """An unset --psk-env variable is refused (exit 2) before anything is printed."""
    proc = run(emu, tmp_path, "peer-config", lab, "--vendor", "junos", "--psk-env", "NOPE_X")
    assert proc.returncode == 2 and "NOPE_X" in proc.stderr and not proc.stdout


def test_unknown_tunnel_exits_1(emu: Emulator, lab: str, tmp_path: Path) -> None:
    """A tunnel id that does not exist is one error line and exit 1."""
    proc = run(emu, tmp_path, "peer-config", "vpnx-zzzzzzzz", "--vendor", "fortios")
    assert proc.returncode == 1 and "vpnx-zzzzzzzz" in proc.stderr


def test_gateway_without_public_ip_is_an_error_line_not_an_internal_error(
        emu: Emulator, lab: str, tmp_path: Path) -> None:
    """A VPN gateway with no PublicIpAddress: exit 1 naming the gateway, not 'internal error'."""
    emu.backend.state["regions"][REGION]["vpn_gateways"]["vpngw-lab00001"]["PublicIpAddress"] = ""
    proc = run(emu, tmp_path, "peer-config", lab, "--vendor", "strongswan")
    assert proc.returncode == 1 and not proc.stdout
    assert "vpngw-lab00001" in proc.stderr and "internal error" not in proc.stderr


def test_peer_check_exit_codes_and_formats(emu: Emulator, lab: str, tmp_path: Path) -> None:
    """The generated config checks clean (exit 0); PFS off and a pair dropped give exit 1."""
    good = run(emu, tmp_path, "peer-config", lab, "--vendor", "strongswan").stdout
    conf = tmp_path / "swanctl.conf"
    conf.write_text(good)
    ok = run(emu, tmp_path, "peer-check", lab, "--config", str(conf))
    assert ok.returncode == 0 and "compatible" in ok.stderr, ok.stderr
    bad = good.replace("aes256-sha256-modp2048", "aes256-sha256")
    bad = bad.replace("local_ts = 198.19.2.0/24", "local_ts = 198.19.9.0/24")
    conf.write_text(bad)
    table = run(emu, tmp_path, "peer-check", lab, "--config", str(conf))
    assert table.returncode == 1 and "pfs_dh_group" in table.stdout
    rows = json.loads(run(emu, tmp_path, "peer-check", lab, "--config", str(conf),
                          "--format", "json").stdout)
    assert {(r["field"], r["kind"]) for r in rows} == {
        ("ipsec_options.pfs_dh_group", "changed"),
        ("security_policy_databases", "missing"), ("security_policy_databases", "extra")}
    csv = run(emu, tmp_path, "peer-check", lab, "--config", str(conf), "--format", "csv")
    assert csv.stdout.splitlines()[0] == "field,kind,tunnel,peer,phase,symptom,severity"


def test_peer_check_unreadable_config_is_a_usage_error(emu: Emulator, lab: str,
                                                       tmp_path: Path) -> None:
    """A missing file or one in neither format is exit 2 naming the file."""
    missing = run(emu, tmp_path, "peer-check", lab, "--config", str(tmp_path / "none.conf"))
    assert missing.returncode == 2 and "none.conf" in missing.stderr
    other = tmp_path / "router.cfg"
    other.write_text("hostname r1\n")
    proc = run(emu, tmp_path, "peer-check", lab, "--config", str(other))
    assert proc.returncode == 2 and "router.cfg" in proc.stderr


def test_peer_check_never_prints_the_key_in_the_file(emu: Emulator, lab: str,
                                                     tmp_path: Path) -> None:
    """A config holding the real key (well-formed or broken) never has it echoed."""
    good = run(emu, tmp_path, "peer-config", lab, "--vendor", "strongswan").stdout
    conf = tmp_path / "swanctl.conf"
    conf.write_text(good.replace("REPLACE-WITH-PRE-SHARED-KEY", KEY))
    assert run(emu, tmp_path, "peer-check", lab, "--config", str(conf),
               "--format", "json").returncode == 0
    conf.write_text(good.replace('secret = "REPLACE-WITH-PRE-SHARED-KEY"', f"secret {KEY}"))
    broken = run(emu, tmp_path, "peer-check", lab, "--config", str(conf))
    assert broken.returncode == 2 and "line" in broken.stderr
