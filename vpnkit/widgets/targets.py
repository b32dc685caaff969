"""Region, VPC, VPN gateway and customer gateway pickers, filled through the injected client.

Each picker is a dropdown (labels show name, id and CIDR or public IP) plus an "or type an
id" box that wins when filled, so an id the account listing does not show can still be used.
The chosen values are traits (``vpc_id``, ``vpc_cidr``, ``vpn_gateway_id``,
``gateway_version``, ``customer_gateway_id``, ``customer_gateway_ip``, ``region``) that the
form observes.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import ipywidgets as W
import traitlets as T

from vpnkit.widgets.fields import DESCRIPTION_WIDTH, Slot

__all__ = ["TargetPicker", "cgw_label", "client_for_region", "gateway_label", "vpc_label"]

_NONE = ""
_ID = {"vpc": re.compile(r"vpc-[a-z0-9]{8}\Z"), "gw": re.compile(r"vpngw-[a-z0-9]{8}\Z")}


def vpc_label(v: dict[str, Any]) -> str:
    """``name · CIDR · id``: what tells VPCs apart comes first."""
    return f"{v.get('VpcName') or '(no name)'} · {v.get('CidrBlock', '?')} · {v['VpcId']}"


def gateway_label(g: dict[str, Any]) -> str:
    """``name · public IP · id · type version``."""
    return (f"{g.get('VpnGatewayName') or '(no name)'} · {g.get('PublicIpAddress') or '-'} · "
            f"{g['VpnGatewayId']} · {g.get('Type', '')} {g.get('Version', '')}".rstrip())


def cgw_label(c: dict[str, Any]) -> str:
    """``name · IP · id``."""
    return (f"{c.get('CustomerGatewayName') or '(no name)'} · {c.get('IpAddress', '-')} · "
            f"{c['CustomerGatewayId']}")


def client_for_region(client: Any, region: str) -> Any:
    """The same account, session and audit log in another region (``VpcClient.for_region``)."""
    return client.for_region(region)


class TargetPicker(W.VBox):  # type: ignore[misc]
    """Where the tunnel goes: region, VPC, VPN gateway, customer gateway."""

    region = T.Unicode("")
    vpc_id = T.Unicode("")
    vpc_cidr = T.Unicode("")
    vpn_gateway_id = T.Unicode("")
    gateway_version = T.Unicode("")
    customer_gateway_id = T.Unicode("")
    customer_gateway_ip = T.Unicode("")
    gateway_ip = T.Unicode("")
    generation = T.Int(0)  # +1 on every listing: the form looks the gateway's tunnels up again

    def __init__(self, client: Any = None) -> None:
        from vpnkit.endpoints import REGIONS

        self.client = client
        self.vpcs: list[dict[str, Any]] = []
        self.gateways: list[dict[str, Any]] = []
        self.cgws: list[dict[str, Any]] = []
        self._known: dict[str, dict[str, Any] | None] = {}  # id -> looked-up object
        style = {"description_width": DESCRIPTION_WIDTH}
        def wide() -> W.Layout:
            return W.Layout(flex="1 1 auto", width="auto", min_width="24em")
        region = getattr(client, "region", "") or "ap-guangzhou"
        self.region_w = W.Dropdown(options=sorted({*REGIONS, region}), value=region,
                                   description="Region", style=style,
                                   layout=W.Layout(width="26em"))
        self.refresh_w = W.Button(description="Refresh", icon="refresh",
                                  tooltip="List VPCs and gateways again",
                                  layout=W.Layout(width="auto"))
        self.vpc_w = W.Dropdown(options=[("— choose a VPC —", _NONE)], description="VPC",
                                style=style, layout=wide())
        self.gw_w = W.Dropdown(options=[("— choose a VPN gateway —", _NONE)],
                               description="VPN gateway", style=style, layout=wide())
        self.cgw_w = W.Dropdown(options=[("— choose a customer gateway —", _NONE)],
                                description="Customer gateway", style=style, layout=wide())
        self.vpc_other, self.gw_other, self.cgw_other = (
            W.Text(placeholder=f"or type {p}-…", layout=W.Layout(width="11em", flex="0 0 auto"))
            for p in ("vpc", "vpngw", "cgw"))
        self.message = W.HTML()
        self.region_w.observe(lambda _c: self._on_region(), names="value")
        self.refresh_w.on_click(lambda _b: self.refresh())
        for w in (self.vpc_w, self.vpc_other):
            w.observe(lambda _c: self._on_vpc(), names="value")
        for w in (self.gw_w, self.cgw_w, self.gw_other, self.cgw_other):
            w.observe(lambda _c: self._sync(), names="value")
        self.slots = {"vpc_id": Slot(self.vpc_w, self.vpc_other),
                      "vpn_gateway_id": Slot(self.gw_w, self.gw_other),
                      "customer_gateway_id": Slot(self.cgw_w, self.cgw_other)}
        for slot, other in zip(self.slots.values(), (self.vpc_other, self.gw_other,
                                                     self.cgw_other), strict=True):
            other.observe(slot._touch, names="value")
        super().__init__([W.HBox([self.region_w, self.refresh_w]), *self.slots.values(),
                          self.message], layout=W.Layout(width="100%"))
        self.region = region
        if client is None:
            self.refresh_w.disabled = True
            self.message.value = "<i>No client: type the ids (nothing can be listed).</i>"
        else:
            self.refresh()

    # --- listing ---------------------------------------------------------------------

    def refresh(self) -> None:
        """List VPCs, VPN gateways and customer gateways through the client again."""
        if self.client is None:
            return
        try:
            self.vpcs = self.client.describe_vpcs()
            self.gateways = [g for g in self.client.describe_vpn_gateways()
                             if g.get("Type", "IPSEC") != "SSL"]
            self.cgws = self.client.describe_customer_gateways()
        except Exception as exc:  # ApiError/TransportError/CredentialError: show, don't raise
            self.vpcs, self.gateways, self.cgws = [], [], []
            self.message.value = (f"<span style='color:#d9534f'>Could not list resources in "
                                  f"{escape(self.region)}: {escape(str(exc))}</span>")
        else:
            missing = [what for what, items in (("VPCs", self.vpcs), ("VPN gateways",
                       self.gateways), ("customer gateways", self.cgws)) if not items]
            self.message.value = (
                f"<span style='color:#b35c00'>This account has no {', '.join(missing)} in "
                f"{escape(self.region)}. Create them first, or type an id.</span>"
                if missing else "")
        self._known.clear()
        self.generation += 1
        keep = self.vpc_w.value
        self.vpc_w.options = [("— choose a VPC —", _NONE),
                              *((vpc_label(v), v["VpcId"]) for v in self.vpcs)]
        ids = [v["VpcId"] for v in self.vpcs]
        self.vpc_w.value = keep if keep in ids else (ids[0] if ids else _NONE)
        self._fill_gateways()
        keep = self.cgw_w.value
        self.cgw_w.options = [("— choose a customer gateway —", _NONE),
                              *((cgw_label(c), c["CustomerGatewayId"]) for c in self.cgws)]
        self.cgw_w.value = keep if keep in {c["CustomerGatewayId"] for c in self.cgws} \
            else _NONE
        self._sync()

    def _on_region(self) -> None:
        if self.client is None:
            self.region = self.region_w.value
            return
        try:
            self.client = client_for_region(self.client, self.region_w.value)
        except Exception as exc:
            self.message.value = f"<span style='color:#d9534f'>{escape(str(exc))}</span>"
            return
        self.region = self.region_w.value
        self.refresh()

    def _on_vpc(self) -> None:
        self._fill_gateways()
        self._sync()

    def _fill_gateways(self) -> None:
        vpc = self.vpc_other.value.strip() or self.vpc_w.value
        shown = [g for g in self.gateways if not vpc or g.get("VpcId") == vpc]
        keep = self.gw_w.value
        self.gw_w.options = [("— choose a VPN gateway —" if shown else
                              "— no VPN gateway in this VPC —", _NONE),
                             *((gateway_label(g), g["VpnGatewayId"]) for g in shown)]
        self.gw_w.value = keep if keep in {g["VpnGatewayId"] for g in shown} else _NONE

    # --- the chosen values -----------------------------------------------------------

    def _lookup(self, kind: str, ident: str) -> dict[str, Any] | None:
        """A typed id that the listing lacks: ask the API once (cached)."""
        listed = self.vpcs if kind == "vpc" else self.gateways
        key = "VpcId" if kind == "vpc" else "VpnGatewayId"
        for item in listed:
            if item.get(key) == ident:
                return item
        if self.client is None or not _ID[kind].match(ident):
            return None
        if ident not in self._known:
            describe = self.client.describe_vpcs if kind == "vpc" \
                else self.client.describe_vpn_gateways
            try:
                found = describe([ident])
            except Exception:  # not found / malformed: validation and submit will say so
                found = []
            self._known[ident] = found[0] if found else None
        return self._known[ident]

    def _sync(self) -> None:
        gw_id = self.gw_other.value.strip() or self.gw_w.value
        gw = self._lookup("gw", gw_id) if gw_id else None
        vpc_id = self.vpc_other.value.strip() or self.vpc_w.value
        if not vpc_id and gw is not None:
            vpc_id = gw.get("VpcId", "")
        vpc = self._lookup("vpc", vpc_id) if vpc_id else None
        with self.hold_trait_notifications():
            self.vpc_id = vpc_id
            self.vpc_cidr = (vpc or {}).get("CidrBlock", "")
            self.vpn_gateway_id = gw_id
            self.gateway_version = str((gw or {}).get("Version", ""))
            self.gateway_ip = str((gw or {}).get("PublicIpAddress") or "")
            self.customer_gateway_id = cgw_id = self.cgw_other.value.strip() or self.cgw_w.value
            self.customer_gateway_ip = next((c.get("IpAddress", "") for c in self.cgws
                                             if c.get("CustomerGatewayId") == cgw_id), "")

    def select(self, *, vpc_id: str | None = None, vpn_gateway_id: str | None = None,
               customer_gateway_id: str | None = None) -> None:
        """Choose by id: from the dropdown if listed, else typed into the id box."""
        for ident, drop, other in ((vpc_id, self.vpc_w, self.vpc_other),
                                   (vpn_gateway_id, self.gw_w, self.gw_other),
                                   (customer_gateway_id, self.cgw_w, self.cgw_other)):
            if ident is None:
                continue
            if drop is self.gw_w:
                self._fill_gateways()
            listed = ident in {v for _, v in drop.options} and ident != _NONE
            other.value = "" if listed or not ident else ident
            drop.value = ident if listed else _NONE
        self._sync()
