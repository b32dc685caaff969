"""One create from the command line, fresh process each time, against a loopback server.

Three sides, alternated round by round, all sending one CreateVpnConnection with the same
request JSON to the same canned-answer server (``canned_server.py``, its own process):

* ``vpnkit --endpoint URL create --spec FILE`` (the ``vpnkit`` console script). ``--endpoint``
  is one of vpnkit's global options, so it goes before the command. vpnkit's defaults stay
  on: the spec is validated before sending and the call is written to the audit log (a
  SQLite file in the bench's temporary directory, ``VPNKIT_AUDIT``);
* an official-SDK script (written into the temporary directory): ``Credential`` from the
  environment, ``HttpProfile(endpoint=host:port, protocol="http")``, ``VpcClient``,
  ``CreateVpnConnectionRequest.from_json_string``, print the answer;
* ``tccli vpc CreateVpnConnection --cli-input-json file://FILE --endpoint URL --region
  ap-guangzhou`` with ``TENCENTCLOUD_SECRET_ID/KEY`` in the environment.

tccli over plain http: tccli passes ``--endpoint`` unchanged to the SDK's ``HttpProfile``
(always ``protocol="https"``), and the SDK's ``ApiRequest._handle_host`` only prefixes
``https://`` when the endpoint has no scheme, so ``--endpoint http://127.0.0.1:PORT`` is sent
over http to loopback. (Without the scheme tccli speaks TLS to the port.) A side effect: the
SDK then sends and signs ``Host: http://127.0.0.1:PORT``; the canned server does not check
signatures or Host, so this costs tccli nothing. tccli reads its configuration from
``$HOME/.tccli``: every side runs with ``HOME`` set to the temporary directory, and tccli's
first-run configuration is written during the warm-up round, not in a measured one.

Figures: wall time per create (median of the rounds) and the child's CPU time (user + sys
from ``getrusage(RUSAGE_CHILDREN)``), which the neighbours on a shared machine disturb less.
Targets: vpnkit <= 0.7x the SDK script, <= 0.3x tccli. A fourth side, ``python -c "import
requests"``, gives the floor of any requests-based command (``floor_ratio``). A last run
with ``-X importtime`` lists which heavy modules ``vpnkit create`` loads (pandas must not
be one).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import PY, emit, start_canned

BIN = Path(PY).parent
REQUEST = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
           "VpcId": "vpc-demo0001", "VpnConnectionName": "bench-cli",
           "PreShareKey": "bench-psk-0000",
           "SecurityPolicyDatabases": [{"LocalCidrBlock": "10.0.1.0/24",
                                        "RemoteCidrBlock": ["192.168.1.0/24"]}]}
SDK_SCRIPT = '''\
import json, os, sys

from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vpc.v20170312 import models, vpc_client

spec, host = sys.argv[1], sys.argv[2]
cred = credential.Credential(os.environ["TENCENTCLOUD_SECRET_ID"],
                             os.environ["TENCENTCLOUD_SECRET_KEY"])
profile = ClientProfile(httpProfile=HttpProfile(endpoint=host, protocol="http"))
client = vpc_client.VpcClient(cred, "ap-guangzhou", profile)
req = models.CreateVpnConnectionRequest()
with open(spec, encoding="utf-8") as f:
    req.from_json_string(f.read())
print(client.CreateVpnConnection(req).to_json_string())
'''
HEAVY = ("pandas", "numpy", "ipywidgets", "IPython", "werkzeug", "vpnkit.emulator",
         "vpnkit.frames", "tencentcloud")


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, child CPU seconds (user + sys), stdout; raise if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0 or "vpnx-bench001" not in out.stdout:
        raise RuntimeError(f"{argv[:3]} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stderr


def main(rounds: int = 15) -> None:
    server, url = start_canned()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            spec = Path(tmp, "request.json")
            spec.write_text(json.dumps(REQUEST), encoding="utf-8")
            script = Path(tmp, "sdk_create.py")
            script.write_text(SDK_SCRIPT, encoding="utf-8")
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TENCENTCLOUD_", "VPNKIT_", "TCCLI_"))
                   and k != "PYTHONDONTWRITEBYTECODE"}
            # run alone, bytecode caching as run.py sets it (see its docstring)
            env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tmp, "pyc")))
            env |= {"HOME": tmp, "TENCENTCLOUD_SECRET_ID": "AKIDbench",
                    "TENCENTCLOUD_SECRET_KEY": "bench-key-0000",
                    "VPNKIT_AUDIT": str(Path(tmp, "audit.sqlite3"))}
            sides = {
                "vpnkit": [str(BIN / "vpnkit"), "--endpoint", url, "create", "--spec",
                           str(spec)],
                "sdk": [PY, str(script), str(spec), url.removeprefix("http://")],
                "tccli": [str(BIN / "tccli"), "vpc", "CreateVpnConnection", "--cli-input-json",
                          f"file://{spec}", "--endpoint", url, "--region", "ap-guangzhou"],
                # the floor for any requests-based CLI: a process that only imports requests
                "requests-only": [PY, "-c", "import requests; print('vpnx-bench001')"],
            }
            for argv in sides.values():  # warm-up: .pyc files, tccli's first-run config
                _run(argv, env)
            wall: dict[str, list[float]] = {name: [] for name in sides}
            cpu: dict[str, list[float]] = {name: [] for name in sides}
            names = list(sides)
            for r in range(rounds):
                for name in names if r % 2 == 0 else reversed(names):
                    w, c, _ = _run(sides[name], env)
                    wall[name].append(w)
                    cpu[name].append(c)
            _, _, trace = _run([PY, "-X", "importtime", "-m", "vpnkit", *sides["vpnkit"][1:]],
                               env)
    finally:
        server.terminate()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()
    loaded = {line.rsplit("|", 1)[1].strip() for line in trace.splitlines()
              if line.startswith("import time:") and "|" in line}
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY)
    med = {name: statistics.median(ts) * 1000 for name, ts in wall.items()}
    low = {name: min(ts) * 1000 for name, ts in wall.items()}
    cmed = {name: statistics.median(ts) * 1000 for name, ts in cpu.items()}
    for name in sides:
        print(f"{name:7s} wall min {low[name]:6.0f} ms  median {med[name]:6.0f} ms   "
              f"CPU median {cmed[name]:6.0f} ms")
    print(f"heavy modules loaded by `vpnkit create`: {heavy or 'none'}")
    for ref, target, limit in (("sdk", "<= 0.7x", 0.7), ("tccli", "<= 0.3x", 0.3)):
        label = "official SDK script" if ref == "sdk" else "tccli"
        emit(f"CLI create, fresh process, vs {label}", value=med["vpnkit"],
             unit="ms median wall", reference=f"{label} (same call, same server)",
             ref_value=med[ref], target=target, ok=med["vpnkit"] / med[ref] <= limit,
             min_value=low["vpnkit"], min_ref=low[ref], min_ratio=low["vpnkit"] / low[ref],
             cpu_ms=cmed["vpnkit"], cpu_ref_ms=cmed[ref], cpu_ratio=cmed["vpnkit"] / cmed[ref],
             heavy_modules=heavy, floor_ratio=med["requests-only"] / med[ref],
             floor_cpu_ratio=cmed["requests-only"] / cmed[ref])


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
