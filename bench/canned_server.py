"""A minimal keep-alive HTTP/1.1 server on loopback answering every POST with one canned
Tencent response, so client benchmarks measure the clients, not a server.

It is a raw asyncio protocol (no per-request Python HTTP machinery), so its own cost per
request is tens of microseconds and client differences are not drowned by the server's.
``python bench/canned_server.py`` prints its URL on the first line and serves until killed.
It does not check signatures (the emulator does that; here only client cost matters).
"""

from __future__ import annotations

import asyncio
import json

CONNECTION = {
    "VpnConnectionId": "vpnx-bench001", "VpnConnectionName": "bench", "VpcId": "vpc-demo0001",
    "VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
    "PreShareKey": "bench-psk-0000", "VpnProto": "IPSEC", "EncryptProto": "IKE",
    "RouteType": "STATIC", "CreatedTime": "0000-00-00 00:00:00", "State": "PENDING",
    "NetStatus": "UNAVAILABLE", "SecurityPolicyDatabaseSet": [],
    "IKEOptionsSpecification": {"PropoEncryAlgorithm": "3DES-CBC", "PropoAuthenAlgorithm": "SHA",
                                "ExchangeMode": "MAIN", "LocalIdentity": "ADDRESS",
                                "RemoteIdentity": "ADDRESS", "LocalAddress": "203.0.113.10",
                                "RemoteAddress": "198.51.100.10", "LocalFqdnName": "",
                                "RemoteFqdnName": "", "DhGroupName": "GROUP1",
                                "IKESaLifetimeSeconds": 86400, "IKEVersion": "IKEV1"},
    "IPSECOptionsSpecification": {"EncryptAlgorithm": "AES-CBC-128", "IntegrityAlgorith": "SHA1",
                                  "IPSECSaLifetimeSeconds": 14400, "PfsDhGroup": "NULL",
                                  "IPSECSaLifetimeTraffic": 4096000000},
    "EnableHealthCheck": False, "HealthCheckLocalIp": "169.254.128.1",
    "HealthCheckRemoteIp": "169.254.128.2", "HealthCheckStatus": "", "DpdEnable": 0,
    "DpdTimeout": "30", "DpdAction": "clear", "TagSet": [], "NegotiationType": "active",
}
BODY = json.dumps({"Response": {"VpnConnection": CONNECTION,
                                "RequestId": "00000000-0000-0000-0000-000000000000"}}).encode()
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + str(len(BODY)).encode() + b"\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n" + BODY)


class Canned(asyncio.Protocol):
    """Reads requests (headers + Content-Length body) and answers each with ANSWER."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            self.transport.write(ANSWER)  # type: ignore[attr-defined]


async def main() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Canned, "127.0.0.1", 0)
    print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
