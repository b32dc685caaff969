"""vpnkit.inventory across the emulator's regions: one typed frame, failures named, export."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import vpnkit
from vpnkit import VpcClient, VpnConnectionSpec
from vpnkit.emulator import Emulator
from vpnkit.inventory import InventoryError, export, resolve_regions
from vpnkit.models import IkeOptions, IpsecOptions

KEY = "SENTINEL-inventory-key-41d0"
#: (region, gateway, customer gateway, VPC, VPC-side range) from the demo seed
SITES = [("ap-guangzhou", "vpngw-demo0001", "cgw-demo0001", "vpc-demo0001", "10.0.1.0/24"),
         ("ap-shanghai", "vpngw-demo0101", "cgw-demo0101", "vpc-demo0101", "10.1.1.0/24"),
         ("ap-beijing", "vpngw-demo0201", "cgw-demo0201", "vpc-demo0201", "10.2.1.0/24")]


def seed(client: VpcClient, per_region: int = 2) -> None:
    """``per_region`` tunnels in each of the three seeded regions (one weak, the rest strong)."""
    for region, gw, cgw, vpc, local in SITES:
        rc = client.for_region(region)
        for i in range(per_region):
            weak = i == 0
            rc.create_vpn_connection(VpnConnectionSpec(
                gw, cgw, f"{region}-{i}", KEY, vpc_id=vpc, route_type="Policy",
                security_policy_databases={local: [f"192.168.{i}.0/24"]},
                ike_options=IkeOptions(encryption_algorithm="3DES-CBC" if weak
                                       else "AES-CBC-256", dh_group="GROUP1" if weak
                                       else "GROUP14", authentication_algorithm="SHA-256",
                                       version="IKEV2"),
                ipsec_options=IpsecOptions(encryption_algorithm="AES-CBC-256",
                                           integrity_algorithm="SHA-256",
                                           pfs_dh_group="NULL" if weak else "DH-GROUP14")))


def test_every_region_in_one_typed_frame(emu: Emulator, client: VpcClient) -> None:
    """Tunnels of three regions come back together, each with its region, typed."""
    seed(client)
    inv = vpnkit.inventory(client)
    assert len(inv) == 6
    assert inv.groupby("region", observed=True).size().to_dict() == {
        "ap-beijing": 2, "ap-guangzhou": 2, "ap-shanghai": 2}
    assert list(inv.columns[:2]) == ["region", "vpn_connection_id"]
    assert isinstance(inv["region"].dtype, pd.CategoricalDtype)
    assert inv["ike_sa_lifetime_seconds"].dtype == "Int64"
    assert set(inv["state"].astype(str)) <= {"PENDING", "AVAILABLE"}
    sh = inv[inv["region"] == "ap-shanghai"].iloc[0]
    assert sh["vpn_gateway_ip"] == "203.0.113.110" and sh["customer_gateway_ip"] == \
        "198.51.100.110"
    assert sh["spd_pairs"] == "10.1.1.0/24=192.168.0.0/24"
    assert KEY not in inv.to_csv()
    weak = inv[inv["vpn_connection_name"].str.endswith("-0")]["weak_crypto"]
    strong = inv[inv["vpn_connection_name"].str.endswith("-1")]["weak_crypto_count"]
    assert all("3DES-CBC" in w and "GROUP1" in w and "pfs_dh_group" in w for w in weak)
    assert strong.tolist() == [0, 0, 0]


def test_weak_crypto_comes_from_validate(emu: Emulator, client: VpcClient) -> None:
    """The weak_crypto column holds exactly validate's IKE/IPsec warnings for each tunnel."""
    from vpnkit.validate import issues

    seed(client, per_region=1)
    inv = vpnkit.inventory(client, ["ap-guangzhou"])
    conn = client.describe_vpn_connections()[0]
    expected = [f"{i.path}: {i.message} ({i.code})" for i in issues(conn.to_spec(
        pre_share_key="")) if i.severity == "warning" and (
        i.code == "WeakCrypto" or i.path.startswith(("ike_options", "ipsec_options")))]
    assert inv.iloc[0]["weak_crypto"] == "; ".join(expected)
    assert inv.iloc[0]["weak_crypto_count"] == len(expected)


def test_region_choice(client: VpcClient) -> None:
    """'all' is every known region, a list is de-duplicated, None is the client's own."""
    from vpnkit.endpoints import REGIONS

    assert resolve_regions("all", "ap-guangzhou") == list(REGIONS)
    assert resolve_regions("ap-shanghai, ap-beijing,ap-shanghai", "x") == [
        "ap-shanghai", "ap-beijing"]
    assert resolve_regions(None, "ap-guangzhou") == ["ap-guangzhou"]
    with pytest.raises(ValueError, match="no region given"):
        resolve_regions(" , ", "ap-guangzhou")


def failing_region(emu: Emulator, region: str) -> None:
    """Make the emulator answer InternalError for every call in ``region`` (a fault)."""
    from vpnkit.emulator.codes import EmulatorError

    original = emu.backend.handle

    def handle(action: str, where: str, params: Any, request_id: str, **kw: Any) -> Any:
        if where == region:
            raise EmulatorError("InternalError", "Injected fault: internal error.")
        return original(action, where, params, request_id, **kw)

    emu.backend.handle = handle  # type: ignore[method-assign]


def test_a_failed_region_is_never_empty(emu: Emulator, client: VpcClient) -> None:
    """A region whose read fails is named (raised, or listed with partial=True)."""
    seed(client, per_region=1)
    failing_region(emu, "ap-shanghai")
    with pytest.raises(InventoryError) as info:
        vpnkit.inventory(client, ["ap-guangzhou", "ap-shanghai"])
    assert list(info.value.failed) == ["ap-shanghai"]
    inv = vpnkit.inventory(client, ["ap-guangzhou", "ap-shanghai"], partial=True)
    assert len(inv) == 1 and list(inv.attrs["failed_regions"]) == ["ap-shanghai"]


def test_an_unsupported_region_holds_no_tunnels(emu: Emulator, client: VpcClient) -> None:
    """UnsupportedRegion is a definite answer: listed as unavailable, not a failure."""
    seed(client, per_region=1)
    inv = vpnkit.inventory(client, ["ap-guangzhou", "xx-nowhere"])
    assert len(inv) == 1 and inv.attrs["failed_regions"] == {}
    assert list(inv.attrs["unavailable_regions"]) == ["xx-nowhere"]


def test_export_csv_and_parquet(emu: Emulator, client: VpcClient, tmp_path: Path) -> None:
    """CSV and Parquet hold every row and column; tags as JSON text; no key."""
    pytest.importorskip("pyarrow")
    seed(client, per_region=1)
    inv = vpnkit.inventory(client, ["ap-guangzhou", "ap-shanghai"])
    back_csv = pd.read_csv(export(inv, tmp_path / "inv.csv"))
    back_pq = pd.read_parquet(export(inv, tmp_path / "inv.parquet"))
    for back in (back_csv, back_pq):
        assert list(back.columns) == list(inv.columns) and len(back) == len(inv)
        assert back["tags"].tolist() == ["{}", "{}"]
    assert back_pq["ike_sa_lifetime_seconds"].tolist() == inv[
        "ike_sa_lifetime_seconds"].tolist()
    assert KEY.encode() not in (tmp_path / "inv.parquet").read_bytes()
    with pytest.raises(ValueError, match=r"\.csv or \.parquet"):
        export(inv, tmp_path / "inv.xlsx")


def test_rate_limits_are_per_region(emu: Emulator) -> None:
    """One region's calls never spend another's budget (client buckets and emulator)."""
    from vpnkit.emulator import serve
    from vpnkit.errors import ApiError

    with serve(seed="demo", rate_limit=1) as strict:
        c = VpcClient("ap-guangzhou", endpoint=strict.url, credential=strict.credential,
                      rate_limit=0, max_attempts=1)
        c.describe_vpn_gateways()
        c.for_region("ap-shanghai").describe_vpn_gateways()  # its own bucket: allowed
        with pytest.raises(ApiError) as info:
            c.describe_vpn_gateways()  # the same region again within the second
        assert info.value.code == "RequestLimitExceeded"
    limited = VpcClient("ap-guangzhou", endpoint=emu.url, credential=emu.credential)
    limited.describe_vpn_gateways()
    limited.for_region("ap-shanghai").describe_vpn_gateways()
    assert {("ap-guangzhou", "DescribeVpnGateways"),
            ("ap-shanghai", "DescribeVpnGateways")} <= set(limited.limiter._buckets)


def test_cli_inventory(emu: Emulator, client: VpcClient, tmp_path: Path) -> None:
    """inventory CLI: table/json/--output; an unserved region is a note, a failed one exit 1."""
    import json
    import os
    import subprocess
    import sys

    seed(client, per_region=1)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    env.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
               HOME=str(tmp_path))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-m", "vpnkit", "inventory", *args], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert "Traceback" not in proc.stderr and KEY not in proc.stdout + proc.stderr
        return proc

    table = run("--regions", "ap-guangzhou,ap-shanghai")
    assert table.returncode == 0 and "ap-shanghai-0" in table.stdout
    assert "3 tunnels" not in table.stderr and "2 tunnels in 2 regions" in table.stderr
    as_json = run("--format", "json", "--output", str(tmp_path / "all.csv"))
    assert as_json.returncode == 0
    assert len(json.loads(as_json.stdout)) == 3
    assert len(pd.read_csv(tmp_path / "all.csv")) == 3
    odd = run("--regions", "ap-guangzhou,xx-nowhere", "--format", "csv")
    assert odd.returncode == 0 and "note: xx-nowhere" in odd.stderr
    assert len(pd.read_csv(io.StringIO(odd.stdout))) == 1
    failing_region(emu, "ap-shanghai")
    bad = run("--regions", "ap-guangzhou,ap-shanghai", "--format", "csv")
    assert bad.returncode == 1 and "error: ap-shanghai" in bad.stderr
    assert len(pd.read_csv(io.StringIO(bad.stdout))) == 1
