"""Exactly once when the state cannot be read: failed lookups are never "not found" (issue 11 §1).

The emulator's fault injection makes ``DescribeVpnConnections`` answer ``InternalError``; a
:class:`Recorder` mounted on the client's own session lists every request that leaves (the
real transport underneath, nothing stubbed) and can switch the emulator's faults at the moment
a given action goes out, so "the create commits, then every lookup fails" is reproducible.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.test_batch import SENTINEL, names_per_gateway, rows, tunnels
from tests.test_batch import _env as _env  # autouse: journal in tmp, PSK variables
from vpnkit import VpcClient
from vpnkit.batch import create_many, delete_many
from vpnkit.batch.io import read_rows
from vpnkit.batch.journal import Journal
from vpnkit.emulator import Emulator

REGION = "ap-guangzhou"
LOOKUPS_FAIL: dict[str, Any] = {"internal_error": 1.0, "actions": "DescribeVpnConnections"}


class Recorder(HTTPAdapter):
    """The real HTTP adapter, noting each request's action; ``on_send`` runs just before."""

    def __init__(self, on_send: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.actions: list[str] = []
        self.on_send = on_send

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        action = str(request.headers.get("X-TC-Action", ""))
        self.actions.append(action)
        if self.on_send is not None:
            self.on_send(action)
        return super().send(request, *args, **kwargs)

    def count(self, action: str) -> int:
        """How many requests of ``action`` left."""
        return self.actions.count(action)


def record(client: VpcClient, on_send: Callable[[str], None] | None = None) -> Recorder:
    """Mount a fresh Recorder on ``client``'s session (shared by its with_audit copies)."""
    rec = Recorder(on_send)
    client.session.mount("http://", rec)
    return rec


def journal_rows(tmp_path: Path, batch_id: str) -> dict[str, tuple[str, str | None]]:
    """name -> (status, tunnel id) as the journal holds them."""
    j = Journal(tmp_path / "journal.sqlite3")
    try:
        return {name: (r.status, r.vpn_connection_id) for (_, name), r in
                j.load(batch_id).items()}
    finally:
        j.close()


def test_resume_with_failing_lookups_sends_nothing_and_keeps_the_journal(
        tmp_path: Path, emu: Emulator, client: VpcClient) -> None:
    """Lookups failing on resume: created/sending rows unknown, fresh ones skipped, no create."""
    df = rows(4)
    first = create_many(client, df.iloc[:2], progress=False, wait=False, batch_id="b1")
    ids = list(first.frame["vpn_connection_id"])
    j = Journal(tmp_path / "journal.sqlite3")
    j.record("b1", ("vpngw-demo0001", "t-002"), 2, "sending")  # killed before it landed
    j.close()
    before = journal_rows(tmp_path, "b1")
    emu.faults.update(**LOOKUPS_FAIL)
    rec = record(client)
    result = create_many(client, df, progress=False, wait=False, batch_id="b1")
    assert rec.count("CreateVpnConnection") == 0, rec.actions
    assert list(result.frame["status"]) == ["unknown", "unknown", "unknown", "skipped"]
    assert list(result.frame["vpn_connection_id"][:2]) == ids
    assert all("resume" in m for m in result.frame["message"])
    assert not result.ok
    assert journal_rows(tmp_path, "b1") == before
    emu.faults.clear()
    again = create_many(client, df, progress=False, wait=False, batch_id="b1")
    assert list(again.frame["status"]) == ["exists", "exists", "created", "created"]
    assert list(again.frame["vpn_connection_id"][:2]) == ids
    assert len(tunnels(emu)) == 4 and set(names_per_gateway(emu).values()) == {1}


def test_create_committed_then_lookups_fail_is_unknown_not_failed(
        tmp_path: Path, emu: Emulator, client: VpcClient) -> None:
    """InternalError after commit, then failing lookups: row unknown, one create; resume adopts."""
    def switch(action: str) -> None:
        if action == "CreateVpnConnection":
            emu.faults.clear()
            emu.faults.update(internal_error_after_commit=1.0, actions="CreateVpnConnection")
        elif action == "DescribeVpnConnections" and rec.count("CreateVpnConnection"):
            emu.faults.clear()
            emu.faults.update(**LOOKUPS_FAIL)

    rec = record(client, switch)
    result = create_many(client, rows(1), progress=False, wait=False, batch_id="b2", workers=1)
    assert rec.count("CreateVpnConnection") == 1, rec.actions
    assert list(result.frame["status"]) == ["unknown"], result.frame.to_dict("records")
    assert "resume" in str(result.frame.loc[0, "message"])
    assert journal_rows(tmp_path, "b2")["t-000"][0] == "unknown"
    (made,) = tunnels(emu)
    rec.on_send = None
    emu.faults.clear()
    again = create_many(client, rows(1), progress=False, wait=False, batch_id="b2")
    assert list(again.frame["status"]) == ["reconciled"]
    assert again.frame.loc[0, "vpn_connection_id"] == made["VpnConnectionId"]
    assert journal_rows(tmp_path, "b2")["t-000"] == ("created", made["VpnConnectionId"])
    assert rec.count("CreateVpnConnection") == 1 and len(tunnels(emu)) == 1


def test_duplicate_for_a_create_we_may_have_sent_is_reconciled_or_unknown(
        tmp_path: Path, emu: Emulator, client: VpcClient) -> None:
    """A journaled 'sending' create that lands late answers Duplicate: never a failure."""
    other = VpcClient(REGION, endpoint=emu.url, credential=emu.credential)
    df = rows(2)
    (first, second), _ = read_rows(df)
    j = Journal(tmp_path / "journal.sqlite3")
    for batch_id, row in (("b3", first), ("b4", second)):  # earlier runs, killed mid-call
        j.record(batch_id, row.key, row.row, "sending")
    j.close()

    def late_landing(spec: Any, fail_lookups: bool) -> Callable[[str], None]:
        def on_send(action: str) -> None:
            if action == "CreateVpnConnection" and rec.count(action) == 1:
                other.call("CreateVpnConnection", spec.to_wire())  # the earlier request
                if fail_lookups:
                    emu.faults.update(**LOOKUPS_FAIL)
        return on_send

    rec = record(client, late_landing(first.spec, fail_lookups=True))
    result = create_many(client, df.iloc[:1], progress=False, wait=False, batch_id="b3")
    assert list(result.frame["status"]) == ["unknown"], result.frame.to_dict("records")
    assert journal_rows(tmp_path, "b3")["t-000"] == ("unknown", None)
    emu.faults.clear()
    rec = record(client, late_landing(second.spec, fail_lookups=False))
    fresh = create_many(client, df.iloc[1:], progress=False, wait=False, batch_id="b4")
    made = {t["VpnConnectionName"]: t["VpnConnectionId"] for t in tunnels(emu)}
    assert list(fresh.frame["status"]) == ["reconciled"], fresh.frame.to_dict("records")
    assert fresh.frame.loc[0, "vpn_connection_id"] == made["t-001"]
    assert journal_rows(tmp_path, "b4")["t-001"] == ("created", made["t-001"])
    again = create_many(client, df.iloc[:1], progress=False, wait=False, batch_id="b3")
    assert list(again.frame["status"]) == ["reconciled"]
    assert journal_rows(tmp_path, "b3")["t-000"] == ("created", made["t-000"])
    assert set(names_per_gateway(emu).values()) == {1} and len(made) == 2
    other.session.close()


def test_journal_never_overwrites_a_known_tunnel_id(tmp_path: Path) -> None:
    """A later record without an id (or a downgrade of a created row) keeps the known id."""
    j = Journal(tmp_path / "j.sqlite3")
    j.record("b", ("gw", "n"), 0, "created", vpn_connection_id="vpnx-aaaa1111")
    j.record("b", ("gw", "n"), 0, "failed", error_code="InvalidParameterValue.Duplicate")
    j.record("b", ("gw", "n"), 0, "sending")
    (row,) = j.load("b").values()
    assert (row.status, row.vpn_connection_id) == ("created", "vpnx-aaaa1111")
    j.record("b", ("gw", "m"), 1, "sending")
    j.record("b", ("gw", "m"), 1, "unknown", error_code="OutcomeUnknown")
    assert j.load("b")[("gw", "m")].status == "unknown"
    for status in ("deleting", "deleted"):  # plan's replace: delete, then create
        j.record("b", ("gw", "n"), 0, status)
        assert j.load("b")[("gw", "n")].vpn_connection_id == "vpnx-aaaa1111"
    j.record("b", ("gw", "n"), 0, "sending")
    j.record("b", ("gw", "n"), 0, "created", vpn_connection_id="vpnx-bbbb2222")
    row = j.load("b")[("gw", "n")]
    assert (row.status, row.vpn_connection_id) == ("created", "vpnx-bbbb2222")
    j.close()


def test_delete_accepted_but_read_back_failing_is_not_a_failed_delete(
        emu: Emulator, client: VpcClient) -> None:
    """delete_many(wait=True): a lookup failing after an accepted delete keeps 'deleting'."""
    created = create_many(client, rows(1), progress=False)

    def on_send(action: str) -> None:
        if action == "DeleteVpnConnection":
            emu.faults.update(**LOOKUPS_FAIL)

    record(client, on_send)
    done = delete_many(client, created.frame, dry_run=False, confirm=True, wait=True,
                       timeout=5)
    assert list(done["status"]) == ["deleting"], done.to_dict("records")
    assert "could not confirm" in str(done.loc[0, "message"])


@pytest.mark.slow
def test_kill_9_then_resume_while_lookups_fail_then_resume(
        tmp_path: Path, emu: Emulator) -> None:
    """SIGKILL mid-batch, resume with failing lookups (no create, journal intact), then finish."""
    lines = ["name,vpn_gateway_id,customer_gateway_id,vpc_id,pre_share_key_env,spd,route_type"]
    for i in range(12):
        lines.append(f"k-{i:02d},vpngw-demo0001,cgw-demo0001,vpc-demo0001,VPNKIT_PSK_PROD,"
                     f"10.0.{i}.0/24=192.168.{i}.0/24,Policy")
    csv = tmp_path / "kill.csv"
    csv.write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    env.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
               VPNKIT_BATCH_STATE=str(tmp_path / "journal.sqlite3"), HOME=str(tmp_path),
               VPNKIT_PSK_PROD=SENTINEL)
    args = [sys.executable, "-m", "vpnkit", "batch", str(csv), "--batch-id", "b-k9",
            "--no-progress", "--workers", "2", "--no-wait", "--format", "json"]
    emu.faults.update(delay=0.2, actions="CreateVpnConnection")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while len(tunnels(emu)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(0.6)  # requests already in flight (0.2 s delay each) still land
    made = len(tunnels(emu))
    assert 3 <= made < 12
    before = journal_rows(tmp_path, "b-k9")
    emu.faults.clear()
    emu.faults.update(**LOOKUPS_FAIL)
    stuck = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60,
                           check=False)
    assert stuck.returncode == 1, stuck.stderr
    assert "--resume b-k9" in stuck.stderr and "Traceback" not in stuck.stderr
    assert {r["status"] for r in json.loads(stuck.stdout)} <= {"unknown", "skipped"}
    assert len(tunnels(emu)) == made
    assert journal_rows(tmp_path, "b-k9") == before
    emu.faults.clear()
    final = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60,
                           check=False)
    assert final.returncode == 0, final.stderr
    result = json.loads(final.stdout)
    assert {r["status"] for r in result} <= {"created", "exists", "reconciled"}
    assert len(tunnels(emu)) == 12 and set(names_per_gateway(emu).values()) == {1}
    by_name = {t["VpnConnectionName"]: t["VpnConnectionId"] for t in tunnels(emu)}
    assert {r["name"]: r["vpn_connection_id"] for r in result} == by_name
    assert {n: i for n, (_, i) in journal_rows(tmp_path, "b-k9").items()} == by_name
    for stream in (stuck.stdout, stuck.stderr, final.stdout, final.stderr):
        assert SENTINEL not in stream
