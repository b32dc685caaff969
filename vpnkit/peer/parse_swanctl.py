"""strongSwan ``swanctl.conf`` -> :class:`PeerConfig` (one per connection).

Reads the settings syntax (sections ``name { ... }``, one ``key = value`` per line, ``#``
comments); ``include`` lines are not followed. A value the file leaves out takes strongSwan's
default (swanctl.conf(5): IKE rekey_time 4h, child rekey_time 1h, life_time = rekey_time + 10%,
version 0 = either, start_action none, DPD off).
"""

from __future__ import annotations

from typing import Any

from vpnkit.peer._parse import duration, expand_esp, expand_ike
from vpnkit.peer.model import (
    ANY,
    Dpd,
    Endpoint,
    Initiation,
    Issue,
    PeerConfig,
    TrafficSelector,
)

__all__ = ["parse_swanctl", "settings"]

#: strongSwan keyword aliases (proposal keywords page) -> the table's token
ALIASES = {"aes": "aes128", "sha": "sha1", "sha2_256": "sha256", "sha2_384": "sha384",
           "sha2_512": "sha512", "aes128gcm128": "aes128gcm16", "aes192gcm128": "aes192gcm16",
           "aes256gcm128": "aes256gcm16", "prfsha1": "sha1", "prfsha256": "sha256",
           "prfsha384": "sha384", "prfsha512": "sha512", "prfmd5": "md5",
           "sha256_96": "sha256"}


def settings(text: str) -> dict[str, Any]:
    """The nested sections of a strongSwan settings file (values are strings)."""
    root: dict[str, Any] = {}
    stack = [root]
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("include "):
            continue
        if line.endswith("{"):
            name = line[:-1].strip()
            child: dict[str, Any] = stack[-1].setdefault(name, {})
            stack.append(child)
        elif line == "}":
            if len(stack) == 1:
                raise ValueError(f"line {lineno}: '}}' without a section")
            stack.pop()
        elif "=" in line:
            key, value = (p.strip() for p in line.split("=", 1))
            stack[-1][key] = value.strip('"')
        else:
            # the line is not echoed: it may be a secrets line holding the key
            raise ValueError(f"line {lineno}: expected 'key = value', 'name {{' or '}}'")
    if len(stack) != 1:
        raise ValueError("a section is not closed with '}'")
    return root


def _proposals(value: str | None, default: str) -> list[list[str]]:
    return [[a.strip() for a in p.strip().split("-")] for p in (value or default).split(",")
            if p.strip()]


def _id(value: str | None, address: str) -> tuple[str, str]:
    if not value or value == "%any":
        return "ADDRESS", address
    value = value.removeprefix("fqdn:").removeprefix("ipv4:")
    if value.startswith("@"):
        return "FQDN", value.lstrip("@")
    if all(p.isdigit() for p in value.split(".")) and value.count(".") == 3:
        return "ADDRESS", value
    return "FQDN", value


def _connection(name: str, c: dict[str, Any]) -> PeerConfig:
    local_addr = str(c.get("local_addrs", "%any")).split(",")[0].strip()
    remote_addr = str(c.get("remote_addrs", "%any")).split(",")[0].strip()
    local: dict[str, Any] = c.get("local") or next(
        (v for k, v in c.items() if k.startswith("local-")), {})
    remote: dict[str, Any] = c.get("remote") or next(
        (v for k, v in c.items() if k.startswith("remote-")), {})
    children = c.get("children", {})
    first: dict[str, Any] = next(iter(children.values()), {})
    ike = expand_ike(_proposals(c.get("proposals"), "default"), "strongswan", ALIASES)
    esp = expand_esp(_proposals(first.get("esp_proposals"), "default"), "strongswan", ALIASES)
    rekey = duration(c.get("rekey_time", "4h"))
    over = duration(c["over_time"]) if "over_time" in c else rekey // 10
    child_rekey = duration(first.get("rekey_time", "1h"))
    child_life = duration(first["life_time"]) if "life_time" in first else child_rekey * 11 // 10
    life_bytes = int(first.get("life_bytes", 0)) or int(first.get("rekey_bytes", 0)) * 11 // 10
    selectors = tuple(
        TrafficSelector(lt.strip(), rt.strip())
        for ch in children.values()
        for lt in str(ch.get("local_ts", "dynamic")).split(",")
        for rt in str(ch.get("remote_ts", "dynamic")).split(","))
    notes = tuple(
        Issue(f"connections.{name}.children.{child}", "CombinedSelectors",
              f"child {child} puts {len(lt.split(','))} x {len(rt.split(','))} traffic "
              "selectors in one CHILD_SA; the Tencent gateway negotiates each (VPC range, IDC "
              "range) pair as its own SA (ref §2.1), so one negotiation from here brings up one "
              "pair (the gateway narrows it) and the others wait for their own traffic: use one "
              "child per pair", "warning")
        for child, ch in children.items()
        for lt, rt in [(str(ch.get("local_ts", "")), str(ch.get("remote_ts", "")))]
        if "," in lt or "," in rt)
    version = str(c.get("version", "0"))
    if version not in ("1", "2"):
        notes += (Issue(f"connections.{name}.version", "AnyIkeVersion",
                        "version 0 (or unset): answers IKEv1 and IKEv2, starts with IKEv2",
                        "warning"),)
    start = str(first.get("start_action", "none"))
    init: Initiation = "start" if "start" in start else "trap" if "trap" in start else "none"
    lk, lv = _id(local.get("id"), local_addr)
    rk, rv = _id(remote.get("id"), remote_addr)
    dpd_on = duration(c.get("dpd_delay", "0s")) > 0
    return PeerConfig(
        name=name,
        local=Endpoint(local_addr, "FQDN" if lk == "FQDN" else "ADDRESS", lv, init),
        remote=Endpoint(remote_addr, "FQDN" if rk == "FQDN" else "ADDRESS", rv),
        ike_version="IKEV1" if version == "1" else "IKEV2",
        exchange_mode="AGGRESSIVE" if c.get("aggressive") == "yes" else "MAIN",
        ike=ike[0], ike_lifetime=rekey + over, esp=esp[0], ipsec_lifetime=child_life,
        ipsec_lifetime_kb=life_bytes // 1024,
        dpd=Dpd(dpd_on, duration(c.get("dpd_timeout", "150s")),
                str(first.get("dpd_action", "clear"))),
        route_type="", route_based=all(s == (ANY, ANY) for s in
                                       ((t.local, t.remote) for t in selectors)),
        selectors=selectors, notes=notes, ike_offers=ike, esp_offers=esp)


def parse_swanctl(text: str) -> list[PeerConfig]:
    """Every connection of a swanctl.conf, as seen from this device (``local``)."""
    conns = settings(text).get("connections", {})
    if not conns:
        raise ValueError("no 'connections { ... }' section in this swanctl.conf")
    return [_connection(name, c) for name, c in conns.items()]
