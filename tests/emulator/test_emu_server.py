"""Server, persistence, rate limit, faults, CLI, in-process adapter and the error catalogue."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from emu_helpers import Signer, code, envelope, tunnel_request, wait_state

import vpnkit.emulator as emulator_pkg
from vpnkit.emulator import (
    DEMO_CREDENTIAL,
    Emulator,
    EmulatorAdapter,
    EmulatorError,
    Faults,
    build_app,
    serve,
)
from vpnkit.emulator.codes import CODES
from vpnkit.emulator.faults import parse_assignment

#: §6 common error codes (all products).
COMMON = {
    "ActionOffline", "AuthFailure.InvalidAuthorization", "AuthFailure.InvalidSecretId",
    "AuthFailure.MFAFailure", "AuthFailure.SecretIdNotFound", "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure", "AuthFailure.TokenFailure",
    "AuthFailure.UnauthorizedOperation", "DryRunOperation", "FailedOperation", "InternalError",
    "InvalidAction", "InvalidParameter", "InvalidParameterValue", "InvalidRequest",
    "IpInBlacklist", "IpNotInWhitelist", "LimitExceeded", "MissingParameter", "NoSuchProduct",
    "NoSuchVersion", "RequestLimitExceeded", "RequestSizeLimitExceeded",
    "ResponseSizeLimitExceeded", "ResourceInUse", "ResourceInsufficient", "ResourceNotFound",
    "ResourceUnavailable", "ServiceUnavailable", "UnauthorizedOperation", "UnknownParameter",
    "UnsupportedOperation", "UnsupportedProtocol", "UnsupportedRegion",
}


def test_every_code_is_in_the_official_catalogue() -> None:
    """Each code the emulator can emit is a §6 common code or in PYSDK's VPC (or, for the Tag
    service's action, Tag) errorcodes.py."""
    from tencentcloud.tag.v20180813 import errorcodes as tag_codes
    from tencentcloud.vpc.v20170312 import errorcodes

    from vpnkit.emulator.codes import ACTION_CODES

    vpc = {v for v in vars(errorcodes).values() if isinstance(v, str)}
    tag = {v for v in vars(tag_codes).values() if isinstance(v, str)}
    assert ACTION_CODES["ModifyResourceTags"] <= tag
    assert COMMON | vpc | ACTION_CODES["ModifyResourceTags"] >= CODES, sorted(
        CODES - COMMON - vpc)
    with pytest.raises(ValueError, match="catalogue"):
        EmulatorError("UnsupportedOperation.VpnConnCidrConflict", "not a real code")


def test_serve_attributes(emu: Emulator) -> None:
    """serve() gives a loopback URL, the demo credential and the live backend/faults."""
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.url)
    assert emu.credential.source == "vpnkit emulator"
    assert emu.credential == DEMO_CREDENTIAL
    assert emu.faults is emu.app.faults
    assert sorted(emulator_pkg.__all__) == emulator_pkg.__all__


def test_refuses_non_loopback() -> None:
    """A non-loopback host is refused unless allow_remote=True."""
    with pytest.raises(ValueError, match="loopback"):
        serve("0.0.0.0")


def test_state_file_survives_restart(tmp_path: Path) -> None:
    """--state: a tunnel created before a restart is still there after it; writes are atomic."""
    path = tmp_path / "state.json"
    with serve(state=path, create_delay=0.05) as emu:
        signer = Signer(emu.url)
        tid = signer.call("CreateVpnConnection", tunnel_request())["VpnConnection"][
            "VpnConnectionId"]
    assert tid in json.loads(path.read_text())["regions"]["ap-guangzhou"]["vpn_connections"]
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp files left
    with serve(state=path, create_delay=0.05) as emu:
        signer = Signer(emu.url)
        wait_state(signer, tid, "AVAILABLE")


def test_rate_limit() -> None:
    """More than N requests/s for one action and SecretId -> RequestLimitExceeded."""
    with serve(rate_limit=5) as emu:
        signer = Signer(emu.url)
        codes = [code(signer.call("DescribeVpcs", {})) for _ in range(8)]
        assert codes[:5] == [None] * 5
        assert "RequestLimitExceeded" in codes[5:]
        assert code(signer.call("DescribeVpnGateways", {})) is None  # another action
        time.sleep(0.3)
        assert code(signer.call("DescribeVpcs", {})) is None  # the bucket refills


def test_fault_delay(emu: Emulator, signer: Signer) -> None:
    """delay: every answer waits the configured time."""
    emu.faults.update(delay=0.2)
    start = time.monotonic()
    assert code(signer.call("DescribeVpcs", {})) is None
    assert time.monotonic() - start >= 0.2


def test_fault_internal_error(emu: Emulator, signer: Signer) -> None:
    """internal_error: InternalError before anything runs (nothing is created)."""
    emu.faults.update(internal_error=1.0, actions="CreateVpnConnection")
    assert code(signer.call("CreateVpnConnection", tunnel_request())) == "InternalError"
    assert signer.call("DescribeVpnConnections", {})["TotalCount"] == 0
    assert emu.faults.injected["internal_error"] == 1


def test_fault_rate_limit_burst(emu: Emulator, signer: Signer) -> None:
    """rate_limit_burst=N: the next N requests answer RequestLimitExceeded."""
    emu.faults.update(rate_limit_burst=2)
    codes = [code(signer.call("DescribeVpcs", {})) for _ in range(3)]
    assert codes == ["RequestLimitExceeded", "RequestLimitExceeded", None]


def test_fault_drop_after_commit(emu: Emulator, signer: Signer) -> None:
    """drop_after_commit: the create is committed, then the connection closes unanswered."""
    emu.faults.update(drop_after_commit=1.0, actions=["CreateVpnConnection"])
    with pytest.raises(requests.ConnectionError):
        signer.post("CreateVpnConnection", tunnel_request())
    found = signer.call("DescribeVpnConnections", {"Filters": [
        {"Name": "vpn-connection-name", "Values": ["hq-tunnel"]}]})
    assert found["TotalCount"] == 1
    assert code(signer.call("DescribeVpcs", {})) is None  # other actions unaffected


def test_fault_internal_error_after_commit(emu: Emulator, signer: Signer) -> None:
    """internal_error_after_commit: InternalError answered, but the tunnel exists."""
    emu.faults.update(internal_error_after_commit=1.0)
    assert code(signer.call("CreateVpnConnection", tunnel_request())) == "InternalError"
    assert signer.call("DescribeVpnConnections", {})["TotalCount"] == 1


def test_fault_seed_is_reproducible(emu: Emulator, signer: Signer) -> None:
    """The same seed gives the same sequence of injected faults."""
    runs = []
    for _ in range(2):
        emu.faults.update(seed=7, internal_error=0.5)
        runs.append([code(signer.call("DescribeVpcs", {})) for _ in range(12)])
    assert runs[0] == runs[1]
    assert set(runs[0]) == {None, "InternalError"}


def test_fault_settings_validation() -> None:
    """Unknown fault names and out-of-range probabilities are refused; CLI form parses."""
    assert parse_assignment("drop_after_commit=0.3") == ("drop_after_commit", 0.3)
    assert parse_assignment("actions=A,B") == ("actions", frozenset({"A", "B"}))
    for bad in ("nope=1", "internal_error=2", "delay"):
        with pytest.raises(ValueError):  # noqa: PT011 - message varies by case
            parse_assignment(bad)
    with pytest.raises(ValueError, match="unknown fault"):
        Faults(typo=1)


def test_adapter_in_process() -> None:
    """EmulatorAdapter runs the app with no socket; drops become ConnectionError."""
    app = build_app(secret_id="AKIDlocal", secret_key="local-key", rate_limit=0)
    signer = Signer("http://emulator.local", "AKIDlocal", "local-key")
    signer.session.mount("http://emulator.local", EmulatorAdapter(app))
    assert signer.call("DescribeVpnGateways", {})["TotalCount"] == 3
    app.faults.update(drop_after_commit=1.0)
    with pytest.raises(requests.ConnectionError):
        signer.post("CreateVpnConnection", tunnel_request())


def test_keep_alive_many_requests(signer: Signer) -> None:
    """One keep-alive connection serves many requests, mixing errors and successes."""
    for i in range(50):
        inner = envelope(signer.post("DescribeVpcs", {"Limit": "x"} if i % 2 else {}))
        assert code(inner) == ("InvalidParameterValue.Malformed" if i % 2 else None)


def test_cli_prints_url_and_exits_cleanly(tmp_path: Path) -> None:
    """python -m vpnkit.emulator prints the URL first, serves, and exits 0 on SIGTERM."""
    with subprocess.Popen(
        [sys.executable, "-m", "vpnkit.emulator", "--create-delay", "0.1",
         "--state", str(tmp_path / "s.json"), "--fault", "delay=0.01"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
            assert Signer(url).call("DescribeVpcs", {})["TotalCount"] == 2
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        finally:
            proc.kill()


def test_malformed_http_gets_400_and_close(emu: Emulator) -> None:
    """Bytes that are not HTTP at all get a bare 400 and a closed connection (no crash)."""
    import socket

    for junk in (b"HELLO\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1.1\r\nbad\r\n\r\n"):
        with socket.create_connection((emu.host, emu.port), timeout=5) as sock:
            sock.sendall(junk)
            assert sock.recv(100).startswith(b"HTTP/1.1 400")
    assert code(Signer(emu.url).call("DescribeVpcs", {})) is None  # still serving


def test_temporary_credentials_token_and_bad_timestamp() -> None:
    """A wrong X-TC-Token is TokenFailure; a non-numeric X-TC-Timestamp is InvalidParameterValue."""
    app = build_app(secret_id="AKIDtmp", secret_key="tmp-key", token="tok-1", rate_limit=0)
    signer = Signer("http://emulator.local", "AKIDtmp", "tmp-key")
    signer.session.mount("http://emulator.local", EmulatorAdapter(app))
    assert code(signer.call("DescribeVpcs", {}, extra={"X-TC-Token": "tok-1"})) is None
    assert code(signer.call("DescribeVpcs", {}, extra={"X-TC-Token": "tok-2"})) == \
        "AuthFailure.TokenFailure"
    headers = signer.tc3_headers("DescribeVpcs", b"{}", extra={"X-TC-Token": "tok-1"})
    headers["X-TC-Timestamp"] = "soon"
    resp = signer.session.post("http://emulator.local/", data=b"{}", headers=headers)
    assert code(envelope(resp)) == "InvalidParameterValue"


def test_idle_connections_do_not_starve_the_server() -> None:
    """1,000 idle sockets (a bounded loop) leave the server serving a real client request."""
    import socket as socket_mod

    from vpnkit import VpcClient

    with serve(max_connections=64, idle_timeout=30) as emu:
        idle: list[socket_mod.socket] = []
        try:
            for _ in range(1000):
                idle.append(socket_mod.create_connection((emu.host, emu.port), timeout=5))
            client = VpcClient("ap-guangzhou", endpoint=emu.url, credential=emu.credential,
                               timeout=10)
            assert client.describe_vpn_gateways()[0]["VpnGatewayId"].startswith("vpngw-")
            assert emu._server.connections <= 64
            assert emu._server.evicted >= 1000 - 64
            client.session.close()
        finally:
            for s in idle:
                s.close()


def test_idle_timeout_closes_a_silent_connection() -> None:
    """A connection that sends nothing is closed after idle_timeout seconds."""
    import socket as socket_mod

    with serve(idle_timeout=0.3) as emu, \
            socket_mod.create_connection((emu.host, emu.port), timeout=5) as s:
        assert s.recv(1) == b""  # the server closed it (the recv would time out otherwise)


def test_serve_passes_the_emulator_settings() -> None:
    """serve() hands the tunnel quota and connection bounds to the backend and server."""
    with serve(tunnels_per_gateway=3, max_connections=7, idle_timeout=2.5) as emu:
        assert emu.backend.tunnels_per_gateway == 3
        assert (emu._server.max_connections, emu._server.idle_timeout) == (7, 2.5)
