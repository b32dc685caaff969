"""The pure rules between a gateway's tunnels (vpnkit.gateway_rules): order, refusals, scope.

Their agreement with the emulator is tested through the batch (tests/test_agreement.py) and
the form (tests/widgets/test_form_checks.py, test_form_batch_rules.py); these cases pin what
only the pure function shows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vpnkit.gateway_rules import MAX_GATEWAY_MAPPINGS, check_gateway
from vpnkit.issue import Issue
from vpnkit.models import (
    BgpConfig,
    SpdRule,
    VpnConnection,
    VpnConnectionSpec,
    spd_rules,
)

GW = "vpngw-demo0001"


def _spec(name: str, spd: dict[str, list[str]], route_type: str = "STATIC",
          bgp: str | None = None) -> VpnConnectionSpec:
    return VpnConnectionSpec(
        vpn_gateway_id=GW, customer_gateway_id="cgw-demo0001", vpn_connection_name=name,
        pre_share_key="rules-psk-123", vpc_id="vpc-demo0001", security_policy_databases=spd,
        route_type=route_type,
        bgp_config=BgpConfig(bgp, "169.254.128.1", "169.254.128.2") if bgp else None)


def _tunnel(name: str, spd: dict[str, list[str]], gw: str = GW,
            route_type: str = "STATIC") -> VpnConnection:
    return VpnConnection(vpn_connection_id=f"vpnx-{name:0<8}", vpn_connection_name=name,
                         vpn_gateway_id=gw, route_type=route_type,
                         security_policy_databases=spd_rules(spd))


def _codes(found: list[list[Issue]]) -> list[list[str]]:
    return [[i.code for i in issues] for issues in found]


def test_depends_on_models_cidr_and_issue_only() -> None:
    """The module imports no batch, widgets, client, pandas or I/O: only the core value modules."""
    path = Path(__file__).resolve().parent.parent / "vpnkit" / "gateway_rules.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    assert names == {"__future__", "collections.abc", "dataclasses", "typing", "vpnkit.cidr",
                     "vpnkit.issue", "vpnkit.models", "vpnkit.options"}


def test_a_refused_candidate_is_not_on_the_gateway_for_the_next() -> None:
    """Candidates are checked in order; one refused by its own checks is not compared with."""
    same = [_spec("a", {"10.0.1.0/24": ["192.168.1.0/24"]}),
            _spec("b", {"10.0.1.0/24": ["192.168.1.0/24"]})]
    assert _codes(check_gateway(GW, same, [])) == [
        [], ["InvalidParameterValue.VpnConnCidrConflict"]]
    assert _codes(check_gateway(GW, same, [], refused={0})) == [[], []]


def test_a_candidate_refused_by_a_rule_does_not_block_the_next() -> None:
    """A BGP candidate refused beside static tunnels does not make the next one 'mixed'."""
    existing = [_tunnel("old", {"10.0.9.0/24": ["192.168.9.0/24"]})]
    found = check_gateway(GW, [_spec("b", {}, "Bgp", "169.254.128.0/30"),
                               _spec("c", {"10.0.1.0/24": ["192.168.1.0/24"]})], existing)
    assert _codes(found) == [["UnsupportedOperation"], []]
    assert "tunnel 'old'" in str(found[0][0])


def test_name_taken_by_an_existing_tunnel_or_an_earlier_candidate() -> None:
    """A name on the gateway, or given earlier in the list, is a Duplicate; elsewhere it is not."""
    taken = [_tunnel("a", {"10.0.9.0/24": ["192.168.9.0/24"]})]
    spec = _spec("a", {"10.0.1.0/24": ["192.168.1.0/24"]})
    assert _codes(check_gateway(GW, [spec], taken)) == [["InvalidParameterValue.Duplicate"]]
    assert _codes(check_gateway(GW, [spec, spec.replace(security_policy_databases={
        "10.0.2.0/24": ["192.168.2.0/24"]})], [])) == [[], ["InvalidParameterValue.Duplicate"]]
    elsewhere = [_tunnel("a", {"10.0.1.0/24": ["192.168.1.0/24"]}, gw="vpngw-demo0002")]
    assert _codes(check_gateway(GW, [spec], elsewhere)) == [[]]  # another gateway's tunnel


def test_limit_counts_spd_based_tunnels_only() -> None:
    """The 200 mappings are over SPD-based tunnels: a route-based tunnel's selectors do not
    count, and a route-based candidate without selectors is not checked."""
    many = {"10.0.0.0/24": [f"198.18.{k}.0/24" for k in range(MAX_GATEWAY_MAPPINGS)]}
    full = [_tunnel("full", many)]
    one_more = _spec("x", {"10.0.1.0/24": ["192.168.1.0/24"]})
    assert _codes(check_gateway(GW, [one_more], full)) == [["LimitExceeded"]]
    assert _codes(check_gateway(GW, [one_more], [_tunnel("rb", many, route_type="StaticRoute")])
                  ) == [[]]
    assert _codes(check_gateway(GW, [_spec("rb", {}, "StaticRoute")], full)) == [[]]


ANY = "0.0.0.0/0"


@pytest.mark.parametrize(("rules", "any_any"), [
    ((SpdRule(ANY, (ANY,)),), True),
    ((SpdRule(ANY, (ANY,)), SpdRule(ANY, (ANY,))), False),
    ((SpdRule(ANY, (ANY, ANY)),), False),
    ((SpdRule(ANY, (ANY,)), SpdRule("10.0.9.0/24", ("192.168.9.0/24",))), False)],
    ids=["one any-any rule", "the rule twice", "two any remotes", "any-any and another"])
def test_one_any_any_test_for_validate_gateway_rules_and_to_spec(
        rules: tuple[SpdRule, ...], any_any: bool) -> None:
    """validate, gateway_rules and VpnConnection.to_spec agree on which SPDs of a route-based
    tunnel are the any-any selector: models.is_any_any, the one definition."""
    from vpnkit.validate import issues

    spec = VpnConnectionSpec(GW, "cgw-demo0001", "new", "rules-psk-123", vpc_id="vpc-demo0001",
                             route_type="StaticRoute", security_policy_databases=rules)
    validate_skips = not [i for i in issues(spec) if i.severity == "error"
                          and i.path.startswith("security_policy_databases")]
    existing = _tunnel("old", {"10.0.1.0/24": ["192.168.1.0/24"]}, route_type="Policy")
    rules_skip = check_gateway(GW, [spec], [existing]) == [[]]
    live = VpnConnection(vpn_connection_id="vpnx-live0001", route_type="StaticRoute",
                         security_policy_databases=rules)
    to_spec_clears = live.to_spec().security_policy_databases == ()
    assert (validate_skips, rules_skip, to_spec_clears) == (any_any,) * 3
    from vpnkit.models import is_any_any

    assert is_any_any(rules) is any_any
