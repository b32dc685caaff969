"""Serve the emulator on loopback: a lean threaded HTTP/1.1 WSGI server and :func:`serve`.

The server is the stdlib's ``ThreadingMixIn`` + ``BaseHTTPRequestHandler`` running the WSGI
app directly, with keep-alive (the Werkzeug dev server closes no faster and is slower per
request; ``bench/bench_emulator.py`` measures). It is the only place that can honour the
``drop_after_commit`` fault: on :class:`ConnectionDropped` it closes the socket unanswered.

``with serve() as emu:`` gives ``emu.url``, ``emu.credential``, ``emu.backend``,
``emu.faults``; it never binds a non-loopback address unless ``allow_remote=True``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import socketserver
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import unquote

from vpnkit.credentials import Credential
from vpnkit.emulator import seed as seeds
from vpnkit.emulator import store
from vpnkit.emulator.app import EmulatorApp, build_app
from vpnkit.emulator.backend import Backend
from vpnkit.emulator.faults import ConnectionDropped, Faults

__all__ = ["DEMO_SECRET_ID", "DEMO_SECRET_KEY", "Emulator", "serve"]

DEMO_SECRET_ID = "AKIDvpnkitEMULATOR0000000000000000"
DEMO_SECRET_KEY = "vpnkit-emulator-demo-secret-key-0000"
_DRAIN_LIMIT = 64 * 1024


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
    timeout = 120
    server: _Server

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(1 << 20)
            if not self.raw_requestline or not self.raw_requestline.endswith(b"\n"):
                self.close_connection = True
                return
            if self.parse_request():
                self._run()
        except (OSError, ValueError):
            self.close_connection = True

    def _environ(self, body: _Body) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        env: dict[str, Any] = {
            "REQUEST_METHOD": self.command, "SCRIPT_NAME": "", "PATH_INFO": unquote(path),
            "QUERY_STRING": query, "SERVER_NAME": self.server.server_name,
            "SERVER_PORT": str(self.server.server_port), "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0], "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http", "wsgi.input": body, "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        }
        for key, value in self.headers.items():
            name = key.upper().replace("-", "_")
            if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                env[name] = value
            else:
                name = "HTTP_" + name
                env[name] = f"{env[name]},{value}" if name in env else value
        return env

    def _run(self) -> None:
        length_text = self.headers.get("Content-Length", "0") or "0"
        valid = re.fullmatch(r"[0-9]{1,12}", length_text) is not None
        length = int(length_text) if valid else 0
        if not valid or "Transfer-Encoding" in self.headers:
            self.close_connection = True
        body = _Body(self.rfile, length)  # type: ignore[arg-type]
        status_headers: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            status_headers[:] = [status, headers]
            return lambda data: None

        try:
            chunks = b"".join(self.server.app(self._environ(body), start_response))
        except ConnectionDropped:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if body.left > _DRAIN_LIMIT:
            self.close_connection = True
        else:
            body.read()
        status, headers = status_headers
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

    def __init__(self, address: tuple[str, int], app: EmulatorApp) -> None:
        self.app = app
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's slow getfqdn()
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    create_delay: float = 1.0,
    rate_limit: float = 100.0,
    faults: Faults | Mapping[str, Any] | None = None,
    allow_remote: bool = False,
) -> Emulator:
    """Start an emulator in a background thread and return it (already serving).

    ``state`` names a JSON file: loaded if it exists (else the ``seed`` is used) and rewritten
    atomically after every mutating call. ``faults`` is a :class:`Faults` or its settings.
    """
    if not allow_remote and not _is_loopback(host):
        raise ValueError(f"refusing to bind {host!r}: not a loopback address "
                         "(pass allow_remote=True to expose the emulator)")
    initial = store.load(state) if state is not None else None
    backend = Backend(initial if initial is not None else seeds.build(seed),
                      create_delay=create_delay)
    if state is not None:
        path = os.fspath(state)
        backend.on_change = lambda s: store.save(path, s)
        store.save(path, backend.dump())
    if not isinstance(faults, Faults):
        faults = Faults(**dict(faults or {}))
    app = build_app(backend, secret_id=secret_id, secret_key=secret_key,
                    rate_limit=rate_limit, faults=faults)
    credential = Credential(secret_id, secret_key, source="vpnkit emulator")
    return Emulator(_Server((host, port), app), app, credential,
                    os.fspath(state) if state is not None else None)
