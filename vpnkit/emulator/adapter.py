"""A ``requests`` transport that runs the emulator's WSGI app in-process (no socket).

::

    session.mount("http://emulator.local", EmulatorAdapter(build_app(...)))

The ``drop_after_commit`` fault surfaces as :class:`requests.ConnectionError`, as it would
over a socket.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.structures import CaseInsensitiveDict

from vpnkit.emulator.app import EmulatorApp, run_wsgi
from vpnkit.emulator.faults import ConnectionDropped

__all__ = ["EmulatorAdapter"]


class EmulatorAdapter(BaseAdapter):
    """Send each prepared request straight into ``app``."""

    def __init__(self, app: EmulatorApp) -> None:
        super().__init__()
        self.app = app

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        """Run the app on ``request`` and wrap its answer as a ``requests.Response``."""
        url = urlsplit(request.url or "")
        body = request.body or b""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        env: dict[str, Any] = {
            "REQUEST_METHOD": request.method or "GET", "PATH_INFO": unquote(url.path or "/"),
            "QUERY_STRING": url.query, "SERVER_NAME": url.hostname or "localhost",
            "SERVER_PORT": str(url.port or 80), "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": str(len(data)),
            "HTTP_HOST": url.netloc,
        }
        try:
            status, headers, content = run_wsgi(self.app, env, request.headers.items(),
                                                io.BytesIO(data))
        except ConnectionDropped as exc:
            raise RequestsConnectionError("emulator dropped the connection",
                                          request=request) from exc
        response = Response()
        response.status_code = int(status.split(" ", 1)[0])
        response.reason = status.partition(" ")[2]
        response.headers = CaseInsensitiveDict(headers)
        response._content = content
        response.raw = io.BytesIO(content)
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release."""
