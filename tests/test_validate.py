"""Validation: every problem at once, with paths, API codes and helpful messages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vpnkit import IkeOptions, IpsecOptions, SpecError, VpnConnectionSpec, check, issues, options
from vpnkit.models import BgpConfig, HealthCheckConfig
from vpnkit.wire import spec_from_wire

BASE: dict[str, Any] = {"vpn_gateway_id": "vpngw-demo0001",
                        "customer_gateway_id": "cgw-demo0001",
                        "vpn_connection_name": "branch-1", "pre_share_key": "k3y-for-tests"}


def codes(spec: Any, **ctx: Any) -> dict[str, str]:
    return {i.path: i.code for i in issues(spec, **ctx) if i.severity == "error"}


def test_valid_spec_has_no_issues() -> None:
    """A complete, consistent spec passes with the VPC CIDR known."""
    spec = VpnConnectionSpec(**BASE, vpc_id="vpc-demo0001",
                             security_policy_databases={"10.0.1.0/24": ["192.168.0.0/24"]},
                             ike_options=IkeOptions(remote_identity="ADDRESS",
                                                    remote_address="198.51.100.10"))
    assert issues(spec, vpc_cidr="10.0.0.0/16") == []
    check(spec, vpc_cidr="10.0.0.0/16")


def test_required_and_id_formats() -> None:
    """Missing, empty and malformed ids each get their own code and path."""
    spec = VpnConnectionSpec(vpn_gateway_id="gw-1", customer_gateway_id="",
                             vpn_connection_name="x" * 61, pre_share_key=None,  # type: ignore[arg-type]
                             vpc_id="vpc-TOOLONG123")
    assert codes(spec) == {
        "vpn_gateway_id": "InvalidParameterValue.Malformed",
        "customer_gateway_id": "InvalidParameterValue.Empty",
        "vpc_id": "InvalidParameterValue.Malformed",
        "vpn_connection_name": "InvalidParameterValue.TooLong",
        "pre_share_key": "MissingParameter",
    }


def test_host_bits_message_suggests_the_network() -> None:
    """A CIDR with host bits set names the value and suggests the corrected network."""
    spec = VpnConnectionSpec(**BASE, security_policy_databases={"10.0.1.5/24": ["192.168.0.0/24"]})
    [issue] = issues(spec)
    assert issue.path == "security_policy_databases[0].local_cidr_block"
    assert "10.0.1.5/24" in issue.message
    assert "did you mean 10.0.1.0/24" in issue.message


def test_spd_conflicts() -> None:
    """Mappings overlapping on both sides, remote-over-local and VPC conflicts are found."""
    spd = [("10.0.1.0/24", "192.168.0.0/16"), ("10.0.0.0/20", "192.168.5.0/24"),
           ("10.0.0.0/20", "10.0.1.128/25"), ("10.9.0.0/24", "172.16.0.0/24")]
    spec = VpnConnectionSpec(**BASE, security_policy_databases=spd)
    found = codes(spec, vpc_cidr="10.0.0.0/16")
    assert found["security_policy_databases[1].remote_cidr_blocks[0]"] == \
        "InvalidParameterValue.VpnConnCidrConflict"
    assert found["security_policy_databases[1].remote_cidr_blocks[1]"] in (
        "InvalidParameterValue.VpnConnCidrConflict", "InvalidParameterValue.VpcCidrConflict")
    assert found["security_policy_databases[2].local_cidr_block"] == \
        "InvalidParameterValue.VpcCidrConflict"


def test_one_idc_range_from_two_vpc_ranges_is_valid() -> None:
    """The console doc's example (1037/39635): 10.0.1.0/24 and 10.0.2.0/24 both reach one range."""
    spd = [("10.0.1.0/24", "192.168.2.0/24"), ("10.0.2.0/24", "192.168.2.0/24")]
    spec = VpnConnectionSpec(**BASE, security_policy_databases=spd)
    assert codes(spec, vpc_cidr="10.0.0.0/16") == {}


def test_duplicate_local_from_rules() -> None:
    """Two SPD rules with the same local CIDR are a Duplicate naming the first rule."""
    from vpnkit import SpdRule

    spec = VpnConnectionSpec(**BASE, security_policy_databases=(
        SpdRule("10.0.1.0/24", ("192.168.0.0/24",)), SpdRule("10.0.1.0/24", ("192.168.1.0/24",))))
    [issue] = issues(spec)
    assert issue.code == "InvalidParameterValue.Duplicate"
    assert "security_policy_databases[0]" in issue.message


def test_option_enums_ranges_and_types() -> None:
    """Enums, ranges and types come from the options table, with the bad value named."""
    spec = VpnConnectionSpec(
        **BASE, route_type="static", dpd_enable=1, dpd_timeout=61,
        ike_options=IkeOptions(dh_group="GROUP3", sa_lifetime_seconds="86400"),  # type: ignore[arg-type]
        ipsec_options=IpsecOptions(sa_lifetime_traffic=100))
    found = {i.path: i.message for i in issues(spec)}
    assert "'static' is not one of STATIC" in found["route_type"]
    assert "61 is outside 30..60" in found["dpd_timeout"]
    assert "GROUP3" in found["ike_options.dh_group"]
    assert "must be an integer" in found["ike_options.sa_lifetime_seconds"]
    assert "2560" in found["ipsec_options.sa_lifetime_traffic"]


def test_identity_rules() -> None:
    """FQDN identity needs a name; an explicit ADDRESS remote identity needs an address."""
    spec = VpnConnectionSpec(**BASE, ike_options=IkeOptions(local_identity="FQDN",
                                                            remote_identity="ADDRESS"))
    assert codes(spec) == {"ike_options.local_fqdn_name": "MissingParameter",
                           "ike_options.remote_address": "MissingParameter"}


def test_dpd_fields_without_dpd_are_warnings() -> None:
    """DPD timeout/action without DPD on warn but do not block the request."""
    spec = VpnConnectionSpec(**BASE, dpd_enable=0, dpd_timeout=30, dpd_action="clear")
    assert [(i.path, i.severity) for i in issues(spec)] == [("dpd_timeout", "warning"),
                                                            ("dpd_action", "warning")]
    check(spec)


def test_bgp_rules() -> None:
    """BGP needs RouteType Bgp, a /30 tunnel CIDR and both IPs inside it."""
    spec = VpnConnectionSpec(**BASE, route_type="Bgp",
                             bgp_config=BgpConfig("169.254.128.0/29", "169.254.128.1", "x"))
    found = codes(spec)
    assert found["bgp_config.tunnel_cidr"] == "InvalidParameterValue.VpnConnBgpTunnelCidrMask"
    assert found["bgp_config.remote_bgp_ip"] == "InvalidParameterValue.Malformed"
    spec = spec.replace(bgp_config=BgpConfig("169.254.128.0/30", "169.254.128.1",
                                             "169.254.129.2"))
    assert codes(spec) == {"bgp_config.remote_bgp_ip":
                           "InvalidParameterValue.VpnConnBgpTunnelCidrNotSupported"}
    assert codes(VpnConnectionSpec(**BASE, route_type="Bgp")) == {"bgp_config": "MissingParameter"}


def test_health_check_ip_inside_vpc() -> None:
    """A probe IP inside the VPC CIDR is a VpnConnHealthCheckIpConflict."""
    spec = VpnConnectionSpec(**BASE, enable_health_check=True, health_check_local_ip="10.0.0.9",
                             health_check_config=HealthCheckConfig(probe_threshold=9))
    assert codes(spec, vpc_cidr="10.0.0.0/16") == {
        "health_check_local_ip": "InvalidParameterValue.VpnConnHealthCheckIpConflict",
        "health_check_config.probe_threshold": "InvalidParameterValue"}


def test_gcm_needs_a_4_gateway() -> None:
    """GCM algorithms are refused for a gateway known not to be version 4.0."""
    spec = VpnConnectionSpec(**BASE, ike_options=IkeOptions(encryption_algorithm="AES256GCM128"))
    assert codes(spec, gateway_version="2.0") == {
        "ike_options.encryption_algorithm": "UnsupportedOperation"}
    assert codes(spec, gateway_version="4.0") == {}


def test_tags_duplicate_keys() -> None:
    """Two tags with the same key are a TagDuplicateKey."""
    spec = VpnConnectionSpec(**BASE, tags=[("a", "1"), ("a", "2")])
    assert codes(spec) == {"tags[1].key": "InvalidParameterValue.TagDuplicateKey"}


def test_spec_error_lists_every_issue() -> None:
    """check() raises one SpecError whose str lists each problem with its path."""
    spec = VpnConnectionSpec(vpn_gateway_id="bad", customer_gateway_id="bad",
                             vpn_connection_name="", pre_share_key="")
    with pytest.raises(SpecError) as info:
        check(spec)
    assert len(info.value.issues) == 4
    text = str(info.value)
    assert "vpn_gateway_id" in text
    assert "customer_gateway_id" in text
    assert isinstance(info.value, ValueError)


def test_ten_thousand_pairs_find_the_planted_overlap() -> None:
    """At 10,000 SPD pairs the sweep finds exactly the two /32s under the planted /31."""
    pairs = [(f"10.{i // 256}.{i % 256}.0/24", f"172.{16 + i // 65536 % 16}.{i // 256 % 256}."
              f"{i % 256}/32") for i in range(10_000)]
    # contains the first two /32s, from a VPC range containing theirs (both sides overlap)
    pairs.append(("10.0.0.0/23", "172.16.0.0/31"))
    spec = VpnConnectionSpec(**BASE, security_policy_databases=pairs)
    found = issues(spec)
    assert sorted(i.path for i in found) == [
        "security_policy_databases[0].remote_cidr_blocks[0]",
        "security_policy_databases[1].remote_cidr_blocks[0]"]
    assert {i.code for i in found} == {"InvalidParameterValue.VpnConnCidrConflict"}


# --- fuzzing: junk in, SpecError/ValueError with a path out, never anything else -----------

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) |
    st.text(max_size=30) | st.sampled_from(["10.0.0.0/8", "10.0.0.1/8", "::1/128", "x" * 5000]),
    lambda children: st.lists(children, max_size=4) |
    st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
field_names = st.sampled_from([
    "VpnGatewayId", "CustomerGatewayId", "VpnConnectionName", "PreShareKey", "VpcId",
    "SecurityPolicyDatabases", "IKEOptionsSpecification", "IPSECOptionsSpecification", "Tags",
    "EnableHealthCheck", "HealthCheckLocalIp", "RouteType", "DpdEnable", "DpdTimeout",
    "BgpConfig", "HealthCheckConfig", "Route", "Bogus"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(field_names, junk, max_size=10))
def test_junk_wire_input_ends_in_spec_error(body: dict[str, Any]) -> None:
    """Any junk request body ends in a spec or a SpecError/ValueError with paths, nothing else."""
    try:
        spec = spec_from_wire(body)
    except SpecError as exc:
        assert exc.issues
        assert all(isinstance(i.path, str) and i.code and i.message for i in exc.issues)
        return
    except ValueError as exc:  # an SPD shape spd_rules() cannot read
        assert "SPD" in str(exc) or "columns" in str(exc)
        return
    for issue in issues(spec):
        assert issue.code and issue.message


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({
    "vpn_gateway_id": junk, "customer_gateway_id": junk, "vpn_connection_name": junk,
    "pre_share_key": junk, "vpc_id": junk, "route_type": junk, "dpd_timeout": junk,
    "tags": st.lists(st.tuples(junk, junk), max_size=3),
    "ike_options": st.builds(IkeOptions, dh_group=junk, sa_lifetime_seconds=junk,
                             local_identity=junk, local_fqdn_name=junk) | st.none() | junk,
}))
def test_junk_spec_fields_never_crash_validation(fields: dict[str, Any]) -> None:
    """issues() reports junk field values instead of raising, each with a field path."""
    try:
        spec = VpnConnectionSpec(**fields)
    except (ValueError, TypeError):
        return  # refused at construction with a message
    found = issues(spec)
    assert all(i.path or i.code == "InvalidParameter" for i in found)


@pytest.mark.parametrize(("psk", "code"), [
    ("", "InvalidParameterValue.Empty"), ("   ", "InvalidParameterValue.Empty"),
    (" key-with-space", "InvalidParameterValue.Malformed"),
    ("key-with-newline\n", "InvalidParameterValue.Malformed"),
    ("key\twith-tab", "InvalidParameterValue.Malformed"),
    ("key\x00nul", "InvalidParameterValue.Malformed"),
    ("key\u200bzero-width", "InvalidParameterValue.Malformed"),
])
def test_unusable_keys_refused_without_showing_them(psk: str, code: str) -> None:
    """Empty, whitespace-wrapped or control-character keys are refused; messages hide them."""
    found = [i for i in issues(VpnConnectionSpec(**{**BASE, "pre_share_key": psk}))
             if i.path == "pre_share_key"]
    assert [(i.code, i.severity) for i in found] == [(code, "error")]
    if psk.strip():
        assert psk.strip()[:6] not in found[0].message


def test_short_keys_are_accepted() -> None:
    """The docs set no minimum; the official examples use 6-character keys (654321)."""
    assert issues(VpnConnectionSpec(**{**BASE, "pre_share_key": "654321"})) == []
    assert issues(VpnConnectionSpec(**{**BASE, "pre_share_key": "0"})) == []


@pytest.mark.parametrize(("tag", "path", "code"), [
    (("k" * 128, "v"), "tags[0].key", "InvalidParameterValue.TagInvalidKeyLen"),
    (("k" * 127, "v" * 256), "tags[0].value", "InvalidParameterValue.TagInvalidVal"),
    (("", "v"), "tags[0].key", "InvalidParameterValue.TagInvalidKey"),
    ((" env", "v"), "tags[0].key", "InvalidParameterValue.TagInvalidKey"),
    (("env", "prod "), "tags[0].value", "InvalidParameterValue.TagInvalidVal"),
    (("qcs:owner", "v"), "tags[0].key", "UnsupportedOperation.TagSystemReservedTagKey"),
    (("project", "v"), "tags[0].key", "UnsupportedOperation.TagSystemReservedTagKey"),
])
def test_tag_limits_of_the_tag_service(tag: tuple[str, str], path: str, code: str) -> None:
    """Key 1-127, value up to 255, no edge spaces, reserved prefixes (Tag docs 651/13354)."""
    assert codes(VpnConnectionSpec(**BASE, tags=[tag])) == {path: code}


def test_tag_limits_at_the_boundary_pass() -> None:
    """A 127-character key and a 255-character value are accepted."""
    assert codes(VpnConnectionSpec(**BASE, tags=[("k" * 127, "v" * 255)])) == {}


def test_route_fields_checked() -> None:
    """The deprecated Route warns, and its destination and priority are still checked."""
    from vpnkit.models import VpnConnRoute

    spec = VpnConnectionSpec(**BASE, route=VpnConnRoute("192.168.0.1/24", priority=5))
    assert codes(spec) == {"route.destination_cidr_block": "InvalidParameterValue.Malformed",
                           "route.priority": "InvalidParameterValue"}
    ok = VpnConnectionSpec(**BASE, route=VpnConnRoute("192.168.0.0/24", priority=100))
    assert [(i.path, i.severity) for i in issues(ok)] == [("route", "warning")]


@pytest.mark.parametrize(("priority", "code"), [
    (False, "InvalidParameter"), (True, "InvalidParameter"), (0.0, "InvalidParameter"),
    (100.0, "InvalidParameter"), ("0", "InvalidParameter"), (5, "InvalidParameterValue"),
    (0, None), (100, None)])
def test_route_priorities_are_integers_not_bools(priority: Any, code: str | None) -> None:
    """A bool or float Priority (False == 0) is refused as not an integer, in the gateway
    routes of route_issues and in a spec's Route alike; 0 and 100 pass."""
    from vpnkit.models import GatewayRoute, VpnConnRoute
    from vpnkit.validate import route_issues

    route = GatewayRoute("192.168.5.0/24", "vpnx-abcdefgh", priority=priority)
    assert {i.path: i.code for i in route_issues([route])}.get("routes[0].priority") == code
    spec = VpnConnectionSpec(**BASE, route=VpnConnRoute("192.168.0.0/24", priority=priority))
    assert codes(spec).get("route.priority") == code


@pytest.mark.parametrize("opt", [o for o in options.OPTIONS if o.kind == "int"],
                         ids=lambda o: o.path)
@pytest.mark.parametrize("value", [False, True, 30.0])
def test_every_integer_option_refuses_bools_and_floats(opt: options.Option, value: Any) -> None:
    """DPD, lifetime and health-check integers: a bool or a float is InvalidParameter."""
    section = {"ike": "ike_options", "ipsec": "ipsec_options",
               "health_check_config": "health_check_config"}.get(opt.section)
    cls = {"ike_options": IkeOptions, "ipsec_options": IpsecOptions,
           "health_check_config": HealthCheckConfig}
    kw: dict[str, Any] = {"dpd_enable": 1, "enable_health_check": True}
    if section is None:
        kw[opt.name] = value
    else:
        kw[section] = cls[section](**{opt.name: value})
    assert codes(VpnConnectionSpec(**BASE, **kw)).get(opt.path) == "InvalidParameter"


@pytest.mark.parametrize(("path", "ike", "ipsec"), [
    ("ike_options.encryption_algorithm", {"encryption_algorithm": "DES-CBC"}, {}),
    ("ike_options.encryption_algorithm", {"encryption_algorithm": "3DES-CBC"}, {}),
    ("ike_options.authentication_algorithm", {"authentication_algorithm": "MD5"}, {}),
    ("ike_options.authentication_algorithm", {"authentication_algorithm": "SHA"}, {}),
    ("ike_options.dh_group", {"dh_group": "GROUP1"}, {}),
    ("ike_options.dh_group", {"dh_group": "GROUP2"}, {}),
    ("ike_options.dh_group", {"dh_group": "GROUP5"}, {}),
    ("ike_options.exchange_mode", {"version": "IKEV1", "exchange_mode": "AGGRESSIVE"}, {}),
    ("ipsec_options.encryption_algorithm", {}, {"encryption_algorithm": "3DES-CBC"}),
    ("ipsec_options.encryption_algorithm", {}, {"encryption_algorithm": "NULL"}),
    ("ipsec_options.integrity_algorithm", {}, {"integrity_algorithm": "MD5"}),
    ("ipsec_options.pfs_dh_group", {}, {"pfs_dh_group": "NULL"}),
    ("ipsec_options.pfs_dh_group", {}, {"pfs_dh_group": "DH-GROUP2"}),
])
def test_each_weak_choice_is_one_warning(path: str, ike: dict[str, Any],
                                         ipsec: dict[str, Any]) -> None:
    """A weak value is accepted (no error) with exactly one WeakCrypto warning at its path."""
    spec = VpnConnectionSpec(**BASE, ike_options=IkeOptions(**ike),
                             ipsec_options=IpsecOptions(**ipsec))
    found = issues(spec)
    assert [(i.path, i.code, i.severity) for i in found] == [(path, "WeakCrypto", "warning")]
    check(spec)


def test_strong_profiles_have_no_warnings_and_api_defaults_warn() -> None:
    """'strong' is clean; the API's defaults warn once per weak value, set or left unset."""
    assert issues(VpnConnectionSpec(**BASE)) == []
    assert issues(VpnConnectionSpec(**BASE, profile="strong-gcm"), gateway_version="4.0") == []
    weak = {"ike_options.encryption_algorithm", "ike_options.authentication_algorithm",
            "ike_options.dh_group", "ipsec_options.pfs_dh_group"}
    for profile in ("api-defaults", None):
        found = issues(VpnConnectionSpec(**BASE, profile=profile))
        assert {i.path for i in found} == weak
        assert {i.severity for i in found} == {"warning"}
    assert codes(VpnConnectionSpec(**BASE, profile="nope")) == {
        "profile": "InvalidParameterValue"}


def test_documented_spd_example_is_valid_with_a_warning() -> None:
    """10.0.1.0/24->192.168.2.0/24 beside 10.0.2.0/24->192.168.2.0/24 is valid (1037/39635);
    the stricter reading survives only as a warning; both sides overlapping is an error."""
    ok = VpnConnectionSpec(**BASE, security_policy_databases={
        "10.0.1.0/24": ["192.168.2.0/24"], "10.0.2.0/24": ["192.168.2.0/24"]})
    found = issues(ok, vpc_cidr="10.0.0.0/16")
    assert [(i.path, i.code, i.severity) for i in found] == [
        ("security_policy_databases[1].remote_cidr_blocks[0]", "SpdIdcRangeShared", "warning")]
    both = VpnConnectionSpec(**BASE, security_policy_databases={
        "10.0.0.0/20": ["192.168.0.0/16"], "10.0.1.0/24": ["192.168.1.0/24"]})
    assert "InvalidParameterValue.VpnConnCidrConflict" in codes(both).values()


def test_any_any_selector_only_on_route_based_tunnels() -> None:
    """Route-based tunnels report and accept 0.0.0.0/0 -> 0.0.0.0/0; policy tunnels refuse it."""
    any_any = {"0.0.0.0/0": ["0.0.0.0/0"]}
    assert codes(VpnConnectionSpec(**BASE, route_type="StaticRoute",
                                   security_policy_databases=any_any)) == {}
    assert codes(VpnConnectionSpec(**BASE, route_type="Policy",
                                   security_policy_databases=any_any)) != {}


def test_required_nested_fields_set_to_none_are_missing_parameter() -> None:
    """From Python too: BgpConfig(None, ...) and SpdRule(None, ...) name MissingParameter."""
    from vpnkit import SpdRule

    bgp = VpnConnectionSpec(**BASE, route_type="Bgp", bgp_config=BgpConfig(
        None, "169.254.128.1", "169.254.128.2"))  # type: ignore[arg-type]
    assert codes(bgp) == {"bgp_config.tunnel_cidr": "MissingParameter"}
    spd = VpnConnectionSpec(**BASE, security_policy_databases=(
        SpdRule(None, ("192.168.0.0/24",)),))  # type: ignore[arg-type]
    assert codes(spd) == {"security_policy_databases[0].local_cidr_block": "MissingParameter"}
