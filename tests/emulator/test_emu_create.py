"""CreateVpnConnection: defaults, output shape, and every rule with its real error code."""

from __future__ import annotations

from typing import Any

import pytest
from emu_helpers import Signer, code, tunnel_request

from vpnkit import options
from vpnkit.emulator import Emulator

SPD = "SecurityPolicyDatabases"


def _spd(local: str, *remote: str) -> list[dict[str, Any]]:
    return [{"LocalCidrBlock": local, "RemoteCidrBlock": list(remote)}]


def test_create_applies_defaults_and_output_shape(signer: Signer) -> None:
    """A minimal create returns a PENDING VpnConnection with §10 defaults from options.py."""
    req = tunnel_request()
    del req["IKEOptionsSpecification"], req["IPSECOptionsSpecification"]
    t = signer.call("CreateVpnConnection", req)["VpnConnection"]
    assert t["VpnConnectionId"].startswith("vpnx-")
    assert len(t["VpnConnectionId"]) == 13
    assert t["State"] == "PENDING"
    assert t["CreatedTime"] == "0000-00-00 00:00:00"
    assert t["PreShareKey"] == "s3cret-psk"  # the API returns it in clear text (§2.4)
    assert (t["RouteType"], t["NegotiationType"]) == ("STATIC", "active")
    assert (t["DpdEnable"], t["DpdTimeout"], t["DpdAction"]) == (0, "30", "clear")
    for section, key in (("ike", "IKEOptionsSpecification"),
                         ("ipsec", "IPSECOptionsSpecification")):
        for wire, default in options.defaults(section, wire=True).items():
            assert t[key][wire] == default
    assert t["IPSECOptionsSpecification"]["IntegrityAlgorithm"] == "SHA1"
    assert t["IKEOptionsSpecification"]["LocalAddress"] == "203.0.113.10"
    assert t["IKEOptionsSpecification"]["RemoteAddress"] == "198.51.100.10"
    for key in ("HealthCheckLocalIp", "HealthCheckRemoteIp"):
        assert t[key].startswith("169.254.")
    assert t["SecurityPolicyDatabaseSet"] == req[SPD]
    assert (t["VpnProto"], t["EncryptProto"], t["TagSet"]) == ("IPSEC", "IKE", [])


def test_create_accepts_new_integrity_spelling(signer: Signer) -> None:
    """IntegrityAlgorithm (new spelling) is accepted; output carries both spellings."""
    req = tunnel_request(IPSECOptionsSpecification={"IntegrityAlgorithm": "SHA-256"})
    ipsec = signer.call("CreateVpnConnection", req)["VpnConnection"][
        "IPSECOptionsSpecification"]
    assert ipsec["IntegrityAlgorith"] == ipsec["IntegrityAlgorithm"] == "SHA-256"


def test_create_full_featured(signer: Signer) -> None:
    """Tags, DPD, health check config, FQDN identities and the deprecated Route are accepted."""
    req = tunnel_request(
        Tags=[{"Key": "team", "Value": "net"}, {"Key": "env"}], DpdEnable=1, DpdTimeout="45",
        DpdAction="restart", NegotiationType="passive", EnableHealthCheck=True,
        HealthCheckLocalIp="169.254.128.10", HealthCheckRemoteIp="169.254.128.11",
        HealthCheckConfig={"ProbeInterval": 2000, "ProbeThreshold": 4, "ProbeTimeout": 500},
        IKEOptionsSpecification={"LocalIdentity": "FQDN", "LocalFqdnName": "cloud.example",
                                 "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example",
                                 "IKEVersion": "IKEV2", "DhGroupName": "GROUP14"},
        Route={"DestinationCidrBlock": "192.168.10.0/24", "Priority": 0})
    t = signer.call("CreateVpnConnection", req)["VpnConnection"]
    assert t["TagSet"] == [{"Key": "team", "Value": "net"}, {"Key": "env", "Value": ""}]
    assert (t["DpdEnable"], t["DpdTimeout"], t["DpdAction"]) == (1, "45", "restart")
    assert t["HealthCheckConfig"]["ProbeType"] == "NQA"
    assert t["HealthCheckStatus"] == "AVAILABLE"
    assert t["IKEOptionsSpecification"]["RemoteFqdnName"] == "idc.example"


def test_create_bgp_tunnel(signer: Signer) -> None:
    """A Bgp tunnel with a /30 returns BgpConfigAndAsn with string ASNs."""
    req = tunnel_request(RouteType="Bgp", SecurityPolicyDatabases=[], BgpConfig={
        "TunnelCidr": "169.254.128.0/30", "LocalBgpIp": "169.254.128.1",
        "RemoteBgpIp": "169.254.128.2"})
    t = signer.call("CreateVpnConnection", req)["VpnConnection"]
    assert t["BgpConfig"]["LocalBgpAsn"] == "45090"
    assert t["BgpConfig"]["RemoteBgpAsn"] == "65001"


def test_create_ccn_gateway_without_vpc(signer: Signer) -> None:
    """A CCN-type gateway takes VpcId "" and any SPD (no VPC CIDR to check against)."""
    req = tunnel_request(VpnGatewayId="vpngw-demo0003", VpcId="",
                         SecurityPolicyDatabases=_spd("10.50.0.0/16", "192.168.0.0/24"))
    assert signer.call("CreateVpnConnection", req)["VpnConnection"]["VpcId"] == ""


def test_gcm_on_v4_gateway(signer: Signer) -> None:
    """GCM algorithms work on the 4.0 gateway (vpngw-demo0002)."""
    req = tunnel_request(VpnGatewayId="vpngw-demo0002", VpcId="vpc-demo0002",
                         SecurityPolicyDatabases=_spd("172.16.1.0/24", "192.168.0.0/24"),
                         IPSECOptionsSpecification={"EncryptAlgorithm": "AES256GCM128"})
    assert code(signer.call("CreateVpnConnection", req)) is None


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("missing required", {"PreShareKey": None}, "MissingParameter"),
    ("unknown top-level field", {"Colour": "blue"}, "UnknownParameter"),
    ("unknown nested field", {"IKEOptionsSpecification": {"Bogus": 1}}, "UnknownParameter"),
    ("wrong type name", {"VpnConnectionName": 7}, "InvalidParameter"),
    ("DpdTimeout as int", {"DpdTimeout": 30}, "InvalidParameter"),
    ("DpdEnable as str", {"DpdEnable": "1"}, "InvalidParameter"),
    ("bool as string", {"EnableHealthCheck": "true"}, "InvalidParameter"),
    ("int as bool", {"DpdEnable": True}, "InvalidParameter"),
    ("SPD not a list", {SPD: {"LocalCidrBlock": "10.0.1.0/24"}}, "InvalidParameter"),
    ("SPD missing remote", {SPD: [{"LocalCidrBlock": "10.0.1.0/24"}]}, "MissingParameter"),
    ("tag without key", {"Tags": [{"Value": "x"}]}, "MissingParameter"),
    ("bad enum", {"RouteType": "OSPF"}, "InvalidParameterValue"),
    ("bad IKE enum", {"IKEOptionsSpecification": {"DhGroupName": "GROUP3"}},
     "InvalidParameterValue"),
    ("IKE lifetime low", {"IKEOptionsSpecification": {"IKESaLifetimeSeconds": 59}},
     "InvalidParameterValue"),
    ("IPsec traffic high", {"IPSECOptionsSpecification": {"IPSECSaLifetimeTraffic": 2**32}},
     "InvalidParameterValue"),
    ("DPD timeout 29", {"DpdTimeout": "29"}, "InvalidParameterValue"),
    ("DPD timeout 61", {"DpdTimeout": "61"}, "InvalidParameterValue"),
    ("DPD timeout text", {"DpdTimeout": "thirty"}, "InvalidParameterValue.Malformed"),
    ("DpdEnable 2", {"DpdEnable": 2}, "InvalidParameterValue"),
    ("probe interval", {"HealthCheckConfig": {"ProbeInterval": 999}}, "InvalidParameterValue"),
    ("probe type", {"HealthCheckConfig": {"ProbeType": "PING"}}, "InvalidParameterValue"),
    ("both integrity spellings differ",
     {"IPSECOptionsSpecification": {"IntegrityAlgorith": "MD5", "IntegrityAlgorithm": "SHA1"}},
     "InvalidParameter.Coexist"),
    ("name too long", {"VpnConnectionName": "n" * 61}, "InvalidParameterValue.TooLong"),
    ("empty name", {"VpnConnectionName": " "}, "InvalidParameterValue.Empty"),
    ("empty key", {"PreShareKey": ""}, "InvalidParameterValue.Empty"),
    ("malformed gateway id", {"VpnGatewayId": "vpngw-XYZ"}, "InvalidParameterValue.Malformed"),
    ("malformed cgw id", {"CustomerGatewayId": "gw-1"}, "InvalidParameterValue.Malformed"),
    ("malformed vpc id", {"VpcId": "vpc_demo0001"}, "InvalidParameterValue.Malformed"),
    ("malformed SPD cidr", {SPD: _spd("10.0.1.0/33", "192.168.0.0/24")},
     "InvalidParameterValue.Malformed"),
    ("SPD host bits", {SPD: _spd("10.0.1.1/24", "192.168.0.0/24")},
     "InvalidParameterValue.Malformed"),
    ("malformed probe ip", {"HealthCheckLocalIp": "169.254.300.1"},
     "InvalidParameterValue.Malformed"),
    ("malformed remote address", {"IKEOptionsSpecification": {"RemoteAddress": "idc"}},
     "InvalidParameterValue.Malformed"),
    ("unknown gateway", {"VpnGatewayId": "vpngw-zzzzzzzz"}, "ResourceNotFound"),
    ("gateway of another region", {"VpnGatewayId": "vpngw-demo0101"}, "ResourceNotFound"),
    ("unknown customer gateway", {"CustomerGatewayId": "cgw-zzzzzzzz"}, "ResourceNotFound"),
    ("unknown vpc", {"VpcId": "vpc-zzzzzzzz"}, "ResourceNotFound"),
    ("vpc does not own gateway", {"VpcId": "vpc-demo0002"}, "InvalidParameterValue"),
    ("vpc missing for IPSEC gateway", {"VpcId": None}, "MissingParameter"),
    ("vpc given for CCN gateway", {"VpnGatewayId": "vpngw-demo0003"}, "InvalidParameterValue"),
    ("local outside VPC", {SPD: _spd("10.1.0.0/24", "192.168.0.0/24")},
     "InvalidParameterValue.VpcCidrConflict"),
    ("remote overlaps VPC", {SPD: _spd("10.0.1.0/24", "10.0.128.0/20")},
     "InvalidParameterValue.VpcCidrConflict"),
    ("remote overlaps its local", {SPD: _spd("10.0.0.0/16", "10.0.0.0/8")},
     "InvalidParameterValue.VpcCidrConflict"),
    ("remotes overlap each other", {SPD: _spd("10.0.1.0/24", "192.168.0.0/16",
                                              "192.168.4.0/24")},
     "InvalidParameterValue.VpnConnCidrConflict"),
    ("remotes overlap across rules with overlapping locals",
     {SPD: [*_spd("10.0.1.0/24", "192.168.0.0/24"), *_spd("10.0.0.0/20", "192.168.0.0/25")]},
     "InvalidParameterValue.VpnConnCidrConflict"),
    ("empty remote list", {SPD: _spd("10.0.1.0/24")}, "InvalidParameterValue.Empty"),
    ("policy without SPD", {"RouteType": "Policy", SPD: []}, "MissingParameter"),
    ("probe ip inside VPC", {"HealthCheckLocalIp": "10.0.0.5"},
     "InvalidParameterValue.VpnConnHealthCheckIpConflict"),
    ("BGP config on static tunnel", {"BgpConfig": {"TunnelCidr": "169.254.128.0/30",
                                                   "LocalBgpIp": "169.254.128.1",
                                                   "RemoteBgpIp": "169.254.128.2"}},
     "InvalidParameterValue"),
    ("Bgp without config", {"RouteType": "Bgp"}, "MissingParameter"),
    ("BGP not /30", {"RouteType": "Bgp", "BgpConfig": {"TunnelCidr": "169.254.128.0/29",
                                                       "LocalBgpIp": "169.254.128.1",
                                                       "RemoteBgpIp": "169.254.128.2"}},
     "InvalidParameterValue.VpnConnBgpTunnelCidrMask"),
    ("BGP ip outside", {"RouteType": "Bgp", "BgpConfig": {"TunnelCidr": "169.254.128.0/30",
                                                          "LocalBgpIp": "169.254.128.1",
                                                          "RemoteBgpIp": "169.254.128.9"}},
     "InvalidParameterValue.VpnConnBgpTunnelCidrNotSupported"),
    ("BGP ip is broadcast", {"RouteType": "Bgp", "BgpConfig": {
        "TunnelCidr": "169.254.128.0/30", "LocalBgpIp": "169.254.128.1",
        "RemoteBgpIp": "169.254.128.3"}},
     "InvalidParameterValue.VpnConnBgpTunnelCidrNotSupported"),
    ("BGP customer gateway without ASN", {"CustomerGatewayId": "cgw-demo0003",
                                          "RouteType": "Bgp", "BgpConfig": {
                                              "TunnelCidr": "169.254.128.0/30",
                                              "LocalBgpIp": "169.254.128.1",
                                              "RemoteBgpIp": "169.254.128.2"}},
     "UnsupportedOperation"),  # ...UsrGwNotExistBgpAsn is listed for no action (codes.py)
    ("FQDN identity without name", {"IKEOptionsSpecification": {"LocalIdentity": "FQDN"}},
     "MissingParameter"),
    ("GCM on a 2.0 gateway", {"IKEOptionsSpecification": {"PropoEncryAlgorithm":
                                                          "AES128GCM128"}},
     "UnsupportedOperation"),
    ("tag empty key", {"Tags": [{"Key": ""}]}, "InvalidParameterValue.TagInvalidKey"),
    ("tag key long", {"Tags": [{"Key": "k" * 128}]}, "InvalidParameterValue.TagInvalidKeyLen"),
    ("tag value long", {"Tags": [{"Key": "k", "Value": "v" * 256}]},
     "InvalidParameterValue.TagInvalidVal"),
    ("tag key twice", {"Tags": [{"Key": "k"}, {"Key": "k"}]},
     "InvalidParameterValue.TagDuplicateKey"),
]


@pytest.mark.parametrize(("overrides", "expected"), [(o, c) for _, o, c in BAD],
                         ids=[name for name, _, _ in BAD])
def test_create_rule(signer: Signer, overrides: dict[str, Any], expected: str) -> None:
    """Each broken rule answers its catalogue code and creates nothing."""
    req = tunnel_request(**overrides)
    for key in [k for k, v in req.items() if v is None]:
        del req[key]
    assert code(signer.call("CreateVpnConnection", req)) == expected
    assert signer.call("DescribeVpnConnections", {})["TotalCount"] == 0


def test_remote_overlap_with_own_local_outside_vpc(signer: Signer) -> None:
    """On a CCN gateway, an IDC range overlapping its own VPC-side range -> VpnConnCidrConflict."""
    req = tunnel_request(VpnGatewayId="vpngw-demo0003", VpcId="",
                         SecurityPolicyDatabases=_spd("10.50.0.0/16", "10.50.1.0/24"))
    assert code(signer.call("CreateVpnConnection", req)) == \
        "InvalidParameterValue.VpnConnCidrConflict"


def test_duplicate_name_on_gateway(signer: Signer) -> None:
    """A second tunnel with the same name on the gateway -> InvalidParameterValue.Duplicate."""
    signer.call("CreateVpnConnection", tunnel_request())
    again = tunnel_request(SecurityPolicyDatabases=_spd("10.0.2.0/24", "192.168.20.0/24"))
    assert code(signer.call("CreateVpnConnection", again)) == "InvalidParameterValue.Duplicate"


def test_spd_conflict_with_other_tunnel(signer: Signer) -> None:
    """A mapping overlapping another tunnel's on both sides -> VpnConnCidrConflict (1037/39635)."""
    signer.call("CreateVpnConnection", tunnel_request())
    other = tunnel_request(VpnConnectionName="second", CustomerGatewayId="cgw-demo0002",
                           SecurityPolicyDatabases=_spd("10.0.1.128/25", "192.168.10.128/25"))
    assert code(signer.call("CreateVpnConnection", other)) == \
        "InvalidParameterValue.VpnConnCidrConflict"


def test_same_idc_range_from_two_vpc_ranges_is_valid(signer: Signer) -> None:
    """The console doc's own example: one IDC range reached from two VPC ranges is accepted."""
    signer.call("CreateVpnConnection", tunnel_request())
    other = tunnel_request(VpnConnectionName="second", CustomerGatewayId="cgw-demo0002",
                           SecurityPolicyDatabases=_spd("10.0.2.0/24", "192.168.10.128/25"))
    assert code(signer.call("CreateVpnConnection", other)) is None
    both = tunnel_request(VpnConnectionName="third", CustomerGatewayId="cgw-demo0002",
                          SecurityPolicyDatabases=[*_spd("10.0.3.0/24", "192.168.2.0/24"),
                                                   *_spd("10.0.4.0/24", "192.168.2.0/24")])
    assert code(signer.call("CreateVpnConnection", both)) is None


def test_bgp_tunnel_cidr_conflict_and_mixing(signer: Signer) -> None:
    """BGP tunnel CIDRs may not overlap; BGP and static tunnels may not share a gateway."""
    bgp = {"TunnelCidr": "169.254.128.0/30", "LocalBgpIp": "169.254.128.1",
           "RemoteBgpIp": "169.254.128.2"}
    first = tunnel_request(RouteType="Bgp", SecurityPolicyDatabases=[], BgpConfig=bgp)
    assert code(signer.call("CreateVpnConnection", first)) is None
    second = tunnel_request(VpnConnectionName="b2", CustomerGatewayId="cgw-demo0002",
                            RouteType="Bgp", SecurityPolicyDatabases=[], BgpConfig=bgp)
    assert code(signer.call("CreateVpnConnection", second)) == \
        "InvalidParameterValue.VpnConnBgpTunnelCidrConflict"
    static = tunnel_request(VpnConnectionName="s1")
    assert code(signer.call("CreateVpnConnection", static)) == "UnsupportedOperation"


def test_bgp_on_gateway_without_asn(signer: Signer) -> None:
    """A BGP tunnel on a gateway with no BGP ASN -> VpnUnsupportedNotExistBgpAsn."""
    req = tunnel_request(VpnGatewayId="vpngw-demo0101", VpcId="vpc-demo0101",
                         CustomerGatewayId="cgw-demo0101", RouteType="Bgp",
                         SecurityPolicyDatabases=[], BgpConfig={
                             "TunnelCidr": "169.254.130.0/30", "LocalBgpIp": "169.254.130.1",
                             "RemoteBgpIp": "169.254.130.2"})
    assert code(signer.call("CreateVpnConnection", req, region="ap-shanghai")) == \
        "UnsupportedOperation.VpnUnsupportedNotExistBgpAsn"


def test_gateway_quota_is_an_emulator_setting(signer: Signer, emu: Emulator) -> None:
    """MaxConnection (5 here, the SSL-VPN client count) is no tunnel quota; the emulator's is."""
    emu.backend.tunnels_per_gateway = 7
    for i in range(8):
        req = tunnel_request(VpnGatewayId="vpngw-demo0101", VpcId="vpc-demo0101",
                             CustomerGatewayId="cgw-demo0101", VpnConnectionName=f"t{i}",
                             SecurityPolicyDatabases=_spd(f"10.1.{i}.0/24",
                                                          f"192.168.{i}.0/24"))
        inner = signer.call("CreateVpnConnection", req, region="ap-shanghai")
        assert code(inner) == (None if i < 7 else "LimitExceeded")
