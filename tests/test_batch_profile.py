"""Batch rows are secure by default and say so when they are not (issue 13 §1).

A row with empty option cells is sent with the strong profile, every option explicit; a weak
choice is accepted and gives one ``WeakCrypto`` warning per weak value, in the result's issue
table, a refused batch's ``.warnings`` and the CLI's stderr. The ``profile`` column picks
another named profile for a row (``api-defaults`` for an old peer).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.test_batch import _env as _env  # autouse: journal in tmp, PSK variables
from tests.test_batch import rows, tunnels
from vpnkit import VpcClient, options
from vpnkit.batch import BatchInvalid, create_many
from vpnkit.emulator import Emulator

SECTIONS = {"ike": "IKEOptionsSpecification", "ipsec": "IPSECOptionsSpecification"}


def expected_wire(profile: str) -> dict[str, dict[str, Any]]:
    """The profile's IKE and IPsec values under their wire names."""
    chosen = options.PROFILES[profile]
    out: dict[str, dict[str, Any]] = {}
    for section, key in SECTIONS.items():
        wire = {o.name: o.wire for o in options.by_section(section)}
        out[key] = {wire[name]: value for name, value in chosen.section(section).items()}
    return out


def sent(body: dict[str, Any], expected: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The part of ``body`` that ``expected`` names."""
    return {key: {f: (body.get(key) or {}).get(f) for f in fields}
            for key, fields in expected.items()}


def test_empty_option_cells_get_the_strong_profile(emu: Emulator, client: VpcClient) -> None:
    """Empty option cells: the request carries every strong value and no weak-crypto warning."""
    df = rows(1).assign(ike_encryption_algorithm="", ipsec_pfs_dh_group="", dpd_enable="")
    dry = create_many(client, df, progress=False, dry_run=True)
    (request,) = dry.requests
    strong = expected_wire(options.DEFAULT_PROFILE)
    assert sent(request["body"], strong) == strong
    assert request["body"]["DpdEnable"] == 1
    assert "WeakCrypto" not in set(dry.issues["code"])
    create_many(client, df, progress=False, wait=False)
    (tunnel,) = tunnels(emu)
    assert sent(tunnel, strong) == strong


def test_weak_choices_are_accepted_with_one_warning_each(tmp_path: Path, emu: Emulator,
                                                         client: VpcClient) -> None:
    """3DES and PFS off on one row: created, two WeakCrypto warnings, the rest still strong."""
    df = rows(2).assign(ike_encryption_algorithm=["", "3DES-CBC"],
                        ipsec_pfs_dh_group=["", "NULL"])
    result = create_many(client, df, progress=False, wait=False)
    assert result.ok and len(tunnels(emu)) == 2
    weak = result.issues[result.issues["code"] == "WeakCrypto"]
    assert list(weak["row"]) == [1, 1] and set(weak["severity"]) == {"warning"}
    assert {p.split(".")[-1] for p in weak["path"]} == {"encryption_algorithm", "pfs_dh_group"}
    by_name = {t["VpnConnectionName"]: t for t in tunnels(emu)}
    ike = by_name["t-001"]["IKEOptionsSpecification"]
    assert (ike["PropoEncryAlgorithm"], ike["DhGroupName"]) == ("3DES-CBC", "GROUP14")


def test_weak_choices_show_in_a_refused_batch_and_on_the_cli(tmp_path: Path,
                                                             emu: Emulator) -> None:
    """A refused batch still lists its weak choices; the CLI prints one line per weak value."""
    df = rows(3).assign(ike_encryption_algorithm=["", "DES-CBC", "ROT13"])
    path = tmp_path / "weak.csv"
    df.to_csv(path, index=False)
    from vpnkit import VpcClient as Client

    client = Client("ap-guangzhou", endpoint=emu.url, credential=emu.credential)
    with pytest.raises(BatchInvalid) as info:
        create_many(client, path, progress=False)
    assert list(info.value.frame["row"]) == [2]
    assert "WeakCrypto" in set(info.value.warnings["code"])
    client.session.close()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    env.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
               VPNKIT_BATCH_STATE=str(tmp_path / "journal.sqlite3"), HOME=str(tmp_path))
    df.iloc[:2].to_csv(path, index=False)
    proc = subprocess.run([sys.executable, "-m", "vpnkit", "batch", str(path), "--dry-run"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    weak = [ln for ln in proc.stderr.splitlines() if "(WeakCrypto)" in ln]
    assert len(weak) == 1 and weak[0].startswith("warning: row 1 ")


def test_profile_column_picks_a_named_profile(emu: Emulator, client: VpcClient) -> None:
    """A profile cell picks a row's profile (api-defaults: explicit, warned); bad names refused."""
    df = rows(2).assign(profile=["", "api-defaults"])
    dry = create_many(client, df, progress=False, dry_run=True)
    legacy = expected_wire("api-defaults")
    assert sent(dry.requests[1]["body"], legacy) == legacy
    assert sent(dry.requests[0]["body"], expected_wire("strong")) == expected_wire("strong")
    assert set(dry.issues[dry.issues["code"] == "WeakCrypto"]["row"]) == {1}
    bare = create_many(client, rows(1), progress=False, dry_run=True, profile=None)
    assert "IKEOptionsSpecification" not in bare.requests[0]["body"]  # only what is given
    with pytest.raises(BatchInvalid) as info:
        create_many(client, rows(1).assign(profile="paranoid"), progress=False)
    (issue,) = info.value.frame.to_dict("records")
    assert issue["path"] == "profile" and "paranoid" in issue["message"]
    assert tunnels(emu) == []
