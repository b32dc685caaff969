"""Cisco IOS / IOS-XE configs: vpnkit's own output checks clean; hand-written ones in the shape
of Cisco's and Tencent's guides have each deliberate mismatch found, and the key never shows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from peer_helpers import CUSTOMER_IP, GATEWAY_IP, tunnel

from vpnkit.peer import check, from_connection, parse, render
from vpnkit.peer.check import detect
from vpnkit.peer.model import PeerConfig

KEY = "SENTINEL-cisco-ios-key-3b9d"
POLICY_CLEAR = {"DpdAction": "clear"}
ROUTE = {"RouteType": "StaticRoute",
         "SecurityPolicyDatabaseSet": [{"LocalCidrBlock": "0.0.0.0/0",
                                        "RemoteCidrBlock": ["0.0.0.0/0"]}]}
V1 = {"IKEVersion": "IKEV1", "PropoAuthenAlgorithm": "SHA", "DhGroupName": "GROUP2"}


def expected(**changes: Any) -> PeerConfig:
    """The IDC side of the shared lab tunnel with ``changes``."""
    return from_connection(tunnel(**changes), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)


def rendered(cfg: PeerConfig) -> str:
    """vpnkit's IOS-XE output, with the WAN interface its comment asks the user to add."""
    text = render(cfg, "cisco-ios", psk=KEY).text
    if cfg.route_based:
        return text
    wan = ("interface GigabitEthernet1\n ip address 198.51.100.10 255.255.255.0\n"
           " crypto map TC-vpnx-lab00001\n")
    return text.replace("\nend\n", f"\n{wan}end\n")


@pytest.mark.parametrize("changes", [
    POLICY_CLEAR,                                                     # IKEv2, 3 pairs, PFS
    {**POLICY_CLEAR, "ike": V1, "ipsec": {"PfsDhGroup": "NULL"}},    # IKEv1 main, no PFS
    {**POLICY_CLEAR, "ike": {**V1, "ExchangeMode": "AGGRESSIVE"}},   # IKEv1 aggressive
    {**POLICY_CLEAR, "ike": {"PropoEncryAlgorithm": "AES256GCM128"},
     "ipsec": {"EncryptAlgorithm": "AES128GCM128", "PfsDhGroup": "DH-GROUP19"}},
    {**POLICY_CLEAR, "ike": {"LocalIdentity": "FQDN", "LocalFqdnName": "tc.example.com",
                             "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example.net"}},
    {**POLICY_CLEAR, "DpdEnable": 0},
    ROUTE,                                                            # VTI, IKEv2, restart
    {**ROUTE, "ike": {**V1, "ExchangeMode": "AGGRESSIVE"}, "ipsec": {"PfsDhGroup": "NULL"}},
], ids=["v2-policy", "v1-main-nopfs", "v1-aggr", "v2-gcm", "v2-fqdn", "dpd-off", "v2-vti",
        "v1-vti"])
def test_round_trip_of_vpnkit_output_checks_clean(changes: dict[str, Any]) -> None:
    """parse(render(t)) has no mismatch at all against t, for several tunnel shapes."""
    want = expected(**changes)
    text = rendered(want)
    assert detect(text) == "cisco-ios"
    report = check(want, text)
    assert report.ok and not report.mismatches, [str(m) for m in report.mismatches]
    peers = parse(text, gateway_ip=GATEWAY_IP)
    assert [p.selector_set() for p in peers] == [want.selector_set()]


def test_policy_based_restart_is_a_dpd_action_warning() -> None:
    """A crypto map waits for traffic after DPD; a tunnel set to restart is told so."""
    report = check(expected(), rendered(expected()))
    assert report.ok
    assert [(m.field, m.tunnel, m.peer, m.severity) for m in report.mismatches] == [
        ("dpd_action", "restart", "clear", "warning")]


@pytest.mark.parametrize("timeout", [30, 45, 60])
def test_rendered_dpd_declares_the_peer_dead_at_the_tunnels_timeout(timeout: int) -> None:
    """The interval plus IOS's five retries equals DpdTimeout (it was 10 + 5 x timeout//10)."""
    want = expected(DpdTimeout=str(timeout), DpdAction="clear", ike=V1)
    (peer,) = parse(rendered(want))
    assert peer.dpd.enabled and peer.dpd.timeout == timeout
    assert not check(want, rendered(want)).mismatches


def test_without_the_wan_interface_the_identity_is_not_compared_but_said() -> None:
    """The crypto map applied nowhere: warnings say so; the own address is not guessed."""
    want = expected(**POLICY_CLEAR, ike=V1)
    report = check(want, render(want, "cisco-ios").text)
    assert report.ok
    assert {m.peer for m in report.mismatches} == {"CryptoMapNotApplied",
                                                   "UnknownLocalAddress"}
    assert all(m.field == "crypto map TC-vpnx-lab00001 10 ipsec-isakmp"
               for m in report.mismatches)


# ---- hand-written, in the shape of Cisco's FlexVPN guide and Tencent's IOS-XE examples ----

HAND_V2 = f"""\
hostname idc-edge
!
crypto ikev2 proposal TENCENT-P1
 encryption aes-cbc-256 aes-cbc-128
 integrity sha256 sha1
 group 14 5
!
crypto ikev2 policy TENCENT-POL
 match address local 198.51.100.10
 proposal TENCENT-P1
!
crypto ikev2 keyring TENCENT-KR
 peer tencent-gw
  address 203.0.113.10
  pre-shared-key local {KEY}
  pre-shared-key remote {KEY}
 !
!
crypto ikev2 profile TENCENT-PROF
 match identity remote address 203.0.113.10 255.255.255.255
 identity local address 198.51.100.10
 authentication remote pre-share
 authentication local pre-share
 keyring local TENCENT-KR
 dpd 20 2 periodic
!
crypto ipsec security-association lifetime seconds 3600
crypto ipsec security-association lifetime kilobytes 1843200
!
crypto ipsec transform-set TS-AES256 esp-aes 256 esp-sha256-hmac
 mode tunnel
!
object-group network IDC-NETS
 198.19.1.0 255.255.255.0
 198.19.2.0 255.255.255.0
!
ip access-list extended TENCENT-SPD
 10 remark Tencent VPC 198.18.0.0/24 and 198.18.10.0/24
 10 permit ip object-group IDC-NETS 198.18.0.0 0.0.0.255
 20 permit ip 198.19.1.0 0.0.0.255 198.18.10.0 0.0.0.255
!
crypto map TENCENT-MAP 10 ipsec-isakmp
 set peer 203.0.113.10
 set transform-set TS-AES256
 set pfs group14
 set ikev2-profile TENCENT-PROF
 match address TENCENT-SPD
!
interface GigabitEthernet0/0/0
 description WAN
 ip address 198.51.100.10 255.255.255.0
 crypto map TENCENT-MAP
!
end
"""


def test_hand_written_ikev2_config_is_compatible() -> None:
    """Object groups, a remark, sequence numbers, global lifetimes: all read, no mismatch."""
    report = check(expected(**POLICY_CLEAR), HAND_V2)
    assert not report.mismatches, [str(m) for m in report.mismatches]
    assert len(report.complies) == 17


@pytest.mark.parametrize(("old", "new", "field", "kind", "needle"), [
    (" set pfs group14\n", "", "ipsec_options.pfs_dh_group", "changed",
     "PFS on one side only"),
    ("esp-aes 256 esp-sha256-hmac", "esp-3des esp-sha256-hmac",
     "ipsec_options.encryption_algorithm", "changed", "NO_PROPOSAL_CHOSEN"),
    ("esp-aes 256 esp-sha256-hmac", "esp-aes 256 esp-sha-hmac",
     "ipsec_options.integrity_algorithm", "changed", "NO_PROPOSAL_CHOSEN"),
    ("group 14 5", "group 5", "ike_options.dh_group", "changed", "INVALID_KE_PAYLOAD"),
    (" integrity sha256 sha1", " integrity sha1", "ike_options.authentication_algorithm",
     "changed", "NO_PROPOSAL_CHOSEN"),
    ("lifetime seconds 3600", "lifetime seconds 28800", "ipsec_options.sa_lifetime_seconds",
     "changed", "rekey at different times"),
    ("lifetime kilobytes 1843200", "lifetime kilobytes 4608000",
     "ipsec_options.sa_lifetime_traffic", "changed", "volume rekeys"),
    ("remote address 203.0.113.10 255.255.255.255", "remote fqdn vpngw.example.com",
     "ike_options.local_identity", "changed", "AUTHENTICATION_FAILED"),
    ("identity local address 198.51.100.10", "identity local fqdn idc.example.net",
     "ike_options.remote_identity", "changed", "AUTHENTICATION_FAILED"),
    (" 20 permit ip 198.19.1.0 0.0.0.255 198.18.10.0 0.0.0.255\n", "",
     "security_policy_databases", "missing", "TS_UNACCEPTABLE"),
    ("20 permit ip 198.19.1.0 0.0.0.255 198.18.10.0 0.0.0.255",
     "20 permit ip 198.18.10.0 0.0.0.255 198.19.1.0 0.0.0.255",
     "security_policy_databases", "not-mirrored", "swapped"),
    (" dpd 20 2 periodic\n", "", "dpd_enable", "changed", "one side only"),
    ("  address 203.0.113.10\n", "  address 203.0.113.11\n",
     "crypto ikev2 profile TENCENT-PROF", "unsupported", "AUTHENTICATION_FAILED"),
    ("keyring local TENCENT-KR", "keyring local TENCENT-KR2",
     "keyring local TENCENT-KR2", "undefined", "not defined"),
    (" authentication remote pre-share\n", " authentication remote rsa-sig\n",
     "authentication remote rsa-sig", "unsupported", "pre-shared key only"),
], ids=["pfs-off", "esp-3des", "esp-sha1", "dh5", "ike-sha1", "sa-life", "sa-kb", "gw-fqdn",
        "own-fqdn", "pair-missing", "pair-swapped", "dpd-off", "no-key", "no-keyring",
        "rsa-sig"])
def test_each_deliberate_mismatch_is_found(old: str, new: str, field: str, kind: str,
                                           needle: str) -> None:
    """One change to the hand-written config: exactly one mismatch, its field and symptom."""
    text = HAND_V2.replace(old, new)
    assert text != HAND_V2
    report = check(expected(**POLICY_CLEAR), text)
    assert [(m.field, m.kind) for m in report.mismatches] == [(field, kind)], \
        [str(m) for m in report.mismatches]
    m = report.mismatches[0]
    assert needle in m.symptom + m.phase, str(m)
    assert KEY not in str(m)


def test_an_acl_used_but_not_defined_is_reported_with_every_pair_missing() -> None:
    """match address names a missing ACL: an 'undefined' error and all three pairs missing."""
    text = HAND_V2.replace("match address TENCENT-SPD", "match address TENCENT-SPDX")
    report = check(expected(**POLICY_CLEAR), text)
    assert not report.ok
    kinds = sorted((m.kind, m.field) for m in report.mismatches)
    assert kinds == [("missing", "security_policy_databases")] * 3 + [
        ("undefined", "match address TENCENT-SPDX")]
    undefined = next(m for m in report.mismatches if m.kind == "undefined")
    assert "access list TENCENT-SPDX" in undefined.symptom and undefined.severity == "error"


def test_an_object_group_used_but_not_defined_is_reported() -> None:
    """An ACL line naming an undefined object-group: 'undefined', and its pairs missing."""
    text = HAND_V2.replace("permit ip object-group IDC-NETS", "permit ip object-group IDC-X")
    report = check(expected(**POLICY_CLEAR), text)
    got = sorted((m.kind, m.peer if m.kind == "undefined" else m.tunnel)
                 for m in report.mismatches)
    assert got == [("missing", "VPC 198.18.0.0/24 <-> IDC 198.19.1.0/24"),
                   ("missing", "VPC 198.18.0.0/24 <-> IDC 198.19.2.0/24"),
                   ("undefined", "UndefinedReference")]


def test_unknown_crypto_statements_are_warnings_not_silence() -> None:
    """A crypto statement vpnkit does not read, and a dynamic map, are listed as warnings."""
    text = HAND_V2.replace(" dpd 20 2 periodic\n",
                           " dpd 20 2 periodic\n aaa authorization group psk list default\n")
    text = text.replace("interface GigabitEthernet0/0/0",
                        "crypto map TENCENT-MAP 20 ipsec-isakmp dynamic DYN\n"
                        "crypto gdoi group G1\ninterface GigabitEthernet0/0/0")
    report = check(expected(**POLICY_CLEAR), text)
    got = {(m.field, m.peer, m.severity) for m in report.mismatches}
    assert got == {("aaa authorization group psk list ...", "UnsupportedStatement", "warning"),
                   ("crypto map TENCENT-MAP 20 ipsec-isakmp ...", "UnsupportedCryptoMap",
                    "warning"),
                   ("crypto gdoi group G1", "UnsupportedStatement", "warning")}, got
    assert report.ok


HAND_V1 = f"""\
crypto isakmp policy 10
 encr aes 256
 authentication pre-share
 group 2
 lifetime 28800
crypto isakmp policy 20
 encr 3des
 hash md5
 authentication pre-share
 group 2
crypto isakmp key {KEY} address 203.0.113.10
crypto isakmp keepalive 20 2 periodic
!
crypto ipsec transform-set TENCENT esp-aes esp-sha-hmac
 mode tunnel
!
crypto map VPN 10 ipsec-isakmp
 set peer 203.0.113.10
 set security-association lifetime kilobytes 1843200
 set transform-set TENCENT
 set pfs group2
 match address 101
!
interface GigabitEthernet0/1
 ip address 198.51.100.10 255.255.255.0
 crypto map VPN
!
access-list 101 permit ip 192.168.10.0 0.0.0.255 10.1.0.0 0.0.255.255
"""
V1_TUNNEL: dict[str, Any] = {
    "DpdAction": "clear",
    "SecurityPolicyDatabaseSet": [{"LocalCidrBlock": "10.1.0.0/16",
                                   "RemoteCidrBlock": ["192.168.10.0/24"]}],
    "ike": {"IKEVersion": "IKEV1", "PropoEncryAlgorithm": "AES-CBC-256",
            "PropoAuthenAlgorithm": "SHA", "DhGroupName": "GROUP2",
            "IKESaLifetimeSeconds": 28800},
    "ipsec": {"EncryptAlgorithm": "AES-CBC-128", "IntegrityAlgorith": "SHA1",
              "PfsDhGroup": "DH-GROUP2"}}


def test_hand_written_ikev1_config_with_running_config_defaults() -> None:
    """'encr', hash left to its default (sha), a numbered ACL: compatible."""
    report = check(expected(**V1_TUNNEL), HAND_V1)
    assert not report.mismatches, [str(m) for m in report.mismatches]


@pytest.mark.parametrize(("old", "new", "found"), [
    ("encr aes 256", "encr aes", {("ike_options.encryption_algorithm", "changed")}),
    (" set pfs group2\n", "", {("ipsec_options.pfs_dh_group", "changed")}),
    ("keepalive 20 2 periodic", "keepalive 10 2", {("dpd_timeout", "changed")}),
    ("address 203.0.113.10\n", "address 203.0.113.77\n",
     {("crypto map VPN 10 ipsec-isakmp", "unsupported")}),
    ("permit ip 192.168", "permit tcp 192.168",
     {("access-list", "unsupported"), ("security_policy_databases", "missing")}),
], ids=["aes128", "pfs-off", "dpd-timeout", "no-key", "tcp-only"])
def test_hand_written_ikev1_mismatches(old: str, new: str, found: set[tuple[str, str]]) -> None:
    """Each change to the IKEv1 config is found under the field it breaks."""
    text = HAND_V1.replace(old, new)
    assert text != HAND_V1
    report = check(expected(**V1_TUNNEL), text)
    got = {(m.field.split()[0] if m.field.startswith("access-list") else m.field, m.kind)
           for m in report.mismatches}
    assert got == found, [str(m) for m in report.mismatches]
    assert all(KEY not in str(m) for m in report.mismatches)


def test_ikev1_pfs_off_fails_phase_2_and_no_key_fails_authentication() -> None:
    """The symptoms name the phase and what the peer logs."""
    pfs = check(expected(**V1_TUNNEL), HAND_V1.replace(" set pfs group2\n", "")).mismatches[0]
    assert (pfs.tunnel, pfs.peer, pfs.phase) == ("DH-GROUP2", "NULL", "phase 1 up, phase 2 down")
    nokey = check(expected(**V1_TUNNEL),
                  HAND_V1.replace("address 203.0.113.10\n", "address 203.0.113.77\n"))
    assert "AUTHENTICATION_FAILED" in nokey.mismatches[0].symptom and not nokey.ok


def test_ikev1_fqdn_identity_comes_from_hostname_and_domain() -> None:
    """self-identity fqdn is hostname.domain: compared when the file has both lines."""
    want = expected(**POLICY_CLEAR, ike={**V1, "RemoteIdentity": "FQDN",
                                         "RemoteFqdnName": "idc.example.net"})
    text = rendered(want)
    partial = check(want, text)
    assert [m.peer for m in partial.mismatches] == ["FqdnNotInFile"] and partial.ok
    full = check(want, "hostname idc\nip domain name example.net\n" + text)
    assert not full.mismatches
    wrong = check(want, "hostname idc\nip domain name example.org\n" + text)
    assert [(m.field, m.peer) for m in wrong.mismatches] == [
        ("ike_options.remote_identity", "FQDN idc.example.org")]


HAND_VTI = f"""\
crypto ikev2 proposal P1
 encryption aes-cbc-128
 integrity sha256
 group 14
crypto ikev2 policy POL
 proposal P1
crypto ikev2 keyring KR
 peer TENCENT
  address 203.0.113.10
  pre-shared-key {KEY}
crypto ikev2 profile PROF
 match identity remote address 203.0.113.10 255.255.255.255
 authentication remote pre-share
 authentication local pre-share
 keyring local KR
 dpd 20 2 periodic
crypto ipsec transform-set TS esp-aes 256 esp-sha256-hmac
 mode tunnel
crypto ipsec profile TENCENT-VTI
 set transform-set TS
 set pfs group14
 set security-association lifetime kilobytes 1843200
 set ikev2-profile PROF
interface GigabitEthernet1
 ip address 198.51.100.10 255.255.255.0
interface Tunnel1
 ip unnumbered GigabitEthernet1
 tunnel source GigabitEthernet1
 tunnel mode ipsec ipv4
 tunnel destination 203.0.113.10
 tunnel protection ipsec profile TENCENT-VTI
ip route 198.18.0.0 255.255.255.0 Tunnel1
"""


def test_hand_written_vti_is_route_based_and_compatible() -> None:
    """A VTI: any-any selectors, own address from the tunnel source interface."""
    (peer,) = parse(HAND_VTI)
    assert peer.route_based and peer.local.id_value == "198.51.100.10"
    assert not check(expected(**ROUTE), HAND_VTI).mismatches


def test_vti_in_gre_mode_and_an_undefined_profile_are_errors() -> None:
    """GRE over IPsec selects GRE only; an undefined ipsec profile brings no SA up."""
    gre = check(expected(**ROUTE), HAND_VTI.replace(" tunnel mode ipsec ipv4\n", ""))
    assert [(m.peer, m.severity) for m in gre.mismatches] == [("NotAVti", "error")]
    assert "TS_UNACCEPTABLE" in gre.mismatches[0].symptom
    text = HAND_VTI.replace("protection ipsec profile TENCENT-VTI", "protection ipsec profile X")
    undefined = check(expected(**ROUTE), text)
    assert not undefined.ok and ("undefined", "UndefinedReference") in {
        (m.kind, m.peer) for m in undefined.mismatches}


def test_the_key_never_shows_in_any_output() -> None:
    """Keys in keyrings, isakmp key lines and inline profile keys never reach a report,
    a parsed value or an error, even on statements vpnkit does not read."""
    text = HAND_V2.replace(" authentication local pre-share\n",
                           f" authentication local pre-share key {KEY}\n"
                           f" pre-shared-key {KEY}\n")
    text = text.replace("!\nend", f"crypto isakmp key {KEY} address 0.0.0.0\n"
                        f"crypto foo key {KEY}\n!\nend")
    report = check(expected(**POLICY_CLEAR), text)
    assert any(m.kind == "unsupported" for m in report.mismatches)
    dump = json.dumps(report.rows()) + repr(report) + report.frame().to_string()
    assert KEY not in dump and KEY not in repr(parse(text))
    with pytest.raises(ValueError, match="no tunnel") as err:
        parse(f"crypto isakmp key {KEY} address 203.0.113.10\n")
    assert KEY not in str(err.value)


def test_vendor_can_be_named_and_is_checked() -> None:
    """parse(vendor=...) reads the file as that vendor; an unknown vendor is refused."""
    assert parse(HAND_V2, vendor="cisco-ios")[0].name == "crypto map TENCENT-MAP 10"
    with pytest.raises(ValueError, match="cisco-asa"):
        parse(HAND_V2, vendor="junos")


def test_isakmp_profile_is_found_by_the_peer_address_when_the_map_names_none() -> None:
    """Without 'set isakmp-profile' IOS still uses the profile matching the gateway."""
    want = expected(**POLICY_CLEAR, ike={**V1, "ExchangeMode": "AGGRESSIVE"})
    text = rendered(want).replace(" set isakmp-profile TC-vpnx-lab00001\n", "")
    assert " initiate mode aggressive" in text and "set isakmp-profile" not in text
    assert not check(want, text).mismatches
    other = text.replace("match identity address 203.0.113.10", "match identity address 192.0.2.1")
    got = {m.field for m in check(want, other).mismatches}
    assert "ike_options.exchange_mode" in got  # that profile is not the gateway's: main mode


# In the shape of the public IOS-XE templates for the Tencent gateway (IKEv1 with FQDN
# identities, a keyring named by the profile, no 'set isakmp-profile', 'no set pfs', tabs).
GUIDE_V1 = f"""\
crypto keyring TENCENT-KR
\tpre-shared-key address 203.0.113.10 key {KEY}
!
crypto isakmp policy 10
\tencryption aes
\tauthentication pre-share
\tgroup 2
\thash sha
\tlifetime 86400
!
crypto isakmp profile TENCENT-IKE
\tkeyring TENCENT-KR
\tself-identity fqdn idc.example.net
\tmatch identity host vpngw.example.com
!
crypto ipsec transform-set TENCENT-TS esp-aes esp-sha-hmac
    mode tunnel
!
crypto map TENCENT-MAP 10 ipsec-isakmp
\tset peer 203.0.113.10
\tno set pfs
\tset security-association lifetime seconds 3600
\tset security-association lifetime kilobytes 1843200
\tset transform-set TENCENT-TS
\tmatch address INTERESTING
!
interface GigabitEthernet1
\tdescription VPNGW
\tip address 198.51.100.10 255.255.255.0
\tnegotiation auto
\tcrypto map TENCENT-MAP
!
ip access-list extended INTERESTING
\t10 permit ip 192.168.0.0 0.0.0.255 10.1.0.0 0.0.255.255
"""
GUIDE_TUNNEL: dict[str, Any] = {
    "DpdEnable": 0,
    "SecurityPolicyDatabaseSet": [{"LocalCidrBlock": "10.1.0.0/16",
                                   "RemoteCidrBlock": ["192.168.0.0/24"]}],
    "ike": {**V1, "PropoEncryAlgorithm": "AES-CBC-128", "LocalIdentity": "FQDN",
            "LocalFqdnName": "vpngw.example.com", "RemoteIdentity": "FQDN",
            "RemoteFqdnName": "idc.example.net"},
    "ipsec": {"EncryptAlgorithm": "AES-CBC-128", "IntegrityAlgorith": "SHA1",
              "PfsDhGroup": "NULL"}}


def test_guide_shaped_ikev1_fqdn_config_is_compatible() -> None:
    """Tabs, 'no set pfs', a profile found by the gateway's name: all read, no mismatch."""
    (peer,) = parse(GUIDE_V1)
    assert (peer.local.id_kind, peer.local.id_value) == ("FQDN", "idc.example.net")
    assert (peer.remote.id_kind, peer.remote.id_value) == ("FQDN", "vpngw.example.com")
    assert not check(expected(**GUIDE_TUNNEL), GUIDE_V1).mismatches


@pytest.mark.parametrize(("old", "new", "field", "tunnel", "peer"), [
    ("host vpngw.example.com", "host vpngw.example.org", "ike_options.local_identity",
     "FQDN vpngw.example.com", "FQDN vpngw.example.org"),
    ("self-identity fqdn idc.example.net", "self-identity address",
     "ike_options.remote_identity", "FQDN idc.example.net", "ADDRESS 198.51.100.10"),
    ("\tgroup 2\n", "\tgroup 5\n", "ike_options.dh_group", "GROUP2", "GROUP5"),
    ("\tno set pfs\n", "\tset pfs group2\n", "ipsec_options.pfs_dh_group", "NULL",
     "DH-GROUP2"),
], ids=["gw-name", "own-address", "dh5", "pfs-on"])
def test_guide_shaped_ikev1_mismatches(old: str, new: str, field: str, tunnel: str,
                                       peer: str) -> None:
    """Each change to the guide-shaped config: one mismatch with both values."""
    text = GUIDE_V1.replace(old, new)
    assert text != GUIDE_V1
    got = [(m.field, m.tunnel, m.peer) for m in check(expected(**GUIDE_TUNNEL), text).mismatches]
    assert got == [(field, tunnel, peer)]


# The gateway known to the keyring by the identity it sends, as Cisco's FlexVPN guides write
# it (a keyring ``peer`` block found by ``identity``; the responder looks it up that way).
_FQDN_GW: dict[str, Any] = {**POLICY_CLEAR, "ike": {"LocalIdentity": "FQDN",
                                                    "LocalFqdnName": "vpngw.example.com"}}
_BY_NAME = HAND_V2.replace("remote address 203.0.113.10 255.255.255.255",
                           "remote fqdn vpngw.example.com")


def _key_findings(tunnel: dict[str, Any], text: str) -> list[tuple[str, str]]:
    report = check(expected(**tunnel), text)
    assert KEY not in json.dumps([str(m) for m in report.mismatches])
    return [(m.peer, m.severity) for m in report.mismatches]


@pytest.mark.parametrize(("tunnel", "text", "identity"), [
    (_FQDN_GW, _BY_NAME, "identity fqdn vpngw.example.com"),
    (_FQDN_GW, _BY_NAME, "identity fqdn VPNGW.example.com"),
    (_FQDN_GW, _BY_NAME, "identity fqdn domain example.com"),
    (POLICY_CLEAR, HAND_V2, "identity address 203.0.113.10"),
], ids=["fqdn", "fqdn-case", "fqdn-domain", "address"])
def test_ikev2_keyring_peer_found_by_identity_holds_the_key(
        tunnel: dict[str, Any], text: str, identity: str) -> None:
    """A keyring peer matched by the gateway's identity counts as its key (no
    NoPreSharedKey error); having no 'address' is only a warning (IOS initiating)."""
    with_addr = text.replace("  address 203.0.113.10\n", f"  address 203.0.113.10\n  {identity}\n")
    assert _key_findings(tunnel, with_addr) == []
    only_id = text.replace("  address 203.0.113.10\n", f"  {identity}\n")
    assert _key_findings(tunnel, only_id) == [("KeyByIdentityOnly", "warning")]


@pytest.mark.parametrize(("tunnel", "text", "identity"), [
    (_FQDN_GW, _BY_NAME, "identity fqdn vpngw.example.org"),
    (_FQDN_GW, _BY_NAME, "identity fqdn domain example.org"),
    (_FQDN_GW, _BY_NAME, "identity address 203.0.113.10"),
    (POLICY_CLEAR, HAND_V2, "identity fqdn vpngw.example.com"),
    (POLICY_CLEAR, HAND_V2, "identity address 203.0.113.11"),
], ids=["other-name", "other-domain", "address-for-fqdn", "fqdn-for-address", "other-ip"])
def test_ikev2_keyring_peer_with_another_identity_is_no_key(
        tunnel: dict[str, Any], text: str, identity: str) -> None:
    """A keyring peer whose identity is not the gateway's still leaves it without a key."""
    only_id = text.replace("  address 203.0.113.10\n", f"  {identity}\n")
    assert _key_findings(tunnel, only_id) == [("NoPreSharedKey", "error")]


def test_keywords_in_values_are_read_in_any_case() -> None:
    """'initiate mode Aggressive' is aggressive mode and 'mode Transport' transport mode, as
    in lower case (the CLI takes keywords in any case)."""
    want = expected(**POLICY_CLEAR, ike={**V1, "ExchangeMode": "AGGRESSIVE"})
    text = rendered(want).replace(" initiate mode aggressive", " initiate mode Aggressive")
    assert "Aggressive" in text and not check(want, text).mismatches
    (peer,) = parse(rendered(want).replace(" mode tunnel", " mode Transport"))
    assert "TransportMode" in {n.code for n in peer.notes}
