"""peer-check: each mismatch class found with its symptom; a correct config has none."""

from __future__ import annotations

import re

import pytest
from peer_helpers import CUSTOMER_IP, GATEWAY_IP, tunnel

from vpnkit.peer import check, from_connection, parse, render


def expected(**changes: object):  # type: ignore[no-untyped-def]
    return from_connection(tunnel(**changes), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)


def peer_text(vendor: str = "strongswan", **changes: object) -> str:
    """The config vpnkit renders for a tunnel with ``changes`` (the IDC side's own file)."""
    out = render(expected(**changes), vendor)
    return out.files["ipsec.conf"] if vendor == "libreswan" else out.text


@pytest.mark.parametrize("vendor", ["strongswan", "libreswan"])
@pytest.mark.parametrize("changes", [
    {}, {"ike": {"IKEVersion": "IKEV1", "ExchangeMode": "AGGRESSIVE"}},
    {"ipsec": {"PfsDhGroup": "NULL", "EncryptAlgorithm": "AES128GCM128"}},
    {"ike": {"LocalIdentity": "FQDN", "LocalFqdnName": "tc.example.com",
             "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example.net"}},
])
def test_generated_config_has_no_mismatch(vendor: str, changes: dict[str, object]) -> None:
    """The config vpnkit generates for a tunnel checks clean against that tunnel."""
    report = check(expected(**changes), peer_text(vendor, **changes))
    assert report.ok and not report.mismatches, [str(m) for m in report.mismatches]


def test_complies_lists_the_fields_that_agree() -> None:
    """Every compared field complies for the generated config; a changed one leaves the list."""
    assert "ipsec_options.pfs_dh_group" in check(expected(), peer_text()).complies
    assert len(check(expected(), peer_text()).complies) == 17  # 16 + dpd_action (DPD on)
    report = check(expected(), peer_text(ipsec={"PfsDhGroup": "NULL"}))
    assert "ipsec_options.pfs_dh_group" not in report.complies
    assert len(report.complies) == 16


def test_spd_order_is_no_mismatch() -> None:
    """Children in another order (and proposals listed in another order) are no mismatch."""
    text = peer_text()
    blocks = re.findall(r"      vpnx-lab00001-\d \{.*?\n      \}\n", text, flags=re.S)
    assert len(blocks) == 3
    shuffled = text.replace("".join(blocks), "".join(reversed(blocks)))
    shuffled = shuffled.replace("proposals = aes128-sha256-modp2048",
                                "proposals = aes256-sha1-modp1024,aes128-sha256-modp2048")
    assert shuffled != text
    assert not check(expected(), shuffled).mismatches


@pytest.mark.parametrize(("peer_changes", "field", "kind", "needle"), [
    ({"ike": {"IKEVersion": "IKEV1"}}, "ike_options.version", "changed", "IKE versions"),
    ({"ike": {"PropoEncryAlgorithm": "AES-CBC-256"}}, "ike_options.encryption_algorithm",
     "changed", "NO_PROPOSAL_CHOSEN"),
    ({"ike": {"DhGroupName": "GROUP5"}}, "ike_options.dh_group", "changed",
     "INVALID_KE_PAYLOAD"),
    ({"ipsec": {"EncryptAlgorithm": "3DES-CBC"}}, "ipsec_options.encryption_algorithm",
     "changed", "NO_PROPOSAL_CHOSEN"),
    ({"ipsec": {"PfsDhGroup": "NULL"}}, "ipsec_options.pfs_dh_group", "changed",
     "PFS on one side only"),
    ({"ike": {"RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example.net"}},
     "ike_options.remote_identity", "changed", "AUTHENTICATION_FAILED"),
    ({"ike": {"LocalAddress": "203.0.113.99"}}, "ike_options.local_identity", "changed",
     "AUTHENTICATION_FAILED"),
    ({"ipsec": {"IPSECSaLifetimeSeconds": 28800}}, "ipsec_options.sa_lifetime_seconds",
     "changed", "rekey"),
    ({"DpdEnable": 0}, "dpd_enable", "changed", "one side only"),
])
def test_each_mismatch_class_has_its_symptom(peer_changes: dict[str, object], field: str,
                                             kind: str, needle: str) -> None:
    """A peer that differs in one field gets one mismatch naming it, both values, the symptom."""
    report = check(expected(), peer_text(**peer_changes))
    assert [m.field for m in report.mismatches] == [field], [str(m) for m in report.mismatches]
    m = report.mismatches[0]
    assert m.kind == kind and m.tunnel != m.peer and needle in m.symptom + m.phase


def test_pfs_one_side_on_ikev2_fails_at_rekey() -> None:
    """IKEv2: one-sided PFS lets the first CHILD_SA up and fails at the first rekey."""
    m = check(expected(), peer_text(ipsec={"PfsDhGroup": "NULL"})).mismatches[0]
    assert "first rekey" in m.phase and not check(expected(), peer_text(
        ipsec={"PfsDhGroup": "NULL"})).ok


def test_selectors_missing_extra_and_not_mirrored() -> None:
    """A dropped pair is missing, an added one extra, a swapped one not-mirrored (TS_*)."""
    text = peer_text()
    text = text.replace("local_ts = 198.19.2.0/24\n        remote_ts = 198.18.0.0/24",
                        "local_ts = 198.18.0.0/24\n        remote_ts = 198.19.2.0/24")
    text = text.replace("remote_ts = 198.18.10.0/24", "remote_ts = 198.18.20.0/24")
    got = {(m.kind, m.tunnel, m.peer) for m in check(expected(), text).mismatches}
    assert got == {
        ("missing", "VPC 198.18.10.0/24 <-> IDC 198.19.1.0/24", "(none)"),
        ("extra", "(none)", "local 198.19.1.0/24 <-> remote 198.18.20.0/24"),
        ("not-mirrored", "VPC 198.18.0.0/24 <-> IDC 198.19.2.0/24",
         "local 198.18.0.0/24 <-> remote 198.19.2.0/24"),
    }
    assert all("TS_UNACCEPTABLE" in m.symptom for m in check(expected(), text).mismatches)


def test_libreswan_pair_missing_is_found() -> None:
    """A Libreswan file without one of the per-pair conns misses that SPD pair."""
    text = peer_text("libreswan")
    text = text.split("conn vpnx-lab00001-3")[0]
    report = check(expected(), text)
    assert [(m.kind, m.tunnel) for m in report.mismatches] == [
        ("missing", "VPC 198.18.10.0/24 <-> IDC 198.19.1.0/24")]


def test_frame_and_rows_shape() -> None:
    """The report as rows and as a DataFrame with the documented columns."""
    report = check(expected(), peer_text(ipsec={"EncryptAlgorithm": "3DES-CBC"}))
    frame = report.frame()
    assert list(frame.columns) == ["field", "kind", "tunnel", "peer", "phase", "symptom",
                                   "severity"]
    assert frame.iloc[0]["peer"] == "3DES-CBC" and len(report.rows()) == 1


def test_parse_refuses_what_it_cannot_read() -> None:
    """A file that is neither format is refused with a message saying what was expected."""
    with pytest.raises(ValueError, match=r"swanctl\.conf"):
        parse("hostname router1\n")


def test_check_is_still_the_function() -> None:
    """`vpnkit.peer.check` stays the function after its module is imported by name."""
    import importlib

    import vpnkit.peer

    importlib.import_module("vpnkit.peer.check")
    assert callable(vpnkit.peer.check) and vpnkit.peer.check.__name__ == "check"


HAND_SWANCTL = """
# written by hand, the way people do: several proposals, defaults left out
connections {
    tencent {
        version = 2
        local_addrs = 198.51.100.10
        remote_addrs = 203.0.113.10
        proposals = aes256-sha1-modp1024, aes128-sha256-modp2048
        local {
            auth = psk
            id = 198.51.100.10
        }
        remote {
            auth = psk
            id = 203.0.113.10
        }
        children {
            lan {
                local_ts = 198.19.1.0/24,198.19.2.0/24
                remote_ts = 198.18.0.0/24
                esp_proposals = aes256-sha256-modp2048
                start_action = trap
            }
            lan2 {
                local_ts = 198.19.1.0/24
                remote_ts = 198.18.10.0/24
                esp_proposals = aes256-sha256-modp2048
            }
        }
    }
}
"""


def test_hand_written_swanctl_with_defaults_and_a_combined_child() -> None:
    """Hand-written: proposals as sets, defaults as warnings, a two-pair child flagged."""
    report = check(expected(), HAND_SWANCTL)
    fields = {(m.field, m.severity) for m in report.mismatches}
    assert fields == {("ike_options.sa_lifetime_seconds", "warning"),
                      ("ipsec_options.sa_lifetime_seconds", "warning"),
                      ("dpd_enable", "warning"),
                      ("security_policy_databases", "warning")}, fields
    assert report.ok
    combined = next(m for m in report.mismatches if m.field == "security_policy_databases")
    assert "children.lan" in combined.peer and "one child per pair" in combined.symptom
    ike = next(m for m in report.mismatches if m.field == "ike_options.sa_lifetime_seconds")
    assert (ike.tunnel, ike.peer) == ("86400", "15840")  # strongSwan's 4h + 10%


HAND_LIBRESWAN = """
config setup
    uniqueids=yes

conn %default
    ikelifetime=24h
    keylife=1h

conn tencent
    authby=secret
    left=%defaultroute
    leftid=198.51.100.10
    leftsubnets={198.19.1.0/24 198.19.2.0/24}
    right=203.0.113.10
    rightsubnet=198.18.0.0/24
    ikev2=insist
    ike=aes128-sha2_256;modp2048
    phase2alg=aes256-sha2_256;modp2048
    dpddelay=10
    dpdtimeout=30
    dpdaction=restart
    auto=start
"""


def test_hand_written_libreswan_with_default_section_and_subnets() -> None:
    """%default, keylife, phase2alg, leftsubnets={...} read; the missing pair is all."""
    report = check(expected(), HAND_LIBRESWAN)
    blocking = [(m.field, m.kind, m.tunnel) for m in report.mismatches if m.severity == "error"]
    assert blocking == [("security_policy_databases", "missing",
                         "VPC 198.18.10.0/24 <-> IDC 198.19.1.0/24")], report.mismatches
    assert len(report.mismatches) == 1  # keylife/ikelifetime from %default match the tunnel


def test_swanctl_without_version_answers_both_but_starts_ikev2() -> None:
    """version unset: fine for an IKEv2 tunnel, a warning for an IKEv1 one."""
    text = peer_text().replace("    version = 2\n", "")
    assert not check(expected(), text).mismatches
    v1 = {"ike": {"IKEVersion": "IKEV1"}}
    text = peer_text(**v1).replace("    version = 1\n", "")
    got = [(m.field, m.severity) for m in check(expected(**v1), text).mismatches]
    assert got == [("ike_options.version", "warning")]
    aggressive = text.replace("    local_addrs", "    aggressive = yes\n    local_addrs")
    got = [m.field for m in check(expected(**v1), aggressive).mismatches]
    assert got == ["ike_options.version", "ike_options.exchange_mode"]


def test_libreswan_with_left_as_the_gateway_is_read_from_the_right() -> None:
    """A Libreswan file that calls the gateway 'left' is turned around: no mismatch."""
    text = peer_text("libreswan")
    swapped = (text.replace("left", "@@").replace("right", "left").replace("@@", "right"))
    assert swapped != text and not check(expected(), swapped).mismatches


def test_peer_accepting_any_gateway_identity_is_no_mismatch() -> None:
    """remote id = %any accepts whatever the gateway sends: no identity mismatch."""
    text = peer_text().replace("      id = 203.0.113.10", "      id = %any")
    assert "id = %any" in text and not check(expected(), text).mismatches


def test_passive_gateway_and_a_peer_that_only_answers_never_start() -> None:
    """NegotiationType passive and a peer with start_action none: nobody starts IKE."""
    passive = {"NegotiationType": "passive"}
    text = peer_text(**passive)
    assert "start_action = start" in text and not check(expected(**passive), text).mismatches
    idle = text.replace("start_action = start", "start_action = none")
    got = [(m.field, m.phase) for m in check(expected(**passive), idle).mismatches]
    assert got == [("negotiation_type", "phase 1 never starts")]


def test_a_malformed_secrets_line_is_refused_without_echoing_it() -> None:
    """A broken line is named by number only: it may hold the pre-shared key."""
    text = peer_text().replace('secret = "REPLACE-WITH-PRE-SHARED-KEY"',
                               'secret "SENTINEL-broken-key-77"')
    with pytest.raises(ValueError, match=r"line \d+") as err:
        parse(text)
    assert "SENTINEL-broken-key-77" not in str(err.value)
