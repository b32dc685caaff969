"""The IDC side of a tunnel: model, vendor table, renderers, parsers and the mismatch check.

Renderers write strongSwan, Libreswan, Cisco IOS-XE / ASA, Junos, FortiOS, PAN-OS and Huawei
configurations; :func:`parse` reads a peer's strongSwan swanctl.conf, Libreswan ipsec.conf,
Cisco IOS / IOS-XE or Cisco ASA running-config back into :class:`PeerConfig` s, and
:func:`check` compares them with the tunnel (statements a parser cannot read, and names used
but not defined, are reported too; a pre-shared key in the file never is).

The model, vendor table, renderers, parsers and check are pure (no I/O) and import only
:mod:`vpnkit.models`, :mod:`vpnkit.options` and the leaf :mod:`vpnkit.issue`; the rehearsal
(:mod:`vpnkit.peer.rehearse`, :mod:`vpnkit.peer.netns`) runs processes.

>>> from vpnkit.peer import render, from_connection
>>> out = render(conn, "strongswan", gateway_ip="203.0.113.10",
...              customer_ip="198.51.100.10")            # doctest: +SKIP
>>> print(out.text)                                       # doctest: +SKIP
"""

from __future__ import annotations

from vpnkit.peer.check import CheckReport, Mismatch, check, parse
from vpnkit.peer.model import Issue, PeerConfig, from_connection
from vpnkit.peer.rehearse import rehearse
from vpnkit.peer.render import PSK_PLACEHOLDER, Rendered, render
from vpnkit.peer.vendors import VENDORS

__all__ = [
    "PSK_PLACEHOLDER",
    "VENDORS",
    "CheckReport",
    "Issue",
    "Mismatch",
    "PeerConfig",
    "Rendered",
    "check",
    "from_connection",
    "parse",
    "rehearse",
    "render",
]
