"""Requests per second the emulator serves on loopback (not a timed test; run by hand).

Starts ``python -m vpnkit.emulator --rate-limit 0`` in its own process and drives it from
``--clients`` client processes, each on one keep-alive ``http.client`` connection, sending
TC3-signed POSTs (signed per request with :mod:`vpnkit.signing`, as a real client does).
The mix is DescribeVpnConnections / DescribeVpcs / DescribeVpnGateways; the answers are
checked to be successes. Prints one figure: requests per second over ``--seconds``.
``--werkzeug`` serves the same app with Werkzeug's threaded dev server instead, for comparison.

    python bench/bench_emulator.py [--clients 3] [--seconds 5] [--werkzeug]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import subprocess
import sys
import time
from urllib.parse import urlsplit

from _common import emit

from vpnkit.emulator import DEMO_SECRET_ID, DEMO_SECRET_KEY
from vpnkit.signing import authorization_header, credential_scope, tc3_signature, utc_date

ACTIONS = ("DescribeVpnConnections", "DescribeVpcs", "DescribeVpnGateways")
_WERKZEUG = """
from werkzeug.serving import make_server
from vpnkit.emulator import DEMO_SECRET_ID, DEMO_SECRET_KEY, build_app
app = build_app(secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY, rate_limit=0)
server = make_server("127.0.0.1", 0, app, threaded=True)
print(f"http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
"""


def _client(url: str, seconds: float, start: float, out: mp.Queue[tuple[int, int]]) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    body = json.dumps({"Limit": 10}).encode()
    vpcs_body = json.dumps({"Limit": "10"}).encode()
    while time.time() < start:
        time.sleep(0.001)
    done = errors = 0
    deadline = start + seconds
    while time.time() < deadline:
        action = ACTIONS[done % len(ACTIONS)]
        payload = vpcs_body if action == "DescribeVpcs" else body
        ts = int(time.time())
        headers = {"Content-Type": "application/json", "Host": parts.netloc,
                   "X-TC-Action": action, "X-TC-Version": "2017-03-12",
                   "X-TC-Timestamp": str(ts), "X-TC-Region": "ap-guangzhou"}
        sig, signed = tc3_signature(secret_key=DEMO_SECRET_KEY, service="vpc", timestamp=ts,
                                    method="POST", headers=headers, payload=payload)
        headers["Authorization"] = authorization_header(
            DEMO_SECRET_ID, credential_scope(utc_date(ts), "vpc"), signed, sig)
        conn.request("POST", "/", body=payload, headers=headers)
        answer = json.loads(conn.getresponse().read())
        errors += "Error" in answer["Response"]
        done += 1
    out.put((done, errors))


def main() -> int:
    """Run the benchmark and print requests/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--werkzeug", action="store_true", help="use Werkzeug's dev server")
    args = parser.parse_args()
    command = (["-c", _WERKZEUG] if args.werkzeug
               else ["-m", "vpnkit.emulator", "--rate-limit", "0"])
    server = subprocess.Popen([sys.executable, *command], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        results: mp.Queue[tuple[int, int]] = mp.Queue()
        start = time.time() + 0.5
        procs = [mp.Process(target=_client, args=(url, args.seconds, start, results))
                 for _ in range(args.clients)]
        for p in procs:
            p.start()
        counts = [results.get(timeout=args.seconds + 60) for _ in procs]
        for p in procs:
            p.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    total, errors = sum(c for c, _ in counts), sum(e for _, e in counts)
    name = "werkzeug dev server" if args.werkzeug else "vpnkit emulator server"
    print(f"{name}: {total / args.seconds:,.0f} requests/s on loopback ({args.clients} client "
          f"processes, {args.seconds:g} s, {total} requests, {errors} errors)")
    emit(f"{name} requests/s on loopback", value=total / args.seconds,
         unit=f"requests/s ({args.clients} client processes, {args.seconds:g} s)",
         reference="the API limit, 100 requests/s", ref_value=100.0, target=">= 10x",
         ok=total / args.seconds >= 1000 and errors == 0, errors=errors)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
