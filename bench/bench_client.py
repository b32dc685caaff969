"""Sequential creates per second: vpnkit's VpcClient vs the official SDK (target >= 1.5x).

Both talk to the same loopback server in the same run, alternating batches: a canned-answer
server in its own process (``canned_server.py``), so the figure is the clients' own cost per
call and not the emulator's. vpnkit's client-side limiter is off here (rate_limit=0): this
is not about the API's 100/s quota. The same is repeated against the emulator for context.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
import warnings
from collections.abc import Callable

from _common import alternate, emit, start_canned, summary

from vpnkit import VpcClient, VpnConnectionSpec

GW, CGW, VPC = "vpngw-demo0001", "cgw-demo0001", "vpc-demo0001"
_names = itertools.count()


def body(name: str) -> dict:
    return {"VpnGatewayId": GW, "CustomerGatewayId": CGW, "VpnConnectionName": name,
            "PreShareKey": "bench-psk-0000", "VpcId": VPC}


def measure(url: str, secret_id: str, secret_key: str, rounds: int,
            n: int) -> tuple[float, float, float, float]:
    """SDK and vpnkit creates/s (median batch, alternated), then client CPU s per call."""
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.vpc.v20170312 import models, vpc_client

    from vpnkit import Credential

    with warnings.catch_warnings():
        ours = VpcClient("ap-guangzhou", endpoint=url,
                         credential=Credential(secret_id, secret_key), rate_limit=0)
        host = url.split("://", 1)[1]
        profile = ClientProfile(httpProfile=HttpProfile(endpoint=host, protocol="http"))
        sdk = vpc_client.VpcClient(credential.Credential(secret_id, secret_key),
                                   "ap-guangzhou", profile)

        def run_ours() -> None:
            for _ in range(n):
                ours.create_vpn_connection(VpnConnectionSpec.from_wire(body(f"v{next(_names)}")))

        def run_sdk() -> None:
            for _ in range(n):
                req = models.CreateVpnConnectionRequest()
                req.from_json_string(__import__("json").dumps(body(f"s{next(_names)}")))
                sdk.CreateVpnConnection(req)

        cpu: dict[str, list[float]] = {"sdk": [], "vpnkit": []}

        def timed(name: str, fn: Callable[[], None]) -> Callable[[], None]:
            def run() -> None:
                start = time.process_time()
                fn()
                cpu[name].append((time.process_time() - start) / n)
            return run

        times = alternate({"sdk": timed("sdk", run_sdk), "vpnkit": timed("vpnkit", run_ours)},
                          rounds)
    (_, smed), (_, vmed) = summary(times["sdk"]), summary(times["vpnkit"])
    return n / smed, n / vmed, statistics.median(cpu["sdk"]), statistics.median(cpu["vpnkit"])


def main(rounds: int = 9, n: int = 100) -> None:
    warnings.simplefilter("ignore")  # the SDK warns about its own deprecated fields
    proc, url = start_canned()
    try:
        sdk_rate, our_rate, sdk_cpu, our_cpu = measure(url, "AKIDbench", "bench-key-0000",
                                                       rounds, n)
    finally:
        proc.terminate()
        proc.wait()
    print(f"canned loopback server: official SDK {sdk_rate:.0f} creates/s; vpnkit "
          f"{our_rate:.0f} creates/s ({our_rate / sdk_rate:.2f}x)")
    print(f"client CPU per create: SDK {sdk_cpu * 1e6:.0f} us, vpnkit {our_cpu * 1e6:.0f} us "
          f"({sdk_cpu / our_cpu:.2f}x less)")
    emit("sequential creates per second", value=our_rate, unit="creates/s (median batch)",
         reference="official SDK VpcClient", ref_value=sdk_rate, target=">= 1.5x",
         ok=our_rate / sdk_rate >= 1.5, cpu_us_sdk=sdk_cpu * 1e6, cpu_us_vpnkit=our_cpu * 1e6)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
