"""Thin ipywidgets over the models, the options table and validation.

``vpnkit.form(client)`` returns a :class:`VpnForm`: pick the targets, fill the tunnel, SPD
and IKE/IPsec options (all generated from :mod:`vpnkit.options`), watch the live checks,
preview the request and submit. Modules: ``fields`` (option widgets), ``sections``,
``spd`` (SPD editor), ``targets`` (pickers), ``preview``, ``results``, ``submit``, ``vpnform``.
"""

from __future__ import annotations

from vpnkit.widgets.vpnform import VpnForm, form

__all__ = ["VpnForm", "form"]
