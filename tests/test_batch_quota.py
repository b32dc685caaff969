"""The pre-flight checks the account's tunnel quotas (DescribeVpcLimits) before sending."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from vpnkit import VpcClient
from vpnkit.batch import BatchInvalid, create_many
from vpnkit.emulator import Emulator
from vpnkit.errors import ApiError

REGION = "ap-guangzhou"
PSK = "quota-psk-7c1e9a"
VPCS = {"vpngw-demo0001": ("vpc-demo0001", "10.0"), "vpngw-demo0002": ("vpc-demo0002", "172.16")}


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))


def rows(n: int, gateways: tuple[str, ...] = ("vpngw-demo0001",), cgw: str = "cgw-demo0001",
         start: int = 0) -> pd.DataFrame:
    """``n`` valid Policy tunnels (disjoint SPDs) spread over ``gateways`` in turn."""
    out = []
    for i in range(start, start + n):
        gw = gateways[i % len(gateways)]
        vpc, prefix = VPCS[gw]
        out.append({"name": f"q-{i:02d}", "vpn_gateway_id": gw, "customer_gateway_id": cgw,
                    "vpc_id": vpc, "pre_share_key": PSK, "route_type": "Policy",
                    "spd": f"{prefix}.{i}.0/24=192.168.{i}.0/24"})
    return pd.DataFrame(out)


def tunnels(emu: Emulator) -> list[dict[str, Any]]:
    """Every tunnel the emulator holds in the region."""
    return list(emu.backend.dump()["regions"][REGION]["vpn_connections"].values())


def refused(exc: BatchInvalid) -> dict[int, tuple[str, str]]:
    """row -> (path, code) of every error of a refused batch."""
    return {int(r): (str(p), str(c)) for r, p, c in zip(
        exc.frame["row"], exc.frame["path"], exc.frame["code"], strict=True)}


def test_dry_run_says_the_row_past_the_gateway_quota_will_fail(emu: Emulator,
                                                              client: VpcClient) -> None:
    """Quota 3 per gateway: a dry run of 4 rows refuses the 4th (LimitExceeded) and sends none."""
    emu.backend.tunnels_per_gateway = 3
    with pytest.raises(BatchInvalid) as err:
        create_many(client, rows(4), dry_run=True, progress=False)
    assert refused(err.value) == {3: ("vpn_gateway_id", "LimitExceeded")}  # 0-based
    assert "quota of 3" in err.value.frame["message"][0]
    skipped = create_many(client, rows(4), dry_run=True, progress=False, skip_invalid=True)
    assert list(skipped.frame["status"]) == ["dry-run"] * 3 + ["invalid"]
    assert skipped.frame["error_code"][3] == "LimitExceeded"
    assert tunnels(emu) == []


def test_existing_tunnels_count_and_the_emulator_agrees(emu: Emulator,
                                                        client: VpcClient) -> None:
    """2 tunnels exist, quota 3: of 2 new rows the 2nd is refused, as the emulator refuses it."""
    emu.backend.tunnels_per_gateway = 3
    assert create_many(client, rows(2), progress=False, wait=False).counts == {"created": 2}
    with pytest.raises(BatchInvalid) as err:
        create_many(client, rows(2, start=2), dry_run=True, progress=False)
    assert refused(err.value) == {1: ("vpn_gateway_id", "LimitExceeded")}
    assert "2 exist, 1 from earlier rows" in err.value.frame["message"][0]
    done = create_many(client, rows(2, start=2), progress=False, wait=False, skip_invalid=True)
    assert done.counts == {"created": 1, "invalid": 1}
    with pytest.raises(ApiError) as api:  # what the row would have met
        client.call("CreateVpnConnection", {**_wire(rows(1, start=9)), "VpnConnectionName": "x"})
    assert api.value.code == "LimitExceeded"


def _wire(df: pd.DataFrame) -> dict[str, Any]:
    from vpnkit.batch.io import read_rows

    inputs, _ = read_rows(df)
    assert inputs[0].spec is not None
    return inputs[0].spec.to_wire()


def test_rows_that_exist_or_are_refused_use_no_quota(emu: Emulator, client: VpcClient) -> None:
    """A row whose tunnel exists is not sent, nor is an invalid one: neither counts."""
    emu.backend.tunnels_per_gateway = 3
    create_many(client, rows(1), progress=False, wait=False)
    batch = rows(4)  # row 1 exists (q-00)
    batch.loc[1, "spd"] = "10.9.0.0/24=192.168.77.0/24"  # outside the VPC: refused
    with pytest.raises(BatchInvalid) as err:
        create_many(client, batch, dry_run=True, progress=False)
    assert "LimitExceeded" not in set(err.value.frame["code"])
    assert set(refused(err.value)) == {1}


def test_customer_gateway_quota_counts_its_tunnels_on_other_gateways(
        emu: Emulator, client: VpcClient) -> None:
    """Per customer gateway: VpnConnNum counts its tunnels outside the batch's gateway."""
    emu.backend.tunnels_per_customer_gateway = 2
    create_many(client, rows(1, ("vpngw-demo0002",), start=1), progress=False, wait=False)
    with pytest.raises(BatchInvalid) as err:
        create_many(client, rows(2, start=2), dry_run=True, progress=False)
    assert refused(err.value) == {1: ("customer_gateway_id", "LimitExceeded")}
    ok = create_many(client, rows(2, cgw="cgw-demo0002", start=2), dry_run=True, progress=False)
    assert set(ok.frame["status"]) == {"dry-run"}


def test_account_quota_counts_every_gateway(emu: Emulator, client: VpcClient) -> None:
    """appid-max-vpn-connections: row 3 of a batch over two gateways passes a quota of 2."""
    emu.backend.tunnels_per_account = 2
    with pytest.raises(BatchInvalid) as err:
        create_many(client, rows(3, ("vpngw-demo0001", "vpngw-demo0002")), dry_run=True,
                    progress=False)
    assert refused(err.value) == {2: ("", "LimitExceeded")}


@pytest.mark.parametrize("fault", ["unauthorized", "internal_error"])
def test_unreadable_quota_is_a_warning_never_no_limit(emu: Emulator, client: VpcClient,
                                                      fault: str) -> None:
    """DescribeVpcLimits refused or failing: a QuotaNotChecked warning; all else as before."""
    emu.backend.tunnels_per_gateway = 3
    emu.faults.update(**{fault: 1.0}, actions="DescribeVpcLimits")
    result = create_many(client, rows(4), dry_run=True, progress=False)
    warned = result.issues[result.issues["code"] == "QuotaNotChecked"]
    assert list(warned["severity"]) == ["warning"] and warned["row"].isna().all()
    assert "not checked" in warned["message"].iloc[0]
    assert list(result.frame["status"]) == ["dry-run"] * 4
    assert list(result.frame["message"]) == ["would create"] * 4  # the lookups still count
    assert emu.faults.injected[fault] >= 1


def test_one_describe_vpc_limits_call_per_pre_flight(emu: Emulator, client: VpcClient) -> None:
    """The quotas are read once for the batch, not per row or per gateway."""
    from vpnkit.audit import AuditLog

    log = AuditLog(":memory:")
    create_many(client.with_audit(log), rows(6, ("vpngw-demo0001", "vpngw-demo0002")),
                dry_run=True, progress=False)
    actions = list(log.frame()["action"])
    assert actions.count("DescribeVpcLimits") == actions.count("DescribeVpcs") > 0  # 1 call each


def test_plan_refuses_creates_past_the_quota_but_not_changes_in_place(
        emu: Emulator, client: VpcClient) -> None:
    """plan(): a 4th new tunnel on a gateway at quota 3 is refused; modifying the 3 is not."""
    from vpnkit.plan import plan

    emu.backend.tunnels_per_gateway = 3
    create_many(client, rows(3), progress=False)
    changed = rows(3)
    changed.loc[0, "spd"] = "10.0.50.0/24=192.168.50.0/24"
    p = plan(client, changed)
    assert [c.action for c in p.changes].count("modify") == 1
    with pytest.raises(BatchInvalid) as err:
        plan(client, pd.concat([changed, rows(1, start=3)], ignore_index=True))
    assert refused(err.value) == {3: ("vpn_gateway_id", "LimitExceeded")}


def test_plan_warns_when_the_quota_cannot_be_read(emu: Emulator, client: VpcClient) -> None:
    """plan(): DescribeVpcLimits refused is a warning of the plan; the plan is still made."""
    from vpnkit.plan import plan

    emu.faults.update(unauthorized=1.0, actions="DescribeVpcLimits")
    p = plan(client, rows(2))
    assert "QuotaNotChecked" in set(p.warnings["code"])
    assert [c.action for c in p.changes] == ["create", "create"]


def test_plan_counts_a_tunnel_moved_to_another_customer_gateway(
        emu: Emulator, client: VpcClient) -> None:
    """plan(): moving a tunnel (4.0 gateway) onto a full customer gateway is LimitExceeded, as
    the emulator answers the Modify; a swap that fits once both moved is planned."""
    from vpnkit.plan import plan

    emu.backend.tunnels_per_customer_gateway = 1
    gw = ("vpngw-demo0002",)
    live = pd.concat([rows(1, gw, "cgw-demo0001"), rows(1, gw, "cgw-demo0002", start=1)],
                     ignore_index=True)
    assert create_many(client, live, progress=False).counts == {"created": 2}
    both_on_one = live.assign(customer_gateway_id="cgw-demo0001")
    with pytest.raises(BatchInvalid) as err:
        plan(client, both_on_one)
    assert refused(err.value) == {1: ("customer_gateway_id", "LimitExceeded")}
    moved = client.find_vpn_connection("vpngw-demo0002", "q-01")
    assert moved is not None
    with pytest.raises(ApiError) as api:
        client.call("ModifyVpnConnectionAttribute", {
            "VpnConnectionId": moved.vpn_connection_id, "CustomerGatewayId": "cgw-demo0001"})
    assert api.value.code == "LimitExceeded"
    swapped = live.assign(customer_gateway_id=["cgw-demo0002", "cgw-demo0001"])
    with pytest.raises(BatchInvalid) as err:  # fits once both moved, but no order gets there
        plan(client, swapped)
    assert refused(err.value) == {0: ("customer_gateway_id", "LimitExceeded"),
                                  1: ("customer_gateway_id", "LimitExceeded")}
    assert "no order of these Modifies" in str(err.value.frame.loc[0, "message"])


def test_move_waves_finds_an_order_whenever_one_exists() -> None:
    """Room goes first to a move off a full customer gateway others wait for; a swap of full
    ones has no order (stuck); no quota read: one wave, as before."""
    from vpnkit.quotas import move_waves

    assert move_waves([("a", "c1", "c2"), ("b", "c2", "c3")], {"c1": 1, "c2": 1}, 1) == (
        {"b": 0, "a": 1}, [])
    # c2's one free slot: taken by c1 -> c2 first, the c2 <-> c3 swap (c3 full) is stuck
    cut = [("x", "c1", "c2"), ("y", "c2", "c3"), ("z", "c3", "c2")]
    waves, stuck = move_waves(cut, {"c1": 2, "c2": 1, "c3": 2}, 2)
    assert stuck == [] and waves["z"] < waves["y"] < waves["x"]
    assert move_waves([("a", "c1", "c2"), ("b", "c2", "c1")], {"c1": 1, "c2": 1}, 1) == (
        {}, ["a", "b"])
    assert move_waves([("a", "c1", "c2"), ("b", "c2", "c1")], {"c1": 1, "c2": 1}, None) == (
        {"a": 0, "b": 0}, [])


def test_apply_sends_the_move_that_frees_room_first(tmp_path: Path) -> None:
    """Two Modifies, one onto a full customer gateway the other leaves: the plan orders them
    and apply sends the freeing one first (held back here, it would lose the race)."""
    import threading
    import time

    from vpnkit.emulator import serve
    from vpnkit.plan import plan

    with serve(seed="demo", tunnels_per_customer_gateway=2) as emu:
        client = VpcClient(REGION, endpoint=emu.url, credential=emu.credential)
        gw = ("vpngw-demo0002",)
        live = pd.concat([rows(2, gw, "cgw-demo0001"), rows(1, gw, "cgw-demo0002", start=2)],
                         ignore_index=True)
        assert create_many(client, live, progress=False).counts == {"created": 3}
        freeing = client.find_vpn_connection("vpngw-demo0002", "q-00")
        assert freeing is not None
        sent: list[str] = []
        lock = threading.Lock()
        original = emu.backend.handle

        def slow_freeing(action: str, region: str, params: Any, request_id: str,
                         **kw: Any) -> dict[str, Any]:
            if action == "ModifyVpnConnectionAttribute":
                if params.get("VpnConnectionId") == freeing.vpn_connection_id:
                    time.sleep(0.5)  # parallel, the other Modify would arrive first
                with lock:
                    sent.append(str(params.get("VpnConnectionId")))
            return original(action, region, params, request_id, **kw)

        emu.backend.handle = slow_freeing  # type: ignore[method-assign]
        moved = live.assign(customer_gateway_id=["cgw-demo0002", "cgw-demo0001",
                                                 "cgw-demo0001"])
        p = plan(client, moved)
        by_name = {c.name: c for c in p.changes}
        assert [by_name[n].action for n in ("q-00", "q-02")] == ["modify", "modify"]
        assert (by_name["q-00"].wave, by_name["q-02"].wave) == (0, 1)
        assert "free room on customer gateway cgw-demo0001" in by_name["q-02"].notes[0]
        result = p.apply()
        assert result.ok, result.frame.to_string()
        assert sent[0] == freeing.vpn_connection_id and len(sent) == 2
        after = {t["VpnConnectionName"]: t["CustomerGatewayId"] for t in tunnels(emu)}
        assert after == {"q-00": "cgw-demo0002", "q-01": "cgw-demo0001",
                         "q-02": "cgw-demo0001"}
        client.session.close()


def test_a_move_onto_room_only_a_replace_frees_is_refused_in_the_plan(
        emu: Emulator, client: VpcClient) -> None:
    """Modifies go before replaces: a move onto a full customer gateway that only a replace
    leaves would be LimitExceeded in apply, so the plan refuses it and says why."""
    from vpnkit.plan import plan

    emu.backend.tunnels_per_customer_gateway = 1
    gw = ("vpngw-demo0002",)
    live = pd.concat([rows(1, gw, "cgw-demo0001"), rows(1, gw, "cgw-demo0002", start=1)],
                     ignore_index=True)
    assert create_many(client, live, progress=False).counts == {"created": 2}
    want = live.assign(customer_gateway_id=["cgw-demo0003", "cgw-demo0001"])
    want.loc[0, "route_type"], want.loc[0, "spd"] = "StaticRoute", None  # q-00: a replace
    with pytest.raises(BatchInvalid) as err:
        plan(client, want)
    assert refused(err.value) == {1: ("customer_gateway_id", "LimitExceeded")}
    assert "replaces and deletes after the Modifies" in str(err.value.frame.loc[0, "message"])
