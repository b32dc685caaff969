"""Every vendor: rendered configs against known-good examples, issues for what it cannot say,
and Libreswan's own parsers accepting its file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from peer_daemons import libreswan_algparse, libreswan_check, need, pluto_load
from peer_helpers import CUSTOMER_IP, GATEWAY_IP, SENTINEL_PSK, tunnel

from vpnkit.peer import PSK_PLACEHOLDER, VENDORS, from_connection, render

GOLDEN = Path(__file__).with_name("golden")
#: the two shapes every vendor is checked on
CASES = {
    "policy-ikev2": {},
    "route-ikev1": {"RouteType": "StaticRoute", "NegotiationType": "passive",
                    "SecurityPolicyDatabaseSet": [{"LocalCidrBlock": "0.0.0.0/0",
                                                   "RemoteCidrBlock": ["0.0.0.0/0"]}],
                    "ike": {"IKEVersion": "IKEV1", "ExchangeMode": "AGGRESSIVE",
                            "PropoAuthenAlgorithm": "SHA", "DhGroupName": "GROUP5"},
                    "ipsec": {"EncryptAlgorithm": "AES-CBC-128", "IntegrityAlgorith": "SHA1",
                              "PfsDhGroup": "NULL"}},
}


def config_lines(text: str, vendor: str) -> str:
    """The text without its comment lines."""
    comment = VENDORS[vendor].comment
    return "\n".join(line for line in text.splitlines() if not line.startswith(comment))


def golden_body(path: Path) -> str:
    """A golden file without its `@@` header (where the example comes from)."""
    lines = path.read_text().splitlines(keepends=True)
    assert lines[0].startswith("@@ "), f"{path.name} must cite its source"
    return "".join(line for line in lines if not line.startswith("@@ "))


@pytest.mark.parametrize("vendor", list(VENDORS))
@pytest.mark.parametrize("case", list(CASES))
def test_matches_known_good_example(vendor: str, case: str) -> None:
    """The rendered text equals the known-good example written from the vendor's docs."""
    out = render(tunnel(**CASES[case]), vendor, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    path = GOLDEN / f"{vendor}-{case}.txt"
    if os.environ.get("VPNKIT_REGOLD") == "1":  # a developer's tool: rewrite, then review
        header = path.read_text().split("\n")[0] if path.exists() else "@@ source: TODO"
        path.write_text(header + "\n" + out.text)
    assert out.text == golden_body(path)
    assert out.ok


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_no_key_unless_passed(vendor: str) -> None:
    """The tunnel's key never appears; the placeholder does; a passed key is used as given."""
    out = render(tunnel(), vendor, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    assert SENTINEL_PSK not in out.text and PSK_PLACEHOLDER in config_lines(out.text, vendor)
    given = render(tunnel(), vendor, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                   psk=SENTINEL_PSK)
    assert SENTINEL_PSK in given.text and SENTINEL_PSK not in repr(given)


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_one_selector_line_per_spd_pair(vendor: str) -> None:
    """Each of the three (VPC, IDC) pairs shows up as its own selector/ACL/proxy-id."""
    text = render(tunnel(), vendor, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP).text
    for idc in ("198.19.1.0", "198.19.2.0"):
        assert idc in text
    assert "198.18.10.0" in text


@pytest.mark.parametrize(("vendor", "changes", "path"), [
    ("strongswan", {"ipsec": {"EncryptAlgorithm": "SM4"}}, "ipsec_options.encryption_algorithm"),
    ("libreswan", {"ike": {"DhGroupName": "GROUP1"}}, "ike_options.dh_group"),
    ("cisco-asa", {"ike": {"IKEVersion": "IKEV1", "PropoAuthenAlgorithm": "SHA-256"},
                   "ipsec": {"IntegrityAlgorith": "SHA1"}},
     "ike_options.authentication_algorithm"),
    ("cisco-asa", {"ike": {"IKEVersion": "IKEV1", "PropoAuthenAlgorithm": "SHA"}},
     "ipsec_options.integrity_algorithm"),
    ("junos", {"ipsec": {"EncryptAlgorithm": "NULL"}}, "ipsec_options.encryption_algorithm"),
    ("fortios", {"ipsec": {"EncryptAlgorithm": "AES192GCM128"}},
     "ipsec_options.encryption_algorithm"),
    ("panos", {"ike": {"DhGroupName": "GROUP24"}}, "ike_options.dh_group"),
    ("huawei", {"ike": {"PropoEncryAlgorithm": "AES128GCM128"}},
     "ike_options.encryption_algorithm"),
    ("cisco-ios", {"ipsec": {"IntegrityAlgorith": "SM3"}}, "ipsec_options.integrity_algorithm"),
])
def test_inexpressible_value_is_an_error(vendor: str, changes: dict[str, object],
                                         path: str) -> None:
    """A value the vendor cannot express is an error issue naming the field, and is visible."""
    out = render(tunnel(**changes), vendor, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    errors = [i for i in out.issues if i.severity == "error"]
    assert [i.path for i in errors] == [path], errors
    assert errors[0].code == "UnsupportedByVendor" and "UNSUPPORTED-" in out.text
    assert "ERROR " + path in out.text


def test_lifetime_beyond_the_vendor_range_is_clamped_and_flagged() -> None:
    """Junos caps lifetimes at 86400 s: a 604800 s tunnel is rendered 86400 with a warning."""
    out = render(tunnel(ike={"IKESaLifetimeSeconds": 604800}), "junos",
                 gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    assert "lifetime-seconds 86400" in out.text
    assert [i.code for i in out.issues] == ["OutOfVendorRange"]


def test_unknown_vendor_names_the_choices() -> None:
    """An unknown vendor is refused with the list of known ones."""
    with pytest.raises(ValueError, match="strongswan, libreswan"):
        render(tunnel(), "checkpoint", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)


@pytest.mark.parametrize("case", list(CASES))
def test_libreswan_parses_its_config(tmp_path: Path, case: str) -> None:
    """addconn --checkconfig accepts ipsec.conf; algparse accepts every ike=/esp= proposal."""
    cfg = from_connection(tunnel(**CASES[case]), gateway_ip=GATEWAY_IP,
                          customer_ip=CUSTOMER_IP)
    out = render(cfg, "libreswan")
    listed = libreswan_check(out.files["ipsec.conf"], out.files["ipsec.secrets"], tmp_path)
    assert all(f"{cfg.name}-{i}" in listed for i in range(1, len(cfg.selectors) + 1)), listed
    version = 1 if cfg.ike_version == "IKEV1" else 2
    conf = out.files["ipsec.conf"]
    ike = next(line.split("=", 1)[1] for line in conf.splitlines() if "ike=" in line)
    esp = next(line.split("=", 1)[1] for line in conf.splitlines() if "esp=" in line)
    libreswan_algparse(version, "ike", ike, pfs=False)
    libreswan_algparse(version, "esp", esp, pfs=cfg.esp.pfs_group is not None)


def test_libreswan_accepts_every_token_of_the_table() -> None:
    """Each Libreswan token in the vendor table parses in Libreswan's own algparse."""
    need("ipsec")
    table = VENDORS["libreswan"]
    props = [f"ike={t}-sha2_256-modp2048" for t in table.ike_encryption.values() if t]
    props += [f"ike=aes128-{t}-modp2048" for t in table.ike_integrity.values() if t]
    props += [f"ike=aes128-sha1-{t}" for t in table.dh.values() if t]
    props += [f"esp={t}" if "gcm" in t else f"esp={t}-sha1"
              for t in table.esp_encryption.values() if t]
    props += [f"esp=aes128-{t}" for t in table.esp_integrity.values() if t]
    run = subprocess.run(["ipsec", "algparse", "-v2", *props], capture_output=True, text=True,
                         timeout=30, check=False)
    assert run.returncode == 0 and "ERROR" not in run.stdout + run.stderr, run.stdout
    assert run.stdout.count("algparse -v2") == len(props)


def test_key_with_a_newline_is_refused_without_showing_it() -> None:
    """A key with a control character could inject a config line: refused, key not shown."""
    bad = SENTINEL_PSK + "\nend"
    with pytest.raises(ValueError, match="control character") as err:
        render(tunnel(), "cisco-ios", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP, psk=bad)
    assert SENTINEL_PSK not in str(err.value)


@pytest.mark.parametrize("vendor", ["cisco-ios", "cisco-asa", "huawei"])
def test_one_word_vendors_refuse_a_key_with_a_space(vendor: str) -> None:
    """Where the key is one bare word, a key with a space or '?' is an issue, not written."""
    for key in (SENTINEL_PSK + " x", SENTINEL_PSK + "?"):
        out = render(tunnel(), vendor, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP, psk=key)
        assert SENTINEL_PSK not in out.text
        assert PSK_PLACEHOLDER in config_lines(out.text, vendor)
        assert [i.path for i in out.issues] == ["pre_share_key"] and not out.has_key


@pytest.mark.parametrize("vendor", ["junos", "fortios", "panos"])
def test_quoting_vendors_escape_quotes_in_the_key(vendor: str) -> None:
    """Where the key is a quoted string, a quote or backslash in it is escaped."""
    key = SENTINEL_PSK + ' a"b\\c'
    out = render(tunnel(), vendor, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP, psk=key)
    assert '"' + SENTINEL_PSK + ' a\\"b\\\\c"' in out.text and out.has_key and out.ok


def test_identity_that_is_not_one_word_is_refused() -> None:
    """An FQDN with a space or newline would break or inject a line: refused, named."""
    conn = tunnel(ike={"LocalIdentity": "FQDN", "LocalFqdnName": "tc.example.com\nend"})
    with pytest.raises(ValueError, match="remote identity"):
        render(conn, "junos", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)


@pytest.mark.parametrize("cidr", ["198.18.1.7/24", "0.0.0.0/0", "203.0.113.10/32",
                                  "198.19.0.16/28", "198.18.0.0/15", "192.0.2.128/25"])
def test_masks_agree_with_ipaddress(cidr: str) -> None:
    """The templates' netmask/wildcard helpers agree with the standard library."""
    import ipaddress

    from vpnkit.peer.templates._util import mask, split, wildcard

    net = ipaddress.ip_network(cidr, strict=False)
    assert mask(cidr) == (str(net.network_address), str(net.netmask))
    assert wildcard(cidr) == (str(net.network_address), str(net.hostmask))
    assert split(cidr) == (str(net.network_address), net.prefixlen)


@pytest.mark.parametrize("bad", ["198.18.1.0/33", "198.18.1/24", "198.18.1.256/24"])
def test_masks_refuse_what_is_not_a_cidr(bad: str) -> None:
    """A malformed CIDR is refused by the helpers, naming it."""
    from vpnkit.peer.templates._util import mask

    with pytest.raises(ValueError, match="not an IPv4 CIDR"):
        mask(bad)


@pytest.mark.parametrize("vendor", list(VENDORS))
def test_bgp_tunnel_names_the_bgp_neighbor(vendor: str) -> None:
    """A BGP tunnel's output names the Tencent side's BGP address and ASN (the neighbor)."""
    conn = tunnel(RouteType="Bgp", SecurityPolicyDatabaseSet=[
        {"LocalCidrBlock": "0.0.0.0/0", "RemoteCidrBlock": ["0.0.0.0/0"]}],
        BgpConfig={"TunnelCidr": "169.254.128.0/30", "LocalBgpIp": "169.254.128.1",
                   "RemoteBgpIp": "169.254.128.2", "LocalBgpAsn": "64551",
                   "RemoteBgpAsn": "65001"})
    out = render(conn, vendor, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    assert "169.254.128.1" in out.text and "64551" in out.text, out.text
    assert "169.254.128.0 " not in out.text  # the own address is the host, not the network
    if vendor not in ("strongswan", "libreswan"):  # there the address is an ip command
        assert "169.254.128.2" in config_lines(out.text, vendor)


@pytest.mark.parametrize("changes", [
    {}, CASES["route-ikev1"], {"ike": {"IKEVersion": "IKEV1", "ExchangeMode": "AGGRESSIVE"}},
    {"ike": {"LocalIdentity": "FQDN", "LocalFqdnName": "tc.example.com",
             "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example.net"},
     "ipsec": {"EncryptAlgorithm": "AES256GCM128", "PfsDhGroup": "NULL"}},
], ids=["ikev2-policy", "route-ikev1", "ikev1-aggressive", "fqdn-gcm"])
def test_pluto_adds_every_conn_without_warning(tmp_path: Path, changes: dict[str, object]) -> None:
    """A real pluto adds each generated conn (one per SPD pair), warning about none."""
    cfg = from_connection(tunnel(**changes), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    out = render(cfg, "libreswan")
    conf = out.files["ipsec.conf"]
    if cfg.route_based:  # this kernel has no XFRM interfaces (pluto: "xfrmi is not supported")
        assert "    ipsec-interface=42\n" in conf
        conf = conf.replace("    ipsec-interface=42\n", "")
    log = pluto_load(conf, out.files["ipsec.secrets"], tmp_path,
                     ikev1=cfg.ike_version == "IKEV1")
    version = "IKEv1" if cfg.ike_version == "IKEV1" else "IKEv2"
    for i in range(1, len(cfg.selectors) + 1):
        assert f'"{cfg.name}-{i}": added {version} connection' in log, log[-2000:]


def test_the_cli_vendor_names_are_the_table_keys() -> None:
    """What --vendor accepts (vpnkit.cli.peer) is exactly the vendor table's keys."""
    from vpnkit.cli.peer import VENDOR_NAMES
    from vpnkit.peer.vendors import VENDORS

    assert tuple(VENDORS) == VENDOR_NAMES


def test_building_the_cli_parser_imports_no_peer_machinery() -> None:
    """Every ``vpnkit`` command stays light: building the parser loads no vpnkit.peer module."""
    import subprocess
    import sys

    code = ("import sys; from vpnkit.cli import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.startswith('vpnkit.peer')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
