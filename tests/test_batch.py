"""vpnkit.batch against the emulator: validation first, exactly-once under faults, resume."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from vpnkit import VpcClient, VpnConnectionSpec
from vpnkit.batch import BatchInvalid, create_many, delete_many
from vpnkit.batch.io import parse_spd, read_rows
from vpnkit.emulator import Emulator

REGION = "ap-guangzhou"
SAMPLE = Path(__file__).resolve().parents[1] / "vpnkit" / "samples" / "branches.csv"
SENTINEL = "SENTINEL-psk-7c1e9a"


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    for var in ("VPNKIT_PSK_PROD", "VPNKIT_PSK_DEV", "VPNKIT_PSK_CCN"):
        monkeypatch.setenv(var, SENTINEL)


def tunnels(emu: Emulator) -> list[dict[str, Any]]:
    """Every tunnel the emulator holds in the region."""
    return list(emu.backend.dump()["regions"][REGION]["vpn_connections"].values())


def names_per_gateway(emu: Emulator) -> Counter[tuple[str, str]]:
    """How many tunnels exist per (gateway, name)."""
    return Counter((t["VpnGatewayId"], t["VpnConnectionName"]) for t in tunnels(emu))


def rows(n: int, gateways: tuple[str, ...] = ("vpngw-demo0001",)) -> pd.DataFrame:
    """``n`` valid Policy tunnels with disjoint IDC-side ranges (demo VPC 10.0.0.0/16)."""
    vpcs = {"vpngw-demo0001": ("vpc-demo0001", "10.0"), "vpngw-demo0002": ("vpc-demo0002",
                                                                             "172.16")}
    out = []
    for i in range(n):
        gw = gateways[i % len(gateways)]
        vpc, prefix = vpcs[gw]
        out.append({"name": f"t-{i:03d}", "vpn_gateway_id": gw,
                    "customer_gateway_id": "cgw-demo0001", "vpc_id": vpc,
                    "pre_share_key": SENTINEL, "route_type": "Policy",
                    "spd": f"{prefix}.{i}.0/24=192.168.{i}.0/24"})
    return pd.DataFrame(out)


def test_sample_csv_creates_every_branch_and_rerun_creates_nothing(
        emu: Emulator, client: VpcClient) -> None:
    """The shipped sample validates against the demo seed; a re-run of its batch sends nothing."""
    first = create_many(client, SAMPLE, progress=False)
    detail = first.frame[["name", "error_code", "message"]].to_dict("records")
    assert first.counts == {"created": 12}, detail
    assert set(first.frame["state"]) == {"AVAILABLE"}
    assert first.frame["request_id"].notna().all()
    again = create_many(client, SAMPLE, progress=False, batch_id=first.batch_id)
    assert again.counts == {"exists": 12}
    assert again.sent == 0
    assert list(again.frame["vpn_connection_id"]) == list(first.frame["vpn_connection_id"])
    assert max(names_per_gateway(emu).values()) == 1 and len(tunnels(emu)) == 12


def test_invalid_batch_is_refused_before_anything_is_sent(
        emu: Emulator, client: VpcClient) -> None:
    """Every bad row is reported at once (row, name, path, code) and the emulator saw no create."""
    df = rows(4)
    df.loc[1, "ike_encryption_algorithm"] = "ROT13"                  # not an allowed value
    df.loc[2, "name"] = "t-000"                                      # duplicate of row 0
    df.loc[3, "spd"] = "10.0.3.0/24=10.0.200.0/24"                   # overlaps the VPC CIDR
    extra = rows(1).assign(name="other", spd="10.9.0.0/24=192.168.50.0/24")  # outside VPC
    df = pd.concat([df, extra], ignore_index=True)
    with pytest.raises(BatchInvalid) as info:
        create_many(client, df, progress=False)
    frame = info.value.frame
    assert list(frame.columns) == ["row", "name", "path", "code", "message", "severity"]
    assert {1, 2, 3}.issubset(set(frame["row"].dropna().astype(int)))
    assert "InvalidParameterValue.Duplicate" in set(frame["code"])
    assert "InvalidParameterValue.VpcCidrConflict" in set(frame["code"])
    assert SENTINEL not in str(info.value) and SENTINEL not in frame.to_string()
    assert tunnels(emu) == []


def test_skip_invalid_creates_the_valid_rows_only(emu: Emulator, client: VpcClient) -> None:
    """With skip_invalid=True bad rows are marked invalid and the rest are created."""
    df = rows(3)
    df.loc[1, "dpd_timeout"] = "90"
    result = create_many(client, df, progress=False, skip_invalid=True, wait=False)
    assert list(result.frame["status"]) == ["created", "invalid", "created"]
    assert result.frame.loc[1, "error_code"] == "InvalidParameterValue"
    assert len(tunnels(emu)) == 2


def test_cross_row_spd_conflicts_and_mapping_limit_are_caught(client: VpcClient) -> None:
    """Rows overlapping on both SPD sides conflict; 201 mappings on a gateway exceed its limit."""
    df = rows(2)
    df.loc[1, "spd"] = "10.0.0.0/25=192.168.0.0/25"  # both sides overlap row 0's
    with pytest.raises(BatchInvalid) as info:
        create_many(client, df, progress=False)
    assert list(info.value.frame["code"]) == ["InvalidParameterValue.VpnConnCidrConflict"]
    df.loc[1, "spd"] = "10.0.1.0/24=192.168.0.0/25"  # same IDC range, other VPC range: valid
    result = create_many(client, df, progress=False, dry_run=True)
    assert list(result.frame["status"]) == ["dry-run", "dry-run"]
    assert list(result.issues["severity"]) == ["warning"]
    df = rows(2)
    df.loc[0, "spd"] = "10.0.0.0/24=" + ";".join(f"198.18.{k}.0/24" for k in range(150))
    df.loc[1, "spd"] = "10.0.1.0/24=" + ";".join(f"198.19.{k}.0/24" for k in range(51))
    with pytest.raises(BatchInvalid) as info:
        create_many(client, df, progress=False)
    assert list(zip(info.value.frame["row"], info.value.frame["code"], strict=True)) == [
        (1, "LimitExceeded")]
    assert create_many(client, rows(21), progress=False, dry_run=True).ok  # not a tunnel quota


def test_spd_pair_layout_groups_rows_by_tunnel() -> None:
    """One row per (local, remote) pair is grouped by gateway + name into one spec."""
    df = pd.DataFrame([
        {"name": "a", "vpn_gateway_id": "vpngw-demo0001", "customer_gateway_id": "cgw-demo0001",
         "vpc_id": "vpc-demo0001", "pre_share_key": SENTINEL, "local_cidr_block": "10.0.1.0/24",
         "remote_cidr_block": "192.168.1.0/24", "tag:site": "x"},
        {"name": "a", "vpn_gateway_id": "vpngw-demo0001", "local_cidr_block": "10.0.1.0/24",
         "remote_cidr_block": "192.168.2.0/24"},
        {"name": "a", "vpn_gateway_id": "vpngw-demo0001", "local_cidr_block": "10.0.2.0/24",
         "remote_cidr_block": "192.168.3.0/24"},
    ])
    (row,), problems = read_rows(df)
    assert problems == [] and row.issues == []
    assert row.spec is not None
    assert [(r.local_cidr_block, r.remote_cidr_blocks) for r in
            row.spec.security_policy_databases] == [
        ("10.0.1.0/24", ("192.168.1.0/24", "192.168.2.0/24")),
        ("10.0.2.0/24", ("192.168.3.0/24",))]
    rules = parse_spd("10.0.1.0/24=1.1.1.0/24; 2.2.2.0/24|10.0.2.0/24=3.3.3.0/24")
    assert [(r.local_cidr_block, r.remote_cidr_blocks) for r in rules] == [
        ("10.0.1.0/24", ("1.1.1.0/24", "2.2.2.0/24")), ("10.0.2.0/24", ("3.3.3.0/24",))]


def test_columns_are_typed_and_unknown_columns_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Option columns follow the options table; a typo'd column and a missing PSK env are issues."""
    df = rows(1).drop(columns=["pre_share_key"]).assign(
        pre_share_key_env="NO_SUCH_VAR", ike_encryption_algo="AES-CBC-256", dpd_enable="1",
        dpd_timeout="45", enable_health_check="no", ipsec_pfs_dh_group="DH-GROUP14")
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    (row,), problems = read_rows(df)
    assert [p.code for p in problems] == ["UnknownParameter"]
    assert [i.path for i in row.issues] == ["pre_share_key_env"]
    monkeypatch.setenv("NO_SUCH_VAR", SENTINEL)
    (row,), _ = read_rows(df)
    assert row.spec is not None
    assert (row.spec.dpd_enable, row.spec.dpd_timeout, row.spec.enable_health_check) == (
        1, 45, False)
    assert row.spec.ipsec_options is not None
    assert row.spec.ipsec_options.pfs_dh_group == "DH-GROUP14"


def test_dry_run_shows_masked_requests_and_sends_nothing(emu: Emulator, client: VpcClient) -> None:
    """dry_run returns the exact bodies with the PSK masked; the emulator saw no create."""
    result = create_many(client, SAMPLE, progress=False, dry_run=True)
    assert set(result.frame["status"]) == {"dry-run"}
    assert len(result.requests) == 12
    assert all(r["body"]["PreShareKey"] == "***" for r in result.requests)
    assert SENTINEL not in repr(result.requests)
    assert tunnels(emu) == []


def test_list_of_specs_and_json_file(tmp_path: Path, emu: Emulator, client: VpcClient) -> None:
    """Specs may be VpnConnectionSpec objects or a JSON file of tccli-shaped bodies."""
    spec = VpnConnectionSpec("vpngw-demo0001", "cgw-demo0001", "from-spec", SENTINEL,
                             vpc_id="vpc-demo0001")
    assert create_many(client, [spec], progress=False, wait=False).counts == {"created": 1}
    path = tmp_path / "b.json"
    path.write_text('[{"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",'
                    ' "VpnConnectionName": "from-json", "PreShareKey": "x-psk-123",'
                    ' "VpcId": "vpc-demo0001"}]')
    assert create_many(client, path, progress=False, wait=False).counts == {"created": 1}
    assert len(tunnels(emu)) == 2


@pytest.mark.parametrize("faults", [
    {"drop_after_commit": 0.4},
    {"internal_error": 0.3},
    {"internal_error_after_commit": 0.3},
    {"rate_limit_burst": 40},
    {"delay": 0.1},
    {"empty_create_id": 0.5},
], ids=["dropped-after-commit", "internal-error", "internal-error-after-commit",
        "rate-limit-burst", "slow", "empty-create-id"])
def test_faults_never_duplicate_lose_or_surface_rate_limits(
        emu: Emulator, client: VpcClient, faults: dict[str, Any]) -> None:
    """Under each injected fault every row ends created/reconciled, each tunnel exactly once."""
    emu.faults.update(**faults, actions="CreateVpnConnection", seed=7)
    result = create_many(client, rows(30, ("vpngw-demo0001", "vpngw-demo0002")),
                         progress=False, workers=8)
    assert set(result.frame["status"]) <= {"created", "reconciled"}, result.frame
    assert not result.frame["error_code"].fillna("").str.startswith("RequestLimit").any()
    counts = names_per_gateway(emu)
    assert len(counts) == 30 and set(counts.values()) == {1}
    assert set(result.frame["state"]) == {"AVAILABLE"}
    assert sum(emu.faults.injected.values()) > 0


def test_resume_reconciles_unknown_outcomes(tmp_path: Path, emu: Emulator,
                                            client: VpcClient) -> None:
    """Rows journaled as 'sending' whose tunnel exists are reconciled, the rest created once."""
    from vpnkit.batch.journal import Journal

    df = rows(4)
    create_many(client, df.iloc[:1], progress=False, wait=False, batch_id="b1")
    create_many(client, df.iloc[1:2], progress=False, wait=False, batch_id="b0")  # it landed
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.record("b1", ("vpngw-demo0001", "t-001"), 1, "sending")  # as if killed mid-call
    journal.record("b1", ("vpngw-demo0001", "t-002"), 2, "sending")  # killed before it landed
    journal.close()
    result = create_many(client, df, progress=False, wait=False, batch_id="b1")
    assert list(result.frame["status"]) == ["exists", "reconciled", "created", "created"]
    assert set(names_per_gateway(emu).values()) == {1} and len(tunnels(emu)) == 4


def test_delete_many_is_a_dry_run_unless_confirmed(emu: Emulator, client: VpcClient) -> None:
    """delete_many lists what would go; it deletes only with dry_run=False and confirm=True."""
    created = create_many(client, rows(3), progress=False)
    plan = delete_many(client, created.frame)
    assert set(plan["status"]) == {"would-delete"} and len(tunnels(emu)) == 3
    with pytest.raises(ValueError, match="confirm"):
        delete_many(client, created.frame, dry_run=False)
    done = delete_many(client, [*created.frame["vpn_connection_id"], "vpnx-zzzzzzzz"],
                       dry_run=False, confirm=True, wait=True)
    assert list(done["status"]) == ["deleted"] * 3 + ["missing"]
    assert tunnels(emu) == []
