""""Show IDC-side configuration" for the tunnel just created (through :mod:`vpnkit.peer`).

:mod:`vpnkit.peer` is imported lazily; without it the part stays hidden. The rendered text never
holds the pre-shared key: ``render`` is called without ``psk=``, so the key's place shows
``vpnkit.peer.PSK_PLACEHOLDER`` (the tunnel's own key is never read by the renderer).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as W

from vpnkit.models import VpnConnection

__all__ = ["PeerConfigPart", "peer_module"]


def peer_module() -> Any:
    """``vpnkit.peer`` if it is installed, else ``None``."""
    try:
        peer = importlib.import_module("vpnkit.peer")
    except ImportError:
        return None
    return peer if hasattr(peer, "render") else None


class PeerConfigPart(W.VBox):  # type: ignore[misc]
    """A vendor picker and a button that renders the IDC side of ``self.conn``."""

    def __init__(self, addresses: Callable[[VpnConnection], tuple[str, str]]) -> None:
        self.peer = peer_module()
        self.conn: VpnConnection | None = None
        self._addresses = addresses
        table = dict(getattr(self.peer, "VENDORS", {}) or {})
        vendors = [(str(getattr(v, "title", "") or k), k) for k, v in table.items()]
        self.vendor = W.Dropdown(options=vendors, value=vendors[0][1] if vendors else None,
                                 description="IDC device", style={"description_width": "170px"},
                                 layout=W.Layout(width="auto", flex="0 1 28em"))
        self.button = W.Button(description="Show IDC-side configuration", icon="file-text",
                               layout=W.Layout(width="auto"))
        self.button.on_click(lambda _b: self.show())
        self.text = W.Textarea(layout=W.Layout(width="auto", height="18em", display="none"))
        self.text.add_class("vpnkit-peer-text")
        self.message = W.HTML()
        super().__init__([W.HBox([self.vendor, self.button],
                                 layout=W.Layout(width="100%", align_items="center")),
                          self.message, self.text],
                         layout=W.Layout(width="100%", display="none"))

    @property
    def available(self) -> bool:
        return self.peer is not None and bool(self.vendor.options)

    def offer(self, conn: VpnConnection) -> None:
        """Offer the configuration of ``conn`` (shown only when vpnkit.peer exists)."""
        self.conn = conn
        self.text.value, self.text.layout.display, self.message.value = "", "none", ""
        self.layout.display = None if self.available else "none"

    def show(self) -> str:
        """Render the chosen vendor's configuration into the text box (no key in it)."""
        if self.conn is None or not self.available:
            return ""
        gateway_ip, customer_ip = self._addresses(self.conn)
        try:
            out = self.peer.render(self.conn, self.vendor.value, gateway_ip=gateway_ip,
                                   customer_ip=customer_ip)
        except Exception as exc:  # a value the vendor table cannot express, a missing IP
            self.message.value = f"<span style='color:#c9302c'>{escape(str(exc))}</span>"
            return ""
        errors = [i for i in getattr(out, "issues", ()) if getattr(i, "severity", "") == "error"]
        self.message.value = (f"<span style='color:#b35c00'>{len(errors)} setting(s) this "
                              "device cannot express: see the ERROR lines</span>"
                              if errors else "The key is not included: enter it on the device.")
        self.text.value = str(out.text)
        self.text.layout.display = None
        return str(self.text.value)
