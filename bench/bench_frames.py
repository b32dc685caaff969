"""connections_frame + spd_frame vs ``pandas.json_normalize`` on the same 10,000 tunnels.

Run: ``python bench/bench_frames.py [N] [ROUNDS]``. The two sides alternate every round so
drift (CPU boost, caches) hits both alike; min and median per side, and their ratio, are
printed. Baselines: ``json_normalize(dicts)`` alone (flattening only: no dtypes, no SPD
rows), and ``json_normalize`` plus the SPD rows it can give (record_path + explode).
Target (issue 4): vpnkit / plain json_normalize <= 0.7.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from _common import emit

from vpnkit.frames import connections_frame, spd_frame


def make_connections(n: int, seed: int = 0, *, distinct: bool = False) -> list[dict[str, Any]]:
    """``n`` VpnConnectionSet elements shaped like DescribeVpnConnections answers (§2.4).

    IKE identities follow the gateway and the customer gateway (200 x 300 of them), health
    check IPs are random per tunnel. ``distinct=True`` gives every tunnel its own IKE and
    IPsec profile (the worst case for frames' de-duplication of repeated option objects).
    """
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        spd = [{"LocalCidrBlock": f"10.{i % 256}.{j}.0/24",
                "RemoteCidrBlock": [f"192.168.{(i + k) % 256}.0/24" for k in range(1 + j)]}
               for j in range(rnd.randint(1, 3))]
        out.append({
            "VpnConnectionId": f"vpnx-{i:08x}", "VpnConnectionName": f"tunnel-{i}",
            "VpcId": f"vpc-{i % 50:08x}", "VpnGatewayId": f"vpngw-{i % 200:08x}",
            "CustomerGatewayId": f"cgw-{i % 300:08x}", "PreShareKey": "not-in-frames",
            "VpnProto": "IPSEC", "EncryptProto": "IKE", "RouteType": "StaticRoute",
            "CreatedTime": "0000-00-00 00:00:00" if i % 97 == 0 else
            f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d}:00",
            "State": rnd.choice(["AVAILABLE", "AVAILABLE", "PENDING"]),
            "NetStatus": rnd.choice(["AVAILABLE", "UNAVAILABLE"]),
            "SecurityPolicyDatabaseSet": spd,
            "IKEOptionsSpecification": {
                "PropoEncryAlgorithm": "AES-CBC-128", "PropoAuthenAlgorithm": "SHA",
                "ExchangeMode": "MAIN", "LocalIdentity": "ADDRESS", "RemoteIdentity": "ADDRESS",
                "LocalAddress": f"203.0.113.{i % 200}",
                "RemoteAddress": f"198.51.{i % 300 // 256}.{i % 300 % 256}",
                "LocalFqdnName": f"vpn-{i}.example" if distinct else "", "RemoteFqdnName": "",
                "DhGroupName": rnd.choice(["GROUP2", "GROUP14"]),
                "IKESaLifetimeSeconds": "86400" if i % 2 else 86400, "IKEVersion": "IKEV1"},
            "IPSECOptionsSpecification": {
                "EncryptAlgorithm": "AES-CBC-128", "IntegrityAlgorith": "SHA1",
                "IPSECSaLifetimeSeconds": 3600 + i if distinct else 3600, "PfsDhGroup": "NULL",
                "IPSECSaLifetimeTraffic": 1843200},
            "EnableHealthCheck": bool(i % 2),
            "HealthCheckLocalIp": f"169.254.{128 + rnd.randrange(128)}.{rnd.randrange(256)}",
            "HealthCheckRemoteIp": f"169.254.{128 + rnd.randrange(128)}.{rnd.randrange(256)}",
            "HealthCheckStatus": "AVAILABLE",
            "DpdEnable": rnd.choice([0, 1, -1]), "DpdTimeout": "30", "DpdAction": "clear",
            "TagSet": [{"Key": "env", "Value": rnd.choice(["prod", "dev"])}],
            "NegotiationType": "active",
        })
    return out


def vpnkit_frames(dicts: list[dict[str, Any]]) -> None:
    connections_frame(dicts)
    spd_frame(dicts)


def normalize_plain(dicts: list[dict[str, Any]]) -> None:
    pd.json_normalize(dicts)


def normalize_with_spd(dicts: list[dict[str, Any]]) -> None:
    pd.json_normalize(dicts)
    pd.json_normalize(dicts, record_path="SecurityPolicyDatabaseSet",
                      meta=["VpnConnectionId", "VpnGatewayId"]).explode("RemoteCidrBlock")


def _time(fn: Callable[[list[dict[str, Any]]], None], dicts: list[dict[str, Any]]) -> float:
    # CPU time of this process: the work is single-threaded, and wall time on a shared
    # machine mostly measures the neighbours.
    gc.collect()
    start = time.process_time()
    fn(dicts)
    return time.process_time() - start


def main(n: int = 10_000, rounds: int = 15, *, distinct: bool = False) -> float:
    """Print the comparison table; return the median ratio vpnkit / plain json_normalize."""
    dicts = make_connections(n, distinct=distinct)
    sides = {"vpnkit connections+spd": vpnkit_frames, "json_normalize": normalize_plain,
             "json_normalize + SPD rows": normalize_with_spd}
    times: dict[str, list[float]] = {name: [] for name in sides}
    for fn in sides.values():
        fn(dicts)  # warm-up
    for r in range(rounds):
        order = list(sides.items())
        if r % 2:
            order.reverse()
        for name, fn in order:
            times[name].append(_time(fn, dicts))
    mine = statistics.median(times["vpnkit connections+spd"])
    print(f"{n} connections{' (every profile distinct)' if distinct else ''}, {rounds} "
          f"alternated rounds, CPU time, pandas {pd.__version__}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:28s} min {min(ts) * 1000:7.1f} ms  median {med * 1000:7.1f} ms  "
              f"vpnkit/this {mine / med:5.2f}x")
    ref = times["json_normalize"]
    emit(f"{n:,} connections -> connections + SPD frames"
         + (" (every profile distinct)" if distinct else ""), value=mine * 1000,
         unit="ms median CPU time", reference="pandas.json_normalize (plain)",
         ref_value=statistics.median(ref) * 1000, target="<= 0.7x",
         ok=mine / statistics.median(ref) <= 0.7,
         min_ratio=min(times["vpnkit connections+spd"]) / min(ref))
    return mine / statistics.median(ref)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    for distinct in (False, True):
        ratio = main(*args, distinct=distinct)
        print(f"ratio vpnkit / json_normalize (median): {ratio:.2f} (target <= 0.70)\n")
