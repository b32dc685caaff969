"""Batch issue tables carry the warnings too: risky-but-accepted rows are shown, never refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_batch import _env as _env  # autouse: journal in tmp, PSK variables
from tests.test_batch import rows, tunnels
from vpnkit import VpcClient
from vpnkit.batch import BatchInvalid, create_many
from vpnkit.emulator import Emulator


def two_tunnels_one_idc_range(tmp_path: Path, *, broken: bool) -> Path:
    """Rows 0 and 1 reach 192.168.0.0/24 from two VPC ranges (a warning); row 2 maybe invalid."""
    df = rows(3)
    df.loc[1, "spd"] = "10.0.1.0/24=192.168.0.0/24"
    if broken:
        df.loc[2, "ike_encryption_algorithm"] = "ROT13"
    path = tmp_path / "b.csv"
    df.to_csv(path, index=False)
    return path


def test_refused_batch_lists_its_warnings_apart(tmp_path: Path, emu: Emulator,
                                                client: VpcClient) -> None:
    """BatchInvalid: .frame holds the errors, .warnings the accepted-but-risky rows."""
    with pytest.raises(BatchInvalid) as info:
        create_many(client, two_tunnels_one_idc_range(tmp_path, broken=True), progress=False)
    assert list(info.value.frame["row"]) == [2]
    assert list(info.value.warnings["row"]) == [1]
    assert set(info.value.warnings["severity"]) == {"warning"}
    assert "1 warning" in str(info.value)
    ok = create_many(client, two_tunnels_one_idc_range(tmp_path, broken=False),
                     progress=False, wait=False)
    assert ok.ok and list(ok.issues["code"]) == ["IdcRangeReachedTwice"]
    assert len(tunnels(emu)) == 3


def test_cli_prints_warnings_of_a_refused_batch(tmp_path: Path, emu: Emulator) -> None:
    """`vpnkit batch` on a refused file: errors in the table, each warning on stderr."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    env.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
               VPNKIT_BATCH_STATE=str(tmp_path / "journal.sqlite3"), HOME=str(tmp_path))
    path = two_tunnels_one_idc_range(tmp_path, broken=True)
    proc = subprocess.run([sys.executable, "-m", "vpnkit", "batch", str(path)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    assert "ROT13" in proc.stdout and "IdcRangeReachedTwice" not in proc.stdout
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert line.startswith("warning: row 1 ") and "IdcRangeReachedTwice" in line
    assert "1 problem" in proc.stderr
