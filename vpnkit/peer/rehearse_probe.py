"""Traffic for the rehearsal: a UDP echo between addresses of the lab's two namespaces.

One server process answers on every destination address; one client process sends from each
flow's source to its destination, in parallel, a bounded number of times. Each flow ends
``echoed`` (the answer came back), ``lost`` (sent, never answered) or ``unreachable`` (the
sending side has no route to the destination: the kernel refused the send, nothing left).
"""

from __future__ import annotations

import json
import select
import subprocess
import sys

from vpnkit.peer.netns import Lab, Side

__all__ = ["ECHOED", "LOST", "UNREACHABLE", "probe"]

ECHOED, LOST, UNREACHABLE = "echoed", "lost", "unreachable"
_PORT = 9000
_SERVER = """
import select, socket, sys, time
socks = []
for a in sys.argv[1].split(','):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((a, int(sys.argv[2])))
    socks.append(s)
print('ready', flush=True)
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    for s in select.select(socks, [], [], 0.2)[0]:
        data, peer = s.recvfrom(2048)
        try:
            s.sendto(b'echo:' + data, peer)
        except OSError:
            pass
"""
_CLIENT = """
import json, select, socket, sys, time
pairs = json.loads(sys.argv[1]); port = int(sys.argv[2]); state = ['lost'] * len(pairs)
socks = []
for src, dst in pairs:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((src, 0)); socks.append(s)
def done():
    return all(x != 'lost' for x in state)
for attempt in range(int(sys.argv[3])):
    for i, (src, dst) in enumerate(pairs):
        if state[i] == 'lost':
            try:
                socks[i].sendto(f'vkr {i} {attempt}'.encode(), (dst, port))
            except OSError:
                state[i] = 'unreachable'
    end = time.monotonic() + 0.3
    while not done() and time.monotonic() < end:
        for s in select.select(socks, [], [], max(0.0, end - time.monotonic()))[0]:
            i = socks.index(s)
            try:
                data = s.recv(2048)
            except OSError:
                continue
            if data.startswith(f'echo:vkr {i} '.encode()):
                state[i] = 'echoed'
    if done():
        break
print(json.dumps(state))
"""


def probe(lab: Lab, flows: list[tuple[str, str]], *, client: Side, server: Side,
          attempts: int = 8) -> list[str]:
    """Send a UDP echo for each (source, destination) flow from ``client`` to ``server``."""
    if not flows:
        return []
    lost = [LOST] * len(flows)
    servers = ",".join(dict.fromkeys(dst for _, dst in flows))
    srv = lab.spawn(server, [sys.executable, "-I", "-c", _SERVER, servers, str(_PORT), "10"])
    assert srv.stdout is not None
    if not select.select([srv.stdout], [], [], 5.0)[0] or "ready" not in srv.stdout.readline():
        return lost
    cli = lab.spawn(client, [sys.executable, "-I", "-c", _CLIENT, json.dumps(flows),
                             str(_PORT), str(attempts)])
    try:
        out, _ = cli.communicate(timeout=attempts * 0.3 + 5)
    except subprocess.TimeoutExpired:
        cli.kill()
        return lost
    finally:
        srv.kill()
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return lost
    states = [str(x) for x in result]
    return states if len(states) == len(flows) else lost
