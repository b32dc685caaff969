"""Validating a spec with 1,000 and 10,000 SPD pairs (target < 100 ms, n log n growth).

Measured cold (CIDR memo cleared before each run, as for a freshly loaded CSV) and warm
(the form's case: re-validating after one edit).
"""

from __future__ import annotations

import math
import sys

from _common import alternate, emit, summary

from vpnkit import VpnConnectionSpec, cidr, issues


def spec(n: int) -> VpnConnectionSpec:
    pairs = [(f"10.{i // 256 % 256}.{i % 256}.0/24",
              f"172.{16 + i // 65536}.{i // 256 % 256}.{i % 256}/32") for i in range(n)]
    return VpnConnectionSpec("vpngw-demo0001", "cgw-demo0001", "bench", "bench-key",
                             vpc_id="vpc-demo0001", security_policy_databases=pairs)


def main(rounds: int = 9) -> None:
    small, large = spec(1_000), spec(10_000)
    assert issues(large, vpc_cidr="10.0.0.0/8") == []
    def cold(s: VpnConnectionSpec) -> None:
        cidr._valid_blocks.clear()
        issues(s, vpc_cidr="10.0.0.0/8")

    times = alternate({
        "1k": lambda: cold(small),
        "10k": lambda: cold(large),
        "10k warm": lambda: issues(large, vpc_cidr="10.0.0.0/8"),
    }, rounds)
    (_, smed), (lmin, lmed) = summary(times["1k"]), summary(times["10k"])
    _, wmed = summary(times["10k warm"])
    growth = lmed / smed
    nlogn = (10_000 * math.log(10_000)) / (1_000 * math.log(1_000))
    print(f"cold: 1,000 pairs {smed * 1000:.1f} ms median; 10,000 pairs {lmed * 1000:.1f} ms "
          f"median (min {lmin * 1000:.1f}); growth {growth:.1f}x (n log n: {nlogn:.1f}x)")
    print(f"warm: 10,000 pairs {wmed * 1000:.1f} ms median")
    emit("validate 10,000 SPD pairs (cold)", value=lmed * 1000, unit="ms median",
         reference="1,000 pairs (cold)", ref_value=smed * 1000,
         target="< 100 ms, growth ~ n log n (13.3x)", ok=lmed < 0.1 and growth < nlogn * 1.5,
         warm_ms=wmed * 1000)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
