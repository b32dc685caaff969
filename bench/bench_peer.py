"""Rendering the IDC side of 1,000 tunnels for every vendor (target < 1 s in all).

The tunnels vary as real ones do: policy tunnels with 1-4 SPD pairs (about 1,000 distinct
/28 ranges on each side), route-based and BGP ones, IKEv1 main/aggressive and IKEv2, PFS
on/off, ADDRESS and FQDN identities. Each render includes building the peer model from the
tunnel (``from_connection``) and resolving the vendor's tokens; the templates' netmask cache
is cleared before each vendor's run. The tunnels are built once, outside the timing.
"""

from __future__ import annotations

import sys
import time

from _common import alternate, emit, summary

from vpnkit.models import VpnConnection
from vpnkit.peer import VENDORS, render
from vpnkit.peer.templates import _util
from vpnkit.wire import connection_from_wire

ANY = "0.0.0.0/0"


def tunnel(i: int) -> VpnConnection:
    route = ("Policy", "Policy", "StaticRoute", "Bgp")[i % 4]
    pairs = 1 + i % 4
    spd = ([{"LocalCidrBlock": f"198.18.{i // 16 % 256}.{i % 16 * 16}/28",
             "RemoteCidrBlock": [f"198.19.{(i + k) // 16 % 256}.{(i + k) % 16 * 16}/28"
                                 for k in range(pairs)]}]
           if route == "Policy" else [{"LocalCidrBlock": ANY, "RemoteCidrBlock": [ANY]}])
    fqdn = i % 5 == 0
    return connection_from_wire({
        "VpnConnectionId": f"vpnx-b{i:07d}", "RouteType": route,
        "SecurityPolicyDatabaseSet": spd, "NegotiationType": ("active", "passive")[i % 2],
        "IKEOptionsSpecification": {
            "PropoEncryAlgorithm": ("AES-CBC-128", "AES-CBC-256", "3DES-CBC")[i % 3],
            "PropoAuthenAlgorithm": ("SHA", "SHA-256")[i % 2],
            "DhGroupName": ("GROUP14", "GROUP5", "GROUP19")[i % 3],
            "IKEVersion": ("IKEV1", "IKEV2")[i % 2],
            "ExchangeMode": ("MAIN", "AGGRESSIVE")[i // 2 % 2],
            "LocalIdentity": "FQDN" if fqdn else "ADDRESS",
            "RemoteIdentity": "FQDN" if fqdn else "ADDRESS",
            "LocalFqdnName": "tc.example.com", "RemoteFqdnName": "idc.example.net",
            "IKESaLifetimeSeconds": 86400},
        "IPSECOptionsSpecification": {
            "EncryptAlgorithm": ("AES-CBC-128", "AES-CBC-256")[i % 2],
            "IntegrityAlgorith": ("SHA1", "SHA-256")[i % 2],
            "PfsDhGroup": ("NULL", "DH-GROUP14")[i % 2], "IPSECSaLifetimeSeconds": 3600,
            "IPSECSaLifetimeTraffic": 1843200},
        "DpdEnable": i % 2, "DpdTimeout": "30", "DpdAction": "clear",
        "BgpConfig": {"TunnelCidr": "169.254.128.0/30", "LocalBgpIp": "169.254.128.1",
                      "RemoteBgpIp": "169.254.128.2"} if route == "Bgp" else None,
    })


def main(n: int = 1000, rounds: int = 5) -> None:
    tunnels = [tunnel(i) for i in range(n)]

    def one(vendor: str) -> None:
        for cache in (_util.split, _util.mask, _util.wildcard):  # every run starts cold
            cache.cache_clear()
        for t in tunnels:
            render(t, vendor, gateway_ip="203.0.113.10", customer_ip="198.51.100.10")

    for vendor in VENDORS:  # warm imports (templates load lazily)
        render(tunnels[0], vendor, gateway_ip="203.0.113.10", customer_ip="198.51.100.10")
    sides = {v: (lambda v=v: one(v)) for v in VENDORS}
    times = alternate(sides, rounds)
    per = {v: summary(t)[1] for v, t in times.items()}
    t0 = time.perf_counter()
    for v in VENDORS:
        one(v)
    total = time.perf_counter() - t0
    for v, sec in per.items():
        print(f"{v:11s} {n} tunnels {sec * 1000:7.1f} ms median")
    all_med = sum(per.values())
    print(f"all {len(VENDORS)} vendors: {all_med * 1000:.0f} ms (sum of medians); one "
          f"straight pass {total * 1000:.0f} ms; {n * len(VENDORS) / all_med:,.0f} renders/s")
    emit(f"render {n:,} tunnels for all {len(VENDORS)} vendors", value=all_med * 1000,
         unit="ms (sum of per-vendor medians)", reference="", ref_value=None,
         target="< 1000 ms", ok=all_med < 1.0, straight_pass_ms=total * 1000,
         per_vendor_ms={v: round(s * 1000, 1) for v, s in per.items()})


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
