"""Cisco ASA configs: vpnkit's own output checks clean; a hand-written one in the shape of
Cisco's ASA guide and Tencent's examples has each deliberate mismatch found; no key shows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from peer_helpers import CUSTOMER_IP, GATEWAY_IP, tunnel

from vpnkit.peer import check, from_connection, parse, render
from vpnkit.peer.check import detect
from vpnkit.peer.model import PeerConfig

KEY = "SENTINEL-cisco-asa-key-71fe"
OUTSIDE = "interface GigabitEthernet0/0\n nameif outside\n ip address 198.51.100.10 255.255.255.0\n"
CLEAR = {"DpdAction": "clear"}
ROUTE = {"RouteType": "StaticRoute",
         "SecurityPolicyDatabaseSet": [{"LocalCidrBlock": "0.0.0.0/0",
                                        "RemoteCidrBlock": ["0.0.0.0/0"]}]}
V1 = {"IKEVersion": "IKEV1", "PropoAuthenAlgorithm": "SHA", "DhGroupName": "GROUP2"}
SHA1 = {"IntegrityAlgorith": "SHA1"}  # ASA IKEv1 transform sets: md5 / sha only


def expected(**changes: Any) -> PeerConfig:
    """The IDC side of the shared lab tunnel with ``changes``."""
    return from_connection(tunnel(**changes), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)


def rendered(cfg: PeerConfig) -> str:
    """vpnkit's ASA output (with a key), after the outside interface it is applied to."""
    return OUTSIDE + render(cfg, "cisco-asa", psk=KEY).text


@pytest.mark.parametrize("changes", [
    CLEAR,
    {**CLEAR, "ike": V1, "ipsec": {**SHA1, "PfsDhGroup": "NULL"}},
    {**CLEAR, "ike": {**V1, "ExchangeMode": "AGGRESSIVE"}, "ipsec": SHA1},
    {**CLEAR, "ike": {"PropoEncryAlgorithm": "AES128GCM128"},
     "ipsec": {"EncryptAlgorithm": "AES256GCM128"}},
    {**CLEAR, "DpdEnable": 0},
    {**CLEAR, "ike": {"RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example.net",
                      "LocalIdentity": "FQDN", "LocalFqdnName": "tc.example.com"}},
    ROUTE,
    {**ROUTE, "ike": V1, "ipsec": SHA1},
], ids=["v2-policy", "v1-main-nopfs", "v1-aggr", "v2-gcm", "dpd-off", "fqdn", "v2-vti",
        "v1-vti"])
def test_round_trip_of_vpnkit_output_checks_clean(changes: dict[str, Any]) -> None:
    """parse(render(t)) has no mismatch against t (the FQDN case with hostname/domain-name)."""
    want = expected(**changes)
    text = rendered(want)
    if want.local.id_kind == "FQDN":
        text = "hostname idc\ndomain-name example.net\n" + text
    assert detect(text) == "cisco-asa"
    report = check(want, text)
    assert report.ok and not report.mismatches, [str(m) for m in report.mismatches]


def test_dpd_off_is_written_and_read_as_off() -> None:
    """DPD off renders 'isakmp keepalive disable'; without it the L2L default (on) is read."""
    want = expected(**CLEAR, DpdEnable=0)
    text = rendered(want)
    assert " isakmp keepalive disable\n" in text
    (peer,) = parse(text.replace(" isakmp keepalive disable\n", ""))
    assert peer.dpd.enabled and peer.dpd.timeout == 16  # threshold 10 + 3 retries x 2 s
    got = check(want, text.replace(" isakmp keepalive disable\n", "")).mismatches
    assert [(m.field, m.tunnel, m.peer) for m in got] == [("dpd_enable", "0", "1")]


@pytest.mark.parametrize("timeout", [30, 45, 60])
def test_rendered_keepalive_declares_the_peer_dead_at_the_tunnels_timeout(timeout: int) -> None:
    """threshold + 3 retries equals DpdTimeout (it was threshold 10, retry timeout//10)."""
    want = expected(**CLEAR, DpdTimeout=str(timeout), ike=V1, ipsec=SHA1)
    (peer,) = parse(rendered(want))
    assert peer.dpd.timeout == timeout and not check(want, rendered(want)).mismatches


# ---- hand-written, in the shape of Cisco's ASA L2L guide and Tencent's ASA examples ----

HAND = f"""\
: Saved
ASA Version 9.16
hostname edge-fw
domain-name example.net
!
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 198.51.100.10 255.255.255.0
!
object network TENCENT-VPC-A
 subnet 198.18.0.0 255.255.255.0
object network TENCENT-VPC-B
 subnet 198.18.10.0 255.255.255.0
object-group network IDC-LANS
 network-object 198.19.1.0 255.255.255.0
 network-object 198.19.2.0 255.255.255.0
access-list TENCENT-ACL remark traffic to protect (one SA per line)
access-list TENCENT-ACL extended permit ip object-group IDC-LANS object TENCENT-VPC-A
access-list TENCENT-ACL extended permit ip 198.19.1.0 255.255.255.0 object TENCENT-VPC-B
!
crypto ipsec ikev2 ipsec-proposal TENCENT-P2
 protocol esp encryption aes-256
 protocol esp integrity sha-256
crypto ipsec security-association lifetime seconds 3600
crypto ipsec security-association lifetime kilobytes 1843200
crypto map OUTSIDE-MAP 10 match address TENCENT-ACL
crypto map OUTSIDE-MAP 10 set peer 203.0.113.10
crypto map OUTSIDE-MAP 10 set ikev2 ipsec-proposal TENCENT-P2
crypto map OUTSIDE-MAP 10 set pfs group14
crypto map OUTSIDE-MAP interface outside
crypto ikev2 policy 10
 encryption aes-256 aes
 integrity sha256
 group 14
 prf sha256
 lifetime seconds 86400
crypto ikev2 enable outside
!
group-policy TENCENT-GP internal
group-policy TENCENT-GP attributes
 vpn-tunnel-protocol ikev2
tunnel-group 203.0.113.10 type ipsec-l2l
tunnel-group 203.0.113.10 general-attributes
 default-group-policy TENCENT-GP
tunnel-group 203.0.113.10 ipsec-attributes
 ikev2 remote-authentication pre-shared-key {KEY}
 ikev2 local-authentication pre-shared-key {KEY}
 isakmp keepalive threshold 24 retry 2
: end
"""


def test_hand_written_asa_config_is_compatible() -> None:
    """Objects, object groups, a remark, global lifetimes, a group policy: no mismatch."""
    report = check(expected(**CLEAR), HAND)
    assert not report.mismatches, [str(m) for m in report.mismatches]


@pytest.mark.parametrize(("old", "new", "field", "kind", "needle"), [
    ("10 set pfs group14\n", "10 set pfs group5\n", "ipsec_options.pfs_dh_group", "changed",
     "different PFS groups"),
    ("encryption aes-256\n", "encryption aes-192\n", "ipsec_options.encryption_algorithm",
     "changed", "NO_PROPOSAL_CHOSEN"),
    (" encryption aes-256 aes\n", " encryption aes-256\n", "ike_options.encryption_algorithm",
     "changed", "NO_PROPOSAL_CHOSEN"),
    ("lifetime seconds 3600", "lifetime seconds 28800", "ipsec_options.sa_lifetime_seconds",
     "changed", "rekey"),
    ("threshold 24 retry 2", "disable", "dpd_enable", "changed", "one side only"),
    ("crypto ikev2 enable outside\n", "", "crypto map OUTSIDE-MAP 10", "unsupported",
     "no answer to the first message"),
    (" vpn-tunnel-protocol ikev2\n", " vpn-tunnel-protocol ikev1\n",
     "vpn-tunnel-protocol ikev1", "unsupported", "right after authentication"),
    (" ikev2 local-authentication pre-shared-key", " ikev2 local-authentication certificate",
     "ikev2 ...", "unsupported", "AUTHENTICATION_FAILED"),
    ("default-group-policy TENCENT-GP", "default-group-policy OTHER-GP",
     "tunnel-group 203.0.113.10 general-attributes", "undefined", "not defined"),
    ("extended permit ip 198.19.1.0 255.255.255.0 object TENCENT-VPC-B\n", "extended permit "
     "ip object TENCENT-VPC-B 198.19.1.0 255.255.255.0\n", "security_policy_databases",
     "not-mirrored", "swapped"),
], ids=["pfs-group", "esp-aes192", "ike-aes256-only", "sa-life", "dpd-off", "ikev2-disabled",
        "protocol-ikev1", "cert-auth", "no-group-policy", "pair-swapped"])
def test_each_deliberate_mismatch_is_found(old: str, new: str, field: str, kind: str,
                                           needle: str) -> None:
    """One change to the hand-written ASA config: exactly one mismatch, its field and symptom."""
    text = HAND.replace(old, new)
    assert text != HAND
    report = check(expected(**CLEAR), text)
    assert [(m.field, m.kind) for m in report.mismatches] == [(field, kind)], \
        [str(m) for m in report.mismatches]
    m = report.mismatches[0]
    assert needle in m.symptom + m.phase, str(m)


def test_missing_tunnel_group_and_undefined_object_are_errors() -> None:
    """No tunnel-group for the gateway: no key; an undefined object: its pairs missing."""
    text = HAND.replace("tunnel-group 203.0.113.10", "tunnel-group 203.0.113.99")
    report = check(expected(**CLEAR), text)
    assert [(m.peer, m.severity) for m in report.mismatches] == [("NoTunnelGroup", "error")]
    assert "AUTHENTICATION_FAILED" in report.mismatches[0].symptom
    text = HAND.replace("object TENCENT-VPC-B\n", "object TENCENT-VPC-C\n")
    got = sorted((m.kind, m.tunnel) for m in check(expected(**CLEAR), text).mismatches)
    assert got == [("missing", "VPC 198.18.10.0/24 <-> IDC 198.19.1.0/24"),
                   ("undefined", "(not compared)")]


def test_ikev1_tunnel_against_an_entry_offering_both_versions() -> None:
    """A map with ikev1 and ikev2 sets starts with IKEv2: a warning for an IKEv1 tunnel."""
    want = expected(**CLEAR, ike=V1, ipsec=SHA1)
    text = rendered(want).replace(
        "crypto map outside_map 10 set ikev1 transform-set TC-vpnx-lab00001\n",
        "crypto map outside_map 10 set ikev1 transform-set TC-vpnx-lab00001\n"
        "crypto map outside_map 10 set ikev2 ipsec-proposal TC-vpnx-lab00001\n")
    got = [(m.field, m.severity) for m in check(want, text).mismatches]
    assert ("ike_options.version", "warning") in got


def test_the_key_never_shows_in_any_output() -> None:
    """Keys of the tunnel group never reach a report, a parsed value or an error."""
    text = HAND.replace(" isakmp keepalive", f" ikev1 pre-shared-key {KEY}\n"
                        f" foo-option {KEY}\n isakmp keepalive")
    report = check(expected(**CLEAR), text)
    assert any(m.peer == "UnsupportedStatement" for m in report.mismatches)
    dump = json.dumps(report.rows()) + repr(report) + report.frame().to_string()
    assert KEY not in dump and KEY not in repr(parse(text))
    with pytest.raises(ValueError, match="no tunnel") as err:
        parse(f"tunnel-group 203.0.113.10 ipsec-attributes\n ikev1 pre-shared-key {KEY}\n")
    assert KEY not in str(err.value)


# In the shape of the public ASA templates for the Tencent gateway: FQDN identity from
# hostname + domain-name, fragmentation after encryption, 'integrity sha' / 'prf sha'.
GUIDE = f"""\
hostname edge-asa
domain-name example.net
!
interface TenGigabitEthernet0/0
    nameif outside
    security-level 0
    ip address 198.51.100.10 255.255.255.0
!
access-list INTERESTING extended permit ip 192.168.0.0 255.255.255.0 10.1.0.0 255.255.0.0
route outside 10.1.0.0 255.255.0.0 203.0.113.10 1
crypto ipsec ikev2 ipsec-proposal TENCENT-P2
    protocol esp encryption aes-256
    protocol esp integrity sha-1
crypto ipsec security-association pmtu-aging infinite
crypto ipsec fragmentation after-encryption outside
crypto map CMAP 1 match address INTERESTING
crypto map CMAP 1 set peer 203.0.113.10
crypto map CMAP 1 set ikev2 ipsec-proposal TENCENT-P2
crypto map CMAP 1 set security-association lifetime seconds 3600
crypto map CMAP 1 set security-association lifetime kilobytes 1843200
crypto map CMAP interface outside
crypto isakmp identity hostname
crypto ikev2 policy 1
    encryption aes-256
    integrity sha
    group 14
    prf sha
    lifetime seconds 86400
crypto ikev2 enable outside
group-policy GP-TENCENT internal
group-policy GP-TENCENT attributes
    vpn-tunnel-protocol ikev2
tunnel-group 203.0.113.10 type ipsec-l2l
tunnel-group 203.0.113.10 general-attributes
    default-group-policy GP-TENCENT
tunnel-group 203.0.113.10 ipsec-attributes
    ikev2 remote-authentication pre-shared-key {KEY}
    ikev2 local-authentication pre-shared-key {KEY}
"""
GUIDE_TUNNEL: dict[str, Any] = {
    "DpdAction": "clear",
    "SecurityPolicyDatabaseSet": [{"LocalCidrBlock": "10.1.0.0/16",
                                   "RemoteCidrBlock": ["192.168.0.0/24"]}],
    "ike": {"PropoEncryAlgorithm": "AES-CBC-256", "PropoAuthenAlgorithm": "SHA",
            "LocalIdentity": "FQDN", "LocalFqdnName": "vpngw.example.com",
            "RemoteIdentity": "FQDN", "RemoteFqdnName": "edge-asa.example.net"},
    "ipsec": {"EncryptAlgorithm": "AES-CBC-256", "IntegrityAlgorith": "SHA1",
              "PfsDhGroup": "NULL"}}


def test_guide_shaped_asa_config_is_compatible() -> None:
    """hostname.domain-name as the FQDN, a group found by the gateway's address: clean.

    The L2L default keepalive (on) meets the tunnel's DPD; its 16 s is not compared (IKEv2).
    """
    (peer,) = parse(GUIDE)
    assert (peer.local.id_kind, peer.local.id_value) == ("FQDN", "edge-asa.example.net")
    assert peer.remote.id_value == "%any" and peer.dpd.enabled
    assert not check(expected(**GUIDE_TUNNEL), GUIDE).mismatches


@pytest.mark.parametrize(("old", "new", "field", "tunnel", "peer"), [
    ("crypto isakmp identity hostname\n", "", "ike_options.remote_identity",
     "FQDN edge-asa.example.net", "ADDRESS 198.51.100.10"),
    ("domain-name example.net", "domain-name example.org", "ike_options.remote_identity",
     "FQDN edge-asa.example.net", "FQDN edge-asa.example.org"),
    ("    group 14\n", "    group 5\n", "ike_options.dh_group", "GROUP14", "GROUP5"),
    ("integrity sha-1", "integrity sha-256", "ipsec_options.integrity_algorithm", "SHA1",
     "SHA-256"),
], ids=["identity-auto", "other-domain", "dh5", "esp-sha256"])
def test_guide_shaped_asa_mismatches(old: str, new: str, field: str, tunnel: str,
                                     peer: str) -> None:
    """Each change to the guide-shaped ASA config: one mismatch with both values."""
    text = GUIDE.replace(old, new)
    assert text != GUIDE
    got = [(m.field, m.tunnel, m.peer) for m in check(expected(**GUIDE_TUNNEL), text).mismatches]
    assert got == [(field, tunnel, peer)]


def test_acl_keywords_are_read_in_any_case() -> None:
    """'Remark', 'EXTENDED Permit' and 'Deny' read as their lower-case forms (the CLI takes
    keywords in any case): no unreadable line, a deny line is DenyEntry."""
    text = HAND.replace("TENCENT-ACL remark", "TENCENT-ACL Remark").replace(
        "extended permit ip object-group", "EXTENDED Permit ip object-group")
    assert text != HAND
    assert not check(expected(**CLEAR), text).mismatches
    text = HAND.replace("TENCENT-ACL remark traffic to protect (one SA per line)",
                        "TENCENT-ACL Extended Deny ip any any")
    got = [(m.peer, m.severity) for m in check(expected(**CLEAR), text).mismatches]
    assert got == [("DenyEntry", "warning")]


def test_keywords_in_values_are_read_in_any_case() -> None:
    """'set phase1-mode Aggressive' and 'isakmp keepalive threshold INFINITE' read as in lower
    case: aggressive mode, DPD not sent."""
    want = expected(**CLEAR, ike={**V1, "ExchangeMode": "AGGRESSIVE"}, ipsec=SHA1)
    text = rendered(want).replace("set phase1-mode aggressive", "set Phase1-Mode Aggressive")
    assert "Aggressive" in text and not check(want, text).mismatches
    (peer,) = parse(HAND.replace("threshold 24 retry 2", "threshold INFINITE"))
    assert not peer.dpd.enabled
