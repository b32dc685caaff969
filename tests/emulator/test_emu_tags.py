"""The emulated Tag service (2018-08-13): ModifyResourceTags on tunnels, routed by the
signed service, with the documented rules and codes; DescribeVpnConnections shows the result."""

from __future__ import annotations

from typing import Any

import pytest
from emu_helpers import Signer, code, tunnel_request, wait_state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpnkit.emulator import Emulator

TAG_VERSION = "2018-08-13"
REGION = "ap-guangzhou"


def tag_call(signer: Signer, params: Any, *, action: str = "ModifyResourceTags",
             **kw: Any) -> dict[str, Any]:
    """A ModifyResourceTags request signed for the Tag service."""
    kw.setdefault("version", TAG_VERSION)
    kw.setdefault("service", "tag")
    return signer.call(action, params, **kw)


def resource(tid: str, region: str = REGION) -> str:
    """The six-segment name of a tunnel (TF BuildTagResourceName("vpc","vpnx",...))."""
    return f"qcs::vpc:{region}:uin/:vpnx/{tid}"


@pytest.fixture
def tunnel(signer: Signer) -> str:
    """An AVAILABLE tunnel tagged env=dev, team=net."""
    inner = signer.call("CreateVpnConnection", tunnel_request(
        Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "net"}]))
    tid = str(inner["VpnConnection"]["VpnConnectionId"])
    wait_state(signer, tid, "AVAILABLE")
    return tid


def tag_set(signer: Signer, tid: str) -> dict[str, str]:
    """The tunnel's TagSet as DescribeVpnConnections shows it."""
    found = signer.call("DescribeVpnConnections", {"VpnConnectionIds": [tid]})
    return {t["Key"]: t["Value"] for t in found["VpnConnectionSet"][0]["TagSet"]}


def test_replace_and_delete_change_the_tag_set(signer: Signer, tunnel: str) -> None:
    """ReplaceTags re-values and adds keys, DeleteTags unbinds; DescribeVpnConnections shows it."""
    inner = tag_call(signer, {"Resource": resource(tunnel),
                              "ReplaceTags": [{"TagKey": "env", "TagValue": "prod"},
                                              {"TagKey": "city", "TagValue": "上海"}],
                              "DeleteTags": [{"TagKey": "team"}]})
    assert code(inner) is None and set(inner) == {"RequestId"}
    assert tag_set(signer, tunnel) == {"env": "prod", "city": "上海"}


def test_region_is_optional_and_a_uin_is_accepted(signer: Signer, tunnel: str) -> None:
    """The Tag service needs no X-TC-Region; the resource may name the account's uin."""
    name = f"qcs::vpc:{REGION}:uin/1234567:vpnx/{tunnel}"
    inner = tag_call(signer, {"Resource": name, "DeleteTags": [{"TagKey": "env"}]},
                     region=None)
    assert code(inner) is None
    assert tag_set(signer, tunnel) == {"team": "net"}


@pytest.mark.parametrize(("kw", "expected"), [
    ({"service": "vpc", "version": "2017-03-12"}, "InvalidAction"),  # not a VPC action
    ({"version": "2017-03-12"}, "NoSuchVersion"),
    ({"extra": {"Host": "vpc.tencentcloudapi.com"}}, "AuthFailure.SignatureFailure"),
])
def test_routing_by_signed_service(signer: Signer, tunnel: str, kw: dict[str, Any],
                                   expected: str) -> None:
    """The product is the signed service (loopback) or the host's: a mismatch is refused."""
    params = {"Resource": resource(tunnel), "DeleteTags": [{"TagKey": "env"}]}
    assert code(tag_call(signer, params, **kw)) == expected
    assert tag_set(signer, tunnel) == {"env": "dev", "team": "net"}


def test_tag_host_routes_to_the_tag_service(signer: Signer, tunnel: str) -> None:
    """On tag.tencentcloudapi.com a tag-signed call is served; a VPC action there is not."""
    host = {"Host": "tag.tencentcloudapi.com"}
    params = {"Resource": resource(tunnel), "DeleteTags": [{"TagKey": "env"}]}
    assert code(tag_call(signer, params, extra=host)) is None
    inner = tag_call(signer, {}, action="DescribeVpnConnections", extra=host)
    assert code(inner) == "InvalidAction"


def test_finance_region_needs_its_own_tag_host(signer: Signer) -> None:
    """A Finance region on the shared tag host is refused, as the VPC rule of ref §5 does."""
    params = {"Resource": resource("vpnx-abcdefgh", "ap-shanghai-fsi"),
              "DeleteTags": [{"TagKey": "env"}]}
    inner = tag_call(signer, params, region="ap-shanghai-fsi",
                     extra={"Host": "tag.tencentcloudapi.com"})
    assert code(inner) == "InvalidParameterValue"


def test_vpc_actions_are_not_served_as_tag(signer: Signer) -> None:
    """A VPC action signed for the Tag service is not one of its actions."""
    assert code(tag_call(signer, {}, action="DescribeVpnConnections")) == "InvalidAction"


def _replace(key: str, value: str = "v") -> dict[str, Any]:
    return {"ReplaceTags": [{"TagKey": key, "TagValue": value}]}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, "MissingParameter"),
    ({"ReplaceTags": []}, "InvalidParameter.Tag"),
    ({"DeleteTags": []}, "InvalidParameter.Tag"),
    ({"ReplaceTags": [{"TagKey": f"k{i}", "TagValue": "v"} for i in range(11)]},
     "InvalidParameter.Tag"),
    (_replace(""), "InvalidParameterValue.TagKeyEmpty"),
    (_replace("k" * 128), "InvalidParameterValue.TagKeyLengthExceeded"),
    (_replace(" lead"), "InvalidParameterValue.TagKeyCharacterIllegal"),
    (_replace("a#b"), "InvalidParameterValue.TagKeyCharacterIllegal"),
    (_replace("k", "v" * 256), "InvalidParameterValue.TagValueLengthExceeded"),
    (_replace("k", "tail "), "InvalidParameterValue.TagValueCharacterIllegal"),
    (_replace("k", "a\nb"), "InvalidParameterValue.TagValueCharacterIllegal"),
    (_replace("qcs:owner"), "InvalidParameter.ReservedTagKey"),
    (_replace("qcloud-app"), "InvalidParameter.ReservedTagKey"),
    (_replace("tencent_team"), "InvalidParameter.ReservedTagKey"),
    (_replace("project"), "InvalidParameter.ReservedTagKey"),
    ({**_replace("env"), "DeleteTags": [{"TagKey": "env"}]},
     "InvalidParameterValue.DeleteTagsParamError"),
    ({"ReplaceTags": [{"TagKey": "k"}]}, "MissingParameter"),
    ({"DeleteTags": [{"TagKey": "k", "TagValue": "v"}]}, "UnknownParameter"),
])
def test_refused_changes(signer: Signer, tunnel: str, params: dict[str, Any],
                         expected: str) -> None:
    """Each documented rule answers its ModifyResourceTags code, and nothing changes."""
    assert code(tag_call(signer, {"Resource": resource(tunnel), **params})) == expected
    assert tag_set(signer, tunnel) == {"env": "dev", "team": "net"}


def test_allowed_characters_are_accepted(signer: Signer, tunnel: str) -> None:
    """Inner spaces, digits, Chinese and the listed specials (both widths) are accepted."""
    key = "a b+-=._:/@()[],;><1"
    value = "项目 值（）【】：＋"
    assert code(tag_call(signer, {"Resource": resource(tunnel), **_replace(key, value)})) is None
    assert tag_set(signer, tunnel)[key] == value


@pytest.mark.parametrize("name", [
    "qcs::vpc:ap-guangzhou:uin/:vpnx/vpnx-zzzzzzzz",  # no such tunnel
    "qcs::vpc:ap-beijing:uin/:vpnx/{tid}",  # exists, but in another region
    "qcs::vpc:mars-north-1:uin/:vpnx/{tid}",  # no such region
    "qcs::cvm:ap-guangzhou:uin/:instance/ins-123",  # not a tunnel
    "vpnx-abcdefgh",  # not a six-segment name
])
def test_unknown_resource(signer: Signer, tunnel: str, name: str) -> None:
    """A resource that is not a tunnel of the account: ResourceDescriptionError."""
    params = {"Resource": name.format(tid=tunnel), "DeleteTags": [{"TagKey": "env"}]}
    assert code(tag_call(signer, params)) == "InvalidParameterValue.ResourceDescriptionError"


def test_at_most_50_tags_per_resource(signer: Signer, tunnel: str) -> None:
    """Tags up to 50 are bound in steps of 10; the 51st is LimitExceeded.ResourceAttachedTags."""
    for start in range(0, 48, 10):
        tags = [{"TagKey": f"k{i}", "TagValue": "v"} for i in range(start, min(start + 10, 48))]
        assert code(tag_call(signer, {"Resource": resource(tunnel), "ReplaceTags": tags})) \
            is None
    assert len(tag_set(signer, tunnel)) == 50
    inner = tag_call(signer, {"Resource": resource(tunnel), **_replace("one-more")})
    assert code(inner) == "LimitExceeded.ResourceAttachedTags"
    swap = {"Resource": resource(tunnel), **_replace("one-more"), "DeleteTags": [{"TagKey": "k0"}]}
    assert code(tag_call(signer, swap)) is None  # counted after the deletes
    assert len(tag_set(signer, tunnel)) == 50


def test_tags_of_a_deleted_tunnel_are_refused(emu: Emulator, signer: Signer,
                                              tunnel: str) -> None:
    """Once the tunnel is gone its name describes nothing: ResourceDescriptionError."""
    signer.call("DeleteVpnConnection", {"VpnGatewayId": "vpngw-demo0001",
                                        "VpnConnectionId": tunnel})
    wait_state(signer, tunnel, None)
    params = {"Resource": resource(tunnel), "DeleteTags": [{"TagKey": "env"}]}
    assert code(tag_call(signer, params)) == "InvalidParameterValue.ResourceDescriptionError"


def test_v1_signed_tag_call_goes_to_the_tag_service(signer: Signer, tunnel: str) -> None:
    """v1 signs no service: on loopback the product that has the action serves it."""
    inner = signer.v1("ModifyResourceTags", {"Resource": resource(tunnel),
                                             "DeleteTags": [{"TagKey": "env"}]},
                      version=TAG_VERSION)
    assert code(inner) is None
    assert tag_set(signer, tunnel) == {"team": "net"}


@pytest.fixture(scope="module")
def tag_app() -> Any:
    """An in-process app (no socket) holding one tunnel, and a signer for it."""
    from emu_helpers import tunnel_request as req

    from vpnkit.emulator import DEMO_SECRET_ID, DEMO_SECRET_KEY
    from vpnkit.emulator.adapter import EmulatorAdapter
    from vpnkit.emulator.app import build_app
    from vpnkit.emulator.backend import Backend
    from vpnkit.emulator.seed import build

    backend = Backend(build("demo"), create_delay=0)
    app = build_app(backend, secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY,
                    rate_limit=0)
    base = "http://emulator.invalid"
    s = Signer(base)
    s.session.mount(base, EmulatorAdapter(app))
    tid = s.call("CreateVpnConnection", req())["VpnConnection"]["VpnConnectionId"]
    yield backend, s, tid
    s.session.close()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(replace=st.dictionaries(st.text(max_size=130) | st.sampled_from(
           ["env", "qcs:x", "tencent", "项目", " x", "a b", "k" * 127, "k" * 128]),
           st.text(max_size=260) | st.sampled_from(["", "v", "值【】", "v" * 255, "v" * 256]),
           max_size=12),
       delete=st.lists(st.text(max_size=6) | st.sampled_from(["env", ""]), max_size=12))
def test_client_rules_agree_with_the_emulator(tag_app: Any, replace: dict[str, str],
                                              delete: list[str]) -> None:
    """For any tag change, the client's rules (vpnkit.tags) refuse exactly what the emulator
    refuses, with the same first code; nothing it answers is an InternalError."""
    from vpnkit.tags import issues, to_wire

    backend, s, tid = tag_app
    backend.state["regions"][REGION]["vpn_connections"][tid]["TagSet"] = []
    found = issues(replace, delete)
    inner = tag_call(s, to_wire(resource(tid), replace, delete))
    assert code(inner) == (found[0].code if found else None), (found, inner)
