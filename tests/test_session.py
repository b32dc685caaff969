"""vpnkit.connect(): which audit log a session's calls go to, in the library and the CLI."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import requests

from vpnkit.audit import AuditLog
from vpnkit.emulator import EmulatorAdapter, build_app
from vpnkit.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

CUSTOM = "http://emu.example.test:8080"  # not loopback, not Tencent: reached in-process
ENV = ("VPNKIT_ENDPOINT", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY",
       "TENCENTCLOUD_TOKEN", "TENCENTCLOUD_REGION", "TCCLI_PROFILE",
       "TENCENTCLOUD_CREDENTIALS_FILE")


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(real log, emulator log) in tmp_path; no keys configured, an empty HOME."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    real, rehearsal = tmp_path / "audit.sqlite3", tmp_path / "emulator-audit.sqlite3"
    monkeypatch.setenv("VPNKIT_AUDIT", str(real))
    monkeypatch.setenv("VPNKIT_EMULATOR_AUDIT", str(rehearsal))
    return real, rehearsal


def _rows(path: Path) -> int:
    if not path.exists():
        return 0
    with AuditLog(path) as log:
        return len(log.frame())


def _emulator_session(secret_id: str = DEMO_SECRET_ID,
                      secret_key: str = DEMO_SECRET_KEY) -> requests.Session:
    session = requests.Session()
    session.mount(CUSTOM, EmulatorAdapter(build_app(secret_id=secret_id,
                                                    secret_key=secret_key, rate_limit=0)))
    return session


def test_demo_keys_on_a_custom_endpoint_log_as_a_rehearsal(logs: tuple[Path, Path]) -> None:
    """An endpoint neither loopback nor Tencent, signed with the emulator's demo keys, logs
    its calls in emulator-audit.sqlite3 and leaves the real log untouched."""
    from vpnkit.session import connect

    real, rehearsal = logs
    client = connect(endpoint=CUSTOM, session=_emulator_session(), quiet=True)
    try:
        assert client.mode == "custom endpoint"
        assert client.credential.secret_id == DEMO_SECRET_ID
        client.call("DescribeVpcs", {})
        assert client.audit is not None and Path(client.audit.path) == rehearsal
    finally:
        client.session.close()
        client.audit.close()
    assert _rows(rehearsal) >= 1 and _rows(real) == 0


def test_other_keys_log_in_the_real_log_even_to_loopback(logs: tuple[Path, Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Configured (non-demo) keys: the real log, for a custom host and for loopback alike."""
    from vpnkit.session import connect, resolve_audit_path

    real, rehearsal = logs
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDtest0000")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "test-key-0000")
    client = connect(endpoint=CUSTOM, quiet=True,
                     session=_emulator_session("AKIDtest0000", "test-key-0000"))
    try:
        client.call("DescribeVpcs", {})
    finally:
        client.session.close()
        client.audit.close()
    assert _rows(real) >= 1 and _rows(rehearsal) == 0
    assert resolve_audit_path(endpoint="http://127.0.0.1:9") == real


@pytest.mark.parametrize("endpoint", [CUSTOM, "http://127.0.0.1:9", "http://localhost.:9"])
def test_cli_and_connect_choose_the_same_log(logs: tuple[Path, Path], endpoint: str) -> None:
    """The CLI's audit log for --endpoint is the one connect() writes (no keys: demo keys)."""
    from vpnkit.cli._common import audit_log
    from vpnkit.session import resolve_audit_path

    rehearsal = logs[1]
    args = argparse.Namespace(audit=None, region=None, profile=None, endpoint=endpoint)
    with audit_log(args) as log:
        assert Path(log.path) == rehearsal == resolve_audit_path(endpoint=endpoint)
