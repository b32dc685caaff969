"""`vpnkit ...` run as a subprocess against an emulator: exit codes, output, no secrets, kill -9."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vpnkit.emulator import Emulator, serve

REGION = "ap-guangzhou"
SENTINEL = "SENTINEL-psk-cli-4b2d"
SAMPLE = Path(__file__).resolve().parents[1] / "vpnkit" / "samples" / "branches.csv"


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    """One emulator for the module (reset per test)."""
    with serve(seed="demo", create_delay=0.05) as emu:
        yield emu


@pytest.fixture
def emu(server: Emulator) -> Emulator:
    """The module's emulator, back at the demo seed with faults off."""
    from vpnkit.emulator.seed import build

    server.backend.reset(build("demo"))
    server.faults.clear()
    return server


@pytest.fixture
def env(tmp_path: Path, emu: Emulator) -> dict[str, str]:
    """Environment for the subprocess: the emulator's URL, tmp audit/journal, sentinel PSKs."""
    out = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    out.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
               VPNKIT_BATCH_STATE=str(tmp_path / "journal.sqlite3"), HOME=str(tmp_path),
               VPNKIT_PSK_PROD=SENTINEL, VPNKIT_PSK_DEV=SENTINEL, VPNKIT_PSK_CCN=SENTINEL,
               PYTHONWARNINGS="error::DeprecationWarning")
    return out


def vpnkit(env: dict[str, str], *args: str, cwd: Path | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m vpnkit ARGS``; assert no traceback and no secret in the output."""
    proc = subprocess.run([sys.executable, "-m", "vpnkit", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)
    for stream in (proc.stdout, proc.stderr):
        assert SENTINEL not in stream
        assert "Traceback" not in stream
    return proc


def tunnels(emu: Emulator) -> list[dict[str, Any]]:
    """Every tunnel in the region."""
    return list(emu.backend.dump()["regions"][REGION]["vpn_connections"].values())


def request_file(tmp_path: Path, **over: Any) -> Path:
    """A tccli --cli-input-json file for one tunnel."""
    body = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
            "VpnConnectionName": "cli-one", "PreShareKey": SENTINEL, "VpcId": "vpc-demo0001",
            "SecurityPolicyDatabases": [{"LocalCidrBlock": "10.0.1.0/24",
                                         "RemoteCidrBlock": ["192.168.1.0/24"]}],
            "RouteType": "Policy", "DpdTimeout": "30", **over}
    path = tmp_path / "req.json"
    path.write_text(json.dumps(body))
    return path


def test_create_from_cli_input_json(tmp_path: Path, env: dict[str, str], emu: Emulator) -> None:
    """create --spec file://... creates one tunnel, waits, prints its id (exit 0)."""
    path = request_file(tmp_path)
    proc = vpnkit(env, "create", "--spec", f"file://{path}", "--wait")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["State"] == "AVAILABLE" and out["VpnConnectionId"].startswith("vpnx-")
    assert [t["VpnConnectionName"] for t in tunnels(emu)] == ["cli-one"]


def test_create_errors_are_one_line_with_exit_codes(tmp_path: Path, env: dict[str, str],
                                                    emu: Emulator) -> None:
    """Invalid spec and API errors exit 1 with one stderr line; a missing file exits 2."""
    bad = vpnkit(env, "create", "--spec", str(request_file(tmp_path, DpdTimeout="99")))
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert "dpd_timeout" in bad.stderr
    api = vpnkit(env, "create", "--spec",
                 str(request_file(tmp_path, VpnGatewayId="vpngw-zzzz0000")))
    assert api.returncode == 1, api.stderr
    (line,) = [ln for ln in api.stderr.splitlines() if ln.startswith("error:")]
    assert "ResourceNotFound" in line and "RequestId" in line
    missing = vpnkit(env, "create", "--spec", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert vpnkit(env, "create").returncode == 2
    assert tunnels(emu) == []


def test_batch_dry_run_then_run_then_resume(env: dict[str, str], emu: Emulator) -> None:
    """batch --dry-run sends nothing (PSK masked); a run creates 12; --resume creates none."""
    dry = vpnkit(env, "batch", str(SAMPLE), "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    assert {r["body"]["PreShareKey"] for r in json.loads(dry.stdout)} == {"***"}
    assert tunnels(emu) == []
    run = vpnkit(env, "batch", str(SAMPLE), "--resume", "b-cli-1", "--no-progress")
    assert run.returncode == 0, run.stderr
    assert "12 created" in run.stderr and len(tunnels(emu)) == 12
    again = vpnkit(env, "batch", str(SAMPLE), "--resume", "b-cli-1", "--no-progress",
                   "--format", "csv")
    assert again.returncode == 0 and "12 exists" in again.stderr
    assert len(tunnels(emu)) == 12


def test_batch_invalid_is_refused_with_a_table(tmp_path: Path, env: dict[str, str],
                                               emu: Emulator) -> None:
    """An invalid CSV exits 1 with the issue table; the emulator saw no create."""
    lines = SAMPLE.read_text().splitlines()
    lines[2] = lines[2].replace("AES-CBC-256", "ROT13", 1)
    lines.append(lines[1])  # duplicate name on the same gateway
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    proc = vpnkit(env, "batch", str(bad))
    assert proc.returncode == 1
    assert "ROT13" in proc.stdout and "InvalidParameterValue.Duplicate" in proc.stdout
    assert "nothing sent" in proc.stderr
    assert tunnels(emu) == []
    assert vpnkit(env, "batch", str(tmp_path / "none.csv")).returncode == 2
    assert vpnkit(env, "batch", str(SAMPLE), "--workers", "0").returncode == 2


def test_describe_formats(tmp_path: Path, env: dict[str, str]) -> None:
    """describe prints a table, CSV and tccli-shaped JSON, never the PSK."""
    assert vpnkit(env, "create", "--spec", str(request_file(tmp_path))).returncode == 0
    table = vpnkit(env, "describe")
    assert table.returncode == 0 and "cli-one" in table.stdout
    csv = vpnkit(env, "describe", "--format", "csv")
    assert csv.returncode == 0 and csv.stdout.startswith("vpn_connection_id,")
    js = vpnkit(env, "describe", "--format", "json", "--gateway", "vpngw-demo0001")
    data = json.loads(js.stdout)
    assert data["TotalCount"] == 1 and data["VpnConnectionSet"][0]["PreShareKey"] == "***"
    assert vpnkit(env, "describe", "--format", "xml").returncode == 2


def test_delete_needs_yes(tmp_path: Path, env: dict[str, str], emu: Emulator) -> None:
    """delete ID only shows the plan; --yes deletes; an unknown id exits 1."""
    created = json.loads(vpnkit(env, "create", "--spec", str(request_file(tmp_path)),
                                "--wait").stdout)
    vid = created["VpnConnectionId"]
    plan = vpnkit(env, "delete", vid)
    assert plan.returncode == 0 and "would delete" in plan.stdout and len(tunnels(emu)) == 1
    done = vpnkit(env, "delete", vid, "--yes", "--wait")
    assert done.returncode == 0, done.stderr
    assert tunnels(emu) == []
    gone = vpnkit(env, "delete", "vpnx-zzzzzzzz", "--yes")
    assert gone.returncode == 1 and "ResourceNotFound" in gone.stderr


def test_audit_lists_calls(tmp_path: Path, env: dict[str, str]) -> None:
    """audit shows the calls made by earlier commands, filtered by action/outcome/since."""
    pytest.importorskip("vpnkit.audit", reason="the audit log module has not landed")
    assert vpnkit(env, "create", "--spec", str(request_file(tmp_path))).returncode == 0
    proc = vpnkit(env, "audit", "--action", "CreateVpnConnection", "--since", "1h",
                  "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and {r["action"] for r in rows} == {"CreateVpnConnection"}
    assert vpnkit(env, "audit", "--since", "yesterday-ish").returncode == 2


def test_skeleton_is_tccli_shaped(env: dict[str, str]) -> None:
    """skeleton prints every request field with String/Integer/Boolean placeholders."""
    proc = vpnkit(env, "skeleton")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["VpnGatewayId"] == "String" and data["DpdEnable"] == "Integer"
    assert data["DpdTimeout"] == "String" and data["EnableHealthCheck"] == "Boolean"
    ipsec = data["IPSECOptionsSpecification"]
    assert ipsec["IntegrityAlgorith"] == ipsec["IntegrityAlgorithm"] == "String"
    assert data["SecurityPolicyDatabases"] == [{"LocalCidrBlock": "String",
                                                "RemoteCidrBlock": ["String"]}]
    assert "Route" in data and len(data) == 20


def test_lab_command(tmp_path: Path, env: dict[str, str]) -> None:
    """lab --dry-run prints the jupyter lab command for ./notebooks; no notebooks dir is exit 2."""
    (tmp_path / "notebooks").mkdir()
    proc = vpnkit(env, "lab", "--dry-run", "--", "--no-browser", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert " lab " in f" {proc.stdout} " or "jupyterlab" in proc.stdout
    assert str(tmp_path / "notebooks") in proc.stdout and "--no-browser" in proc.stdout


def test_demo_runs_offline(env: dict[str, str]) -> None:
    """demo creates a tunnel and the sample batch on an embedded emulator, with no credentials."""
    del env["VPNKIT_ENDPOINT"]
    proc = vpnkit(env, "demo", "--create-delay", "0.05")
    assert proc.returncode == 0, proc.stderr
    assert "EMULATOR" in proc.stderr and "12 created" in proc.stderr
    assert proc.stdout.count("AVAILABLE") >= 13 and "audit summary" in proc.stdout


def test_emulator_command_serves_until_terminated(env: dict[str, str]) -> None:
    """emulator prints its URL first and exits 0 on SIGTERM."""
    proc = subprocess.Popen([sys.executable, "-m", "vpnkit", "emulator", "--create-delay",
                             "0.1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        out = vpnkit({**env, "VPNKIT_ENDPOINT": url}, "describe", "--format", "json")
        assert out.returncode == 0 and json.loads(out.stdout)["TotalCount"] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.communicate()


def test_usage_errors_exit_2(env: dict[str, str]) -> None:
    """No command, an unknown command or a bad option exits 2; --help exits 0."""
    assert vpnkit(env).returncode == 2
    assert vpnkit(env, "frobnicate").returncode == 2
    assert vpnkit(env, "describe", "--bogus").returncode == 2
    assert vpnkit(env, "--help").returncode == 0


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume_creates_each_tunnel_once(
        tmp_path: Path, env: dict[str, str], emu: Emulator) -> None:
    """SIGKILL a running batch at random moments, resume: no duplicates, no lost rows, audited."""
    rows = ["name,vpn_gateway_id,customer_gateway_id,vpc_id,pre_share_key_env,spd,route_type"]
    for i in range(40):
        gw, vpc, net = (("vpngw-demo0001", "vpc-demo0001", "10.0") if i % 2 else
                        ("vpngw-demo0002", "vpc-demo0002", "172.16"))
        rows.append(f"k-{i:02d},{gw},cgw-demo0001,{vpc},VPNKIT_PSK_PROD,"
                    f"{net}.{i}.0/24=192.168.{i}.0/24,Policy")
    csv = tmp_path / "kill.csv"
    csv.write_text("\n".join(rows) + "\n")
    emu.faults.update(delay=0.15, drop_after_commit=0.1, actions="CreateVpnConnection", seed=3)
    args = [sys.executable, "-m", "vpnkit", "batch", str(csv), "--resume", "b-kill",
            "--no-progress", "--workers", "3", "--no-wait"]
    rnd = random.Random(11)
    for _ in range(3):
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.8, 2.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    emu.faults.clear()
    final = vpnkit(env, "batch", str(csv), "--resume", "b-kill", "--no-progress",
                   "--format", "json")
    assert final.returncode == 0, final.stderr
    result = json.loads(final.stdout)
    assert len(result) == 40
    assert {r["status"] for r in result} <= {"created", "exists", "reconciled"}
    counts = Counter((t["VpnGatewayId"], t["VpnConnectionName"]) for t in tunnels(emu))
    assert len(counts) == 40 and set(counts.values()) == {1}, counts
    by_name = {t["VpnConnectionName"]: t["VpnConnectionId"] for t in tunnels(emu)}
    assert {r["name"]: r["vpn_connection_id"] for r in result} == by_name
    try:
        from vpnkit.audit import AuditLog
    except ImportError:
        return
    log = AuditLog(env["VPNKIT_AUDIT"]).frame()
    creates = log[log["action"] == "CreateVpnConnection"]
    audited = set(creates["resource_id"].dropna())
    assert set(by_name.values()) <= audited  # every tunnel's outcome is in the audit log
