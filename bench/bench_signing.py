"""Signing one request: vpnkit's TC3 steps vs a minimal hashlib/hmac signer (target <= 1.1x).

The minimal signer below is the shortest correct TC3 implementation (no caching, no
structure); vpnkit's steps must not cost more than it for the same inputs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time

from _common import alternate, emit, summary

from vpnkit import signing

KEY = "bench-secret-key-000000000000"
HEADERS = {"Content-Type": "application/json", "Host": "vpc.tencentcloudapi.com"}
BODY = json.dumps({"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
                   "VpnConnectionName": "bench", "PreShareKey": "x" * 16,
                   "SecurityPolicyDatabases": [{"LocalCidrBlock": "10.0.1.0/24",
                                                "RemoteCidrBlock": ["192.168.0.0/24"]}]}).encode()


def minimal(ts: int) -> str:
    """A minimal TC3 signer: the reference steps inline."""
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))
    canonical = ("POST\n/\n\ncontent-type:application/json\nhost:vpc.tencentcloudapi.com\n\n"
                 "content-type;host\n" + hashlib.sha256(BODY).hexdigest())
    to_sign = (f"TC3-HMAC-SHA256\n{ts}\n{date}/vpc/tc3_request\n"
               + hashlib.sha256(canonical.encode()).hexdigest())
    k = hmac.new(("TC3" + KEY).encode(), date.encode(), hashlib.sha256).digest()
    k = hmac.new(k, b"vpc", hashlib.sha256).digest()
    k = hmac.new(k, b"tc3_request", hashlib.sha256).digest()
    return hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()


def ours(ts: int) -> str:
    return signing.tc3_signature(secret_key=KEY, service="vpc", timestamp=ts, method="POST",
                                 headers=HEADERS, payload=BODY)[0]


def main(rounds: int = 15, n: int = 20000) -> None:
    ts = int(time.time())
    assert ours(ts) == minimal(ts)
    times = alternate({
        "minimal": lambda: [minimal(ts) for _ in range(n)],
        "vpnkit": lambda: [ours(ts) for _ in range(n)],
    }, rounds)
    (mmin, mmed), (vmin, vmed) = summary(times["minimal"]), summary(times["vpnkit"])
    us = 1e6 / n
    print(f"minimal signer: {mmin * us:.1f} us min, {mmed * us:.1f} us median per request")
    print(f"vpnkit signer:  {vmin * us:.1f} us min, {vmed * us:.1f} us median per request")
    emit("sign one request (TC3)", value=vmed * us, unit="us median",
         reference="minimal hashlib/hmac signer", ref_value=mmed * us, target="<= 1.1x",
         ok=vmed / mmed <= 1.1)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
