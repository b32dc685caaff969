"""vpnkit.frames: columns and dtypes, odd values, empty input, SPD rows and overlaps, joins."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest

from vpnkit import options
from vpnkit.emulator.seed import build
from vpnkit.errors import SpecError
from vpnkit.frames import (
    COLUMNS,
    PREFIXES,
    column_map,
    connections_frame,
    customer_gateways_frame,
    issues_frame,
    spd_frame,
    spd_overlaps,
    vpcs_frame,
    vpn_gateways_frame,
)
from vpnkit.validate import Issue
from vpnkit.wire import connection_from_wire

PSK = "SENTINEL-PSK-frames-0001"


def conn(i: int = 1, **changes: Any) -> dict[str, Any]:
    """One VpnConnectionSet element as the live API returns it (§2.4 example shape)."""
    base: dict[str, Any] = {
        "VpnConnectionId": f"vpnx-{i:08d}", "VpnConnectionName": f"t{i}",
        "VpcId": "vpc-demo0001", "VpnGatewayId": "vpngw-demo0001",
        "CustomerGatewayId": "cgw-demo0001", "PreShareKey": PSK, "VpnProto": "IPSEC",
        "EncryptProto": "IKE", "RouteType": "StaticRoute",
        "CreatedTime": "2024-03-01 10:00:00", "State": "AVAILABLE", "NetStatus": "AVAILABLE",
        "SecurityPolicyDatabaseSet": [
            {"LocalCidrBlock": "10.0.1.0/24", "RemoteCidrBlock": ["192.168.1.0/24",
                                                                  "192.168.2.0/25"]}],
        "IKEOptionsSpecification": {"PropoEncryAlgorithm": "AES-CBC-128",
                                    "PropoAuthenAlgorithm": "SHA", "IKESaLifetimeSeconds": 86400,
                                    "DhGroupName": "GROUP2", "LocalAddress": "203.0.113.10"},
        "IPSECOptionsSpecification": {"EncryptAlgorithm": "AES-CBC-128",
                                      "IntegrityAlgorith": "SHA1",
                                      "IPSECSaLifetimeSeconds": 3600,
                                      "IPSECSaLifetimeTraffic": 1843200,
                                      "EncapMode": "TUNNEL", "SecurityProto": "ESP"},
        "EnableHealthCheck": True, "HealthCheckLocalIp": "169.254.128.1",
        "HealthCheckRemoteIp": "169.254.128.2", "HealthCheckStatus": "AVAILABLE",
        "DpdEnable": 1, "DpdTimeout": "30", "DpdAction": "clear",
        "TagSet": [{"Key": "env", "Value": "prod"}], "NegotiationType": "active",
        "BgpConfig": {"TunnelCidr": "169.254.128.0/30", "LocalBgpIp": "169.254.128.1",
                      "RemoteBgpIp": "169.254.128.2", "LocalBgpAsn": "45090",
                      "RemoteBgpAsn": "65001"},
        "HealthCheckConfig": {"ProbeType": "NQA", "ProbeInterval": 5000, "ProbeThreshold": 3,
                              "ProbeTimeout": 1000},
    }
    base.update(changes)
    return base


def test_columns_come_from_the_options_table() -> None:
    """Every non-secret option has a prefixed column whose documented wire path is its own."""
    for opt in options.OPTIONS:
        if opt.secret:
            assert opt.name not in COLUMNS
            continue
        column = PREFIXES.get(opt.section, "") + opt.name
        parent = options.SECTIONS[opt.section][1]
        assert COLUMNS[column] == (f"{parent}.{opt.wire}" if parent else opt.wire)
    assert set(column_map()["column"]) == set(COLUMNS)


def test_connection_dtypes() -> None:
    """Ids are strings, enums categories, numbers Int64, flags boolean, times tz-aware."""
    df = connections_frame([conn()])
    dt = df.dtypes
    assert dt["vpn_connection_id"] == "string"
    for c in ("state", "net_status", "route_type", "ike_encryption_algorithm",
              "ipsec_integrity_algorithm", "dpd_action", "negotiation_type"):
        assert isinstance(dt[c], pd.CategoricalDtype), c
    for c in ("dpd_enable", "dpd_timeout", "ike_sa_lifetime_seconds", "bgp_local_bgp_asn",
              "ipsec_sa_lifetime_traffic", "hc_probe_interval", "spd_count"):
        assert dt[c] == "Int64", c
    assert dt["enable_health_check"] == "boolean"
    assert isinstance(dt["created_time"], pd.DatetimeTZDtype)
    row = df.iloc[0]
    assert row["created_time"] == pd.Timestamp(datetime(2024, 3, 1, 2, tzinfo=UTC))
    assert row["ipsec_integrity_algorithm"] == "SHA1"
    assert row["bgp_remote_bgp_asn"] == 65001 and row["dpd_timeout"] == 30
    assert row["tags"] == {"env": "prod"} and row["tag:env"] == "prod"
    assert row["spd_count"] == 1
    assert "pre_share_key" not in df.columns


def test_odd_values() -> None:
    """Pending time -> NaT, DpdEnable -1 kept, numeric strings coerced, junk -> NA."""
    odd = conn(2, CreatedTime="0000-00-00 00:00:00", DpdEnable=-1, DpdTimeout=None,
               IKEOptionsSpecification={"IKESaLifetimeSeconds": "86400",
                                        "PropoEncryAlgorithm": "FUTURE-ALGO"},
               IPSECOptionsSpecification={"IPSECSaLifetimeSeconds": "36OO",
                                          "IntegrityAlgorithm": "SHA-256"},
               EnableHealthCheck="false", State=None, BgpConfig=None,
               HealthCheckConfig="not an object", TagSet=None,
               SecurityPolicyDatabaseSet=None)
    row = connections_frame([odd]).iloc[0]
    assert row["created_time"] is pd.NaT
    assert row["dpd_enable"] == -1 and row["dpd_timeout"] is pd.NA
    assert row["ike_sa_lifetime_seconds"] == 86400
    assert row["ipsec_sa_lifetime_seconds"] is pd.NA
    assert row["ike_encryption_algorithm"] == "FUTURE-ALGO"  # unknown enum kept, not lost
    assert row["ipsec_integrity_algorithm"] == "SHA-256"  # the new spelling, as a fallback
    assert not row["enable_health_check"]
    assert pd.isna(row["state"]) and row["bgp_tunnel_cidr"] is pd.NA
    assert row["hc_probe_interval"] is pd.NA and row["tags"] == {} and row["spd_count"] == 0


def test_missing_fields_and_minimal_dict() -> None:
    """A dict holding only an id gives a full row of NAs, not a KeyError."""
    df = connections_frame([{"VpnConnectionId": "vpnx-1"}, conn()])
    assert df.loc[0, "vpn_connection_id"] == "vpnx-1"
    assert df.loc[0].drop(["vpn_connection_id", "tags", "spd_count"]).isna().all()


def test_empty_frames_have_columns_and_dtypes() -> None:
    """No tunnels -> every column with the same dtype as a non-empty frame."""
    full = connections_frame([conn()])
    empty = connections_frame([])
    assert len(empty) == 0
    assert list(empty.columns) == [c for c in full.columns if not c.startswith("tag:")]
    assert (empty.dtypes == full.dtypes[empty.columns]).all()
    spd_full, spd_empty = spd_frame([conn()]), spd_frame([])
    assert list(spd_empty.columns) == list(spd_full.columns)
    assert (spd_empty.dtypes == spd_full.dtypes).all()
    for build_frame in (vpcs_frame, vpn_gateways_frame, customer_gateways_frame):
        assert len(build_frame([]).columns) > 3
    assert list(issues_frame([]).columns) == ["path", "code", "message", "severity"]


def test_dicts_objects_and_mixes_agree() -> None:
    """VpnConnection objects give the same rows as the dicts they were read from."""
    dicts = [conn(1), conn(2, TagSet=[{"Key": "team", "Value": "net"}])]
    objs = [connection_from_wire(d) for d in dicts]
    a = connections_frame(dicts)
    b = connections_frame(objs)
    c = connections_frame([dicts[0], objs[1]])
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    pd.testing.assert_frame_equal(spd_frame(dicts), spd_frame(objs))


def test_tag_columns() -> None:
    """Each tag key gets its own column; tunnels without that key get NA."""
    df = connections_frame([conn(1), conn(2, TagSet=[{"Key": "team", "Value": "net"}])])
    assert list(df["tag:env"]) == ["prod", pd.NA]
    assert list(df["tag:team"]) == [pd.NA, "net"]


def test_spd_frame_rows() -> None:
    """One row per (tunnel, local, remote) with prefix lengths, address counts and ranges."""
    odd = conn(2, SecurityPolicyDatabaseSet=[
        {"LocalCidrBlock": "10.0.2.0/24", "RemoteCidrBlock": []},
        {"LocalCidrBlock": "not-a-cidr", "RemoteCidrBlock": "172.16.0.0/12"}])
    df = spd_frame([conn(1), odd])
    assert len(df) == 4
    first = df.iloc[0]
    assert (first["local_prefixlen"], first["remote_prefixlen"]) == (24, 24)
    assert (first["local_addresses"], first["remote_addresses"]) == (256, 256)
    assert first["remote_last"] - first["remote_first"] + 1 == 256
    assert df.iloc[1]["remote_addresses"] == 128
    assert df.iloc[2]["remote_cidr_block"] is pd.NA  # an entry without remotes stays visible
    assert df.iloc[3]["local_prefixlen"] is pd.NA and df.iloc[3]["remote_prefixlen"] == 12
    assert list(df["rule_index"]) == [0, 0, 0, 1]
    assert set(df["vpn_connection_id"]) == {"vpnx-00000001", "vpnx-00000002"}


def _tunnel(i: int, *remotes: str, gw: str = "vpngw-demo0001") -> dict[str, Any]:
    return conn(i, VpnGatewayId=gw, SecurityPolicyDatabaseSet=[
        {"LocalCidrBlock": "10.0.0.0/24", "RemoteCidrBlock": list(remotes)}])


def test_spd_overlaps_reports_every_pair() -> None:
    """Nested ranges in three tunnels give all three pairs; within= limits to a gateway."""
    spd = spd_frame([_tunnel(1, "10.8.0.0/16"), _tunnel(2, "10.8.1.0/24"),
                     _tunnel(3, "10.8.1.128/25", gw="vpngw-demo0002"),
                     _tunnel(4, "192.168.0.0/24")])
    pairs = spd_overlaps(spd)
    found = {frozenset((a, b)) for a, b in zip(pairs["vpn_connection_id_a"],
                                               pairs["vpn_connection_id_b"], strict=True)}
    assert found == {frozenset({"vpnx-00000001", "vpnx-00000002"}),
                     frozenset({"vpnx-00000001", "vpnx-00000003"}),
                     frozenset({"vpnx-00000002", "vpnx-00000003"})}
    within = spd_overlaps(spd, within="vpn_gateway_id")
    assert len(within) == 1 and within.iloc[0]["vpn_gateway_id"] == "vpngw-demo0001"
    assert len(spd_overlaps(spd_frame([]))) == 0


def test_spd_overlaps_matches_brute_force() -> None:
    """On random CIDRs the sweep finds exactly the pairs a quadratic check finds."""
    rnd = random.Random(7)
    tunnels = []
    for i in range(40):
        plen = rnd.randint(8, 28)
        addr = rnd.getrandbits(32) & ~((1 << (32 - plen)) - 1) & 0x0AFFFFFF | 0x0A000000
        tunnels.append(_tunnel(i, f"{addr >> 24}.{addr >> 16 & 255}.{addr >> 8 & 255}."
                                  f"{addr & 255}/{plen}"))
    spd = spd_frame(tunnels)
    got = {frozenset(p) for p in zip(spd_overlaps(spd)["vpn_connection_id_a"],
                                     spd_overlaps(spd)["vpn_connection_id_b"], strict=True)}
    rows = list(spd[["vpn_connection_id", "remote_first", "remote_last"]].itertuples(
        index=False))
    want = {frozenset((a[0], b[0])) for a, b in itertools.combinations(rows, 2)
            if a[0] != b[0] and a[1] <= b[2] and b[1] <= a[2]}
    assert got == want


def test_target_frames_join_with_connections() -> None:
    """VPC, gateway and customer gateway frames have typed columns and join on their ids."""
    region = build("demo")["regions"]["ap-guangzhou"]
    vpcs = vpcs_frame(list(region["vpcs"].values()))
    gws = vpn_gateways_frame(list(region["vpn_gateways"].values()))
    cgws = customer_gateways_frame(list(region["customer_gateways"].values()))
    assert vpcs["is_default"].dtype == "boolean"
    assert isinstance(gws["created_time"].dtype, pd.DatetimeTZDtype)
    assert gws["expired_time"].isna().all()  # "0000-00-00 00:00:00"
    assert gws["max_connection"].dtype == "Int64" and cgws["bgp_asn"].dtype == "Int64"
    joined = (connections_frame([conn()])
              .merge(gws, on="vpn_gateway_id", suffixes=("", "_gw"))
              .merge(cgws, on="customer_gateway_id", suffixes=("", "_cgw"))
              .merge(vpcs, on="vpc_id", suffixes=("", "_vpc")))
    assert joined.loc[0, "public_ip_address"] == "203.0.113.10"
    assert joined.loc[0, "cidr_block"] == "10.0.0.0/16"


def test_issues_frame() -> None:
    """Issues (or a SpecError) become path/code/message/severity rows."""
    issues = [Issue("a", "X", "bad"), Issue("b[0]", "Y", "odd", "warning")]
    df = issues_frame(issues)
    assert list(df["severity"]) == ["error", "warning"]
    pd.testing.assert_frame_equal(df, issues_frame(SpecError(issues)))


def test_ten_thousand_rows() -> None:
    """10,000 tunnels give 10,000 rows and one SPD row per pair, PSK nowhere."""
    dicts = [conn(i) for i in range(10_000)]
    df = connections_frame(dicts)
    spd = spd_frame(dicts)
    assert len(df) == 10_000 and len(spd) == 20_000
    assert df["vpn_connection_id"].is_unique
    assert PSK not in df.head(50).to_csv()


def test_import_vpnkit_does_not_import_pandas() -> None:
    """``import vpnkit`` (and vpnkit.audit) stays free of pandas."""
    code = "import sys, vpnkit, vpnkit.audit; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("render", [pd.DataFrame.to_string, pd.DataFrame.to_html,
                                    pd.DataFrame.to_csv])
def test_frames_never_show_the_psk(render: Any) -> None:
    """No rendering of a connections or SPD frame contains the pre-shared key."""
    dicts = [conn(1)]
    for frame in (connections_frame(dicts), spd_frame(dicts),
                  connections_frame([connection_from_wire(dicts[0])])):
        assert PSK not in render(frame)


def test_spd_fast_path_matches_the_careful_one() -> None:
    """The C-level SPD flattening gives exactly what the entry-by-entry reader gives."""
    from vpnkit.frames.connections import _spd_entries, _spd_entries_careful

    rows = [{"SecurityPolicyDatabaseSet": [
        {"LocalCidrBlock": f"10.{i}.{j}.0/24",
         "RemoteCidrBlock": [f"192.168.{k}.0/24" for k in range(j + 1)]}
        for j in range(i % 4)]} for i in range(50)] + [{}]
    fast = [list(map(int, x)) if i in (0, 1, 3) else list(x)
            for i, x in enumerate(_spd_entries(rows))]
    careful = [list(x) for x in _spd_entries_careful(rows)]
    assert fast == careful
