"""Thin ipywidgets over the models, the options table and validation.

``vpnkit.form(client)`` returns a :class:`VpnForm`, laid out in the order an analyst works:
targets, tunnel, SPD, security (a profile; every option in a collapsed part), review, and a
bar with Submit and the state of the checks that stays in view. Modules: ``vpnform``
(assembly), ``targets``, ``sections`` (tunnel, security), ``keys`` (the pre-shared key, kept
out of every widget), ``spd`` / ``spdtext`` (SPD editor and parsing), ``fields`` (option
widgets and inline messages), ``messages`` (which message shows where), ``wording``
(labels, units, issue paths numbered from 1), ``presets`` (profiles), ``preflight`` (checks
against the gateway's tunnels, by :mod:`vpnkit.gateway_rules`), ``submit``, ``results``,
``preview``, ``peerconf`` (the IDC side via :mod:`vpnkit.peer`), ``layout`` (CSS, headers,
the bar's summary).
"""

from __future__ import annotations

from vpnkit.widgets.vpnform import VpnForm, form

__all__ = ["VpnForm", "form"]
