"""Rendering the IDC side of 1,000 tunnels for every vendor (target < 1 s in all).

The tunnels vary as real ones do: policy tunnels with 1-4 SPD pairs (about 1,000 distinct
/28 ranges on each side), route-based and BGP ones, IKEv1 main/aggressive and IKEv2, PFS
on/off, ADDRESS and FQDN identities. Each render includes building the peer model from the
tunnel (``from_connection``) and resolving the vendor's tokens; the templates' netmask cache
is cleared before each vendor's run. The tunnels are built once, outside the timing. The
figure is process CPU time (the machine is shared by other jobs); wall time is reported too.
"""

from __future__ import annotations

import statistics
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
    cpu: dict[str, list[float]] = {v: [] for v in VENDORS}

    def one(vendor: str) -> None:
        for cache in (_util.split, _util.mask, _util.wildcard):  # every run starts cold
            cache.cache_clear()
        t = time.process_time()
        for conn in tunnels:
            render(conn, vendor, gateway_ip="203.0.113.10", customer_ip="198.51.100.10")
        cpu[vendor].append(time.process_time() - t)

    for vendor in VENDORS:  # warm imports (templates load lazily)
        render(tunnels[0], vendor, gateway_ip="203.0.113.10", customer_ip="198.51.100.10")
    sides = {v: (lambda v=v: one(v)) for v in VENDORS}
    wall = {v: summary(t)[1] for v, t in alternate(sides, rounds).items()}
    per = {v: statistics.median(t) for v, t in cpu.items()}
    for v in VENDORS:
        print(f"{v:11s} {n} tunnels {per[v] * 1000:7.1f} ms CPU, {wall[v] * 1000:7.1f} ms wall "
              "(medians)")
    total, total_wall = sum(per.values()), sum(wall.values())
    print(f"all {len(VENDORS)} vendors: {total * 1000:.0f} ms CPU, {total_wall * 1000:.0f} ms "
          f"wall (sums of medians; the machine is shared); {n * len(VENDORS) / total:,.0f} "
          "renders per CPU second")
    emit(f"render {n:,} tunnels for all {len(VENDORS)} vendors", value=total * 1000,
         unit="ms CPU (sum of per-vendor medians)", reference="", ref_value=None,
         target="< 1000 ms", ok=total < 1.0, wall_ms=round(total_wall * 1000),
         per_vendor_cpu_ms={v: round(s * 1000, 1) for v, s in per.items()})


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
