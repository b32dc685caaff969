"""Value objects: SPD shapes, secrets in reprs, wire round trips."""

from __future__ import annotations

import pickle

import pytest

from vpnkit import IkeOptions, IpsecOptions, SpdRule, Tag, VpnConnectionSpec
from vpnkit.models import spd_rules
from vpnkit.wire import connection_from_wire

BASE = {"vpn_gateway_id": "vpngw-demo0001", "customer_gateway_id": "cgw-demo0001",
        "vpn_connection_name": "branch-1", "pre_share_key": "PSK-DO-NOT-SHOW-1234"}
EXPECTED = (SpdRule("10.0.1.0/24", ("192.168.0.0/24", "192.168.1.0/24")),
            SpdRule("10.0.2.0/24", ("192.168.2.0/24",)))


def test_spd_mapping_pairs_and_rows_normalise_alike() -> None:
    """The mapping, pair and row forms of an SPD all give the same rules, in order."""
    mapping = {"10.0.1.0/24": ["192.168.0.0/24", "192.168.1.0/24"],
               "10.0.2.0/24": ["192.168.2.0/24"]}
    pairs = [("10.0.1.0/24", "192.168.0.0/24"), ("10.0.1.0/24", "192.168.1.0/24"),
             ("10.0.2.0/24", "192.168.2.0/24")]
    rows = [{"local_cidr_block": a, "remote_cidr_block": b} for a, b in pairs]
    assert spd_rules(mapping) == spd_rules(pairs) == spd_rules(rows) == EXPECTED


def test_spd_from_dataframe() -> None:
    """A pandas DataFrame of (local, remote) rows is accepted without vpnkit importing pandas."""
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"local": ["10.0.1.0/24", "10.0.1.0/24", "10.0.2.0/24"],
                       "remote": ["192.168.0.0/24", "192.168.1.0/24", "192.168.2.0/24"]})
    assert spd_rules(df) == EXPECTED


def test_spd_rejects_unreadable_shapes() -> None:
    """An SPD that is neither mapping, pairs nor rows is a ValueError naming the value."""
    with pytest.raises(ValueError, match="42"):
        spd_rules(42)
    with pytest.raises(ValueError, match="columns"):
        spd_rules([{"a": 1}])


def test_spec_repr_and_str_hide_the_psk() -> None:
    """Neither repr nor str of a spec shows the pre-shared key."""
    spec = VpnConnectionSpec(**BASE, security_policy_databases=EXPECTED)
    assert "PSK-DO-NOT-SHOW" not in repr(spec)
    assert "PSK-DO-NOT-SHOW" not in str(spec)
    assert "PSK-DO-NOT-SHOW" not in spec._repr_html_()


def test_spec_is_frozen_and_picklable() -> None:
    """Specs are immutable values that survive pickling (batch workers pass them around)."""
    spec = VpnConnectionSpec(**BASE, tags={"team": "net"})
    with pytest.raises(AttributeError):
        spec.vpn_connection_name = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(spec)) == spec
    assert spec.tags == (Tag("team", "net"),)


def test_wire_round_trip_all_fields() -> None:
    """to_wire then from_wire gives back an equal spec with every section filled."""
    from vpnkit.models import BgpConfig, HealthCheckConfig

    spec = VpnConnectionSpec(
        **BASE, vpc_id="vpc-demo0001", security_policy_databases=EXPECTED,
        ike_options=IkeOptions(encryption_algorithm="AES-CBC-256", dh_group="GROUP14",
                               sa_lifetime_seconds=3600, version="IKEV2"),
        ipsec_options=IpsecOptions(integrity_algorithm="SHA-512", pfs_dh_group="DH-GROUP14"),
        tags={"env": "prod"}, enable_health_check=True, route_type="Bgp",
        negotiation_type="passive", dpd_enable=1, dpd_timeout=40, dpd_action="restart",
        bgp_config=BgpConfig("169.254.128.0/30", "169.254.128.1", "169.254.128.2"),
        health_check_config=HealthCheckConfig(probe_interval=2000), profile=None)
    body = spec.to_wire()
    assert list(body)[:5] == ["VpnGatewayId", "CustomerGatewayId", "VpnConnectionName",
                              "PreShareKey", "VpcId"]
    assert body["DpdTimeout"] == "40"  # a string on the wire (§1.1 #16)
    assert body["IPSECOptionsSpecification"] == {"IntegrityAlgorith": "SHA-512",
                                                 "PfsDhGroup": "DH-GROUP14"}
    assert VpnConnectionSpec.from_wire(body) == spec


def test_integrity_spelling() -> None:
    """IntegrityAlgorith (every response's and TF's spelling) goes out unless the caller
    chose IntegrityAlgorithm; from_wire(x).to_wire() keeps the spelling x used (§2.3)."""
    spec = VpnConnectionSpec(**BASE, ipsec_options=IpsecOptions(integrity_algorithm="SHA1"),
                             profile=None)
    assert spec.to_wire()["IPSECOptionsSpecification"] == {"IntegrityAlgorith": "SHA1"}
    for spelling in ("IntegrityAlgorith", "IntegrityAlgorithm"):
        body = {**spec.to_wire(), "IPSECOptionsSpecification": {spelling: "SHA1"}}
        back = VpnConnectionSpec.from_wire(body)
        assert back == spec
        assert back.to_wire() == body
    chosen = IpsecOptions(integrity_algorithm="SHA-256", integrity_field="IntegrityAlgorithm")
    assert VpnConnectionSpec(**BASE, ipsec_options=chosen, profile=None).to_wire()[
        "IPSECOptionsSpecification"] == {"IntegrityAlgorithm": "SHA-256"}


def test_from_wire_conflicting_integrity_spellings() -> None:
    """Both spellings with different values is a Coexist error naming the field."""
    from vpnkit import SpecError

    body = {**VpnConnectionSpec(**BASE).to_wire(),
            "IPSECOptionsSpecification": {"IntegrityAlgorith": "MD5",
                                          "IntegrityAlgorithm": "SHA1"}}
    with pytest.raises(SpecError) as info:
        VpnConnectionSpec.from_wire(body)
    assert info.value.issues[0].code == "InvalidParameter.Coexist"


def test_connection_from_old_style_response() -> None:
    """Old responses with numeric strings and odd values load with ints and no PSK in repr."""
    conn = connection_from_wire({
        "VpnConnectionId": "vpnx-abcdefgh", "PreShareKey": "RESPONSE-PSK-9999",
        "State": "PENDING", "CreatedTime": "0000-00-00 00:00:00", "DpdEnable": -1,
        "DpdTimeout": "30", "IKEOptionsSpecification": {"IKESaLifetimeSeconds": "86400"},
        "IPSECOptionsSpecification": {"IntegrityAlgorith": "MD5",
                                      "IPSECSaLifetimeSeconds": "3600"},
        "SecurityPolicyDatabaseSet": [{"LocalCidrBlock": "10.0.0.0/24",
                                       "RemoteCidrBlock": ["192.168.0.0/24"]}],
        "SomethingNew": 1})
    assert conn.dpd_enable is None  # -1 is the examples' "not set"
    assert conn.dpd_timeout == 30
    assert conn.ike_options is not None and conn.ike_options.sa_lifetime_seconds == 86400
    assert conn.ipsec_options is not None and conn.ipsec_options.integrity_algorithm == "MD5"
    assert "RESPONSE-PSK" not in repr(conn)
    assert "RESPONSE-PSK" not in conn._repr_html_()
    clone = conn.to_spec(vpn_connection_name="clone")
    assert clone.security_policy_databases == (SpdRule("10.0.0.0/24", ("192.168.0.0/24",)),)


_WIRE = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
         "VpnConnectionName": "nulls", "PreShareKey": "WIRE-SENTINEL-KEY-42"}


@pytest.mark.parametrize(("body", "path"), [
    ({**_WIRE, "PreShareKey": None}, "PreShareKey"),
    ({**_WIRE, "VpnGatewayId": None}, "VpnGatewayId"),
    ({**_WIRE, "RouteType": "Bgp", "BgpConfig": {"TunnelCidr": None, "LocalBgpIp": "169.254.128.1",
                                                  "RemoteBgpIp": "169.254.128.2"}},
     "BgpConfig.TunnelCidr"),
    ({**_WIRE, "SecurityPolicyDatabases": [{"LocalCidrBlock": None,
                                            "RemoteCidrBlock": ["192.168.0.0/24"]}]},
     "SecurityPolicyDatabases[0].LocalCidrBlock"),
    ({**_WIRE, "Tags": [{"Key": None, "Value": "x"}]}, "Tags[0].Key"),
    ({**_WIRE, "Route": {"DestinationCidrBlock": None}}, "Route.DestinationCidrBlock"),
])
def test_required_null_is_missing_parameter(body: dict[str, object], path: str) -> None:
    """A required field set to null is MissingParameter for that field, not a TypeError."""
    from vpnkit import SpecError

    with pytest.raises(SpecError) as info:
        VpnConnectionSpec.from_wire(body)
    assert (path, "MissingParameter") in {(i.path, i.code) for i in info.value.issues}


@pytest.mark.parametrize("body", [
    [_WIRE["PreShareKey"]], _WIRE["PreShareKey"], [_WIRE],
    {**_WIRE, "IKEOptionsSpecification": _WIRE["PreShareKey"]},
    {**_WIRE, "SecurityPolicyDatabases": {"k": _WIRE["PreShareKey"]}},
    {**_WIRE, "Tags": [_WIRE["PreShareKey"]]},
    {**_WIRE, _WIRE["PreShareKey"]: 1},
])
def test_wire_messages_name_the_type_never_the_body(body: object) -> None:
    """A body that is not the right shape is described by its type; the key never shows."""
    from vpnkit import SpecError

    with pytest.raises(SpecError) as info:
        VpnConnectionSpec.from_wire(body)  # type: ignore[arg-type]
    text = str(info.value) + repr(info.value.issues)
    assert "WIRE-SENTINEL" not in text and "SENTINEL-KEY" not in text


def test_new_spec_gets_the_strong_profile_sent_explicitly() -> None:
    """With no options, every IKE/IPsec/DPD option is set from 'strong' and sent (issue 13)."""
    body = VpnConnectionSpec(**BASE).to_wire()
    assert body["IKEOptionsSpecification"] == {
        "PropoEncryAlgorithm": "AES-CBC-256", "PropoAuthenAlgorithm": "SHA-256",
        "DhGroupName": "GROUP14", "IKESaLifetimeSeconds": 86400,
        "IKEVersion": "IKEV2"}
    assert body["IPSECOptionsSpecification"] == {
        "EncryptAlgorithm": "AES-CBC-256", "IntegrityAlgorith": "SHA-256",
        "IPSECSaLifetimeSeconds": 3600, "PfsDhGroup": "DH-GROUP14",
        "IPSECSaLifetimeTraffic": 1843200}
    assert (body["DpdEnable"], body["DpdTimeout"], body["DpdAction"]) == (1, "30", "restart")


def test_profiles_fill_only_what_is_unset() -> None:
    """Given values win over the profile; api-defaults and None are available."""
    from vpnkit import options

    spec = VpnConnectionSpec(**BASE, ike_options=IkeOptions(dh_group="GROUP2"), dpd_enable=0)
    assert spec.ike_options is not None and spec.ike_options.dh_group == "GROUP2"
    assert spec.ike_options.version == "IKEV2"
    assert (spec.dpd_enable, spec.dpd_timeout, spec.dpd_action) == (0, None, None)
    old = VpnConnectionSpec(**BASE, profile="api-defaults").to_wire()
    assert old["IKEOptionsSpecification"]["PropoEncryAlgorithm"] == "3DES-CBC"
    assert old["IPSECOptionsSpecification"]["PfsDhGroup"] == "NULL"
    assert "IKEOptionsSpecification" not in VpnConnectionSpec(**BASE, profile=None).to_wire()
    assert IkeOptions.from_profile("strong-gcm").encryption_algorithm == "AES256GCM128"
    assert IpsecOptions.from_profile(pfs_dh_group="DH-GROUP20").pfs_dh_group == "DH-GROUP20"
    for prof in options.PROFILES.values():  # every profile value is one the table allows
        for section in ("ike", "ipsec", "spec"):
            for name, value in prof.section(section).items():
                opt = options.get(section, name)
                assert not opt.choices or value in opt.choices, (prof.name, name)
                assert opt.minimum is None or opt.minimum <= value <= opt.maximum  # type: ignore[operator]


def test_batch_row_with_empty_option_cells_gets_the_strong_profile() -> None:
    """A batch row whose option cells are blank builds a spec with every option set."""
    from vpnkit.batch.io import read_rows

    rows, problems = read_rows([{
        "vpn_gateway_id": "vpngw-demo0001", "customer_gateway_id": "cgw-demo0001",
        "vpn_connection_name": "row-1", "pre_share_key": "row-key-1234",
        "local_cidr_block": "10.0.1.0/24", "remote_cidr_block": "192.168.1.0/24",
        "ike_dh_group": "", "ipsec_pfs_dh_group": "", "dpd_enable": ""}])
    assert problems == []
    spec = rows[0].spec
    assert spec is not None and spec.ike_options is not None and spec.ipsec_options is not None
    assert (spec.ike_options.dh_group, spec.ipsec_options.pfs_dh_group) == ("GROUP14",
                                                                            "DH-GROUP14")


def test_from_wire_keeps_the_body_or_fills_from_a_named_profile() -> None:
    """from_wire sends back exactly what it read; profile='strong' fills the gaps."""
    body = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
            "VpnConnectionName": "w", "PreShareKey": "wire-key-1234"}
    assert VpnConnectionSpec.from_wire(body).to_wire() == body
    filled = VpnConnectionSpec.from_wire(body, profile="strong").to_wire()
    assert filled["IKEOptionsSpecification"]["IKEVersion"] == "IKEV2"


def _official_tunnels() -> list[dict[str, object]]:
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "data" / "official_tunnels.json").read_text())
    return list(data["tunnels"])


def _installed_tccli_tunnels() -> list[dict[str, object]]:
    """The tunnels of the installed tccli's examples.json (the current version), if any."""
    import importlib.util
    import json
    from pathlib import Path

    found = importlib.util.find_spec("tccli")
    if found is None or not found.submodule_search_locations:
        return []
    path = Path(next(iter(found.submodule_search_locations))) / "services" / "vpc" / \
        "v20170312" / "examples.json"
    actions = json.loads(path.read_text(encoding="utf-8"))["actions"]
    out: list[dict[str, object]] = []
    for action in ("CreateVpnConnection", "DescribeVpnConnections"):
        for example in actions[action]:
            response = json.loads(example["output"])["Response"]
            out += [response["VpnConnection"]] if "VpnConnection" in response else \
                response["VpnConnectionSet"]
    return out


@pytest.mark.parametrize("entry", _official_tunnels(),
                         ids=lambda e: f"{e['action']}-{e['date']}-{e['example']}")
def test_every_official_example_tunnel_parses_and_its_spec_validates(
        entry: dict[str, object]) -> None:
    """Each tunnel of tccli's examples.json history loads, and to_spec() has no errors."""
    from vpnkit import issues

    raw = entry["tunnel"]
    assert isinstance(raw, dict)
    conn = connection_from_wire(raw)
    assert conn.dpd_enable in (None, 0, 1)  # DpdEnable -1 is "not set"
    for value in (conn.negotiation_type, conn.dpd_action, conn.health_check_local_ip,
                  conn.health_check_remote_ip):
        assert value != ""  # "" placeholders are "not set"
    spec = conn.to_spec(**({} if conn.pre_share_key else {"pre_share_key": "given-key-1"}))
    errors = [i for i in issues(spec) if i.severity == "error"]
    assert errors == [], errors
    if raw.get("RouteType") == "StaticRoute":
        assert spec.security_policy_databases == ()  # the reported any-any is not configured
    ipsec = raw.get("IPSECOptionsSpecification")
    if isinstance(ipsec, dict) and ipsec.get("IntegrityAlgorith"):
        assert "IntegrityAlgorith" in spec.to_wire()["IPSECOptionsSpecification"]


def test_the_installed_tccli_examples_are_in_the_data_file() -> None:
    """The data file holds every tunnel of the installed (current) tccli examples."""
    current = _installed_tccli_tunnels()
    if not current:
        pytest.skip("tccli is not installed (pip install -e '.[dev]')")
    stored = [e["tunnel"] for e in _official_tunnels()]
    assert all(t in stored for t in current)


def test_disputed_defaults_record_both_sources_and_the_table_holds_the_first() -> None:
    """Each disputed default lists at least two values with sources; Option.default is the
    first (the API doc's), so the emulator applies what the API documents."""
    from vpnkit import options

    for path, entries in options.DISPUTED_DEFAULTS.items():
        assert len({v for v, _ in entries}) >= 2 and all(src for _, src in entries), path
        section, _, name = path.rpartition(".")
        opt = options.get({"ike_options": "ike", "ipsec_options": "ipsec", "": "spec"}[section],
                          name)
        assert opt.default == entries[0][0], path
