"""VpcClient against the emulator over loopback HTTP: calls, errors, retries, no duplicates."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import requests

from tests.conftest import CGW, GATEWAY, REGION, VPC
from vpnkit import (
    ApiError,
    Credential,
    OutcomeUnknownError,
    SignatureExpireError,
    SpecError,
    TransportError,
    VpcClient,
    VpnConnectionSpec,
    WaitTimeout,
)
from vpnkit.emulator import Emulator


def spec(name: str = "branch-1", **kw: Any) -> VpnConnectionSpec:
    kw.setdefault("security_policy_databases", {"10.0.1.0/24": ["192.168.10.0/24"]})
    return VpnConnectionSpec(GATEWAY, CGW, name, "test-psk-123456", vpc_id=VPC, **kw)


def tunnels_named(emu: Emulator, name: str) -> int:
    """How many tunnels the emulator holds with this name (all regions)."""
    return sum(1 for t in emu.backend.dump()["regions"][REGION]["vpn_connections"].values()
               if t["VpnConnectionName"] == name)


class Recorder(requests.adapters.HTTPAdapter):
    """A real HTTP adapter that counts what it sends (and can drop the first N answers)."""

    def __init__(self, lose_answers: int = 0, action: str = "CreateVpnConnection") -> None:
        super().__init__()
        self.sent: list[str] = []
        self.lose = lose_answers
        self.action = action

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:
        self.sent.append(request.headers["X-TC-Action"])
        response = super().send(request, **kw)
        if self.lose > 0 and request.headers["X-TC-Action"] == self.action:
            self.lose -= 1
            raise requests.ConnectionError("answer lost on the way back (test)")
        return response


def recording_client(emu: Emulator, adapter: Recorder, **kw: Any) -> VpcClient:
    session = requests.Session()
    session.mount("http://", adapter)
    return VpcClient(REGION, endpoint=emu.url, credential=emu.credential, session=session, **kw)


def test_create_wait_describe_delete(client: VpcClient) -> None:
    """A tunnel is created PENDING, reaches AVAILABLE, is described, then deleted and gone."""
    conn = client.create_vpn_connection(spec())
    assert conn.vpn_connection_id.startswith("vpnx-")
    assert conn.state == "PENDING"
    ready = client.wait_vpn_connection(conn.vpn_connection_id, interval=0.05, timeout=10)
    assert ready.state == "AVAILABLE"
    [found] = client.describe_vpn_connections(filters={"vpn-gateway-id": GATEWAY})
    assert found.security_policy_databases[0].remote_cidr_blocks == ("192.168.10.0/24",)
    client.delete_vpn_connection(conn.vpn_connection_id)
    gone = client.wait_vpn_connection(conn.vpn_connection_id, "DELETED", interval=0.05,
                                      timeout=10)
    assert gone.state == "DELETED"


def test_call_returns_response_contents(client: VpcClient) -> None:
    """call() returns the inside of Response, RequestId included."""
    out = client.call("DescribeVpcs", {"VpcIds": [VPC]})
    assert out["VpcSet"][0]["CidrBlock"] == "10.0.0.0/16"
    assert out["RequestId"]


def test_pagination_collects_every_page(client: VpcClient) -> None:
    """describe_* walks Offset/Limit until TotalCount, here with 3 pages of tunnels."""
    import vpnkit.client as client_mod

    for i in range(7):
        client.create_vpn_connection(spec(f"t{i}", security_policy_databases={
            f"10.0.{i + 10}.0/24": [f"192.168.{i + 10}.0/24"]}))
    old = client_mod.PAGE
    client_mod.PAGE = 3
    try:
        assert len(client.describe_vpn_connections()) == 7
    finally:
        client_mod.PAGE = old


def test_api_error_carries_code_request_id_action(client: VpcClient) -> None:
    """A rule the API enforces comes back as ApiError with code, RequestId and action."""
    client.create_vpn_connection(spec())
    with pytest.raises(ApiError) as info:
        client.create_vpn_connection(spec())  # same name on the same gateway
    exc = info.value
    assert exc.action == "CreateVpnConnection"
    assert exc.code == "InvalidParameterValue.Duplicate"
    assert exc.request_id
    assert str(exc).startswith("CreateVpnConnection failed (InvalidParameterValue.Duplicate)")


def test_invalid_spec_sends_nothing(emu: Emulator) -> None:
    """An invalid spec raises SpecError and not a single request leaves the client."""
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(SpecError):
        c.create_vpn_connection(spec(security_policy_databases={"10.0.1.5/24": ["x"]}))
    assert adapter.sent == []


def test_wrong_key_is_signature_failure(emu: Emulator) -> None:
    """A wrong SecretKey is AuthFailure.SignatureFailure from the server's own check."""
    c = VpcClient(REGION, endpoint=emu.url,
                  credential=Credential(emu.credential.secret_id, "wrong-key-0000"))
    with pytest.raises(ApiError) as info:
        c.describe_vpcs()
    assert info.value.code == "AuthFailure.SignatureFailure"


def test_clock_skew_is_measured(emu: Emulator) -> None:
    """A clock 10 minutes slow gets SignatureExpire with the skew measured from Date."""
    c = VpcClient(REGION, endpoint=emu.url, credential=emu.credential,
                  clock=lambda: time.time() - 600)
    with pytest.raises(SignatureExpireError) as info:
        c.describe_vpcs()
    assert info.value.skew_seconds is not None
    assert -605 < info.value.skew_seconds < -595
    assert "600 s behind" in str(info.value) or "599 s behind" in str(info.value) or \
        "601 s behind" in str(info.value)


def test_lost_create_answer_is_reconciled_not_resent(emu: Emulator) -> None:
    """When the create's answer is lost, the client finds the tunnel instead of re-creating."""
    adapter = Recorder(lose_answers=1)
    c = recording_client(emu, adapter)
    conn = c.create_vpn_connection(spec("lost-answer"))
    assert conn.vpn_connection_name == "lost-answer"
    assert adapter.sent.count("CreateVpnConnection") == 1
    assert tunnels_named(emu, "lost-answer") == 1


def test_drop_after_commit_fault_never_duplicates(emu: Emulator) -> None:
    """With every create dropped after commit, each tunnel still exists exactly once."""
    emu.faults.update(drop_after_commit=1.0, actions="CreateVpnConnection")
    c = VpcClient(REGION, endpoint=emu.url, credential=emu.credential, timeout=5)
    for i in range(3):
        conn = c.create_vpn_connection(spec(f"dropped-{i}", security_policy_databases={
            f"10.0.{i + 20}.0/24": [f"192.168.{i + 20}.0/24"]}))
        assert conn.vpn_connection_id
    for i in range(3):
        assert tunnels_named(emu, f"dropped-{i}") == 1


def test_internal_error_after_commit_is_reconciled(emu: Emulator) -> None:
    """An InternalError after the create committed is reconciled by lookup, not re-sent."""
    emu.faults.update(internal_error_after_commit=1.0, actions="CreateVpnConnection")
    c = VpcClient(REGION, endpoint=emu.url, credential=emu.credential)
    c.create_vpn_connection(spec("ie"))
    assert tunnels_named(emu, "ie") == 1


def test_unreachable_create_is_outcome_unknown() -> None:
    """With nothing listening, a create ends in OutcomeUnknownError naming the tunnel."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = VpcClient(REGION, endpoint=f"http://127.0.0.1:{port}",
                  credential=Credential("AKIDx", "some-key-1"), timeout=1, max_attempts=2)
    with pytest.raises(OutcomeUnknownError, match="branch-1"):
        c.create_vpn_connection(spec())
    with pytest.raises(TransportError):
        c.describe_vpcs()


def test_rate_limit_bursts_are_absorbed(emu: Emulator) -> None:
    """A burst of RequestLimitExceeded answers is retried away, for creates too."""
    emu.faults.update(rate_limit_burst=3)
    c = VpcClient(REGION, endpoint=emu.url, credential=emu.credential)
    conn = c.create_vpn_connection(spec("after-burst"))
    assert conn.vpn_connection_id
    assert emu.faults.injected["rate_limit_burst"] == 3
    assert tunnels_named(emu, "after-burst") == 1


def test_transport_errors_retried_for_reads(emu: Emulator) -> None:
    """A Describe whose answers are lost twice is retried and succeeds on the third send."""
    adapter = Recorder(lose_answers=2, action="DescribeVpnGateways")
    c = recording_client(emu, adapter)
    assert c.describe_vpn_gateways([GATEWAY])[0]["VpnGatewayId"] == GATEWAY
    assert adapter.sent.count("DescribeVpnGateways") == 3


def test_transport_errors_not_retried_for_writes(client: VpcClient, emu: Emulator) -> None:
    """A Delete whose answer is lost is sent once and reported, not blindly repeated."""
    conn = client.create_vpn_connection(spec())
    client.wait_vpn_connection(conn.vpn_connection_id, interval=0.05, timeout=10)
    adapter = Recorder(lose_answers=1, action="DeleteVpnConnection")
    c = recording_client(emu, adapter)
    with pytest.raises(TransportError):
        c.delete_vpn_connection(conn.vpn_connection_id, GATEWAY)
    assert adapter.sent.count("DeleteVpnConnection") == 1


def test_wait_times_out_with_last_state(client: VpcClient, emu: Emulator) -> None:
    """A waiter that runs out of time says which state it last saw."""
    conn = client.create_vpn_connection(spec())
    with pytest.raises(WaitTimeout) as info:
        client.wait_vpn_connection(conn.vpn_connection_id, "DELETING", timeout=0.2,
                                   interval=0.05)
    assert info.value.last in ("PENDING", "AVAILABLE")


def test_client_side_rate_limiter_holds_the_pace() -> None:
    """The token bucket lets no more than rate + burst acquisitions through in a second."""
    from vpnkit.ratelimit import RateLimiter

    limiter = RateLimiter(50, burst=5)
    count = 0
    stop = time.monotonic() + 0.5
    lock = threading.Lock()

    def worker() -> None:
        nonlocal count
        while time.monotonic() < stop:
            limiter.take("X")
            with lock:
                count += 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count <= 50 * 0.5 + limiter.burst + 4


def test_repr_shows_source_not_secret(client: VpcClient) -> None:
    """The client's repr names region, endpoint and key source, never the SecretKey."""
    text = repr(client)
    assert "vpnkit emulator" in text
    assert client.credential.secret_key not in text


def test_random_invalid_specs_send_nothing(emu: Emulator) -> None:
    """For 200 random invalid specs, create raises SpecError and not one request is sent."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    adapter = Recorder()
    c = recording_client(emu, adapter)
    bad_cidr = st.sampled_from(["10.0.0.1/16", "300.0.0.0/8", "", "10.0.0.0", "::/0", "x"])
    junk = st.none() | st.integers() | st.text(max_size=70) | bad_cidr

    @settings(max_examples=200, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(name=junk, gateway=junk, spd=st.dictionaries(bad_cidr, st.lists(bad_cidr, max_size=2),
                                                        min_size=1, max_size=3))
    def check(name: Any, gateway: Any, spd: dict[str, list[str]]) -> None:
        s = VpnConnectionSpec(gateway, CGW, name, "psk-123456", security_policy_databases=spd)
        with pytest.raises(SpecError) as info:
            c.create_vpn_connection(s)
        assert all(i.path for i in info.value.issues)

    check()
    assert adapter.sent == []


def test_for_region_shares_keys_session_and_audit(emu: Emulator) -> None:
    """A client for another region reuses keys, session and audit log, and sees that region."""
    from vpnkit.audit import AuditLog

    with AuditLog(":memory:") as log:
        gz = VpcClient(REGION, endpoint=emu.url, credential=emu.credential, audit=log)
        sh = gz.for_region("ap-shanghai")
        assert (sh.session, sh.audit, sh.credential) == (gz.session, gz.audit, gz.credential)
        assert [v["VpcId"] for v in sh.describe_vpcs()] == ["vpc-demo0101"]
        assert [v["VpcId"] for v in gz.describe_vpcs()] == ["vpc-demo0001", "vpc-demo0002"]
        assert [r["region"] for r in log.rows()] == ["ap-shanghai", "ap-guangzhou"]
    real = VpcClient("ap-shanghai", credential=emu.credential)
    assert real.for_region("ap-shanghai-fsi").endpoint == \
        "https://vpc.ap-shanghai-fsi.tencentcloudapi.com"


def test_temporary_credentials_send_the_token() -> None:
    """With a token, X-TC-Token is sent; a wrong token is AuthFailure.TokenFailure."""
    from vpnkit.emulator import serve

    with serve(create_delay=0.05, token="session-token-0001") as sts:
        good = VpcClient(REGION, endpoint=sts.url, credential=sts.credential)
        assert good.describe_vpcs()
        cred = sts.credential
        bad = VpcClient(REGION, endpoint=sts.url,
                        credential=Credential(cred.secret_id, cred.secret_key, "other-token"))
        with pytest.raises(ApiError) as info:
            bad.describe_vpcs()
        assert info.value.code == "AuthFailure.TokenFailure"
