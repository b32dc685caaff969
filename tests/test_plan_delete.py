"""Plan's deletes (prune, replace) and delete_many: one path, the same status for the same case."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import vpnkit
from tests.test_plan import REGION, calls, live, row
from tests.test_plan import audited as audited  # fixtures: journal in tmp, audited client
from tests.test_plan import log as log
from vpnkit import AuditLog, VpcClient
from vpnkit.batch import delete_many
from vpnkit.emulator import Emulator, serve


@pytest.fixture
def slow_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[VpcClient]:
    """A client on an emulator whose tunnels stay PENDING, and DELETING, for 3 s."""
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    with serve(seed="demo", create_delay=3.0) as server:
        c = VpcClient(REGION, endpoint=server.url, credential=server.credential)
        yield c
        c.session.close()


def test_an_unconfirmed_delete_is_deleting_in_both(slow_client: VpcClient) -> None:
    """Accepted, not gone within the wait: prune and delete_many both say 'deleting', why."""
    four = [row(f"br-0{i}", spd=f"10.0.{i}.0/24=192.168.{i}.0/24") for i in range(1, 5)]
    assert vpnkit.plan(slow_client, four).apply().ok
    keep = [four[0], four[3]]
    p = vpnkit.plan(slow_client, keep, prune=True)
    result = p.apply(confirm=p.confirmation, wait_timeout=0.2)
    pruned = result.frame[result.frame["action"] == "delete"]
    assert list(pruned["status"]) == ["deleting", "deleting"]
    assert pruned["message"].str.startswith("delete accepted; could not confirm").all()
    assert result.ok  # accepted deletes, as delete_many reports them
    again = vpnkit.plan(slow_client, keep, prune=True)
    assert again.empty  # nothing to send again: they are on their way out
    assert {c.name: c.notes for c in again.changes if c.notes} == {
        "br-02": ("being deleted",), "br-03": ("being deleted",)}
    other = slow_client.find_vpn_connection("vpngw-demo0001", "br-04")
    assert other is not None
    done = delete_many(slow_client, [other.vpn_connection_id], dry_run=False, confirm=True,
                       wait=True, timeout=0.2)
    assert list(done["status"]) == ["deleting"]
    assert str(done.loc[0, "message"]).split(":")[0] == str(pruned.iloc[0]["message"]).split(
        ":")[0]


def test_a_lost_delete_answer_is_read_back_in_both(emu: Emulator, audited: VpcClient,
                                                   log: AuditLog) -> None:
    """The delete commits, the answer is lost: both read it back (deleted), neither 'failed'."""
    assert vpnkit.plan(audited, [row(), row("br-02", spd="10.0.2.0/24=192.168.5.0/24"),
                                 row("br-03", spd="10.0.3.0/24=192.168.6.0/24")]).apply().ok
    emu.faults.update(drop_after_commit=1.0, actions="DeleteVpnConnection")
    p = vpnkit.plan(audited, [row(), row("br-03", spd="10.0.3.0/24=192.168.6.0/24")],
                    prune=True)
    result = p.apply(confirm=p.confirmation)
    (gone,) = [r for a, r in result.rows if a == "delete"]
    assert gone.status == "deleted" and "answer was lost" in str(gone.message)
    tid = live(emu, "br-03")["VpnConnectionId"]
    done = delete_many(audited, [tid], dry_run=False, confirm=True, wait=True, timeout=10)
    emu.faults.clear()
    assert list(done["status"]) == ["deleted"]
    assert "answer was lost" in str(done.loc[0, "message"])
    assert len(calls(log, "DeleteVpnConnection")) == 2  # one each: never re-sent


def test_many_prunes_each_deleted_once(emu: Emulator, audited: VpcClient,
                                       log: AuditLog) -> None:
    """Six prunes over three workers: each tunnel gets one Delete and ends deleted."""
    rows = [row(f"p-{i}", spd=f"10.0.{i}.0/24=192.168.{i}.0/24") for i in range(1, 8)]
    assert vpnkit.plan(audited, rows).apply().ok
    p = vpnkit.plan(audited, rows[:1], prune=True)
    result = p.apply(confirm=p.confirmation, workers=3)
    assert result.counts == {"deleted": 6, "unchanged": 1}
    per_tunnel = Counter(json.loads(r["params"])["VpnConnectionId"]
                         for r in calls(log, "DeleteVpnConnection"))
    assert len(per_tunnel) == 6 and set(per_tunnel.values()) == {1}
    names = [t["VpnConnectionName"] for t in
             emu.backend.dump()["regions"][REGION]["vpn_connections"].values()]
    assert names == ["p-1"]
