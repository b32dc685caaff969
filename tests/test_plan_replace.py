"""A replace cut between its delete and its create: the journaled intent finishes it, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import vpnkit
from tests.test_plan import REGION, calls, cli_env, desired_csv, live, row, run_cli
from tests.test_plan import audited as audited  # fixtures: journal in tmp, audited client
from tests.test_plan import log as log
from vpnkit import AuditLog, VpcClient
from vpnkit.batch import BatchInvalid
from vpnkit.batch.journal import Journal
from vpnkit.emulator import Emulator, serve

STATIC = {"route_type": "StaticRoute", "spd": None}  # Modify cannot change the route type
OTHER = {"spd": "10.0.9.0/24=192.168.9.0/24"}  # a second tunnel's own pairs


@pytest.fixture
def slow() -> Iterator[Emulator]:
    """An emulator whose tunnels stay PENDING, and DELETING, for 3 s (short waits time out)."""
    with serve(seed="demo", create_delay=3.0) as server:
        yield server


def intents(path: Path) -> dict[tuple[str, str], Any]:
    """The journal's unfinished replaces on the demo gateway."""
    j = Journal(path)
    try:
        return j.replacing(["vpngw-demo0001"])
    finally:
        j.close()


def test_the_journal_keeps_a_replace_intent_until_it_ends(tmp_path: Path) -> None:
    """intend_replace survives a reopen (a crash); end_replace removes it; others stay."""
    j = Journal(tmp_path / "j.sqlite3")
    j.intend_replace("a1", ("gw", "n"), "vpnx-old00001")
    j.intend_replace("a1", ("gw", "m"), "vpnx-old00002")
    j.close()
    j = Journal(tmp_path / "j.sqlite3")
    found = j.replacing(["gw", "other"])
    assert {k: (v.apply_id, v.old_id) for k, v in found.items()} == {
        ("gw", "n"): ("a1", "vpnx-old00001"), ("gw", "m"): ("a1", "vpnx-old00002")}
    assert j.replacing(["other"]) == {}
    j.end_replace(("gw", "n"))
    assert list(j.replacing(["gw"])) == [("gw", "m")]
    j.close()


def test_kill_9_between_delete_and_create_then_apply_finishes_it_once(
        slow: Emulator, tmp_path: Path) -> None:
    """SIGKILL after the delete, before the create: the next apply creates it once, no --replace."""
    env = cli_env(tmp_path, slow)
    assert run_cli(env, "apply", str(desired_csv(tmp_path, [row()])), "--yes").returncode == 0
    old = live(slow, "br-01")["VpnConnectionId"]
    want = str(desired_csv(tmp_path, [row(**STATIC)]))
    sent: Counter[str] = Counter()
    deleted, killed = threading.Event(), threading.Event()
    original = slow.backend.handle

    def counting(action: str, region: str, params: Any, request_id: str,
                 **kw: Any) -> dict[str, Any]:
        result = original(action, region, params, request_id, **kw)
        if action in ("DeleteVpnConnection", "CreateVpnConnection"):
            sent[action] += 1
        if action == "DeleteVpnConnection" and not killed.is_set():
            deleted.set()  # committed; the answer waits until the apply is killed
            killed.wait(30)
        return result

    slow.backend.handle = counting  # type: ignore[method-assign]
    proc = subprocess.Popen([sys.executable, "-m", "vpnkit", "apply", want, "--yes",
                             "--replace", "--confirm", "delete 1 tunnel", "--no-wait"],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        assert deleted.wait(60)
        os.kill(proc.pid, signal.SIGKILL)  # after the delete, before any create
    finally:
        proc.wait(timeout=30)
        killed.set()
    assert sent == {"DeleteVpnConnection": 1}
    reader = VpcClient(REGION, endpoint=slow.url, credential=slow.credential)
    assert [t.state for t in reader.describe_vpn_connections([old])] == ["DELETING"]
    reader.session.close()
    (intent,) = intents(tmp_path / "journal.sqlite3").values()
    assert intent.old_id == old
    p = run_cli(env, "plan", want)
    assert p.returncode == 2 and "+ create" in p.stdout
    assert f"finishes the replace of {old}" in p.stdout
    done = run_cli(env, "apply", want, "--yes", "--no-wait")  # no --replace, no phrase
    assert done.returncode == 0, done.stderr
    assert sent == {"DeleteVpnConnection": 1, "CreateVpnConnection": 1}
    t = live(slow, "br-01")
    assert t["VpnConnectionId"] != old and t["RouteType"] == "StaticRoute"
    assert intents(tmp_path / "journal.sqlite3") == {}
    assert run_cli(env, "plan", want).returncode == 0
    assert sent == {"DeleteVpnConnection": 1, "CreateVpnConnection": 1}


def test_a_refused_create_is_finished_by_the_next_apply(emu: Emulator, audited: VpcClient,
                                                        log: AuditLog) -> None:
    """The delete went, the create was refused: the next plan creates it (with a note)."""
    result = vpnkit.plan(audited, [row()]).apply()
    assert result.ok
    old = live(emu, "br-01")["VpnConnectionId"]
    state = Path(os.environ["VPNKIT_BATCH_STATE"]).with_name("named.sqlite3")
    p = vpnkit.plan(audited, [row(**STATIC)], state=state)  # apply journals there too
    emu.faults.update(internal_error=1.0, actions="CreateVpnConnection")
    cut = p.apply(replace=True, confirm=p.confirmation)
    emu.faults.clear()
    assert not cut.ok and cut.counts == {"failed": 1}
    assert "plan and apply again to finish the replace" in str(cut.frame.loc[0, "message"])
    assert emu.backend.dump()["regions"][REGION]["vpn_connections"] == {}
    assert [i.old_id for i in intents(state).values()] == [old]
    assert vpnkit.plan(audited, [row(**STATIC)]).changes[0].replaces is None  # other journal
    again = vpnkit.plan(audited, [row(**STATIC)], state=state)
    (c,) = again.changes
    assert c.action == "create" and c.replaces == old and cut.apply_id in c.notes[0]
    assert again.confirmation is None  # nothing left to delete
    created_before = len(calls(log, "CreateVpnConnection"))
    assert again.apply().counts == {"created": 1}
    assert len(calls(log, "CreateVpnConnection")) == created_before + 1
    assert intents(state) == {}
    assert vpnkit.plan(audited, [row(**STATIC)]).empty


def test_a_keyless_row_after_a_cut_replace_says_where_the_key_went(
        emu: Emulator, audited: VpcClient) -> None:
    """The old tunnel held the only key: the refusal names the apply that deleted it."""
    assert vpnkit.plan(audited, [row()]).apply().ok
    p = vpnkit.plan(audited, [row(pre_share_key=None, **STATIC)])
    emu.faults.update(internal_error=1.0, actions="CreateVpnConnection")
    cut = p.apply(replace=True, confirm=p.confirmation)
    emu.faults.clear()
    with pytest.raises(BatchInvalid) as info:
        vpnkit.plan(audited, [row(pre_share_key=None, **STATIC)])
    text = info.value.frame.to_csv()
    assert cut.apply_id in text and "never stores a key" in text


def test_a_resumed_create_waits_for_the_old_tunnel_and_never_races_it(
        slow: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Old tunnel still DELETING past the wait: no create is sent, the intent stays."""
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    c = VpcClient(REGION, endpoint=slow.url, credential=slow.credential)
    try:
        assert vpnkit.plan(c, [row()]).apply().ok
        old = live(slow, "br-01")["VpnConnectionId"]
        c.delete_vpn_connection(old, "vpngw-demo0001")  # as if a replace was cut here
        j = Journal(tmp_path / "journal.sqlite3")
        j.intend_replace("a-earlier", ("vpngw-demo0001", "br-01"), old)
        j.close()
        p = vpnkit.plan(c, [row(**STATIC)])
        assert [ch.action for ch in p.changes] == ["create"]
        assert "waits until it is gone" in p.changes[0].notes[0]
        early = p.apply(wait_timeout=0.2)
        assert not early.ok and early.counts == {"deleting": 1}
        assert "apply again" in str(early.frame.loc[0, "message"])
        assert live(slow, "br-01")["VpnConnectionId"] == old  # nothing created beside it
        assert [i.old_id for i in intents(tmp_path / "journal.sqlite3").values()] == [old]
        done = vpnkit.plan(c, [row(**STATIC)]).apply(wait=False)
        assert done.counts == {"created": 1}
        assert intents(tmp_path / "journal.sqlite3") == {}
    finally:
        c.session.close()


def test_a_replace_whose_tunnel_is_back_clears_the_intent(emu: Emulator,
                                                          audited: VpcClient) -> None:
    """An intent whose tunnel exists again (made elsewhere) is moot: the next apply clears it."""
    assert vpnkit.plan(audited, [row(**STATIC)]).apply().ok
    state = Path(os.environ["VPNKIT_BATCH_STATE"])
    j = Journal(state)
    j.intend_replace("a-earlier", ("vpngw-demo0001", "br-01"), "vpnx-gone0001")
    j.close()
    p = vpnkit.plan(audited, [row(**STATIC)])
    assert p.empty and p.moot == [("vpngw-demo0001", "br-01")]
    assert p.apply().ok
    assert intents(state) == {}


def _cut_replace(emu: Emulator, audited: VpcClient) -> tuple[str, str]:
    """Apply br-01, then a replace whose create is refused: (old id, apply id) of the cut."""
    assert vpnkit.plan(audited, [row()]).apply().ok
    old = live(emu, "br-01")["VpnConnectionId"]
    p = vpnkit.plan(audited, [row(**STATIC)])
    emu.faults.update(internal_error=1.0, actions="CreateVpnConnection")
    cut = p.apply(replace=True, confirm=p.confirmation)
    emu.faults.clear()
    assert not cut.ok
    return old, cut.apply_id


def test_a_cut_replace_the_desired_state_dropped_is_a_warning_and_nothing_is_sent(
        emu: Emulator, audited: VpcClient, log: AuditLog) -> None:
    """An intent for a (gateway, name) no longer desired: a warning naming it, its apply and
    the way to finish or drop it; nothing is sent for it; drop_replace forgets it."""
    old, apply_id = _cut_replace(emu, audited)
    state = Path(os.environ["VPNKIT_BATCH_STATE"])
    p = vpnkit.plan(audited, [row("br-02", **OTHER)])
    assert [(c.action, c.name) for c in p.changes] == [("create", "br-02")]
    assert p.warnings is not None
    (w,) = p.warnings[p.warnings["code"] == "UnfinishedReplace"].to_dict("records")
    assert w["path"] == "vpngw-demo0001/br-01" and w["severity"] == "warning"
    for needle in (apply_id, old, "was deleted", "never created", "list vpngw-demo0001/br-01",
                   f"drop_replace('vpngw-demo0001', 'br-01', state={str(state)!r})"):
        assert needle in w["message"], w["message"]
    creates = len(calls(log, "CreateVpnConnection"))
    assert p.apply().counts == {"created": 1}
    assert len(calls(log, "CreateVpnConnection")) == creates + 1  # br-02 only
    assert [i.old_id for i in intents(state).values()] == [old]  # kept: not overtaken
    assert vpnkit.plan.drop_replace("vpngw-demo0001", "br-01", state) is True
    assert intents(state) == {}
    later = vpnkit.plan(audited, [row("br-02", **OTHER)])
    assert later.empty and later.warnings is not None
    assert "UnfinishedReplace" not in set(later.warnings["code"])


def test_an_intent_on_a_gateway_not_planned_is_told_and_one_overtaken_is_cleared(
        emu: Emulator, audited: VpcClient) -> None:
    """An intent on a gateway the desired state does not name is a warning (live state not
    read); one whose tunnel exists again, unlisted, is moot as before: no warning, cleared."""
    assert vpnkit.plan(audited, [row(), row("br-02", **OTHER)]).apply().ok
    state = Path(os.environ["VPNKIT_BATCH_STATE"])
    j = Journal(state)
    j.intend_replace("a-elsewhere", ("vpngw-other001", "x-01"), "vpnx-other001")
    j.intend_replace("a-earlier", ("vpngw-demo0001", "br-02"), "vpnx-gone0001")
    j.close()
    p = vpnkit.plan(audited, [row()])
    assert p.empty and p.moot == [("vpngw-demo0001", "br-02")]
    assert p.warnings is not None
    (w,) = p.warnings[p.warnings["code"] == "UnfinishedReplace"].to_dict("records")
    assert w["path"] == "vpngw-other001/x-01"
    assert "a-elsewhere" in w["message"] and "not read" in w["message"]
    assert p.apply().ok
    j = Journal(state)
    try:
        assert set(j.replacing()) == {("vpngw-other001", "x-01")}
    finally:
        j.close()
