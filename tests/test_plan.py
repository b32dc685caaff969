"""vpnkit.plan / Plan.apply against the emulator: each change kind, SPD sets, the key, prune."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import vpnkit
from vpnkit import AuditLog, VpcClient
from vpnkit.batch import BatchInvalid
from vpnkit.emulator import Emulator
from vpnkit.plan import Plan, PlanError, diff, spd_pairs
from vpnkit.wire import connection_from_wire

REGION = "ap-guangzhou"
GW, CGW, VPC = "vpngw-demo0001", "cgw-demo0001", "vpc-demo0001"
KEY = "SENTINEL-plan-key-7c1e"
KEY2 = "SENTINEL-plan-key-9d2f"


#: a spec that sends only what it is given (vpnkit's named profile off), where supported
NO_PROFILE: dict[str, Any] = (
    {"profile": None} if "profile" in {f.name for f in __import__("dataclasses").fields(
        vpnkit.VpnConnectionSpec)} else {})


def row(name: str = "br-01", **over: Any) -> dict[str, Any]:
    """One desired tunnel in the batch layout."""
    base = {"name": name, "vpn_gateway_id": GW, "customer_gateway_id": CGW, "vpc_id": VPC,
            "pre_share_key": KEY, "spd": "10.0.1.0/24=192.168.1.0/24;192.168.2.0/24",
            "route_type": "Policy", "ike_encryption_algorithm": "AES-CBC-256"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    """An audit log in the test's directory."""
    return AuditLog(tmp_path / "audit.sqlite3")


@pytest.fixture
def audited(client: VpcClient, log: AuditLog, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> VpcClient:
    """The client, recording into ``log``; the journal in the test's directory."""
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    return client.with_audit(log)


def calls(log: AuditLog, action: str) -> list[dict[str, Any]]:
    """Audit outcome rows of ``action``."""
    return [r for r in log.frame().to_dict("records") if r["action"] == action]


def count_sent(emu: Emulator) -> Counter[str]:
    """From now on, how many times ``emu`` handles each action (its backend wrapped)."""
    sent: Counter[str] = Counter()
    original = emu.backend.handle

    def counting(action: str, region: str, params: Any, request_id: str,
                 **kw: Any) -> dict[str, Any]:
        sent[action] += 1
        return original(action, region, params, request_id, **kw)

    emu.backend.handle = counting  # type: ignore[method-assign]
    return sent


def applied(client: VpcClient, desired: Any, **kw: Any) -> Plan:
    """Plan, apply, and return the plan made right after (which should be empty)."""
    result = vpnkit.plan(client, desired).apply(**kw)
    assert result.ok, result.frame.to_string()
    return vpnkit.plan(client, desired)


def live(emu: Emulator, name: str) -> dict[str, Any]:
    """The emulator's record of the tunnel called ``name``."""
    found = [t for t in emu.backend.dump()["regions"][REGION]["vpn_connections"].values()
             if t["VpnConnectionName"] == name]
    assert len(found) == 1
    return found[0]


def test_create_then_the_replan_is_empty(emu: Emulator, audited: VpcClient) -> None:
    """A new tunnel is a create; after apply, the same plan has nothing to do."""
    p = vpnkit.plan(audited, [row()])
    assert [c.action for c in p.changes] == ["create"] and p.changes[0].key == "new"
    again = applied(audited, [row()])
    assert again.empty and again.counts["unchanged"] == 1
    assert live(emu, "br-01")["IKEOptionsSpecification"]["PropoEncryAlgorithm"] == \
        "AES-CBC-256"


def test_a_new_tunnel_gets_the_strong_profile(emu: Emulator, audited: VpcClient) -> None:
    """Empty option cells create with the strong profile (not API defaults), then plan empty."""
    from vpnkit import options

    bare = row(ike_encryption_algorithm=None)
    again = applied(audited, [bare])
    assert again.empty
    strong = options.profile(options.DEFAULT_PROFILE)
    t = live(emu, "br-01")
    wire = {o.name: o.wire for o in options.by_section("ike")}
    for name, value in strong.ike.items():
        assert str(t["IKEOptionsSpecification"][wire[name]]) == str(value), name
    assert t["DpdEnable"] == strong.spec["dpd_enable"]
    legacy = vpnkit.plan(audited, [row("old-peer", spd="10.0.3.0/24=192.168.3.0/24",
                                       ike_encryption_algorithm=None)],
                         profile="api-defaults")
    assert legacy.changes[0].spec is not None
    assert legacy.changes[0].spec.ike_options.encryption_algorithm == \
        options.profile("api-defaults").ike["encryption_algorithm"]


def test_spd_order_is_no_change(emu: Emulator, audited: VpcClient) -> None:
    """The same SPD pairs in another order (rules and remotes) plan as unchanged."""
    first = "10.0.1.0/24=192.168.1.0/24;192.168.2.0/24|10.0.2.0/24=192.168.3.0/24"
    applied(audited, [row(spd=first)])
    shuffled = "10.0.2.0/24=192.168.3.0/24|10.0.1.0/24=192.168.2.0/24;192.168.1.0/24"
    assert vpnkit.plan(audited, [row(spd=shuffled)]).empty
    changed = vpnkit.plan(audited, [row(spd="10.0.2.0/24=192.168.3.0/24")])
    assert [f.path for f in changed.changes[0].fields] == ["security_policy_databases"]


def test_modify_is_in_place_one_call_field_level(emu: Emulator, audited: VpcClient,
                                                 log: AuditLog) -> None:
    """Changed fields show before -> after, go out as one Modify, and the id stays."""
    applied(audited, [row()])
    before_id = live(emu, "br-01")["VpnConnectionId"]
    want = row(spd="10.0.1.0/24=192.168.1.0/24;192.168.9.0/24", ike_dh_group="GROUP20",
               dpd_enable="1", dpd_timeout="40")
    p = vpnkit.plan(audited, [want])
    c = p.changes[0]
    assert c.action == "modify" and c.vpn_connection_id == before_id
    shown = {f.path: (f.before, f.after) for f in c.fields}
    assert shown["ike_options.dh_group"] == (
        live(emu, "br-01")["IKEOptionsSpecification"]["DhGroupName"], "GROUP20")
    assert shown["dpd_timeout"][1] == "40"
    assert "192.168.9.0/24" in shown["security_policy_databases"][1]
    assert set(p.details["field"]) == set(shown)
    assert p.apply().ok
    with pytest.raises(PlanError, match="applied already"):
        p.apply()  # a plan object is applied once
    assert vpnkit.plan(audited, [want]).empty
    t = live(emu, "br-01")
    assert t["VpnConnectionId"] == before_id and t["IKEOptionsSpecification"][
        "DhGroupName"] == "GROUP20"
    assert len(calls(log, "ModifyVpnConnectionAttribute")) == 1
    assert not calls(log, "DeleteVpnConnection")


def test_key_compared_never_shown(emu: Emulator, audited: VpcClient, log: AuditLog) -> None:
    """A new key is 'changed', the same 'unchanged', none 'not managed'; never in output."""
    applied(audited, [row()])
    same = vpnkit.plan(audited, [row()])
    assert same.changes[0].key == "unchanged" and same.empty
    keyless = vpnkit.plan(audited, [row(pre_share_key=None)])
    assert keyless.changes[0].key == "not managed" and keyless.empty
    rotated = vpnkit.plan(audited, [row(pre_share_key=KEY2)])
    c = rotated.changes[0]
    assert c.action == "modify" and c.key == "changed"
    outputs = [repr(rotated), repr(c), rotated.summary(), rotated.frame.to_csv(),
               rotated.details.to_csv(), json.dumps(rotated.records()), rotated._repr_html_()]
    for text in outputs:
        assert KEY not in text and KEY2 not in text
    result = rotated.apply()
    assert result.ok and KEY2 not in result.frame.to_csv()
    assert live(emu, "br-01")["PreShareKey"] == KEY2
    audit_text = log.frame().to_csv()
    assert KEY not in audit_text and KEY2 not in audit_text


def test_a_keyless_row_cannot_create(emu: Emulator, audited: VpcClient) -> None:
    """Creating needs a key: a keyless new row is refused before anything is sent."""
    with pytest.raises(BatchInvalid) as info:
        vpnkit.plan(audited, [row(pre_share_key=None)])
    assert "pre_share_key" in info.value.frame["path"].tolist()


def test_placeholders_are_not_set(emu: Emulator, audited: VpcClient) -> None:
    """DpdEnable -1 and '' placeholders are unset: a change if the row sets them, else not."""
    applied(audited, [row(dpd_enable="0")])
    tid = live(emu, "br-01")["VpnConnectionId"]
    state = emu.backend.dump()
    t = state["regions"][REGION]["vpn_connections"][tid]
    t.update(DpdEnable=-1, NegotiationType="", DpdAction="")
    emu.backend.reset(state)
    p = vpnkit.plan(audited, [row(dpd_enable="0")])
    shown = {f.path: (f.before, f.after) for f in p.changes[0].fields}
    assert shown == {"dpd_enable": ("(not set)", "0")}  # NegotiationType "": not managed
    p = vpnkit.plan(audited, [row(dpd_enable="0", negotiation_type="active")])
    shown = {f.path: (f.before, f.after) for f in p.changes[0].fields}
    assert shown == {"dpd_enable": ("(not set)", "0"),
                     "negotiation_type": ("(not set)", "active")}
    assert p.apply().ok
    assert vpnkit.plan(audited, [row(dpd_enable="0", negotiation_type="active")]).empty


def test_diff_reads_string_integers_and_sets() -> None:
    """Pure diff: '86400' equals 86400, SPD pairs are sets, unset options are unmanaged."""
    raw = {"VpnConnectionId": "vpnx-aaaaaaaa", "VpnConnectionName": "x", "VpcId": VPC,
           "VpnGatewayId": GW, "CustomerGatewayId": CGW, "PreShareKey": KEY,
           "RouteType": "Policy", "DpdEnable": -1,
           "SecurityPolicyDatabaseSet": [
               {"LocalCidrBlock": "10.0.1.0/24", "RemoteCidrBlock": ["b/24", "a/24"]}],
           "IKEOptionsSpecification": {"IKESaLifetimeSeconds": "86400"}}
    conn = connection_from_wire(raw)
    spec = vpnkit.VpnConnectionSpec(
        GW, CGW, "x", KEY, vpc_id=VPC, route_type="Policy", security_policy_databases=[
            ("10.0.1.0/24", "a/24"), ("10.0.1.0/24", "b/24")],
        ike_options=vpnkit.IkeOptions(sa_lifetime_seconds=86400), **NO_PROFILE)
    assert diff(spec, conn)[0] == "unchanged"
    assert spd_pairs(spec.security_policy_databases) == {("10.0.1.0/24", "a/24"),
                                                          ("10.0.1.0/24", "b/24")}
    action, found, modify, key, _ = diff(spec.replace(dpd_enable=1), conn)
    assert action == "modify" and [f.path for f in found] == ["dpd_enable"]
    assert modify == {"dpd_enable": 1} and key == "unchanged"


def test_replace_needs_opt_in_and_the_phrase(emu: Emulator, audited: VpcClient,
                                             log: AuditLog) -> None:
    """A route type change is a replace: refused without replace=True and the phrase."""
    applied(audited, [row()])
    old = live(emu, "br-01")["VpnConnectionId"]
    want = [row(route_type="StaticRoute", spd=None)]
    p = vpnkit.plan(audited, want)
    assert [c.action for c in p.changes] == ["replace"]
    assert p.changes[0].fields[0].path == "route_type"
    with pytest.raises(PlanError, match="replace=True"):
        p.apply(confirm=p.confirmation)
    with pytest.raises(PlanError, match="delete 1 tunnel"):
        p.apply(replace=True)
    assert not calls(log, "DeleteVpnConnection")
    result = p.apply(replace=True, confirm=p.confirmation)
    assert result.ok and result.counts == {"replaced": 1}
    t = live(emu, "br-01")
    assert t["VpnConnectionId"] != old and t["RouteType"] == "StaticRoute"
    assert vpnkit.plan(audited, want).empty


def test_prune_deletes_only_behind_the_phrase(emu: Emulator, audited: VpcClient,
                                              log: AuditLog) -> None:
    """Without prune an unlisted tunnel stays; with it, delete needs 'delete 1 tunnel'."""
    applied(audited, [row(), row("br-02", spd="10.0.2.0/24=192.168.5.0/24")])
    assert vpnkit.plan(audited, [row()]).empty
    p = vpnkit.plan(audited, [row()], prune=True)
    assert p.counts["delete"] == 1 and p.confirmation == "delete 1 tunnel"
    for wrong in (None, "yes", "delete 2 tunnels"):
        with pytest.raises(PlanError, match="nothing was sent"):
            p.apply(confirm=wrong)
    assert not calls(log, "DeleteVpnConnection")
    assert p.apply(confirm="delete 1 tunnel").counts == {"deleted": 1, "unchanged": 1}
    assert vpnkit.plan(audited, [row()], prune=True).empty
    names = [t["VpnConnectionName"] for t in
             emu.backend.dump()["regions"][REGION]["vpn_connections"].values()]
    assert names == ["br-01"]


def test_invalid_desired_state_sends_nothing(emu: Emulator, audited: VpcClient,
                                             log: AuditLog) -> None:
    """A bad CIDR or a conflict with another tunnel is refused before anything is sent."""
    applied(audited, [row()])
    sent = len(log.frame())
    with pytest.raises(BatchInvalid) as info:
        vpnkit.plan(audited, [row(spd="10.0.1.0/24=192.168.1.0/33")])
    assert "192.168.1.0/33" in info.value.frame.to_csv()
    with pytest.raises(BatchInvalid):
        vpnkit.plan(audited, [row(), row("br-02", spd="10.0.1.0/24=192.168.1.0/24")])
    mutating = [r for r in log.frame().to_dict("records")[sent:]
                if not str(r["action"]).startswith("Describe")]
    assert mutating == []


def test_preflight_checks_the_state_the_plan_produces(emu: Emulator,
                                                      audited: VpcClient) -> None:
    """A range moved from one tunnel to a new one in the same plan is not a conflict."""
    applied(audited, [row()])
    moved = [row(spd="10.0.1.0/24=192.168.1.0/24"),
             row("br-02", spd="10.0.1.0/24=192.168.2.0/24")]
    p = vpnkit.plan(audited, moved)
    assert sorted(c.action for c in p.changes) == ["create", "modify"]
    assert p.apply().ok
    assert vpnkit.plan(audited, moved).empty


def test_apply_is_journaled_and_audited(emu: Emulator, audited: VpcClient, log: AuditLog,
                                        tmp_path: Path) -> None:
    """Each change has intent and outcome in the journal and the audit log, tagged."""
    import sqlite3

    applied(audited, [row()])
    result = vpnkit.plan(audited, [row(ike_dh_group="GROUP20")]).apply()
    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    statuses = db.execute("SELECT name, status FROM batch_rows WHERE batch_id = ?",
                          (result.apply_id,)).fetchall()
    db.close()
    assert statuses == [("br-01", "modified")]
    frame = log.frame()
    mods = frame[frame["action"] == "ModifyVpnConnectionAttribute"]
    assert len(mods) == 1 and mods.iloc[0]["outcome"] == "ok"
    if "batch_id" in frame.columns:
        assert mods.iloc[0]["batch_id"] == result.apply_id


def test_many_modifies_each_sent_once(emu: Emulator, audited: VpcClient,
                                      log: AuditLog) -> None:
    """Twenty modifies in parallel: one Modify per tunnel, none rate-limited, then empty."""
    rows = [row(f"m-{i:02d}", spd=f"10.0.{i}.0/24=192.168.{i}.0/24") for i in range(20)]
    applied(audited, rows)
    want = [{**r, "ike_dh_group": "GROUP20"} for r in rows]
    result = vpnkit.plan(audited, want).apply(workers=8)
    assert result.counts == {"modified": 20}
    per_tunnel = Counter(r["resource_id"] for r in calls(log, "ModifyVpnConnectionAttribute"))
    assert len(per_tunnel) == 20 and set(per_tunnel.values()) == {1}
    assert vpnkit.plan(audited, want).empty


def test_customer_gateway_modifies_on_4_0_replaces_before(emu: Emulator,
                                                          audited: VpcClient) -> None:
    """A new customer gateway is a Modify on a 4.0 gateway, a replace on a 2.0 one (§3.6)."""
    v4 = {"vpn_gateway_id": "vpngw-demo0002", "vpc_id": "vpc-demo0002",
          "spd": "172.16.1.0/24=192.168.1.0/24"}
    applied(audited, [row(), row("v4", **v4)])
    p = vpnkit.plan(audited, [row(customer_gateway_id="cgw-demo0002"),
                              row("v4", customer_gateway_id="cgw-demo0002", **v4)])
    actions = {c.name: c.action for c in p.changes}
    assert actions == {"br-01": "replace", "v4": "modify"}
    v4_change = next(c for c in p.changes if c.name == "v4")
    assert [f.path for f in v4_change.fields] == ["customer_gateway_id"]


def test_a_lost_modify_answer_is_reconciled_not_resent(emu: Emulator, audited: VpcClient) -> None:
    """The connection drops after the Modify committed: read back, not sent twice."""
    applied(audited, [row()])
    sent = count_sent(emu)
    emu.faults.update(drop_after_commit=1.0, actions="ModifyVpnConnectionAttribute")
    want = [row(ike_dh_group="GROUP20")]
    result = vpnkit.plan(audited, want).apply()
    emu.faults.clear()
    assert result.ok and result.counts == {"modified": 1}
    assert sent["ModifyVpnConnectionAttribute"] == 1
    assert vpnkit.plan(audited, want).empty


def test_desired_as_json_or_specs(emu: Emulator, audited: VpcClient, tmp_path: Path) -> None:
    """A tccli-shaped JSON file and a list of specs plan like the CSV layout."""
    applied(audited, [row()])
    body = {"VpnGatewayId": GW, "CustomerGatewayId": CGW, "VpnConnectionName": "br-01",
            "VpcId": VPC, "RouteType": "Policy",
            "SecurityPolicyDatabases": [{"LocalCidrBlock": "10.0.1.0/24", "RemoteCidrBlock": [
                "192.168.2.0/24", "192.168.1.0/24"]}],
            "IKEOptionsSpecification": {"PropoEncryAlgorithm": "AES-CBC-256"}}
    path = tmp_path / "desired.json"
    path.write_text(json.dumps([body]))
    as_json = vpnkit.plan(audited, path)
    assert as_json.empty and as_json.changes[0].key == "not managed"
    spec = vpnkit.VpnConnectionSpec(GW, CGW, "br-01", KEY2, vpc_id=VPC,
                                    ike_options=vpnkit.IkeOptions(dh_group="GROUP20"),
                                    **NO_PROFILE)
    as_specs = vpnkit.plan(audited, [spec])
    c = as_specs.changes[0]
    assert c.key == "changed" and {f.path for f in c.fields} == {
        "ike_options.dh_group", "pre_share_key"}


def test_an_api_message_echoing_the_key_is_masked(emu: Emulator, audited: VpcClient) -> None:
    """A refusal whose message repeats the key shows in the result without the key."""
    from vpnkit.emulator.codes import EmulatorError

    applied(audited, [row()])
    original = emu.backend.handle

    def echoing(action: str, region: str, params: Any, request_id: str, **kw: Any) -> Any:
        if action == "ModifyVpnConnectionAttribute":
            raise EmulatorError("InvalidParameterValue",
                                f"PreShareKey {params.get('PreShareKey')} is not allowed")
        return original(action, region, params, request_id, **kw)

    emu.backend.handle = echoing  # type: ignore[method-assign]
    result = vpnkit.plan(audited, [row(pre_share_key=KEY2)]).apply()
    assert not result.ok and result.counts == {"failed": 1}
    text = result.frame.to_csv() + repr(result) + result._repr_html_()
    assert KEY2 not in text and "is not allowed" in text


def test_a_pending_tunnel_is_waited_for_before_modify(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A tunnel still PENDING plans as modify with a note; apply waits, then modifies."""
    from vpnkit.emulator import serve

    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    with serve(seed="demo", create_delay=1.0) as slow:
        c = VpcClient(REGION, endpoint=slow.url, credential=slow.credential)
        assert vpnkit.plan(c, [row()]).apply(wait=False).ok
        p = vpnkit.plan(c, [row(ike_dh_group="GROUP20")])
        assert p.changes[0].live is not None and p.changes[0].live.state == "PENDING"
        assert "still being created" in p.changes[0].notes[0]
        assert p.apply().counts == {"modified": 1}
        assert vpnkit.plan(c, [row(ike_dh_group="GROUP20")]).empty
        c.session.close()


# --- the CLI, as a subprocess -------------------------------------------------------------

def cli_env(tmp_path: Path, emu: Emulator) -> dict[str, str]:
    """Environment for ``python -m vpnkit``: the emulator, tmp audit/journal, the keys."""
    import os

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    env.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
               VPNKIT_BATCH_STATE=str(tmp_path / "journal.sqlite3"), HOME=str(tmp_path),
               PLAN_KEY=KEY, PLAN_KEY2=KEY2)
    return env


def desired_csv(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    """The rows as a CSV file in the batch layout (keys by environment variable)."""
    import pandas as pd

    out = []
    for r in rows:
        r = dict(r)
        key = r.pop("pre_share_key", None)
        if key is not None:
            r["pre_share_key_env"] = "PLAN_KEY2" if key == KEY2 else "PLAN_KEY"
        out.append(r)
    path = tmp_path / "desired.csv"
    pd.DataFrame(out).to_csv(path, index=False)
    return path


def run_cli(env: dict[str, str], *args: str) -> Any:
    """``python -m vpnkit ARGS`` (stdin closed); no traceback and no key in its output."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "vpnkit", *args], env=env, text=True,
                          capture_output=True, timeout=120, check=False,
                          stdin=subprocess.DEVNULL)
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream
        assert KEY not in stream and KEY2 not in stream
    return proc


def test_cli_exit_codes(emu: Emulator, tmp_path: Path) -> None:
    """plan: 2 pending, 0 nothing to do, 1 errors; apply needs --yes, prune the phrase."""
    env = cli_env(tmp_path, emu)
    two = [row(), row("br-02", spd="10.0.2.0/24=192.168.5.0/24")]
    path = str(desired_csv(tmp_path, two))
    p = run_cli(env, "plan", path)
    assert p.returncode == 2 and "+ create" in p.stdout and "2 to create" in p.stdout
    p = run_cli(env, "apply", path)
    assert p.returncode == 2 and "re-run with --yes" in p.stderr
    assert emu.backend.dump()["regions"][REGION]["vpn_connections"] == {}
    p = run_cli(env, "apply", path, "--yes", "--format", "json")
    assert p.returncode == 0, p.stderr
    done = json.loads(p.stdout)  # one document: the plan and what was done
    assert done["plan"]["counts"]["create"] == 2
    assert [r["status"] for r in done["result"]] == ["created", "created"]
    assert run_cli(env, "plan", path).returncode == 0
    one = str(desired_csv(tmp_path, [row(pre_share_key=KEY2)]))
    p = run_cli(env, "plan", one, "--format", "json")
    assert p.returncode == 2
    body = json.loads(p.stdout)
    assert body["counts"]["modify"] == 1 and body["changes"][0]["key"] == "changed"
    p = run_cli(env, "apply", one, "--yes", "--prune")
    assert p.returncode == 1 and "delete 1 tunnel" in p.stderr
    assert len(emu.backend.dump()["regions"][REGION]["vpn_connections"]) == 2
    p = run_cli(env, "apply", one, "--yes", "--prune", "--confirm", "delete 1 tunnel",
                "--format", "csv")
    assert p.returncode == 0, p.stderr
    assert "modified" in p.stdout and "deleted" in p.stdout
    assert run_cli(env, "plan", one, "--prune").returncode == 0
    assert run_cli(env, "plan", str(tmp_path / "missing.csv")).returncode == 1
    assert run_cli(env, "plan").returncode == 1  # a usage error is never "2: pending"
    assert run_cli(env, "apply", path, "--workers", "0").returncode == 1
    bad = str(desired_csv(tmp_path, [row(spd="10.0.1.0/24=192.168.1.0/33")]))
    p = run_cli(env, "plan", bad)
    assert p.returncode == 1 and "nothing sent" in p.stderr


def test_kill_9_mid_apply_then_resume_changes_each_once(emu: Emulator, client: VpcClient,
                                                        tmp_path: Path) -> None:
    """apply killed by SIGKILL half-way, then again: one Modify or Create per tunnel, no more."""
    import os
    import signal
    import subprocess
    import sys
    import threading
    import time

    env = cli_env(tmp_path, emu)
    rows = [row(f"k-{i:02d}", spd=f"10.0.{i}.0/24=192.168.{i}.0/24") for i in range(12)]
    assert run_cli(env, "apply", str(desired_csv(tmp_path, rows)), "--yes").returncode == 0
    new = [row(f"n-{i:02d}", vpn_gateway_id="vpngw-demo0002", vpc_id="vpc-demo0002",
               spd=f"172.16.{i}.0/24=192.168.{50 + i}.0/24") for i in range(8)]
    want = str(desired_csv(tmp_path, [{**r, "ike_dh_group": "GROUP20"} for r in rows] + new))
    sent: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()
    original = emu.backend.handle

    def counting(action: str, region: str, params: Any, request_id: str,
                 **kw: Any) -> dict[str, Any]:
        result = original(action, region, params, request_id, **kw)
        if action in ("ModifyVpnConnectionAttribute", "CreateVpnConnection"):
            with lock:
                sent[(action, params.get("VpnConnectionId") or params["VpnConnectionName"])] \
                    += 1
            time.sleep(0.1)  # slow enough to be killed half-way
        return result

    emu.backend.handle = counting  # type: ignore[method-assign]
    proc = subprocess.Popen([sys.executable, "-m", "vpnkit", "apply", want, "--yes",
                             "--workers", "2"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while sum(sent.values()) < 15 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    done_before = sum(sent.values())
    assert 15 <= done_before < 20
    time.sleep(0.2)  # requests already in the server finish
    resumed = run_cli(env, "apply", want, "--yes")
    assert resumed.returncode == 0, resumed.stderr
    kinds = Counter(action for action, _ in sent)
    assert kinds == {"ModifyVpnConnectionAttribute": 12, "CreateVpnConnection": 8}
    assert set(sent.values()) == {1}
    assert run_cli(env, "plan", want).returncode == 0
