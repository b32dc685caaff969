"""VpcClient.modify_resource_tags: the Tag service (2018-08-13) signed and routed as its own
product, the official SDK's tag models and client as oracles, and an unknown outcome that is
read back (the tunnel's TagSet) instead of blindly re-sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.conftest import CGW, GATEWAY, REGION, VPC
from tests.test_client import Recorder, recording_client
from vpnkit import (
    AuditLog,
    Credential,
    OutcomeUnknownError,
    SpecError,
    VpcClient,
    VpnConnection,
    VpnConnectionSpec,
)
from vpnkit.emulator import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator
from vpnkit.tags import TagDiff, issues, resource_name, tag_diff, to_wire

ACTION = "ModifyResourceTags"


def ready(client: VpcClient, name: str = "tags-1") -> VpnConnection:
    """A fresh AVAILABLE tunnel tagged env=dev, team=net."""
    conn = client.create_vpn_connection(VpnConnectionSpec(
        GATEWAY, CGW, name, "tags-test-psk-1", vpc_id=VPC,
        security_policy_databases={"10.0.1.0/24": ["192.0.2.0/24"]},
        tags={"env": "dev", "team": "net"}))
    return client.wait_vpn_connection(conn.vpn_connection_id, interval=0.05, timeout=10)


def live_tags(client: VpcClient, tid: str) -> dict[str, str]:
    """The tunnel's tags as DescribeVpnConnections shows them."""
    return {t.key: t.value for t in client.describe_vpn_connections([tid])[0].tags}


class Capture(Recorder):
    """A Recorder that also keeps the prepared requests."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:
        self.requests.append(request)
        return super().send(request, **kw)


def test_modify_resource_tags_changes_the_tunnel(client: VpcClient) -> None:
    """Replace and delete land on the tunnel's TagSet; the answer is ok with a RequestId."""
    conn = ready(client)
    result = client.modify_resource_tags(resource_name(REGION, conn.vpn_connection_id),
                                         replace={"env": "prod", "city": "shanghai"},
                                         delete=["team"])
    assert result.outcome == "ok" and result.request_id
    assert live_tags(client, conn.vpn_connection_id) == {"env": "prod", "city": "shanghai"}


def test_request_is_signed_for_the_tag_service(client: VpcClient, emu: Emulator) -> None:
    """The Tag call carries version 2018-08-13 and a tag/tc3_request scope."""
    conn = ready(client)
    adapter = Capture()
    c = recording_client(emu, adapter)
    c.modify_resource_tags(resource_name(REGION, conn.vpn_connection_id), delete=["env"])
    [req] = [r for r in adapter.requests if r.headers["X-TC-Action"] == ACTION]
    assert req.headers["X-TC-Version"] == "2018-08-13"
    assert "/tag/tc3_request" in req.headers["Authorization"]
    assert json.loads(req.body or b"{}") == {
        "Resource": f"qcs::vpc:{REGION}:uin/:vpnx/{conn.vpn_connection_id}",
        "DeleteTags": [{"TagKey": "env"}]}


def test_body_matches_the_official_models() -> None:
    """The official SDK's ModifyResourceTagsRequest reads our body back unchanged."""
    models = pytest.importorskip("tencentcloud.tag.v20180813.models")
    body = to_wire(resource_name(REGION, "vpnx-abcdefgh"), {"env": "prod"}, ["team"])
    req = models.ModifyResourceTagsRequest()
    req.from_json_string(json.dumps(body))  # an unknown field would warn (an error here)
    echoed = json.loads(req.to_json_string())
    for tag in echoed["ReplaceTags"]:
        assert tag.pop("Category", None) is None  # an output field newer SDKs write
    assert echoed == body
    assert req.ReplaceTags[0].TagKey == "env" and req.DeleteTags[0].TagKey == "team"


def test_official_tag_client_against_the_emulator(client: VpcClient, emu: Emulator) -> None:
    """The official SDK's TagClient, signing for "tag", is served by the same loopback server."""
    pytest.importorskip("tencentcloud.tag.v20180813.tag_client")
    from tencentcloud.common.credential import Credential as SdkCredential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.tag.v20180813 import models, tag_client

    conn = ready(client)
    http = HttpProfile(endpoint=f"{emu.host}:{emu.port}", protocol="http")
    sdk = tag_client.TagClient(SdkCredential(DEMO_SECRET_ID, DEMO_SECRET_KEY), REGION,
                               ClientProfile(httpProfile=http))
    req = models.ModifyResourceTagsRequest()
    req.from_json_string(json.dumps(to_wire(resource_name(REGION, conn.vpn_connection_id),
                                            {"owner": "noc"}, None)))
    assert sdk.ModifyResourceTags(req).RequestId
    assert live_tags(client, conn.vpn_connection_id)["owner"] == "noc"


def test_invalid_change_sends_nothing(emu: Emulator) -> None:
    """A reserved key, an illegal character or an empty change is a SpecError; nothing sent."""
    adapter = Recorder()
    c = recording_client(emu, adapter)
    name = resource_name(REGION, "vpnx-abcdefgh")
    for kw, code in (({"replace": {"tencent-team": "x"}}, "InvalidParameter.ReservedTagKey"),
                     ({"replace": {"a#b": "x"}}, "InvalidParameterValue.TagKeyCharacterIllegal"),
                     ({"replace": {"k": "x"}, "delete": ["k"]},
                      "InvalidParameterValue.DeleteTagsParamError"),
                     ({}, "MissingParameter")):
        with pytest.raises(SpecError) as info:
            c.modify_resource_tags(name, **kw)
        assert info.value.issues[0].code == code
    assert adapter.sent == []


def test_lost_answer_is_reconciled_not_resent(client: VpcClient, emu: Emulator) -> None:
    """The answer is lost after the tags landed: the read shows them; sent once."""
    conn = ready(client)
    adapter = Recorder(lose_answers=1, action=ACTION)
    c = recording_client(emu, adapter)
    result = c.modify_resource_tags(resource_name(REGION, conn.vpn_connection_id),
                                    replace={"env": "prod"})
    assert result.outcome == "reconciled"
    assert adapter.sent.count(ACTION) == 1
    assert live_tags(client, conn.vpn_connection_id)["env"] == "prod"


def test_not_applied_is_sent_once_more_then_unknown(client: VpcClient, emu: Emulator) -> None:
    """InternalError before the change: the read shows it missing, so one more send, no third."""
    conn = ready(client)
    emu.faults.update(internal_error=1.0, actions=ACTION)
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(OutcomeUnknownError, match="sent twice"):
        c.modify_resource_tags(resource_name(REGION, conn.vpn_connection_id),
                               replace={"env": "prod"})
    assert adapter.sent.count(ACTION) == 2


def test_failed_read_back_is_not_resent(client: VpcClient, emu: Emulator) -> None:
    """If reading the tunnel back fails too: OutcomeUnknownError after one send."""
    conn = ready(client)
    emu.faults.update(internal_error=1.0, actions=f"{ACTION},DescribeVpnConnections")
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(OutcomeUnknownError, match="reading"):
        c.modify_resource_tags(resource_name(REGION, conn.vpn_connection_id),
                               replace={"env": "prod"})
    assert adapter.sent.count(ACTION) == 1


def test_unknown_outcome_on_another_resource_is_not_resent(emu: Emulator) -> None:
    """A resource that is not a tunnel cannot be read back: unknown after one send."""
    emu.faults.update(internal_error=1.0, actions=ACTION)
    adapter = Recorder()
    c = recording_client(emu, adapter)
    with pytest.raises(OutcomeUnknownError, match="not a tunnel"):
        c.modify_resource_tags("qcs::cvm:ap-guangzhou:uin/:instance/ins-123",
                               replace={"env": "prod"})
    assert adapter.sent.count(ACTION) == 1


def test_audit_rows_name_the_tag_call(emu: Emulator, tmp_path: Any) -> None:
    """The Tag call leaves an ok outcome row naming the tunnel and its endpoint."""
    audit = AuditLog(tmp_path / "audit.db")
    c = VpcClient(REGION, endpoint=emu.url, credential=emu.credential, audit=audit)
    conn = ready(c)
    c.set_vpn_connection_tags(conn.vpn_connection_id, TagDiff((("env", "prod"),), ("team",)))
    frame = audit.frame()
    rows = frame[frame["action"] == ACTION]
    assert len(rows) == 1
    assert rows.iloc[0]["outcome"] == "ok"
    assert rows.iloc[0]["resource_id"] == conn.vpn_connection_id
    assert rows.iloc[0]["endpoint"] == emu.url
    audit.close()


def test_more_than_ten_tags_go_in_batches(client: VpcClient) -> None:
    """A change of 23 tags is sent as three requests of at most 10."""
    conn = ready(client)
    change = tag_diff([(f"k{i}", "v") for i in range(23)], [("env", "dev"), ("team", "net")])
    results = client.set_vpn_connection_tags(conn.vpn_connection_id, change)
    assert len(results) == 3
    assert live_tags(client, conn.vpn_connection_id) == {f"k{i}": "v" for i in range(23)}


CREDENTIAL = Credential("AKIDexample", "example-secret-key", source="test")


@pytest.mark.parametrize(("kw", "expected"), [
    ({"region": "ap-guangzhou"}, "https://tag.tencentcloudapi.com"),
    ({"region": "ap-guangzhou", "pin_region": True}, "https://tag.ap-guangzhou.tencentcloudapi.com"),
    ({"region": "ap-shanghai-fsi"}, "https://tag.ap-shanghai-fsi.tencentcloudapi.com"),
    ({"region": "ap-shanghai-fsi", "endpoint": "vpc.ap-shanghai-fsi.tencentcloudapi.com"},
     "https://tag.ap-shanghai-fsi.tencentcloudapi.com"),
    ({"region": "ap-guangzhou", "endpoint": "http://127.0.0.1:8080"}, "http://127.0.0.1:8080"),
])
def test_tag_endpoints(kw: dict[str, Any], expected: str) -> None:
    """The Tag host follows the region rules of ref §5 (Finance on its own domain)."""
    c = VpcClient(credential=CREDENTIAL, **kw)
    assert c.tag_service().endpoint == expected
    assert c.endpoint != expected or "127.0.0.1" in expected


def test_tag_client_for_another_region() -> None:
    """A Tag-service client moved to a Finance region uses that region's tag host."""
    tag = VpcClient("ap-guangzhou", credential=CREDENTIAL).tag_service()
    assert tag.for_region("ap-beijing-fsi").endpoint == \
        "https://tag.ap-beijing-fsi.tencentcloudapi.com"
    assert "service='tag'" in repr(tag) and "example-secret-key" not in repr(tag)


def test_issue_paths_name_the_bad_value() -> None:
    """Each issue names the field and the value: a long key, a space-padded value."""
    found = issues({"k" * 128: "v", "ok": " padded"}, None)
    assert [i.path for i in found] == ["replace[0].key", "replace[1].value"]
    assert "128 characters" in found[0].message and "' padded'" in found[1].message
