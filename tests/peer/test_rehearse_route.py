"""Route-based (StaticRoute) rehearsals with real strongSwan daemons (documentation ranges).

Each case is one rehearsal (about 0.4-0.6 s; the IKEv1 wrong-key case waits for phase 1
retransmissions). Skipped without root or strongSwan, except under CI=true.
"""

from __future__ import annotations

from typing import Any

import pytest
from rehearse_lab import CUSTOMER_IP, GATEWAY_IP, idc_text, need_lab, tunnel

from vpnkit.models import GatewayRoute
from vpnkit.peer.rehearse import rehearse

KEY = "rehearsal-route-key-51e0"
ANY = [{"LocalCidrBlock": "0.0.0.0/0", "RemoteCidrBlock": ["0.0.0.0/0"]}]
VPC = ["198.18.0.0/16"]


@pytest.fixture(autouse=True)
def _lab() -> None:
    need_lab()


def routed(**changes: Any) -> Any:
    """A StaticRoute tunnel (any-any selectors, as DescribeVpnConnections reports it)."""
    return tunnel(RouteType="StaticRoute", SecurityPolicyDatabaseSet=ANY, **changes)


def routes(conn: Any, *disabled: str) -> list[GatewayRoute]:
    """Two enabled routes to ``conn``, one to another tunnel, and ``disabled`` ones."""
    cid = conn.vpn_connection_id
    return [GatewayRoute("198.19.1.0/24", cid), GatewayRoute("192.0.2.0/24", cid),
            GatewayRoute("198.19.8.0/24", "vpnx-another1"),
            *(GatewayRoute(d, cid, status="DISABLE") for d in disabled)]


def run(conn: Any, gateway_routes: list[GatewayRoute], **kwargs: Any) -> Any:
    return rehearse(conn, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                    routes=gateway_routes, vpc_cidrs=VPC, **kwargs)


@pytest.mark.parametrize("conn", [
    routed(),  # IKEv2, PFS group 14, Tencent initiates
    routed(ike={"IKEVersion": "IKEV1"}, NegotiationType="passive", ipsec={"PfsDhGroup": "NULL"}),
], ids=["ikev2-pfs-active", "ikev1-nopfs-passive"])
def test_each_enabled_route_carries_traffic_and_nothing_else_does(conn: Any) -> None:
    """Both enabled routes UP, the disabled one down, the unrouted ranges stay out."""
    result = run(conn, routes(conn, "198.19.7.0/24"))
    rows = [(p.remote_cidr, p.status, p.reason) for p in result.pairs]
    assert rows == [("198.19.1.0/24", "UP", ""), ("192.0.2.0/24", "UP", ""),
                    ("198.19.7.0/24", "NO_TRAFFIC", "ROUTE_DISABLED")], result.table()
    assert result.route_based and not result.ok
    notes = " ".join(result.notes)
    assert "if_id" in notes and "TUN device" in notes
    assert "198.19.7.1 (no enabled route) stayed out of the tunnel (unreachable)" in notes
    assert "198.51.100.254 (no enabled route) stayed out" in notes
    assert "198.19.8" not in result.table()  # a route to another tunnel is not this one's


def test_every_route_up_is_ok() -> None:
    """Only enabled routes: the rehearsal passes, one row per destination."""
    conn = routed()
    result = run(conn, routes(conn))
    assert result.ok and len(result.pairs) == 2, result.table()


def wrong(conn: Any, **changes: Any) -> Any:
    """The IDC side of ``conn`` with IKE/IPsec changes."""
    ike = {"IKEVersion": conn.ike_options.version, **changes.pop("ike", {})}
    ipsec = {"PfsDhGroup": conn.ipsec_options.pfs_dh_group, **changes.pop("ipsec", {})}
    return routed(ike=ike, ipsec=ipsec, NegotiationType=conn.negotiation_type)


@pytest.mark.parametrize(("idc", "expected"), [
    (idc_text(routed(), "some-other-key-3c9d"),
     ("IKE_PHASE1_KEY_MISMATCH", "AUTHENTICATION_FAILED")),
    (idc_text(wrong(routed(), ike={"PropoEncryAlgorithm": "AES-CBC-256"}), KEY),
     ("IKE_PHASE1_FAILED", "NO_PROPOSAL_CHOSEN")),
    (idc_text(wrong(routed(), ipsec={"PfsDhGroup": "NULL"}), KEY),
     ("IPSEC_PHASE2_FAILED", "NO_PROPOSAL_CHOSEN")),
], ids=["wrong-psk", "ike-cipher", "pfs-one-side"])
def test_a_mismatch_takes_every_route_down_for_its_reason(idc: str,
                                                         expected: tuple[str, str]) -> None:
    """Wrong PSK, another IKE cipher, PFS on one side only: each route down, that reason."""
    result = run(routed(), routes(routed()), idc_config=idc, psk=KEY)
    assert {(p.status, p.reason) for p in result.pairs} == {expected}, result.table()
    assert KEY not in result.table() and "some-other-key-3c9d" not in result.table()


def test_a_policy_style_idc_config_carries_only_the_ranges_its_selectors_hold() -> None:
    """IDC child 198.19.1.0/24 === 198.18.0.0/16 answering any-any: one route UP, one narrowed."""
    conn = routed()
    policy = tunnel(SecurityPolicyDatabaseSet=[
        {"LocalCidrBlock": "198.18.0.0/16", "RemoteCidrBlock": ["198.19.1.0/24"]}])
    result = run(conn, routes(conn), idc_config=idc_text(policy, KEY), psk=KEY)
    assert [(p.remote_cidr, p.reason) for p in result.pairs] == [
        ("198.19.1.0/24", ""), ("192.0.2.0/24", "TS_NARROWED")], result.table()
