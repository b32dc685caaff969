"""vpnkit.audit: intent/outcome rows, redaction, filters, export, threads, processes, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from vpnkit import VpcClient
from vpnkit.audit import AuditLog, default_audit_path
from vpnkit.emulator import Emulator
from vpnkit.errors import ApiError
from vpnkit.redact import MASK, remember

REGION = "ap-guangzhou"
SECRET = "SENTINEL-PSK-audit-0001"


@pytest.fixture
def log(tmp_path: Path) -> Iterator[AuditLog]:
    with AuditLog(tmp_path / "audit.sqlite3") as opened:
        yield opened


def _call(log: AuditLog, action: str = "DescribeVpcs", **finish: object) -> int:
    token = log.begin(action=action, region=REGION, endpoint="http://e", params={"A": 1})
    if finish:
        log.finish(token, **finish)  # type: ignore[arg-type]
    return token


def test_begin_writes_unknown_then_finish_completes(log: AuditLog) -> None:
    """A row exists with outcome 'unknown' before finish, and holds the outcome after."""
    token = _call(log)
    (row,) = log.rows()
    assert row["outcome"] == "unknown" and row["finished_at"] is None
    assert row["pid"] == os.getpid() and row["action"] == "DescribeVpcs"
    log.finish(token, outcome="ok", request_id="rid-1", resource_id="vpnx-1", latency_ms=1.5)
    (row,) = log.rows()
    assert (row["outcome"], row["request_id"], row["resource_id"]) == ("ok", "rid-1", "vpnx-1")
    assert row["latency_ms"] == 1.5 and row["finished_at"] >= row["started_at"]


def test_params_redacted_again_and_messages_scrubbed(log: AuditLog) -> None:
    """Secrets given to begin/finish unredacted still land masked."""
    remember(SECRET)
    token = log.begin(action="CreateVpnConnection", region=REGION, endpoint="http://e",
                      params={"PreShareKey": SECRET, "Note": f"x {SECRET} y",
                              "Nested": [{"SecretKey": "abcd-secret"}]})
    log.finish(token, outcome="error", error_code="X", error_message=f"echo {SECRET}")
    (row,) = log.rows()
    params = json.loads(row["params"])
    assert params["PreShareKey"] == MASK and params["Nested"][0]["SecretKey"] == MASK
    assert SECRET not in row["params"] and SECRET not in row["error_message"]


def test_default_path_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """VPNKIT_AUDIT wins, then XDG_DATA_HOME, then ~/.local/share."""
    monkeypatch.setenv("VPNKIT_AUDIT", str(tmp_path / "x.db"))
    assert default_audit_path() == tmp_path / "x.db"
    monkeypatch.delenv("VPNKIT_AUDIT")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_audit_path() == tmp_path / "vpnkit" / "audit.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_audit_path() == tmp_path / ".local" / "share" / "vpnkit" / "audit.sqlite3"


def test_wal_mode(log: AuditLog) -> None:
    """The database file is in WAL mode."""
    _call(log)
    with sqlite3.connect(log.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_frame_dtypes_and_filters(log: AuditLog) -> None:
    """frame() has UTC datetimes and categories; since/action/outcome filter rows."""
    _call(log, "DescribeVpcs", outcome="ok")
    _call(log, "CreateVpnConnection", outcome="error", error_code="E")
    _call(log, "CreateVpnConnection")
    df = log.frame()
    assert str(df["started_at"].dtype) == "datetime64[us, UTC]"
    assert isinstance(df["action"].dtype, pd.CategoricalDtype)
    assert isinstance(df["outcome"].dtype, pd.CategoricalDtype)
    assert df["latency_ms"].dtype == "Float64" and df["id"].dtype == "Int64"
    assert list(log.frame(action="CreateVpnConnection")["outcome"]) == ["error", "unknown"]
    assert len(log.frame(outcome=["ok", "error"])) == 2
    assert len(log.rows(since=timedelta(minutes=5))) == 3
    assert log.rows(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert len(log.rows(since="2000-01-01T00:00:00")) == 3
    empty = AuditLog(log.path.with_name("empty.sqlite3"))
    try:
        assert [type(d) for d in empty.frame().dtypes] == [type(d) for d in df.dtypes]
    finally:
        empty.close()


def test_batch_id_and_note(log: AuditLog) -> None:
    """begin() takes an optional batch_id/note that rows() can filter on."""
    token = log.begin(action="CreateVpnConnection", region=REGION, endpoint="e", params={},
                      batch_id="b-1", note="row 3")
    log.finish(token, outcome="reconciled")
    _call(log)
    (row,) = log.rows(batch_id="b-1")
    assert (row["note"], row["outcome"]) == ("row 3", "reconciled")


def test_export_csv_and_parquet(log: AuditLog, tmp_path: Path) -> None:
    """CSV export round-trips; Parquet needs pyarrow and says so if it is missing."""
    _call(log, outcome="ok")
    out = log.export(tmp_path / "calls.csv")
    assert pd.read_csv(out)["outcome"].tolist() == ["ok"]
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pyarrow"):
            log.export(tmp_path / "calls.parquet")
    else:
        assert pd.read_parquet(log.export(tmp_path / "calls.parquet"))["outcome"][0] == "ok"
    with pytest.raises(ValueError, match="csv"):
        log.export(tmp_path / "calls.xlsx")


def test_closed_log_refuses_writes(tmp_path: Path) -> None:
    """After close() begin raises; finish only logs (the call already happened)."""
    log = AuditLog(tmp_path / "a.sqlite3")
    token = _call(log)
    log.close()
    with pytest.raises(ValueError, match="closed"):
        _call(log)
    log.finish(token, outcome="ok")


def test_memory_database() -> None:
    """':memory:' works (one shared connection) for throwaway notebooks."""
    with AuditLog(":memory:") as log:
        _call(log, outcome="ok")
        assert log.rows()[0]["outcome"] == "ok"


def test_many_threads_lose_nothing(log: AuditLog) -> None:
    """16 threads x 40 calls -> 640 complete rows."""
    def work() -> None:
        for _ in range(40):
            _call(log, outcome="ok", latency_ms=1.0)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = log.rows()
    assert len(rows) == 640 and {r["outcome"] for r in rows} == {"ok"}


_WRITER = textwrap.dedent("""
    import sys, threading
    from vpnkit.audit import AuditLog
    path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    log = AuditLog(path)
    def work(k):
        for i in range(n):
            t = log.begin(action="DescribeVpcs", region="r", endpoint="e", params={"i": i},
                          note=f"{tag}-{k}-{i}")
            log.finish(t, outcome="ok")
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    log.close()
""")


def test_two_processes_lose_nothing(tmp_path: Path) -> None:
    """Two processes (4 threads each) writing one database at once keep every row."""
    path = tmp_path / "shared.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), tag, "100"])
             for tag in ("p1", "p2")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with AuditLog(path) as log:
        rows = log.rows()
    notes = {r["note"] for r in rows}
    assert len(rows) == 800 and len(notes) == 800
    assert {r["outcome"] for r in rows} == {"ok"} and len({r["pid"] for r in rows}) == 2


_KILLED = textwrap.dedent("""
    import sys, time
    from vpnkit.audit import AuditLog
    log = AuditLog(sys.argv[1])
    token = log.begin(action="CreateVpnConnection", region="r", endpoint="e", params={})
    print(token, flush=True)
    time.sleep(60)
    log.finish(token, outcome="ok")
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_between_intent_and_outcome_leaves_unknown(tmp_path: Path) -> None:
    """A process killed after begin() leaves its row, with outcome 'unknown'."""
    path = tmp_path / "killed.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, str(path)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    token = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    with AuditLog(path) as log:
        (row,) = log.rows()
    assert row["id"] == token and row["outcome"] == "unknown" and row["finished_at"] is None


def test_client_writes_through_the_log(emu: Emulator, log: AuditLog) -> None:
    """VpcClient(audit=log) leaves an ok row per call and an error row with the API code."""
    client = VpcClient(REGION, endpoint=emu.url, credential=emu.credential, audit=log)
    try:
        client.describe_vpn_gateways()
        with pytest.raises(ApiError) as info:
            client.call("DescribeVpnGateways", {"VpnGatewayIds": ["vpngw-zzzzzzzz"]})
    finally:
        client.session.close()
    ok, err = log.rows()
    assert ok["outcome"] == "ok" and ok["request_id"] and ok["latency_ms"] > 0
    assert err["outcome"] == "error" and err["error_code"] == info.value.code
    assert err["region"] == REGION and err["endpoint"] == emu.url


def test_log_created_private(tmp_path: Path) -> None:
    """A new audit DB is 0600 (with its WAL/SHM) in a folder created 0700."""
    import stat

    path = tmp_path / "new-folder" / "audit.sqlite3"
    old = os.umask(0o022)
    try:
        with AuditLog(path) as log:
            _call(log, outcome="ok")
            for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                if part.exists():
                    assert stat.S_IMODE(part.stat().st_mode) == 0o600, part.name
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_existing_readable_log_is_tightened(tmp_path: Path) -> None:
    """An audit DB of ours left world-readable by an older version becomes 0600."""
    import stat

    path = tmp_path / "audit.sqlite3"
    AuditLog(path).close()
    path.chmod(0o644)
    AuditLog(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
