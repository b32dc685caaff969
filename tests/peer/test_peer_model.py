"""The peer model: built from a tunnel as the API describes it, symmetric, no key."""

from __future__ import annotations

import subprocess
import sys

from peer_helpers import CUSTOMER_IP, GATEWAY_IP, SENTINEL_PSK, tunnel

from vpnkit.peer import from_connection
from vpnkit.peer.model import ANY, TrafficSelector


def build(**changes: object):  # type: ignore[no-untyped-def]
    return from_connection(tunnel(**changes), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)


def test_policy_tunnel_has_one_selector_per_spd_pair_seen_from_the_idc() -> None:
    """Three (VPC, IDC) pairs become three selectors with the IDC range as local."""
    cfg = build()
    assert cfg.selector_set() == {("198.19.1.0/24", "198.18.0.0/24"),
                                  ("198.19.2.0/24", "198.18.0.0/24"),
                                  ("198.19.1.0/24", "198.18.10.0/24")}
    assert not cfg.route_based and cfg.local.address == CUSTOMER_IP


def test_route_based_and_bgp_tunnels_negotiate_any_any() -> None:
    """StaticRoute and Bgp tunnels carry one any-any selector (ref §2.1 notes)."""
    for route_type in ("StaticRoute", "Bgp"):
        cfg = build(RouteType=route_type, SecurityPolicyDatabaseSet=[
            {"LocalCidrBlock": ANY, "RemoteCidrBlock": [ANY]}])
        assert cfg.route_based and cfg.selectors == (TrafficSelector(ANY, ANY),)


def test_tunnel_without_spd_is_route_based_any_any() -> None:
    """A STATIC tunnel with an empty SPD (as a PENDING one answers) renders any-any, VTI."""
    cfg = build(RouteType="STATIC", SecurityPolicyDatabaseSet=[])
    assert cfg.route_based and cfg.selectors == (TrafficSelector(ANY, ANY),)


def test_mirrored_swaps_sides_and_twice_is_identity() -> None:
    """mirrored() is the Tencent side; mirroring back gives the IDC side again."""
    cfg = build()
    tc = cfg.mirrored()
    assert tc.local.address == GATEWAY_IP and tc.remote.address == CUSTOMER_IP
    assert tc.side == "tencent"
    assert ("198.18.0.0/24", "198.19.1.0/24") in tc.selector_set()
    assert tc.mirrored() == cfg


def test_identities_follow_the_tunnel_fields_exactly() -> None:
    """Tencent's Local* names the cloud side (our remote), Remote* the IDC side (our local)."""
    cfg = build(ike={"LocalIdentity": "FQDN", "LocalFqdnName": "tc.example.com",
                     "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example.net"})
    assert (cfg.remote.id_kind, cfg.remote.id_value) == ("FQDN", "tc.example.com")
    assert (cfg.local.id_kind, cfg.local.id_value) == ("FQDN", "idc.example.net")


def test_negotiation_type_sets_who_starts() -> None:
    """active: Tencent starts; passive: the IDC side must start; flowTrigger: on traffic."""
    assert build(NegotiationType="active").remote.initiation == "start"
    passive = build(NegotiationType="passive")
    assert (passive.remote.initiation, passive.local.initiation) == ("none", "start")
    assert build(NegotiationType="flowTrigger").remote.initiation == "trap"


def test_unstated_disputed_defaults_become_warnings() -> None:
    """An unset IPsec lifetime/traffic/DpdAction is filled and flagged (ref §2.3, §1.1 #17)."""
    cfg = build(ipsec={"IPSECSaLifetimeSeconds": None, "IPSECSaLifetimeTraffic": None},
                DpdAction="")
    assert cfg.ipsec_lifetime == 14400
    assert {n.path for n in cfg.notes} == {"ipsec_options.sa_lifetime_seconds",
                                           "ipsec_options.sa_lifetime_traffic", "dpd_action"}
    assert all(n.code == "DisputedDefault" and n.severity == "warning" for n in cfg.notes)
    assert not build().notes


def test_pfs_null_means_no_pfs() -> None:
    """PfsDhGroup NULL is no PFS; DH-GROUP14 is group 14."""
    assert build(ipsec={"PfsDhGroup": "NULL"}).esp.pfs_group is None
    assert build().esp.pfs_group == "GROUP14"


def test_model_holds_no_key() -> None:
    """The tunnel's pre-shared key is not carried into the peer model."""
    assert SENTINEL_PSK not in repr(build())


def test_import_peer_loads_no_pandas() -> None:
    """`import vpnkit.peer` in a fresh process does not import pandas."""
    code = "import sys, vpnkit.peer; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_peer_modules_import_only_models_and_options() -> None:
    """Dependency direction: peer's pure modules import vpnkit.models/options/issue/peer only."""
    import ast
    from pathlib import Path

    import vpnkit.peer

    root = Path(vpnkit.peer.__file__).parent
    impure = {"__init__.py", "netns.py"}  # the package face and the rehearsal's lab
    allowed = ("vpnkit.models", "vpnkit.options", "vpnkit.issue", "vpnkit.peer")  # issue: a leaf
    for path in [*root.glob("*.py"), *root.glob("templates/*.py")]:
        if path.name in impure or path.name.startswith("rehearse"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ([f"vpnkit.{a.name}" for a in node.names] if node.module == "vpnkit"
                         else [node.module or ""])
            for name in names:
                if name.startswith("vpnkit"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
                else:
                    assert name in {"__future__", "base64", "collections.abc", "dataclasses",
                                    "functools", "importlib", "itertools", "os", "re", "typing",
                                    "pandas"}, f"{path.name} imports {name}"
