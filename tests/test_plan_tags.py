"""Plan/apply keep tunnels' tags as declared: a tag difference is a field of the modify,
sent to the Tag service (ModifyResourceTags) after the Modify, audited, journaled, never
blindly twice, and the plan right after is empty."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

import vpnkit
from tests.test_plan import audited as audited  # fixtures: journal in tmp, audited client
from tests.test_plan import calls, count_sent, live, row
from tests.test_plan import log as log
from vpnkit import AuditLog, VpcClient
from vpnkit.emulator import Emulator
from vpnkit.plan import PlanError
from vpnkit.tags import resource_name

TAGS = "ModifyResourceTags"
MODIFY = "ModifyVpnConnectionAttribute"


def tagged(tags: dict[str, str], name: str = "br-01", **over: Any) -> dict[str, Any]:
    """A desired row with ``tag:<key>`` columns."""
    return row(name, **over, **{f"tag:{k}": v for k, v in tags.items()})


def emu_tags(emu: Emulator, name: str) -> dict[str, str]:
    """The emulator's TagSet of the tunnel called ``name``."""
    return {t["Key"]: t["Value"] for t in live(emu, name)["TagSet"]}


def applied(client: VpcClient, desired: Any) -> Any:
    """Apply a plan (asserting it went through) and return the result."""
    result = vpnkit.plan(client, desired).apply()
    assert result.ok, result.frame.to_string()
    return result


def test_a_new_tunnel_carries_its_tags_in_the_create(emu: Emulator, audited: VpcClient,
                                                     log: AuditLog) -> None:
    """A create sends its tags in CreateVpnConnection (one source); no Tag call; replan empty."""
    applied(audited, [tagged({"env": "prod", "site": "sh"})])
    assert emu_tags(emu, "br-01") == {"env": "prod", "site": "sh"}
    assert calls(log, TAGS) == []
    assert vpnkit.plan(audited, [tagged({"env": "prod", "site": "sh"})]).empty


def test_a_tag_difference_is_a_field_change(emu: Emulator, audited: VpcClient,
                                            log: AuditLog) -> None:
    """Re-valued, added and dropped tags are one 'tags' field, before -> after, as a modify."""
    applied(audited, [tagged({"env": "dev", "team": "net"})])
    p = vpnkit.plan(audited, [tagged({"env": "prod", "site": "sh"})])
    [change] = p.changes
    assert change.action == "modify" and change.modify == {}
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("tags", "env=dev, team=net", "env=prod, site=sh")]
    assert not any("not applied" in n for n in change.notes)
    result = p.apply()
    assert result.ok and result.counts == {"modified": 1}
    assert emu_tags(emu, "br-01") == {"env": "prod", "site": "sh"}
    assert calls(log, MODIFY) == []  # a tag-only change sends no Modify
    [tag_row] = calls(log, TAGS)
    assert tag_row["outcome"] == "ok" and tag_row["resource_id"] == change.vpn_connection_id
    assert vpnkit.plan(audited, [tagged({"env": "prod", "site": "sh"})]).empty


def test_tags_go_after_the_modify_in_one_journal_row(emu: Emulator, audited: VpcClient,
                                                     log: AuditLog, tmp_path: Path) -> None:
    """A field and a tag change: the Modify, then the Tag call; one journaled row, modified."""
    applied(audited, [tagged({"env": "dev"})])
    want = [tagged({"env": "prod"}, ike_dh_group="GROUP20")]
    result = vpnkit.plan(audited, want).apply()
    assert result.ok
    frame = log.frame()
    order = [a for a in frame.sort_values("id")["action"] if a in (MODIFY, TAGS)]
    assert order == [MODIFY, TAGS]
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    statuses = db.execute("SELECT name, status FROM batch_rows WHERE batch_id = ?",
                          (result.apply_id,)).fetchall()
    db.close()
    assert statuses == [("br-01", "modified")]
    assert vpnkit.plan(audited, want).empty


def test_no_tags_declared_leaves_live_tags(emu: Emulator, audited: VpcClient) -> None:
    """A row that sets no tags does not manage them: the live ones stand, nothing planned."""
    applied(audited, [tagged({"env": "dev"})])
    assert vpnkit.plan(audited, [row()]).empty
    assert emu_tags(emu, "br-01") == {"env": "dev"}


def test_a_lost_tag_answer_is_reconciled_not_resent(emu: Emulator, audited: VpcClient) -> None:
    """The connection drops after the tags committed: read back, sent once, replan empty."""
    applied(audited, [tagged({"env": "dev"})])
    sent = count_sent(emu)
    emu.faults.update(drop_after_commit=1.0, actions=TAGS)
    want = [tagged({"env": "prod"})]
    result = vpnkit.plan(audited, want).apply()
    emu.faults.clear()
    assert result.ok and result.counts == {"modified": 1}
    assert "read showed them applied" in str(result.frame.loc[0, "message"])
    assert sent[TAGS] == 1
    assert vpnkit.plan(audited, want).empty


def test_a_refused_tag_call_fails_the_row_after_the_modify(emu: Emulator,
                                                          audited: VpcClient) -> None:
    """The Modify lands, the Tag call is refused: the row fails saying so; replan shows tags."""
    applied(audited, [tagged({"env": "dev"})])
    emu.faults.update(unauthorized=1.0, actions=TAGS)
    want = [tagged({"env": "prod"}, ike_dh_group="GROUP20")]
    result = vpnkit.plan(audited, want).apply()
    emu.faults.clear()
    frame = result.frame
    assert not result.ok and frame.loc[0, "status"] == "failed"
    assert str(frame.loc[0, "message"]).startswith("the Modify was made, but the tags")
    [change] = vpnkit.plan(audited, want).changes
    assert [f.path for f in change.fields] == ["tags"]


def test_tags_the_service_refuses_stop_the_plan(emu: Emulator, audited: VpcClient,
                                                log: AuditLog) -> None:
    """A reserved Tag-service prefix (qcloud) is a PlanError naming it; nothing is sent."""
    applied(audited, [tagged({"env": "dev"})])
    before = len(log.frame())
    with pytest.raises(PlanError, match=r"qcloud-app.*ReservedTagKey"):
        vpnkit.plan(audited, [tagged({"qcloud-app": "x"})])
    assert not any(a in (MODIFY, TAGS) for a in log.frame()["action"][before:])


def test_a_tag_change_since_the_plan_is_stale(emu: Emulator, audited: VpcClient) -> None:
    """Someone re-tags the tunnel between plan and apply: the row is stale, not sent."""
    applied(audited, [tagged({"env": "dev"})])
    p = vpnkit.plan(audited, [tagged({"env": "prod"})])
    tid = p.changes[0].vpn_connection_id
    assert tid is not None
    audited.modify_resource_tags(resource_name("ap-guangzhou", tid), replace={"env": "qa"})
    result = p.apply()
    assert result.counts == {"stale": 1} and "tags" in str(result.frame.loc[0, "message"])
    assert emu_tags(emu, "br-01") == {"env": "qa"}


def test_more_than_ten_tag_changes_apply_in_batches(emu: Emulator, audited: VpcClient,
                                                   log: AuditLog) -> None:
    """Twelve new tags go in two Tag calls of at most 10; the replan is empty."""
    applied(audited, [tagged({"env": "dev"})])
    want = [tagged({f"k{i:02d}": "v" for i in range(12)})]
    assert vpnkit.plan(audited, want).apply().ok
    assert len(calls(log, TAGS)) == 2
    assert emu_tags(emu, "br-01") == {f"k{i:02d}": "v" for i in range(12)}
    assert vpnkit.plan(audited, want).empty


def test_cli_plan_shows_a_tag_change_and_apply_makes_it(emu: Emulator, tmp_path: Path) -> None:
    """`vpnkit plan` exits 2 on a tag-only change and names it; `apply --yes` makes it; 0 after."""
    from tests.test_plan import cli_env, desired_csv, run_cli

    env = cli_env(tmp_path, emu)
    assert run_cli(env, "apply", str(desired_csv(tmp_path, [tagged({"env": "dev"})])),
                   "--yes").returncode == 0
    path = str(desired_csv(tmp_path, [tagged({"env": "prod"})]))
    p = run_cli(env, "plan", path, "--format", "json")
    assert p.returncode == 2, p.stderr
    assert "env=dev" in p.stdout and "env=prod" in p.stdout
    p = run_cli(env, "apply", path, "--yes")
    assert p.returncode == 0, p.stderr
    assert emu_tags(emu, "br-01") == {"env": "prod"}
    assert run_cli(env, "plan", path).returncode == 0
