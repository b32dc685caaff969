"""The tunnel-level groups of the form: basics, crypto profile, DPD, health check and BGP.

Each group owns its widgets, reads them into model values and fills them back; conditional
parts (DPD settings, health-check settings, BGP) are shown only when switched on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from vpnkit import options
from vpnkit.models import BgpConfig, HealthCheckConfig, IkeOptions, IpsecOptions, Tag
from vpnkit.widgets.fields import (
    DESCRIPTION_WIDTH,
    IDENTITY_RULES,
    OptionPanel,
    option_widget,
    parse_tags,
    read_option,
    tags_text,
    write_option,
)
from vpnkit.widgets.presets import CUSTOM, PRESETS

__all__ = ["NAME_MAX", "Basics", "Crypto", "Extras", "generate_key"]

NAME_MAX = 60  # §1.1 #3
_STYLE = {"description_width": DESCRIPTION_WIDTH}
_IDENTITY = frozenset({"local_identity", "remote_identity", *IDENTITY_RULES})


def generate_key() -> str:
    """A strong pre-shared key: 32 URL-safe characters (192 random bits)."""
    return secrets.token_urlsafe(24)


def _spec_opt(name: str) -> options.Option:
    return options.get("spec", name)


class Basics(W.VBox):  # type: ignore[misc]
    """Name (with a live 60-character counter), pre-shared key, route/negotiation type, tags."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.name = W.Text(description="Tunnel name", placeholder="e.g. gz-to-idc-1",
                           style=_STYLE, layout=W.Layout(width="70%"))
        self.counter = W.HTML()
        self.psk = W.Password(description="Pre-shared key", style=_STYLE,
                              tooltip=_spec_opt("pre_share_key").help,
                              layout=W.Layout(width="62%"))
        self.generate = W.Button(description="Generate strong key", icon="key")
        self.generate.on_click(lambda _b: setattr(self.psk, "value", generate_key()))
        self.route_type = option_widget(_spec_opt("route_type"))
        self.negotiation_type = option_widget(_spec_opt("negotiation_type"))
        self.tags = W.Text(description="Tags", placeholder="env=prod, team=net", style=_STYLE,
                           layout=W.Layout(width="98%"))
        for w in (self.name, self.psk, self.route_type, self.negotiation_type, self.tags):
            w.observe(lambda _c: on_change(), names="value")
        self.name.observe(lambda _c: self._count(), names="value")
        super().__init__([W.HBox([self.name, self.counter]), W.HBox([self.psk, self.generate]),
                          self.route_type, self.negotiation_type, self.tags])
        self._count()

    def _count(self) -> None:
        n = len(self.name.value)
        colour = "#d9534f" if n > NAME_MAX else "#666"
        self.counter.value = f"<span style='color:{colour}'>{n}/{NAME_MAX}</span>"

    def tag_values(self) -> tuple[Tag, ...]:
        return parse_tags(self.tags.value)

    def set_tags(self, tags: Any) -> None:
        self.tags.value = tags_text(tags)


class Crypto(W.VBox):  # type: ignore[misc]
    """The profile dropdown above the IKE (phase 1) and IPsec (phase 2) panels."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.profile = W.Dropdown(options=[CUSTOM, *PRESETS], value=CUSTOM,
                                  description="Profile", style=_STYLE,
                                  layout=W.Layout(width="98%"),
                                  tooltip="Apply a preset; every field stays editable")
        self.ike = OptionPanel("ike", on_change)
        self.ipsec = OptionPanel("ipsec", on_change)
        self.profile.observe(lambda c: self.apply(c["new"]), names="value")
        super().__init__([self.profile, W.HTML("<b>IKE (phase 1)</b>"), self.ike,
                          W.HTML("<b>IPsec (phase 2)</b>"), self.ipsec])

    def apply(self, name: str) -> None:
        """Apply a preset: its values, the API default for other algorithm/lifetime options.

        Identity settings (types, addresses, FQDNs) describe the peers, not the profile, so
        a preset leaves them alone.
        """
        if name == CUSTOM:
            return
        for section, panel in (("ike", self.ike), ("ipsec", self.ipsec)):
            base = {k: v for k, v in options.defaults(section).items() if k not in _IDENTITY}
            panel.update({**base, **PRESETS[name][section]})

    def ike_options(self) -> IkeOptions:
        return IkeOptions(**self.ike.values())

    def ipsec_options(self) -> IpsecOptions:
        return IpsecOptions(**self.ipsec.values())


class Extras(W.VBox):  # type: ignore[misc]
    """DPD, NQA health check and BGP: each section shows only when switched on."""

    def __init__(self, on_change: Callable[[], None], route_type: W.Dropdown) -> None:
        self.route_type = route_type
        self.dpd_enable = option_widget(_spec_opt("dpd_enable"))
        self.dpd_timeout = option_widget(_spec_opt("dpd_timeout"))
        self.dpd_action = option_widget(_spec_opt("dpd_action"))
        self.dpd_box = W.VBox([self.dpd_timeout, self.dpd_action])
        self.hc_enable = option_widget(_spec_opt("enable_health_check"))
        self.hc_local = option_widget(_spec_opt("health_check_local_ip"))
        self.hc_remote = option_widget(_spec_opt("health_check_remote_ip"))
        self.hc_config = OptionPanel("health_check_config", on_change)
        self.hc_box = W.VBox([self.hc_local, self.hc_remote, self.hc_config])
        self.bgp = OptionPanel("bgp", on_change)
        self.bgp_box = W.VBox([W.HTML("<b>BGP</b>"), self.bgp])
        for w in (self.dpd_enable, self.dpd_timeout, self.dpd_action, self.hc_enable,
                  self.hc_local, self.hc_remote):
            w.observe(lambda _c: on_change(), names="value")
        for w in (self.dpd_enable, self.hc_enable, route_type):
            w.observe(lambda _c: self._visibility(), names="value")
        super().__init__([W.HTML("<b>Dead peer detection</b>"), self.dpd_enable, self.dpd_box,
                          W.HTML("<b>Health check</b>"), self.hc_enable, self.hc_box,
                          self.bgp_box])
        self._visibility()

    def _visibility(self) -> None:
        for box, shown in ((self.dpd_box, self.dpd_enable.value),
                           (self.hc_box, self.hc_enable.value),
                           (self.bgp_box, self.route_type.value == "Bgp")):
            box.layout.display = None if shown else "none"

    def values(self) -> dict[str, Any]:
        """Spec fields; switched-off sections send nothing."""
        out: dict[str, Any] = {}
        if self.dpd_enable.value:
            out["dpd_enable"] = 1
            out["dpd_timeout"] = read_option(_spec_opt("dpd_timeout"), self.dpd_timeout)
            out["dpd_action"] = read_option(_spec_opt("dpd_action"), self.dpd_action)
        if self.hc_enable.value:
            out["enable_health_check"] = True
            out["health_check_local_ip"] = read_option(_spec_opt("health_check_local_ip"),
                                                       self.hc_local)
            out["health_check_remote_ip"] = read_option(_spec_opt("health_check_remote_ip"),
                                                        self.hc_remote)
            out["health_check_config"] = HealthCheckConfig(**self.hc_config.values())
        if self.route_type.value == "Bgp":
            out["bgp_config"] = BgpConfig(**{k: v or "" for k, v in self.bgp.values().items()})
        return out

    def set_values(self, spec: Any) -> None:
        """Fill from a spec or tunnel (``None`` fields go back to defaults / off)."""
        self.dpd_enable.value = getattr(spec, "dpd_enable", None) == 1
        write_option(_spec_opt("dpd_timeout"), self.dpd_timeout, spec.dpd_timeout)
        write_option(_spec_opt("dpd_action"), self.dpd_action, spec.dpd_action)
        self.hc_enable.value = bool(spec.enable_health_check)
        write_option(_spec_opt("health_check_local_ip"), self.hc_local,
                     spec.health_check_local_ip)
        write_option(_spec_opt("health_check_remote_ip"), self.hc_remote,
                     spec.health_check_remote_ip)
        self.hc_config.set_values(spec.health_check_config)
        self.bgp.set_values(spec.bgp_config)

    def path_widgets(self) -> dict[str, W.Widget]:
        return {"dpd_enable": self.dpd_enable, "dpd_timeout": self.dpd_timeout,
                "dpd_action": self.dpd_action, "enable_health_check": self.hc_enable,
                "health_check_local_ip": self.hc_local,
                "health_check_remote_ip": self.hc_remote,
                **self.hc_config.path_widgets("health_check_config"),
                **self.bgp.path_widgets("bgp_config")}
