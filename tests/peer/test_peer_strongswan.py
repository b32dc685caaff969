"""strongSwan swanctl.conf: the rendered text, and a real charon loading it."""

from __future__ import annotations

from pathlib import Path

import pytest
from peer_daemons import swanctl_load
from peer_helpers import CUSTOMER_IP, GATEWAY_IP, SENTINEL_PSK, tunnel

from vpnkit.peer import PSK_PLACEHOLDER, from_connection, render


def swan(psk: str | None = None, **changes: object) -> str:
    out = render(tunnel(**changes), "strongswan", gateway_ip=GATEWAY_IP,
                 customer_ip=CUSTOMER_IP, psk=psk)
    return out.text


def test_key_value_one_per_line() -> None:
    """Every non-brace line holds exactly one `key = value` (the swanctl.conf pitfall)."""
    for line in swan().splitlines():
        body = line.strip()
        if body and not body.startswith("#") and not body.endswith(("{", "}")):
            assert body.count(" = ") == 1, line


def test_placeholder_unless_psk_is_passed() -> None:
    """Without psk= the tunnel's key stays out; with it, it is the secret."""
    assert SENTINEL_PSK not in swan() and f'secret = "{PSK_PLACEHOLDER}"' in swan()
    assert f'secret = "{SENTINEL_PSK}"' in swan(psk=SENTINEL_PSK)


def test_rendered_repr_hides_the_key() -> None:
    """A Rendered holding the key never shows it in its repr or str; .text has it."""
    out = render(tunnel(), "strongswan", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                 psk=SENTINEL_PSK)
    assert out.has_key and SENTINEL_PSK not in repr(out) and SENTINEL_PSK not in str(out)
    assert SENTINEL_PSK not in f"{out}" and SENTINEL_PSK in out.text


def test_ikev1_aggressive_and_dpd_timeout() -> None:
    """IKEv1 aggressive renders version 1, aggressive = yes and the IKEv1 dpd_timeout."""
    text = swan(ike={"IKEVersion": "IKEV1", "ExchangeMode": "AGGRESSIVE"})
    assert "version = 1" in text and "aggressive = yes" in text and "dpd_timeout = 30s" in text


def test_sm4_is_an_error_not_a_silent_cipher() -> None:
    """SM4/SM3 cannot be said in strongSwan: error issues, and an unloadable token."""
    out = render(tunnel(ipsec={"EncryptAlgorithm": "SM4", "IntegrityAlgorith": "SM3"}),
                 "strongswan", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    assert not out.ok
    assert {i.path for i in out.issues if i.severity == "error"} == {
        "ipsec_options.encryption_algorithm", "ipsec_options.integrity_algorithm"}
    assert "UNSUPPORTED-SM4" in out.text


def test_gcm_on_ikev1_is_an_error() -> None:
    """IKEv1 has no AEAD phase 1: GCM for IKE on IKEv1 is refused."""
    out = render(tunnel(ike={"IKEVersion": "IKEV1", "PropoEncryAlgorithm": "AES128GCM128"}),
                 "strongswan", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    assert any(i.path == "ike_options.encryption_algorithm" for i in out.issues)


@pytest.mark.parametrize("changes", [
    {},
    {"ike": {"IKEVersion": "IKEV1", "ExchangeMode": "AGGRESSIVE"}},
    {"ike": {"PropoEncryAlgorithm": "AES256GCM128", "DhGroupName": "GROUP19"},
     "ipsec": {"EncryptAlgorithm": "AES128GCM128", "PfsDhGroup": "NULL"}},
    {"ike": {"LocalIdentity": "FQDN", "LocalFqdnName": "tc.example.com",
             "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example.net"}},
    {"RouteType": "StaticRoute", "NegotiationType": "passive", "DpdEnable": 0},
], ids=["ikev2-policy", "ikev1-aggressive", "gcm", "fqdn", "route-based"])
def test_charon_loads_the_rendered_config(tmp_path: Path, changes: dict[str, object]) -> None:
    """A real charon loads the config with swanctl --load-all: one connection, every child."""
    cfg = from_connection(tunnel(**changes), gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP)
    for side in (cfg, cfg.mirrored()):
        listing = swanctl_load(render(side, "strongswan").text, tmp_path / side.side)
        for i in range(1, len(side.selectors) + 1):
            assert f"{side.name}-{i}: TUNNEL" in listing, listing


def _variants() -> list[tuple[str, dict[str, object]]]:
    """One tunnel per Tencent algorithm value strongSwan can express (the whole token table)."""
    from vpnkit import options
    from vpnkit.peer.vendors import VENDORS

    table = VENDORS["strongswan"]
    out: list[tuple[str, dict[str, object]]] = []
    for value in options.get("ike", "encryption_algorithm").choices:
        if table.ike_encryption.get(str(value)):
            out.append((f"ike-{value}", {"ike": {"PropoEncryAlgorithm": value}}))
    for value in options.get("ike", "authentication_algorithm").choices:
        out.append((f"ikeint-{value}", {"ike": {"PropoAuthenAlgorithm": value}}))
    for value in options.get("ike", "dh_group").choices:
        out.append((f"dh-{value}", {"ike": {"DhGroupName": value},
                                    "ipsec": {"PfsDhGroup": f"DH-{value}"}}))
    for value in options.get("ipsec", "encryption_algorithm").choices:
        if table.esp_encryption.get(str(value)):
            out.append((f"esp-{value}", {"ipsec": {"EncryptAlgorithm": value}}))
    for value in options.get("ipsec", "integrity_algorithm").choices:
        if table.esp_integrity.get(str(value)):
            out.append((f"espint-{value}", {"ipsec": {"IntegrityAlgorith": value}}))
    return out


def test_charon_accepts_every_token_of_the_table(tmp_path: Path) -> None:
    """Each strongSwan token in the vendor table is a proposal keyword charon accepts."""
    blocks = []
    variants = _variants()
    for i, (label, changes) in enumerate(variants):
        text = render(tunnel(VpnConnectionId=f"vpnx-tok{i:05d}", **changes), "strongswan",
                      gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP).text
        assert "UNSUPPORTED" not in text, label
        blocks.append(text.split("connections {\n", 1)[1].split("\n}\nsecrets {", 1)[0])
    listing = swanctl_load("connections {\n" + "\n".join(blocks) + "\n}\n", tmp_path)
    assert f"successfully loaded {len(variants)} connections, 0 unloaded" in listing, listing


def test_psk_env_reads_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """psk_env= takes the key from that variable; unset is refused naming it; not both."""
    monkeypatch.setenv("PEER_TEST_KEY", SENTINEL_PSK)
    out = render(tunnel(), "strongswan", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
                 psk_env="PEER_TEST_KEY")
    assert out.has_key and f'secret = "{SENTINEL_PSK}"' in out.text
    monkeypatch.delenv("PEER_TEST_KEY")
    with pytest.raises(ValueError, match="PEER_TEST_KEY"):
        render(tunnel(), "strongswan", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
               psk_env="PEER_TEST_KEY")
    with pytest.raises(ValueError, match="not both"):
        render(tunnel(), "strongswan", gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP,
               psk="x", psk_env="PEER_TEST_KEY")
