"""`vpnkit peer-check` on Cisco configs, as a subprocess against a loopback emulator."""

from __future__ import annotations

import json
from pathlib import Path

from test_peer_cli import lab, run

from vpnkit.emulator import Emulator

__all__ = ["lab"]  # the fixture, shared with test_peer_cli
WAN = "interface GigabitEthernet1\n ip address 198.51.100.50 255.255.255.0\n crypto map {}\n"
ENV_KEY = "SENTINEL-cisco-cli-key-44e1"


def ios_config(emu: Emulator, tmp_path: Path, lab: str) -> str:
    """peer-config's IOS-XE output for the lab tunnel (its key from --psk-env), with the WAN
    interface its comment asks for."""
    proc = run(emu, tmp_path, "peer-config", lab, "--vendor", "cisco-ios", "--psk-env", "K",
               K=ENV_KEY)
    assert proc.returncode == 0 and ENV_KEY in proc.stdout, proc.stderr
    name = "TC-" + lab
    return proc.stdout.replace("\nend\n", "\n" + WAN.format(name) + "end\n")


def test_peer_check_reads_an_ios_config_and_never_prints_its_key(emu: Emulator, lab: str,
                                                                 tmp_path: Path) -> None:
    """Recognised as IOS by its syntax: exit 0 clean; PFS dropped: exit 1 naming it."""
    conf = tmp_path / "router.cfg"
    good = ios_config(emu, tmp_path, lab)
    conf.write_text(good)
    ok = run(emu, tmp_path, "peer-check", lab, "--config", str(conf))
    assert ok.returncode == 0 and "compatible" in ok.stderr, ok.stdout + ok.stderr
    assert ENV_KEY not in ok.stdout + ok.stderr
    conf.write_text(good.replace(" set pfs group14\n", ""))
    bad = run(emu, tmp_path, "peer-check", lab, "--config", str(conf), "--format", "json")
    assert bad.returncode == 1 and ENV_KEY not in bad.stdout + bad.stderr
    assert [(r["field"], r["peer"]) for r in json.loads(bad.stdout)] == [
        ("ipsec_options.pfs_dh_group", "NULL")]


def test_peer_check_vendor_option(emu: Emulator, lab: str, tmp_path: Path) -> None:
    """--vendor cisco-ios reads it the same; --vendor strongswan on it is exit 2 (no key)."""
    conf = tmp_path / "router.cfg"
    conf.write_text(ios_config(emu, tmp_path, lab))
    named = run(emu, tmp_path, "peer-check", lab, "--config", str(conf), "--vendor",
                "cisco-ios")
    assert named.returncode == 0, named.stderr
    wrong = run(emu, tmp_path, "peer-check", lab, "--config", str(conf), "--vendor",
                "strongswan")
    assert wrong.returncode == 2 and "router.cfg" in wrong.stderr
    assert ENV_KEY not in wrong.stdout + wrong.stderr
    unknown = run(emu, tmp_path, "peer-check", lab, "--config", str(conf), "--vendor", "junos")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


def test_cli_parser_names_are_the_parsers() -> None:
    """--vendor of peer-check offers exactly the formats vpnkit.peer.parse reads."""
    from vpnkit.cli.peer import PARSER_NAMES
    from vpnkit.peer.check import PARSERS

    assert PARSER_NAMES == PARSERS


def test_peer_check_reads_an_asa_config(emu: Emulator, lab: str, tmp_path: Path) -> None:
    """peer-config's ASA output, applied to its outside interface, checks clean (exit 0)."""
    proc = run(emu, tmp_path, "peer-config", lab, "--vendor", "cisco-asa")
    assert proc.returncode == 0, proc.stderr
    conf = tmp_path / "asa.cfg"
    conf.write_text("interface GigabitEthernet0/0\n nameif outside\n"
                    " ip address 198.51.100.50 255.255.255.0\n" + proc.stdout)
    ok = run(emu, tmp_path, "peer-check", lab, "--config", str(conf), "--format", "json")
    assert ok.returncode == 0 and json.loads(ok.stdout) == [], ok.stdout + ok.stderr
    conf.write_text(conf.read_text().replace("crypto ikev2 enable outside\n", ""))
    bad = run(emu, tmp_path, "peer-check", lab, "--config", str(conf), "--format", "json")
    assert bad.returncode == 1
    assert [r["peer"] for r in json.loads(bad.stdout)] == ["IkeNotEnabled"]
