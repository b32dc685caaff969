"""`vpnkit create` loads only what it needs: its own command group, no pandas, no emulator
when keys are given; every command is still listed by ``--help``; the process exit still
closes the audit log."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import emu as emu  # fixtures: one emulator per module, reset per test
from tests.test_cli import server as server
from vpnkit.cli import GROUPS, build_parser
from vpnkit.emulator import Emulator

REQUEST = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
           "VpcId": "vpc-demo0001", "VpnConnectionName": "light-one",
           "PreShareKey": "light-psk-0000",
           "SecurityPolicyDatabases": [{"LocalCidrBlock": "10.0.1.0/24",
                                        "RemoteCidrBlock": ["192.168.1.0/24"]}]}
#: never needed to create one tunnel from a file
HEAVY = ("pandas", "numpy", "ipywidgets", "IPython", "vpnkit.emulator", "vpnkit.frames",
         "vpnkit.batch", "vpnkit.plan", "vpnkit.peer", "vpnkit.widgets", "vpnkit.modify")


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def _env(tmp_path: Path, emu: Emulator, *, keys: bool = True) -> dict[str, str]:
    """The emulator's URL; with ``keys`` its key pair in the environment (else vpnkit falls
    back to the demo keys itself)."""
    out = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    out.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
               HOME=str(tmp_path))
    if keys:
        out.update(TENCENTCLOUD_SECRET_ID=emu.credential.secret_id,
                   TENCENTCLOUD_SECRET_KEY=emu.credential.secret_key)
    return out


def test_groups_name_exactly_the_commands_each_registers() -> None:
    """GROUPS says which commands each group module adds, in order (what lazy building uses)."""
    import importlib

    for group, commands in GROUPS.items():
        parser = argparse.ArgumentParser()
        importlib.import_module(f"vpnkit.cli.{group}").register(parser.add_subparsers())
        assert tuple(_commands(parser)) == commands, group
    assert _commands(build_parser()) == ["emulator", *(c for cs in GROUPS.values() for c in cs)]


def test_one_command_builds_only_its_group() -> None:
    """build_parser('create') holds create's group; an unknown name builds every group."""
    assert _commands(build_parser("create")) == ["emulator", "create", "skeleton"]
    assert _commands(build_parser("describe")) == ["emulator", "describe", "delete"]
    assert _commands(build_parser("no-such-command")) == _commands(build_parser())


def test_help_still_lists_every_command(tmp_path: Path) -> None:
    """`vpnkit --help` names every command; a typo's error lists them all; create --help works."""
    env = {**os.environ, "HOME": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "vpnkit", *args], env=env,
                              capture_output=True, text=True, timeout=60, check=False)

    top = run("--help")
    assert top.returncode == 0, top.stderr
    typo = run("creat")
    assert typo.returncode == 2 and "invalid choice" in typo.stderr
    for command in (c for cs in GROUPS.values() for c in cs):
        assert re.search(rf"^    {command}\b", top.stdout, re.M), command
        assert repr(command) in typo.stderr, command
    create = run("--region", "ap-guangzhou", "create", "--help")
    assert create.returncode == 0 and "usage: vpnkit create" in create.stdout
    assert "--spec" in create.stdout and "--crypto-profile" in create.stdout


@pytest.mark.parametrize("keys", [True, False], ids=["keys-set", "demo-keys"])
def test_create_loads_nothing_heavy(tmp_path: Path, emu: Emulator, keys: bool) -> None:
    """`vpnkit create` against an endpoint, keys set or not, creates the tunnel, validated and
    audited, and loads no pandas, no emulator (not even for its demo keys), no other group."""
    spec = tmp_path / "req.json"
    spec.write_text(json.dumps(REQUEST), encoding="utf-8")
    code = ("import json, sys\n"
            "from vpnkit.cli import main\n"
            f"status = main(['create', '--spec', {str(spec)!r}])\n"
            "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}))")
    proc = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path, emu, keys=keys),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    *created, last = proc.stdout.strip().splitlines()
    report = json.loads(last)
    assert report["status"] == 0 and json.loads("\n".join(created))["VpnConnectionId"]
    modules = report["modules"]
    assert {"vpnkit.validate", "vpnkit.audit", "vpnkit.cli.create"} <= set(modules)
    heavy = [m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    groups = [m for m in modules if m.startswith("vpnkit.cli.")
              and m not in ("vpnkit.cli._common", "vpnkit.cli.create")]
    assert heavy == [] and groups == []


def test_the_process_exit_still_closes_the_audit_log(tmp_path: Path, emu: Emulator) -> None:
    """After `vpnkit create` exits, its SQLite connection was closed: the log is checkpointed,
    no -wal/-shm file is left beside it, and the call is recorded as done."""
    import sqlite3

    spec = tmp_path / "req.json"
    spec.write_text(json.dumps({**REQUEST, "VpnConnectionName": "light-two"}),
                    encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "vpnkit", "create", "--spec", str(spec)],
                          env=_env(tmp_path, emu), capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    logs = [p for p in tmp_path.iterdir() if p.name != "req.json"]
    assert [p.suffix for p in logs] == [".sqlite3"], logs  # no -wal, no -shm
    with sqlite3.connect(logs[0]) as db:
        rows = db.execute("SELECT action, outcome FROM calls").fetchall()
    db.close()
    assert rows == [("CreateVpnConnection", "ok")]


def test_the_module_docstring_lists_every_command() -> None:
    """vpnkit.cli's docstring names each command GROUPS registers, in help order (it lacked
    plan, apply, inventory, peer-config and peer-check)."""
    import vpnkit.cli

    doc = vpnkit.cli.__doc__ or ""
    listed = re.findall(r"^    ([a-z][a-z-]+) {2,}\S", doc, re.M)
    assert listed == ["emulator", *(c for commands in GROUPS.values() for c in commands)]
