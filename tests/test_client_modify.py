"""VpcClient.modify_vpn_connection against the emulator: partial changes, state rules, and
an unknown outcome that is read back and compared instead of blindly re-sent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CGW, GATEWAY, REGION, VPC
from tests.test_agreement import assert_same_verdict
from tests.test_client import Recorder, recording_client
from vpnkit import (
    ApiError,
    AuditLog,
    IkeOptions,
    IpsecOptions,
    OutcomeUnknownError,
    SpecError,
    VpcClient,
    VpnConnection,
    VpnConnectionSpec,
)
from vpnkit.emulator import Emulator
from vpnkit.modify import unapplied
from vpnkit.wire import modify_to_wire

PSK = "modify-test-psk-1"
ACTION = "ModifyVpnConnectionAttribute"


def ready(client: VpcClient, name: str = "mod-1", **kw: Any) -> VpnConnection:
    """A fresh AVAILABLE tunnel on the demo gateway."""
    kw.setdefault("security_policy_databases", {"10.0.1.0/24": ["192.168.10.0/24"]})
    conn = client.create_vpn_connection(VpnConnectionSpec(GATEWAY, CGW, name, PSK, vpc_id=VPC,
                                                          **kw))
    return client.wait_vpn_connection(conn.vpn_connection_id, interval=0.05, timeout=10)


def stored(emu: Emulator, tid: str) -> dict[str, Any]:
    """The emulator's record of one tunnel."""
    return emu.backend.dump()["regions"][REGION]["vpn_connections"][tid]  # type: ignore[no-any-return]


def test_modify_changes_only_the_given_fields(client: VpcClient, emu: Emulator) -> None:
    """Name, SPD and one IKE option change; the other IKE options stay as they were."""
    conn = ready(client)
    before = stored(emu, conn.vpn_connection_id)["IKEOptionsSpecification"]
    result = client.modify_vpn_connection(
        conn.vpn_connection_id, vpn_connection_name="mod-renamed",
        security_policy_databases={"10.0.1.0/24": ["192.168.10.0/24", "192.168.11.0/24"]},
        ike_options=IkeOptions(dh_group="GROUP14"))
    assert result.outcome == "ok" and result.request_id
    [after] = client.describe_vpn_connections([conn.vpn_connection_id])
    assert after.vpn_connection_name == "mod-renamed"
    assert after.security_policy_databases[0].remote_cidr_blocks == (
        "192.168.10.0/24", "192.168.11.0/24")
    assert after.ike_options is not None and after.ike_options.dh_group == "GROUP14"
    assert after.ike_options.encryption_algorithm == before["PropoEncryAlgorithm"]
    assert unapplied(after, {"vpn_connection_name": "mod-renamed"}) == []


def test_modify_wire_sends_only_changes() -> None:
    """The Modify body carries the id and the changed fields only, with Tencent names."""
    body = modify_to_wire("vpnx-abcdefgh", {"dpd_timeout": 40, "ipsec_options": IpsecOptions(
        pfs_dh_group="DH-GROUP14")})
    assert body == {"VpnConnectionId": "vpnx-abcdefgh",
                    "IPSECOptionsSpecification": {"PfsDhGroup": "DH-GROUP14"},
                    "DpdTimeout": "40"}


def test_invalid_change_sends_nothing(emu: Emulator) -> None:
    """A bad value in a changed field is a SpecError naming it; no request goes out."""
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(SpecError, match="dpd_action"):
        c.modify_vpn_connection("vpnx-abcdefgh", dpd_action="explode")
    with pytest.raises(SpecError, match="route_type"):
        c.modify_vpn_connection("vpnx-abcdefgh", route_type="Bgp")
    assert adapter.sent == []


def test_modify_while_pending_is_refused(client: VpcClient, emu: Emulator) -> None:
    """A PENDING tunnel cannot change: UnsupportedOperation.VpnConnInvalidState (§3.6)."""
    emu.backend.create_delay = 30
    conn = client.create_vpn_connection(VpnConnectionSpec(
        GATEWAY, CGW, "pending", PSK, vpc_id=VPC,
        security_policy_databases={"10.0.1.0/24": ["192.168.10.0/24"]}))
    with pytest.raises(ApiError) as info:
        client.modify_vpn_connection(conn.vpn_connection_id, vpn_connection_name="x")
    assert info.value.code == "UnsupportedOperation.VpnConnInvalidState"


def test_lost_modify_answer_is_reconciled_not_resent(client: VpcClient, emu: Emulator) -> None:
    """The answer is lost after the change landed: a read shows it applied; sent once."""
    conn = ready(client)
    adapter = Recorder(lose_answers=1, action=ACTION)
    c = recording_client(emu, adapter)
    result = c.modify_vpn_connection(conn.vpn_connection_id, dpd_enable=1, dpd_timeout=60)
    assert result.outcome == "reconciled"
    assert adapter.sent.count(ACTION) == 1
    assert stored(emu, conn.vpn_connection_id)["DpdTimeout"] == "60"


def test_modify_not_applied_is_sent_once_more(client: VpcClient, emu: Emulator) -> None:
    """InternalError before the change ran: the read shows it missing, so it is re-sent once."""
    conn = ready(client)
    emu.faults.update(internal_error=1.0, actions=ACTION)
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(OutcomeUnknownError, match="sent twice"):
        c.modify_vpn_connection(conn.vpn_connection_id, vpn_connection_name="never")
    assert adapter.sent.count(ACTION) == 2
    emu.faults.clear()
    result = c.modify_vpn_connection(conn.vpn_connection_id, vpn_connection_name="now")
    assert result.outcome == "ok"


def test_failed_read_after_unknown_is_not_resent(client: VpcClient, emu: Emulator) -> None:
    """If the read-back fails too, the client stops with OutcomeUnknownError; one send."""
    conn = ready(client)
    emu.faults.update(internal_error=1.0, actions=f"{ACTION},DescribeVpnConnections")
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(OutcomeUnknownError, match="reading"):
        c.modify_vpn_connection(conn.vpn_connection_id, vpn_connection_name="unknown")
    assert adapter.sent.count(ACTION) == 1


def test_modify_audit_rows_hide_the_new_key(emu: Emulator, tmp_path: Any) -> None:
    """A key rotation leaves intent and outcome rows, and the new key in neither."""
    audit = AuditLog(tmp_path / "audit.db")
    c = VpcClient(REGION, endpoint=emu.url, credential=emu.credential, audit=audit)
    conn = ready(c)
    new_key = "rotated-key-0987654321"
    c.modify_vpn_connection(conn.vpn_connection_id, pre_share_key=new_key)
    assert stored(emu, conn.vpn_connection_id)["PreShareKey"] == new_key
    frame = audit.frame()
    rows = frame[frame["action"] == ACTION]
    assert len(rows) == 1 and rows.iloc[0]["outcome"] == "ok"
    dump = "\n".join(str(v) for v in frame.astype(str).to_numpy().ravel())
    raw = (tmp_path / "audit.db").read_bytes()
    assert new_key not in dump and new_key.encode() not in raw
    audit.close()


def test_customer_gateway_change_needs_a_4_0_gateway(emu: Emulator) -> None:
    """With the gateway version known, a customer-gateway change on 2.0 is refused locally."""
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(SpecError, match="customer_gateway_id"):
        c.modify_vpn_connection("vpnx-abcdefgh", customer_gateway_id="cgw-demo0002",
                                gateway_version="2.0")
    assert adapter.sent == []


MODIFY_CASES: dict[str, dict[str, Any]] = {
    "valid rename": {"vpn_connection_name": "agree-renamed"},
    "name too long": {"vpn_connection_name": "x" * 61},
    "dpd timeout range": {"dpd_enable": 1, "dpd_timeout": 61},
    "dh group": {"ike_options": IkeOptions(dh_group="GROUP3")},
    "remote inside VPC": {"security_policy_databases": {"10.0.1.0/24": ["10.0.2.0/24"]}},
    "one IDC range from two VPC ranges (accepted)": {"security_policy_databases": {
        "10.0.1.0/24": ["192.168.2.0/24"], "10.0.2.0/24": ["192.168.2.0/24"]}},
    "probe ip inside VPC": {"enable_health_check": True, "health_check_local_ip": "10.0.0.9"},
    "customer gateway on a 2.0 gateway": {"customer_gateway_id": "cgw-demo0002"},
}


@pytest.mark.parametrize("case", list(MODIFY_CASES))
def test_modify_client_and_emulator_agree(case: str, client: VpcClient) -> None:
    """Local change checks and the emulator's Modify agree; the emulator answers Modify's own
    code (the listed parent of a create-only code, emulator/codes.py)."""
    from vpnkit.emulator.codes import for_action
    from vpnkit.modify import change_errors, normalize

    conn = ready(client, name=f"agree-{abs(hash(case)) % 10_000}")
    changes = normalize(MODIFY_CASES[case])
    local = {for_action(ACTION, i.code) for i in change_errors(
        changes, conn, vpc_cidr="10.0.0.0/16", gateway_version="2.0")}
    assert_same_verdict(client, ACTION, modify_to_wire(conn.vpn_connection_id, changes), local)
