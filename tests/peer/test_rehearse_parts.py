"""The rehearsal's pure parts (no root needed): log reasons, listings, setup, result."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from rehearse_lab import CUSTOMER_IP, GATEWAY_IP, idc_text, one_pair, tunnel

from vpnkit.peer.netns import host_addresses
from vpnkit.peer.rehearse import _secret_of, libreswan_loads, prepare, start_actions
from vpnkit.peer.rehearse_reasons import diagnose
from vpnkit.peer.rehearse_result import PairResult, RehearsalResult
from vpnkit.peer.rehearse_run import parse_conns, parse_sas

# Lines recorded from real rehearsals on this project's lab (strongSwan 5.9.8).
LOGS = {
    "ike-proposal": ({"idc": "23:02:51 12[CFG]   no acceptable ENCRYPTION_ALGORITHM found\n"
                             "23:02:51 12[IKE] received proposals unacceptable"},
                     False, ("IKE_PHASE1_FAILED", "NO_PROPOSAL_CHOSEN")),
    "psk-v2": ({"tencent": "23:02:45 09[IKE] received AUTHENTICATION_FAILED notify error",
                "idc": "23:02:45 09[IKE] tried 1 shared key for '203.0.113.2' - "
                       "'203.0.113.1', but MAC mismatched"},
               False, ("IKE_PHASE1_KEY_MISMATCH", "AUTHENTICATION_FAILED")),
    "psk-v1": ({"tencent": "23:02:48 14[IKE] establishing IKE_SA failed, peer not responding",
                "idc": "23:02:46 14[ENC] invalid ID_V1 payload length, decryption failed?"},
               False, ("IKE_PHASE1_KEY_MISMATCH", "AUTHENTICATION_FAILED")),
    "pfs": ({"idc": "23:02:55 10[CFG]   no acceptable KEY_EXCHANGE_METHOD found\n"
                    "23:02:55 10[IKE] no acceptable proposal found"},
            True, ("IPSEC_PHASE2_FAILED", "NO_PROPOSAL_CHOSEN")),
    "ts-v2": ({"tencent": "23:02:56 13[IKE] received TS_UNACCEPTABLE notify, no CHILD_SA built",
               "idc": "23:02:56 13[IKE] traffic selectors 198.19.2.0/24 === 198.18.2.0/24 "
                      "unacceptable"}, True, ("IPSEC_PHASE2_FAILED", "TS_UNACCEPTABLE")),
    "ts-v1": ({"idc": "23:02:57 10[IKE] no matching CHILD_SA config found for 198.18.2.0/24 "
                      "=== 198.19.2.0/24"}, True, ("IPSEC_PHASE2_FAILED", "TS_UNACCEPTABLE")),
    "mode": ({"tencent": "23:06:01 13[IKE] received AUTHENTICATION_FAILED error notify",
              "idc": "23:06:01 11[IKE] found 1 matching config, but none allows pre-shared "
                     "key authentication using Aggressive Mode"},
             False, ("IKE_PHASE1_FAILED", "EXCHANGE_MODE_MISMATCH")),
    "id-v2": ({"tencent": "23:06:14 12[IKE] received AUTHENTICATION_FAILED notify error",
               "idc": "23:06:14 16[CFG] no matching peer config found"},
              False, ("IKE_PHASE1_FAILED", "IDENTITY_MISMATCH")),
    "no-answer": ({"tencent": "23:02:48 14[IKE] giving up after 2 retransmits"}, False,
                  ("IKE_PHASE1_FAILED", "NO_RESPONSE")),
}


@pytest.mark.parametrize("case", sorted(LOGS))
def test_log_lines_name_the_reason(case: str) -> None:
    """Each recorded failure maps to its batfish-style status and its notify/reason."""
    logs, ike_up, expected = LOGS[case]
    found = diagnose(logs, ike_up=ike_up)
    assert found is not None and (found.status, found.reason) == expected
    assert found.evidence.split(":")[0] in logs and "[" not in found.evidence[:12]


def test_pfs_detail_says_pfs_and_clean_logs_say_nothing() -> None:
    """The DH-in-phase-2 line says PFS; an uneventful log gives no diagnosis."""
    logs, ike_up, _ = LOGS["pfs"]
    assert "PFS" in diagnose(logs, ike_up=ike_up).detail  # type: ignore[union-attr]
    assert diagnose({"idc": "12[IKE] CHILD_SA x{1} established"}, ike_up=True) is None


LIST_CONNS = """\
vpnx-1: IKEv2, no reauthentication, rekeying every 77760s
  local:  203.0.113.10
  remote: 198.51.100.10
  vpnx-1-1: TUNNEL, rekeying every 3240s
    local:  198.18.0.0/24
    remote: 198.19.1.0/24 198.19.2.0/24
"""
LIST_SAS = """\
t: #1, ESTABLISHED, IKEv1, e319daaab3e80a24_i e17476d5cad5348c_r*
  local  '203.0.113.1' @ 203.0.113.1[4500]
  spd0: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-128/HMAC_SHA1_96
    installed 0s ago, rekeying in 3576s, expires in 3960s
    in  343d08b9,    338 bytes,     6 packets,     0s ago
    out 3b93c847,    286 bytes,     5 packets,     0s ago
    local  198.18.1.0/24
    remote 198.19.1.0/24
"""


def test_listings_parse_children_and_traffic_selectors() -> None:
    """--list-conns and --list-sas give each child's name, state, selectors and ESP bytes."""
    (child,) = parse_conns(LIST_CONNS)
    assert (child.conn, child.name) == ("vpnx-1", "vpnx-1-1")
    assert child.remote_ts == {"198.19.1.0/24", "198.19.2.0/24"}
    (sa,) = parse_sas(LIST_SAS)
    assert (sa.conn, sa.name, sa.state, sa.local_ts) == ("t", "spd0", "INSTALLED",
                                                         {"198.18.1.0/24"})
    assert (sa.bytes_in, sa.bytes_out) == (338, 286)


def test_setup_never_starts_by_itself_and_keeps_the_key_out_of_its_repr() -> None:
    """prepare(): start_action none on both sides, initiator from NegotiationType, key hidden."""
    setup = prepare(tunnel(NegotiationType="passive"), gateway_ip=GATEWAY_IP,
                    customer_ip=CUSTOMER_IP, psk="SENTINEL-setup-key-11")
    assert setup.initiator == "idc" and len(setup.pairs) == 3
    for text in (setup.tencent_conf, setup.idc_conf):
        assert set(start_actions(text).values()) == {"none"}
        assert 'secret = "SENTINEL-setup-key-11"' in text
    assert "SENTINEL-setup-key-11" not in repr(setup)
    active = prepare(replace(tunnel(), pre_share_key=None), gateway_ip=GATEWAY_IP,
                     customer_ip=CUSTOMER_IP)
    assert active.initiator == "tencent" and any("random" in n for n in active.notes)


def test_a_passive_tunnel_with_an_idc_side_that_never_starts_is_noticed() -> None:
    """Passive tunnel + IDC children without start_action: listed as never starting."""
    conn = one_pair(NegotiationType="passive")
    idc = idc_text(conn, "k-123456789").replace("start_action = start", "start_action = none")
    assert prepare(conn, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                   idc_config=idc).idc_never_starts == {f"{conn.vpn_connection_id}-1"}


def test_the_key_in_a_users_file_is_used_when_no_other_is_known() -> None:
    """With idc_config and no psk/tunnel key, both sides use the file's key (noted)."""
    conn = replace(one_pair(), pre_share_key=None)
    setup = prepare(conn, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                    idc_config=idc_text(conn, "file-key-abcdef"))
    assert 'secret = "file-key-abcdef"' in setup.tencent_conf
    assert any("not compared" in n for n in setup.notes)
    assert _secret_of('secrets {\n  a {\n    secret = 0sa2V5LTEyMzQ=\n  }\n}') == "key-1234"


@pytest.mark.parametrize(("changes", "words"), [
    ({"RouteType": "StaticRoute"}, "per destination route: pass routes="),
    ({"ipsec": {"EncryptAlgorithm": "SM4"}}, "cannot be set up in strongSwan"),
])
def test_what_cannot_be_rehearsed_is_refused_clearly(changes: dict[str, object],
                                                     words: str) -> None:
    """A route-based tunnel without its routes, and SM4, are refused with a reason."""
    with pytest.raises(ValueError, match=words):
        prepare(tunnel(**changes), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)


def test_a_libreswan_file_becomes_the_strongswan_form_with_a_note() -> None:
    """A Libreswan ipsec.conf is read into the model, rendered for strongSwan, and noted."""
    conf = ("conn lab\n    left=198.51.100.10\n    right=203.0.113.10\n    authby=secret\n"
            "    ikev2=yes\n    ike=aes128-sha2_256-modp2048\n    esp=aes256-sha2_256\n"
            "    leftsubnet=198.19.1.0/24\n    rightsubnet=198.18.0.0/24\n    auto=start\n")
    setup = prepare(one_pair(), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                    idc_config=conf)
    assert "connections {" in setup.idc_conf and "local_ts = 198.19.1.0/24" in setup.idc_conf
    assert any("no ESP" in n for n in setup.notes)
    with pytest.raises(ValueError, match="neither"):
        prepare(one_pair(), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                idc_config="just some text\n")


def test_libreswan_itself_judges_the_file_first() -> None:
    """addconn --checkconfig's syntax error comes back (without temporary paths)."""
    import shutil

    if shutil.which("ipsec") is None:
        pytest.skip("libreswan is not installed")
    words = libreswan_loads("conn x\n    left=198.51.100.10\n    frobnicate=1\n"
                            "    auto=add\n")
    assert words is not None and "frobnicate" in words and "/tmp" not in words
    assert libreswan_loads("conn x\n    left=198.51.100.10\n    right=203.0.113.10\n"
                           "    authby=secret\n    auto=add\n") is None


def test_host_addresses_are_distinct_and_inside_each_range() -> None:
    """One address per range, all distinct, even for nested ranges and /32s."""
    got = host_addresses(["198.18.0.0/16", "198.18.0.0/24", "198.19.1.7/32"])
    assert got == {"198.18.0.0/16": "198.18.0.1", "198.18.0.0/24": "198.18.0.2",
                   "198.19.1.7/32": "198.19.1.7"}


def test_result_table_frame_and_verdict() -> None:
    """ok only when every pair is UP; the frame has one row per pair; the table says why."""
    up = PairResult(1, "198.18.0.0/24", "198.19.1.0/24", "UP")
    down = PairResult(2, "198.18.0.0/24", "198.19.2.0/24", "IPSEC_PHASE2_FAILED",
                      "TS_UNACCEPTABLE", "the peer has no policy for this pair")
    good = RehearsalResult("vpnx-1", (up,), "tencent", "IKEV2", 0.4)
    bad = RehearsalResult("vpnx-1", (up, down), "tencent", "IKEV2", 0.4)
    assert good.ok and not bad.ok and not RehearsalResult("x", (), "idc", "IKEV1", 0).ok
    assert list(bad.frame()["reason"]) == ["", "TS_UNACCEPTABLE"]
    assert "TS_UNACCEPTABLE" in bad.table() and "1/2 pairs up" in bad.table()


def test_the_lab_gate_skips_here_but_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Missing root/strongSwan: a skip naming what to install, a failure under CI=true."""
    import rehearse_lab

    monkeypatch.setattr(rehearse_lab, "requirements", lambda: ["the rehearsal needs root"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install .*strongswan-charon"):
        rehearse_lab.need_lab()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        rehearse_lab.need_lab()


ANY_ANY = [{"LocalCidrBlock": "0.0.0.0/0", "RemoteCidrBlock": ["0.0.0.0/0"]}]


def test_a_static_route_tunnel_is_set_up_per_destination_route_without_if_id() -> None:
    """StaticRoute: one row per (VPC range, route to this tunnel), if_id gone, control picked."""
    from vpnkit.models import GatewayRoute

    conn = tunnel(RouteType="StaticRoute", SecurityPolicyDatabaseSet=ANY_ANY)
    cid = conn.vpn_connection_id
    rows = [{"DestinationCidrBlock": "198.19.1.0/24", "InstanceType": "VPNCONN",
             "InstanceId": cid, "Status": "ENABLE"},
            GatewayRoute("198.19.2.0/24", "vpnx-elsewhere"),
            GatewayRoute("198.19.3.0/24", cid, status="DISABLE"), "192.0.2.0/24"]
    setup = prepare(conn, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP, psk="k" * 12,
                    routes=rows, vpc_cidrs=["198.18.0.0/16"])
    assert setup.route_based
    assert setup.pairs == (("198.18.0.0/16", "198.19.1.0/24"), ("198.18.0.0/16", "192.0.2.0/24"),
                           ("198.18.0.0/16", "198.19.3.0/24"))
    assert setup.disabled == frozenset({2}) and setup.control == "198.51.100.254/32"
    for text in (setup.tencent_conf, setup.idc_conf):
        assert "if_id_in =" not in text and "if_id_out =" not in text
        assert "local_ts = 0.0.0.0/0" in text
    assert any("if_id_in/if_id_out" in n for n in setup.notes)


@pytest.mark.parametrize(("changes", "routes", "vpcs", "words"), [
    ({"RouteType": "Bgp"}, [], ["198.18.0.0/16"], "BGP tunnels are not rehearsed"),
    ({"RouteType": "StaticRoute"}, None, ["198.18.0.0/16"], "pass routes="),
    ({"RouteType": "StaticRoute"}, ["198.19.1.0/24"], [], "VPC's ranges"),
    ({"RouteType": "StaticRoute"}, [{"DestinationCidrBlock": "198.19.1.0/24",
                                     "InstanceId": "vpnx-elsewhere"}], ["198.18.0.0/16"],
     "no enabled destination route"),
], ids=["bgp", "no-routes", "no-vpc", "no-route-here"])
def test_what_a_route_based_rehearsal_refuses(changes: dict[str, str], routes: Any,
                                              vpcs: list[str], words: str) -> None:
    """BGP, or a StaticRoute tunnel without routes / VPC ranges / a route to it: ValueError."""
    conn = tunnel(SecurityPolicyDatabaseSet=ANY_ANY, **changes)
    with pytest.raises(ValueError, match=words):
        prepare(conn, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP, psk="k" * 12,
                routes=routes, vpc_cidrs=vpcs)
