"""The batch keeps secrets private: no key in its issue tables, a 0600 journal (issue 11 §2)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_batch import _env as _env  # autouse: journal in tmp, PSK variables
from tests.test_batch import tunnels
from vpnkit import VpcClient
from vpnkit.batch import BatchInvalid, create_many
from vpnkit.batch.io import read_rows
from vpnkit.batch.journal import Journal
from vpnkit.emulator import Emulator

KEY = "Pair-psk-91f3c0"
HEADER = "name,vpn_gateway_id,customer_gateway_id,vpc_id,pre_share_key,local_cidr_block," \
         "remote_cidr_block"


def pair_csv(tmp_path: Path) -> Path:
    """The one-row-per-pair layout where the second row of tunnel 'a' gives another key."""
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join([
        HEADER,
        f"a,vpngw-demo0001,cgw-demo0001,vpc-demo0001,{KEY},10.0.1.0/24,192.168.1.0/24",
        f"a,vpngw-demo0001,,,{KEY}x,10.0.1.0/24,192.168.2.0/24",
        f"b,vpngw-demo0001,cgw-demo0001,vpc-demo0001,{KEY},10.0.2.0/24,192.168.3.0/24",
    ]) + "\n")
    return path


def test_disagreeing_keys_are_named_never_shown(tmp_path: Path, emu: Emulator,
                                                client: VpcClient) -> None:
    """Rows of one tunnel with two keys: the issue names the field; BatchInvalid/result hide it."""
    path = pair_csv(tmp_path)
    (a, b), _ = read_rows(path)
    (issue,) = a.issues
    assert issue.path == "pre_share_key" and "disagree" in issue.message
    assert KEY not in issue.message and b.issues == []
    with pytest.raises(BatchInvalid) as info:
        create_many(client, path, progress=False)
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    assert KEY not in info.value.frame.to_string() and KEY not in info.value.frame.to_json()
    result = create_many(client, path, progress=False, skip_invalid=True, wait=False)
    assert list(result.frame["status"]) == ["invalid", "created"]
    for text in (result.frame.to_string(), result.frame.to_json(), result.issues.to_json(),
                 repr(result), result._repr_html_()):
        assert KEY not in text
    assert len(tunnels(emu)) == 1


def test_disagreeing_keys_stay_out_of_cli_output(tmp_path: Path, emu: Emulator) -> None:
    """`vpnkit batch` on that file, as a table and as --format json: the key is in neither."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TENCENTCLOUD_", "TCCLI_", "VPNKIT_"))}
    env.update(VPNKIT_ENDPOINT=emu.url, VPNKIT_AUDIT=str(tmp_path / "audit.sqlite3"),
               VPNKIT_BATCH_STATE=str(tmp_path / "journal.sqlite3"), HOME=str(tmp_path))
    path = str(pair_csv(tmp_path))
    for args in ([path], [path, "--format", "json"], [path, "--dry-run", "--format", "json"],
                 [path, "--skip-invalid", "--format", "json", "--no-progress", "--no-wait"]):
        proc = subprocess.run([sys.executable, "-m", "vpnkit", "batch", *args], env=env,
                              capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 1, (args, proc.stderr)
        assert "pre_share_key" in proc.stdout + proc.stderr
        assert KEY not in proc.stdout and KEY not in proc.stderr, args


def test_journal_is_private(tmp_path: Path) -> None:
    """A new journal is 0600 (with its WAL companions) in a folder created 0700."""
    path = tmp_path / "new" / "dir" / "batches.sqlite3"
    j = Journal(path)
    j.record("b", ("gw", "n"), 0, "sending")
    for f in [path, *path.parent.glob("batches.sqlite3-*")]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    j.close()
    old = tmp_path / "old.sqlite3"
    old.touch(mode=0o644)
    os.chmod(old, 0o644)
    Journal(old).close()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
