"""The tunnel and security parts of the form.

``Tunnel``: name (with a live 60-character counter), pre-shared key, route type, who starts IKE,
tags, and the BGP settings when the route type is BGP. ``Security``: a profile picker over a
collapsed "advanced" part holding every IKE, IPsec, DPD and health-check option. Each field sits
in a :class:`~vpnkit.widgets.fields.Slot` whose message shows under it.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as W

from vpnkit import options
from vpnkit.models import BgpConfig, HealthCheckConfig, IkeOptions, IpsecOptions, Tag
from vpnkit.widgets.fields import (
    DESCRIPTION_WIDTH,
    IDENTITY_RULES,
    OptionPanel,
    Slot,
    option_widget,
    parse_tags,
    read_option,
    tags_text,
    write_option,
)
from vpnkit.widgets.keys import KeyField
from vpnkit.widgets.presets import CUSTOM, default_profile, profile_choices, profiles

__all__ = ["NAME_MAX", "Security", "Tunnel"]

NAME_MAX = 60  # §1.1 #3
_STYLE = {"description_width": DESCRIPTION_WIDTH}
_IDENTITY = frozenset({"local_identity", "remote_identity", *IDENTITY_RULES})
_DPD = ("dpd_enable", "dpd_timeout", "dpd_action")


def _spec_opt(name: str) -> options.Option:
    return options.get("spec", name)


def _hint(text: str) -> W.HTML:
    return W.HTML(f"<small style='color:#555'>{escape(text)}</small>",
                  layout=W.Layout(margin="0 0 2px 174px"))


class Tunnel(W.VBox):  # type: ignore[misc]
    """Name, pre-shared key, route type, negotiation, tags; BGP only for BGP tunnels."""

    def __init__(self, on_change: Callable[[], None], key_dir: Path | None = None) -> None:
        self.name = W.Text(description="Tunnel name", placeholder="e.g. gz-to-idc-1",
                           style=_STYLE, layout=W.Layout(width="auto", flex="1 1 auto"))
        self.counter = W.HTML()
        self.key = KeyField(self._key_changed, name=lambda: str(self.name.value),
                            key_dir=key_dir)
        self._on_change = on_change
        self.route_type = option_widget(_spec_opt("route_type"))
        self.negotiation_type = option_widget(_spec_opt("negotiation_type"))
        self.tags = W.Text(description="Tags", placeholder="env=prod, team=net", style=_STYLE,
                           layout=W.Layout(width="auto"))
        self.slots = {"vpn_connection_name": Slot(self.name, self.counter),
                      "pre_share_key": Slot(self.key),
                      "route_type": Slot(self.route_type),
                      "negotiation_type": Slot(self.negotiation_type),
                      "tags": Slot(self.tags)}
        self.bgp = OptionPanel("bgp", on_change)
        self.bgp_box = W.VBox([_hint("BGP: the tunnel's /30 and the two peers' addresses in it"),
                               self.bgp], layout=W.Layout(width="100%"))
        for w in (self.name, self.route_type, self.negotiation_type, self.tags):
            w.observe(lambda _c: on_change(), names="value")
        self.name.observe(lambda _c: self._count(), names="value")
        self.route_type.observe(lambda _c: self._visibility(), names="value")
        super().__init__([*self.slots.values(), self.bgp_box],
                         layout=W.Layout(width="100%"))
        self._count()
        self._visibility()

    def _key_changed(self) -> None:
        self.slots["pre_share_key"].touched = True
        self._on_change()

    def _count(self) -> None:
        n = len(self.name.value)
        colour = "#d9534f" if n > NAME_MAX else "#666"
        self.counter.value = f"<span style='color:{colour}'>{n}/{NAME_MAX}</span>"

    def _visibility(self) -> None:
        self.bgp_box.layout.display = None if self.route_type.value == "Bgp" else "none"

    def tag_values(self) -> tuple[Tag, ...]:
        return parse_tags(self.tags.value)

    def set_tags(self, tags: Any) -> None:
        self.tags.value = tags_text(tags)

    def bgp_config(self) -> BgpConfig | None:
        if self.route_type.value != "Bgp":
            return None
        return BgpConfig(**{k: v or "" for k, v in self.bgp.values().items()})

    def path_slots(self) -> dict[str, Slot]:
        return {**self.slots, **self.bgp.path_slots("bgp_config")}


class Security(W.VBox):  # type: ignore[misc]
    """A profile picker; every IKE/IPsec/DPD/health-check option in a collapsed part."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.profiles = profiles()
        self._applying = False
        self.profile = W.Dropdown(options=profile_choices(), value=default_profile(),
                                  description="Security profile", style=_STYLE,
                                  layout=W.Layout(width="auto"),
                                  tooltip="Sets every IKE/IPsec/DPD option; each stays editable")
        self.summary = W.HTML(layout=W.Layout(margin="0 0 2px 174px"))
        self.weak = W.HTML(layout=W.Layout(margin="0 0 2px 174px"))  # weak choices, any panel
        self.weak.add_class("vpnkit-msg")
        self.ike = OptionPanel("ike", on_change)
        self.ipsec = OptionPanel("ipsec", on_change)
        self.dpd_enable = option_widget(_spec_opt("dpd_enable"))
        self.dpd_timeout = option_widget(_spec_opt("dpd_timeout"))
        self.dpd_action = option_widget(_spec_opt("dpd_action"))
        self.hc_enable = option_widget(_spec_opt("enable_health_check"))
        self.hc_local = option_widget(_spec_opt("health_check_local_ip"))
        self.hc_remote = option_widget(_spec_opt("health_check_remote_ip"))
        self.slots = {"dpd_enable": Slot(self.dpd_enable), "dpd_timeout": Slot(self.dpd_timeout),
                      "dpd_action": Slot(self.dpd_action),
                      "enable_health_check": Slot(self.hc_enable),
                      "health_check_local_ip": Slot(self.hc_local),
                      "health_check_remote_ip": Slot(self.hc_remote)}
        self.hc_config = OptionPanel("health_check_config", on_change)
        s = self.slots
        self.dpd_box = W.VBox([s["dpd_timeout"], s["dpd_action"]], layout=W.Layout(width="100%"))
        self.hc_box = W.VBox([s["health_check_local_ip"], s["health_check_remote_ip"],
                              self.hc_config], layout=W.Layout(width="100%"))
        body = W.VBox([W.HTML("<b>IKE (phase 1)</b>"), self.ike,
                       W.HTML("<b>IPsec (phase 2)</b>"), self.ipsec,
                       W.HTML("<b>Dead peer detection</b>"), s["dpd_enable"], self.dpd_box,
                       W.HTML("<b>Health check</b>"), s["enable_health_check"], self.hc_box],
                      layout=W.Layout(width="100%"))
        self.advanced = W.Accordion([body], titles=("Advanced: every IKE, IPsec, DPD and "
                                                    "health-check option",),
                                    selected_index=None, layout=W.Layout(width="auto"))
        for w in (self.dpd_enable, self.dpd_timeout, self.dpd_action, self.hc_enable,
                  self.hc_local, self.hc_remote):
            w.observe(lambda _c: on_change(), names="value")
        for w in (self.dpd_enable, self.hc_enable):
            w.observe(lambda _c: self._visibility(), names="value")
        for w in (*self.ike.fields.values(), *self.ipsec.fields.values(), self.dpd_enable,
                  self.dpd_timeout, self.dpd_action):
            w.observe(lambda _c: self._follow(), names="value")
        self.profile.observe(lambda c: self.apply(c["new"]), names="value")
        super().__init__([self.profile, self.summary, self.weak, self.advanced],
                         layout=W.Layout(width="100%"))
        self.apply(self.profile.value)
        self._visibility()

    def _visibility(self) -> None:
        for box, shown in ((self.dpd_box, self.dpd_enable.value),
                           (self.hc_box, self.hc_enable.value)):
            box.layout.display = None if shown else "none"

    def _dpd_fields(self) -> dict[str, tuple[options.Option, W.ValueWidget]]:
        return {n: (_spec_opt(n), w) for n, w in zip(_DPD, (self.dpd_enable, self.dpd_timeout,
                                                             self.dpd_action), strict=True)}

    def expected(self, name: str) -> dict[str, dict[str, Any]]:
        """What a profile sets: its values over the API defaults (identities excluded)."""
        prof = self.profiles[name]
        out = {sec: {**{k: v for k, v in options.defaults(sec).items() if k not in _IDENTITY},
                     **prof.get(sec, {})} for sec in ("ike", "ipsec")}
        out["spec"] = {k: v for k, v in prof.get("spec", {}).items() if k in _DPD}
        return out

    def apply(self, name: str) -> None:
        """Apply a profile; ``(custom)`` keeps what the fields hold."""
        if name == CUSTOM or self._applying:
            self._describe()
            return
        want = self.expected(name)
        self._applying = True
        try:
            self.ike.update(want["ike"])
            self.ipsec.update(want["ipsec"])
            for key, value in want["spec"].items():
                opt, widget = self._dpd_fields()[key]
                write_option(opt, widget, value)
        finally:
            self._applying = False
        self._describe()

    def current(self) -> dict[str, dict[str, Any]]:
        """The values the profile fields hold now (for matching against profiles)."""
        return {"ike": {n: w.value for n, w in self.ike.fields.items()},
                "ipsec": {n: w.value for n, w in self.ipsec.fields.items()},
                "spec": {n: read_option(o, w) for n, (o, w) in self._dpd_fields().items()}}

    def matching(self) -> str:
        """The first profile whose every value the fields hold, else ``(custom)``."""
        now = self.current()
        for name in self.profiles:
            want = self.expected(name)
            if all(now[sec].get(k) == v for sec in want for k, v in want[sec].items()):
                return name
        return CUSTOM

    def _follow(self) -> None:
        if self._applying:
            return
        name = self.matching()
        if name != self.profile.value:
            self._applying = True
            try:
                self.profile.value = name
            finally:
                self._applying = False
        self._describe()

    def _describe(self) -> None:
        ike, ipsec = self.ike.fields, self.ipsec.fields
        dpd = "DPD on" if self.dpd_enable.value else "DPD off"
        text = (f"{ike['version'].value} · {ike['encryption_algorithm'].value} / "
                f"{ike['authentication_algorithm'].value} / {ike['dh_group'].value} · IPsec "
                f"{ipsec['encryption_algorithm'].value} / {ipsec['integrity_algorithm'].value}"
                f" / PFS {ipsec['pfs_dh_group'].value} · {dpd}")
        self.summary.value = f"<small style='color:#555'>{escape(text)}</small>"

    def ike_options(self) -> IkeOptions:
        return IkeOptions(**self.ike.values())

    def ipsec_options(self) -> IpsecOptions:
        return IpsecOptions(**self.ipsec.values())

    def values(self) -> dict[str, Any]:
        """Spec fields for DPD and the health check; switched-off sections send little."""
        out: dict[str, Any] = {"dpd_enable": 1 if self.dpd_enable.value else 0}
        if self.dpd_enable.value:
            out["dpd_timeout"] = read_option(_spec_opt("dpd_timeout"), self.dpd_timeout)
            out["dpd_action"] = read_option(_spec_opt("dpd_action"), self.dpd_action)
        if self.hc_enable.value:
            out["enable_health_check"] = True
            out["health_check_local_ip"] = read_option(_spec_opt("health_check_local_ip"),
                                                       self.hc_local)
            out["health_check_remote_ip"] = read_option(_spec_opt("health_check_remote_ip"),
                                                        self.hc_remote)
            out["health_check_config"] = HealthCheckConfig(**self.hc_config.values())
        return out

    def set_values(self, spec: Any) -> None:
        """Fill from a spec or tunnel (``None`` fields go back to defaults / off)."""
        self.ike.set_values(spec.ike_options)
        self.ipsec.set_values(spec.ipsec_options)
        self.dpd_enable.value = getattr(spec, "dpd_enable", None) == 1
        write_option(_spec_opt("dpd_timeout"), self.dpd_timeout, spec.dpd_timeout)
        write_option(_spec_opt("dpd_action"), self.dpd_action, spec.dpd_action)
        self.hc_enable.value = bool(spec.enable_health_check)
        write_option(_spec_opt("health_check_local_ip"), self.hc_local,
                     spec.health_check_local_ip)
        write_option(_spec_opt("health_check_remote_ip"), self.hc_remote,
                     spec.health_check_remote_ip)
        self.hc_config.set_values(spec.health_check_config)
        self._follow()

    def path_slots(self) -> dict[str, Slot]:
        return {**self.slots, **self.ike.path_slots("ike_options"),
                **self.ipsec.path_slots("ipsec_options"),
                **self.hc_config.path_slots("health_check_config")}
