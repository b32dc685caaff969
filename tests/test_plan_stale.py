"""Plan, then the live state moves, then apply: a stale row is reported, never sent blindly."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import vpnkit
from tests.test_plan import (
    KEY,
    KEY2,
    REGION,
    applied,
    calls,
    cli_env,
    desired_csv,
    live,
    row,
    run_cli,
)
from tests.test_plan import audited as audited  # fixtures: journal in tmp, audited client
from tests.test_plan import log as log
from vpnkit import AuditLog, IkeOptions, VpcClient
from vpnkit.emulator import Emulator
from vpnkit.plan import PlanError


def test_a_field_changed_since_the_plan_is_not_overwritten(emu: Emulator, audited: VpcClient,
                                                           client: VpcClient,
                                                           log: AuditLog) -> None:
    """Someone sets the DH group after the plan: apply leaves it, reports stale, sends the rest."""
    applied(audited, [row()])
    tid = live(emu, "br-01")["VpnConnectionId"]
    want = [row(ike_dh_group="GROUP20"), row("br-02", spd="10.0.2.0/24=192.168.5.0/24")]
    p = vpnkit.plan(audited, want)
    assert sorted(c.action for c in p.changes) == ["create", "modify"]
    client.modify_vpn_connection(tid, ike_options=IkeOptions(dh_group="GROUP19"))  # outside
    result = p.apply()
    assert not result.ok
    by_name = {r.src.name: r for _, r in result.rows}
    assert by_name["br-01"].status == "stale" and by_name["br-02"].status == "created"
    message = str(by_name["br-01"].message)
    assert "ike_options" in message and "plan again" in message
    assert live(emu, "br-01")["IKEOptionsSpecification"]["DhGroupName"] == "GROUP19"
    assert calls(log, "ModifyVpnConnectionAttribute") == []  # the outside one is not audited
    again = vpnkit.plan(audited, want)  # plan again: the change is planned from GROUP19
    assert [f.before for c in again.changes for f in c.fields] == ["GROUP19"]
    assert again.apply().ok and vpnkit.plan(audited, want).empty


def test_a_tunnel_that_appeared_since_the_plan_is_not_created(emu: Emulator, audited: VpcClient,
                                                              client: VpcClient,
                                                              log: AuditLog) -> None:
    """A planned create whose name someone took meanwhile is stale: no CreateVpnConnection."""
    p = vpnkit.plan(audited, [row()])
    assert [c.action for c in p.changes] == ["create"]
    theirs = client.create_vpn_connection(vpnkit.VpnConnectionSpec(
        "vpngw-demo0001", "cgw-demo0001", "br-01", KEY2, vpc_id="vpc-demo0001",
        security_policy_databases=[("10.0.7.0/24", "192.168.7.0/24")]))
    result = p.apply()
    assert result.counts == {"stale": 1} and not result.ok
    assert theirs.vpn_connection_id in str(result.frame.loc[0, "message"])
    assert calls(log, "CreateVpnConnection") == []
    assert live(emu, "br-01")["PreShareKey"] == KEY2  # theirs, untouched


def test_gone_or_recreated_or_rekeyed_since_the_plan(emu: Emulator, audited: VpcClient,
                                                     client: VpcClient, log: AuditLog) -> None:
    """Deleted, deleted and re-created, or given a new key since the plan: each row is stale."""
    names = ["g-1", "g-2", "g-3"]
    rows = [row(n, spd=f"10.0.{i + 1}.0/24=192.168.{i + 1}.0/24") for i, n in enumerate(names)]
    applied(audited, rows)
    ids = {n: live(emu, n)["VpnConnectionId"] for n in names}
    p = vpnkit.plan(audited, [{**r, "dpd_timeout": "45"} for r in rows])
    assert p.counts["modify"] == 3
    for n in ("g-1", "g-2"):
        client.delete_vpn_connection(ids[n], "vpngw-demo0001")
        client.wait_vpn_connection(ids[n], "DELETED", timeout=10, interval=0.05)
    client.create_vpn_connection(vpnkit.VpnConnectionSpec(
        "vpngw-demo0001", "cgw-demo0001", "g-2", KEY, vpc_id="vpc-demo0001",
        security_policy_databases=[("10.0.2.0/24", "192.168.2.0/24")]))
    client.modify_vpn_connection(ids["g-3"], pre_share_key=KEY2)
    result = p.apply()
    messages = {r.src.name: str(r.message) for _, r in result.rows}
    assert result.counts == {"stale": 3}
    assert "gone since the plan" in messages["g-1"]
    assert "re-created since the plan" in messages["g-2"]
    assert "pre_share_key" in messages["g-3"]
    assert KEY2 not in result.frame.to_csv() and KEY not in result.frame.to_csv()
    assert calls(log, "ModifyVpnConnectionAttribute") == []


def test_a_pruned_tunnel_changed_since_the_plan_is_not_deleted(emu: Emulator,
                                                               audited: VpcClient,
                                                               client: VpcClient,
                                                               log: AuditLog) -> None:
    """A tunnel planned for prune that someone repurposed meanwhile stays: stale, no delete."""
    applied(audited, [row(), row("br-02", spd="10.0.2.0/24=192.168.5.0/24")])
    p = vpnkit.plan(audited, [row()], prune=True)
    assert p.counts["delete"] == 1
    tid = live(emu, "br-02")["VpnConnectionId"]
    client.modify_vpn_connection(tid, security_policy_databases=[
        ("10.0.2.0/24", "192.168.5.0/24"), ("10.0.2.0/24", "192.168.6.0/24")])
    result = p.apply(confirm=p.confirmation)
    assert result.counts == {"stale": 1, "unchanged": 1}
    assert calls(log, "DeleteVpnConnection") == []
    assert live(emu, "br-02")["VpnConnectionId"] == tid


def test_spd_order_and_pending_to_available_are_not_stale(emu: Emulator,
                                                          audited: VpcClient) -> None:
    """What the gateway changes itself (state) and SPD order do not make a plan stale."""
    from vpnkit.plan.fresh import stale
    from vpnkit.wire import connection_from_wire

    applied(audited, [row(spd="10.0.1.0/24=192.168.1.0/24;192.168.2.0/24")])
    p = vpnkit.plan(audited, [row(ike_dh_group="GROUP20")])
    change = p.changes[0]
    raw = dict(live(emu, "br-01"))
    raw["SecurityPolicyDatabaseSet"] = [
        {"LocalCidrBlock": "10.0.1.0/24", "RemoteCidrBlock": ["192.168.2.0/24",
                                                              "192.168.1.0/24"]}]
    assert change.live is not None
    reordered = connection_from_wire({**raw, "State": "AVAILABLE", "NetStatus": "AVAILABLE"})
    assert stale(change, reordered) is None
    moved = connection_from_wire({**raw, "DpdTimeout": 99})
    assert stale(change, moved) == "changed since the plan (dpd_timeout)"
    assert stale(change, connection_from_wire({**raw, "State": "DELETING"})) == \
        "is being deleted since the plan"


def test_a_failed_reread_sends_nothing_and_keeps_the_plan(emu: Emulator, audited: VpcClient,
                                                          log: AuditLog) -> None:
    """The re-read before apply fails: PlanError, nothing sent; later the same plan applies."""
    applied(audited, [row()])
    p = vpnkit.plan(audited, [row(ike_dh_group="GROUP20")])
    emu.faults.update(internal_error=1.0, actions="DescribeVpnConnections")
    with pytest.raises(PlanError, match="nothing was sent"):
        p.apply()
    emu.faults.clear()
    assert calls(log, "ModifyVpnConnectionAttribute") == []
    assert p.applied is None
    assert p.apply().counts == {"modified": 1}


def test_cli_apply_reports_a_change_made_while_it_planned(emu: Emulator, tmp_path: Any) -> None:
    """The tunnel changes between the CLI's plan and its send: exit 1, stale, not modified."""
    env = cli_env(tmp_path, emu)
    assert run_cli(env, "apply", str(desired_csv(tmp_path, [row()])), "--yes").returncode == 0
    tid = live(emu, "br-01")["VpnConnectionId"]
    want = str(desired_csv(tmp_path, [row(dpd_timeout="40")]))
    seen: Counter[str] = Counter()
    original = emu.backend.handle

    def meddling(action: str, region: str, params: Any, request_id: str,
                 **kw: Any) -> dict[str, Any]:
        seen[action] += 1
        if action == "DescribeVpnConnections" and seen[action] == 2:  # apply's re-read
            original("ModifyVpnConnectionAttribute", REGION,
                     {"VpnConnectionId": tid, "DpdTimeout": "45"}, "outside-change")
        return original(action, region, params, request_id, **kw)

    emu.backend.handle = meddling  # type: ignore[method-assign]
    p = run_cli(env, "apply", want, "--yes", "--format", "csv")
    assert p.returncode == 1, p.stderr
    assert "stale" in p.stdout and "plan again" in p.stderr
    assert seen["ModifyVpnConnectionAttribute"] == 0  # the outside one bypassed the server
    assert str(live(emu, "br-01")["DpdTimeout"]) == "45"
