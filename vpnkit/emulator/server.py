"""Serve the emulator on loopback: a lean threaded HTTP/1.1 WSGI server and :func:`serve`.

The server is the stdlib's ``ThreadingMixIn`` + ``BaseHTTPRequestHandler`` running the WSGI
app directly, with HTTP/1.1 keep-alive (``bench/bench_emulator.py --werkzeug`` compares it
with Werkzeug's dev server). It also honours the ``drop_after_commit`` fault: on
:class:`ConnectionDropped` it closes the socket without answering.

Connections are bounded (issue 11 §6: about 1,000 idle sockets, one thread each, used to
starve it): at most ``max_connections`` are served at once, a connection may sit idle
(waiting for its next request) for ``idle_timeout`` seconds, and when the cap is reached a new
connection evicts the longest-idle one, so a legitimate request is still served. A connection
whose request line has arrived is never evicted.

``with serve() as emu:`` gives ``emu.url``, ``emu.credential``, ``emu.backend``,
``emu.faults``; it never binds a non-loopback address unless ``allow_remote=True``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import socketserver
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import unquote

from vpnkit.credentials import DEMO_SECRET_ID, DEMO_SECRET_KEY, Credential
from vpnkit.emulator import seed as seeds
from vpnkit.emulator import store
from vpnkit.emulator.app import EmulatorApp, build_app, run_wsgi
from vpnkit.emulator.backend import (
    TUNNELS_PER_ACCOUNT,
    TUNNELS_PER_CUSTOMER_GATEWAY,
    TUNNELS_PER_GATEWAY,
    Backend,
)
from vpnkit.emulator.faults import ConnectionDropped, Faults
from vpnkit.endpoints import is_loopback_host

__all__ = ["DEMO_SECRET_ID", "DEMO_SECRET_KEY", "Emulator", "serve"]

_DRAIN_LIMIT = 64 * 1024
_MAX_HEADERS = 100
MAX_CONNECTIONS = 128
IDLE_TIMEOUT = 15.0


class _Body:
    """``wsgi.input``: at most ``length`` bytes of the socket, tracking what is left."""

    def __init__(self, raw: BinaryIO, length: int) -> None:
        self.raw, self.left = raw, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.raw.read(size) if size > 0 else b""
        self.left -= len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)

    def __iter__(self) -> Any:
        return iter([self.read()])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vpnkit-emulator"
    disable_nagle_algorithm = True
    server: _Server
    fields: dict[str, str]

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # idle time and each read

    def handle_one_request(self) -> None:
        try:
            if self._parse():
                self._run()
        except (OSError, ValueError):
            self.close_connection = True
        finally:
            self.server.idle(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.forget(self.connection)

    def _parse(self) -> bool:
        """Request line and headers, parsed leanly (the stdlib's email parser is slow).

        Malformed HTTP (not an API request at all) gets a bare 400 and the connection closes.
        """
        self.close_connection = True
        line = self.rfile.readline(1 << 20)
        if not line.endswith(b"\n") or not self.server.busy(self.connection):
            return False  # closed, timed out, or evicted while idle
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1"):
            return self._bad()
        self.command, self.path, self.request_version = parts
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS):
            raw = self.rfile.readline(65537)
            if raw in (b"\r\n", b"\n"):
                break
            name, colon, value = raw.decode("latin-1").partition(":")
            if not colon or not raw.endswith(b"\n") or not name.strip():
                return self._bad()
            key, value = name.strip().lower(), value.strip()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        else:
            return self._bad()
        self.fields = headers
        conn = headers.get("connection", "").lower()
        self.close_connection = "close" in conn or (
            self.request_version == "HTTP/1.0" and "keep-alive" not in conn)
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def _bad(self) -> bool:
        self.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
        return False

    def _environ(self) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        return {"REQUEST_METHOD": self.command, "PATH_INFO": unquote(path),
                "QUERY_STRING": query, "SERVER_NAME": self.server.server_name,
                "SERVER_PORT": str(self.server.server_port),
                "SERVER_PROTOCOL": self.request_version, "REMOTE_ADDR": self.client_address[0]}

    def _run(self) -> None:
        length_text = self.fields.get("content-length", "0") or "0"
        valid = re.fullmatch(r"[0-9]{1,12}", length_text) is not None
        length = int(length_text) if valid else 0
        if not valid or "transfer-encoding" in self.fields:
            self.close_connection = True
        body = _Body(self.rfile, length)  # type: ignore[arg-type]
        try:
            status, headers, chunks = run_wsgi(self.server.app, self._environ(),
                                               self.fields.items(), body)
        except ConnectionDropped:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if body.left > _DRAIN_LIMIT:
            self.close_connection = True
        else:
            body.read()
        lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers
                                          if k.lower() != "content-length"),
                 f"Content-Length: {len(chunks)}"]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if self.command == "HEAD" else head + chunks)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the emulator is a test fixture, not a web server to watch."""


class _Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: EmulatorApp, *,
                 max_connections: int = MAX_CONNECTIONS,
                 idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.app = app
        self.max_connections = max(1, max_connections)
        self.idle_timeout = idle_timeout
        #: live connections -> monotonic time they became idle (None while serving one)
        self._conns: dict[socket.socket, float | None] = {}
        self._conn_lock = threading.Lock()
        self.evicted = 0
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Admit a connection, evicting the longest-idle one when at the cap."""
        with self._conn_lock:
            if len(self._conns) >= self.max_connections:
                idle = sorted((t, id(s), s) for s, t in self._conns.items() if t is not None)
                if not idle:  # every slot is serving a request: refuse this one
                    self.shutdown_request(request)
                    return
                victim = idle[0][2]
                del self._conns[victim]
                self.evicted += 1
                with contextlib.suppress(OSError):
                    victim.shutdown(socket.SHUT_RDWR)  # its thread reads EOF and ends
            self._conns[request] = time.monotonic()
        super().process_request(request, client_address)

    def busy(self, conn: socket.socket) -> bool:
        """Mark ``conn`` as serving a request; False if it was evicted meanwhile."""
        with self._conn_lock:
            if conn not in self._conns:
                return False
            self._conns[conn] = None
            return True

    def idle(self, conn: socket.socket) -> None:
        """Mark ``conn`` as waiting for its next request (evictable)."""
        with self._conn_lock:
            if conn in self._conns:
                self._conns[conn] = time.monotonic()

    def forget(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._conns.pop(conn, None)

    @property
    def connections(self) -> int:
        """How many connections are open now."""
        with self._conn_lock:
            return len(self._conns)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's slow getfqdn()
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class Emulator:
    """A running emulator. Use as a context manager, or call :meth:`close`."""

    def __init__(self, server: _Server, app: EmulatorApp, credential: Credential,
                 state_path: str | None) -> None:
        self._server = server
        self.app = app
        self.backend = app.backend
        self.faults = app.faults
        self.credential = credential
        self.state_path = state_path
        self.host, self.port = server.server_name, server.server_port
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=server.serve_forever, name="vpnkit-emulator",
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r}, secret_id={self.credential.secret_id!r})"


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    seed: str = "demo",
    state: str | os.PathLike[str] | None = None,
    secret_id: str = DEMO_SECRET_ID,
    secret_key: str = DEMO_SECRET_KEY,
    token: str | None = None,
    create_delay: float = 1.0,
    rate_limit: float = 100.0,
    faults: Faults | Mapping[str, Any] | None = None,
    allow_remote: bool = False,
    max_connections: int = MAX_CONNECTIONS,
    idle_timeout: float = IDLE_TIMEOUT,
    tunnels_per_gateway: int = TUNNELS_PER_GATEWAY,
    tunnels_per_customer_gateway: int = TUNNELS_PER_CUSTOMER_GATEWAY,
    tunnels_per_account: int = TUNNELS_PER_ACCOUNT,
) -> Emulator:
    """Start an emulator in a background thread and return it (already serving).

    ``state`` names a JSON file: loaded if it exists (else the ``seed`` is used) and rewritten
    atomically after every mutating call. ``faults`` is a :class:`Faults` or its settings.
    ``token``, if given, must come as X-TC-Token (temporary credentials); it is in
    ``emu.credential``. ``max_connections`` and ``idle_timeout`` bound the open
    connections (see the module docstring); ``tunnels_per_gateway``,
    ``tunnels_per_customer_gateway`` and ``tunnels_per_account`` are the emulator's tunnel
    quotas, answered by DescribeVpcLimits (emulator settings: no documented default exists).
    """
    if not allow_remote and not is_loopback_host(host):
        raise ValueError(f"refusing to bind {host!r}: not a loopback address "
                         "(pass allow_remote=True to expose the emulator)")
    initial = store.load(state) if state is not None else None
    backend = Backend(initial if initial is not None else seeds.build(seed),
                      create_delay=create_delay, tunnels_per_gateway=tunnels_per_gateway,
                      tunnels_per_customer_gateway=tunnels_per_customer_gateway,
                      tunnels_per_account=tunnels_per_account)
    if state is not None:
        path = os.fspath(state)
        backend.on_change = lambda s: store.save(path, s)
        store.save(path, backend.dump())
    if not isinstance(faults, Faults):
        faults = Faults(**dict(faults or {}))
    app = build_app(backend, secret_id=secret_id, secret_key=secret_key, token=token,
                    rate_limit=rate_limit, faults=faults)
    credential = Credential(secret_id, secret_key, token, source="vpnkit emulator")
    server = _Server((host, port), app, max_connections=max_connections,
                     idle_timeout=idle_timeout)
    return Emulator(server, app, credential,
                    os.fspath(state) if state is not None else None)
