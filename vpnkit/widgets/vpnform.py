"""``VpnForm``: the CreateVpnConnection form, in the order an analyst works.

Targets -> tunnel -> SPD -> security (a profile, the options in a collapsed part) -> review, with
a bar (checks and Submit) that stays in view. Every change rebuilds the spec and runs
:func:`vpnkit.validate.issues` plus the pre-flight against the gateway's existing tunnels
(:mod:`vpnkit.widgets.preflight` over :mod:`vpnkit.gateway_rules`) and the account's tunnel
quotas (:mod:`vpnkit.quotas`, read with the gateway's tunnels); a field shows its
message under it once touched, or every field on Submit. ``submit()`` is what the button
does, so tests and scripts need no browser.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as W

from vpnkit.models import VpnConnection, VpnConnectionSpec
from vpnkit.validate import Issue, issues
from vpnkit.widgets import messages
from vpnkit.widgets.fields import Slot
from vpnkit.widgets.layout import CSS, section
from vpnkit.widgets.peerconf import PeerConfigPart
from vpnkit.widgets.preflight import (
    QuotaState,
    gateway_tunnels,
    live_issues,
    quota_issues,
    read_quota,
)
from vpnkit.widgets.preview import body_json, request_text, tccli_text
from vpnkit.widgets.results import connection_frame, result_html
from vpnkit.widgets.sections import Security, Tunnel
from vpnkit.widgets.spd import SpdEditor
from vpnkit.widgets.targets import TargetPicker

__all__ = ["VpnForm", "form"]

class VpnForm(W.VBox):  # type: ignore[misc]
    """A form that builds, checks and sends one ``CreateVpnConnection`` request."""

    def __init__(self, client: Any = None, *, spec: VpnConnectionSpec | None = None,
                 wait: bool = True, wait_timeout: float = 300.0, poll_interval: float = 0.5,
                 key_dir: Path | None = None) -> None:
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.result: VpnConnection | None = None
        self.results: Any = connection_frame([])
        self.issues: list[Issue] = []
        self.live: list[Issue] = []  # from the gateway's existing tunnels
        self.validate_ms = 0.0
        self.show_all = False  # Submit pressed: every message shows
        self._hold = 1  # no validation until every part exists
        self._lock = threading.Lock()
        self._created: dict[tuple[str, str], VpnConnection] = {}
        self._refused = False  # the output says "Not sent: fix the N errors" (kept current)
        self._existing: dict[str, list[VpnConnection] | Exception] = {}
        self._quota: QuotaState | None = None  # read with the gateway's tunnels
        self._session: list[VpnConnection] = []
        self._spec: VpnConnectionSpec | None = None
        on_change = self._changed
        self.targets = TargetPicker(client)
        self.tunnel = self.basics = Tunnel(on_change, key_dir)
        self.spd = SpdEditor(on_change)
        self.security = self.crypto = self.extras = Security(on_change)
        self.targets.observe(lambda c: self._peer_address(c["old"], c["new"]),
                             names="customer_gateway_ip")
        self.targets.observe(lambda _c: self._targets_changed(),
                             names=["vpc_id", "vpc_cidr", "vpn_gateway_id", "gateway_version",
                                    "customer_gateway_id", "region"])
        self.targets.observe(lambda _c: self._relist(), names="generation")
        self.tunnel.route_type.observe(lambda _c: self._route_note(), names="value")
        self.issues_html = W.HTML(layout=W.Layout(width="auto"))
        self.preview = W.Textarea(layout=W.Layout(width="auto", height="16em"))
        self.tccli = W.Textarea(layout=W.Layout(width="auto", height="16em"))
        self.preview_box = W.Accordion([W.VBox([self.preview]), W.VBox([self.tccli])],
                                       titles=("Request body (key masked)",
                                               "As a tccli command / cli-input-json"),
                                       selected_index=None, layout=W.Layout(width="auto"))
        self._preview_stale = True
        self.preview_box.observe(lambda _c: self._show_preview(), names="selected_index")
        self.wait_box = W.Checkbox(value=wait, description="wait until AVAILABLE",
                                   indent=False, layout=W.Layout(width="auto"))
        self.submit_button = W.Button(description="Submit", button_style="primary",
                                      icon="paper-plane", layout=W.Layout(width="auto",
                                                                          min_width="8em"))
        self.submit_button.on_click(lambda _b: self.submit())
        self.checks = W.HTML(layout=W.Layout(flex="1 1 auto", width="auto"))
        self.checks.add_class("vpnkit-checks")
        self.progress = W.HTML()
        self.status = W.HTML()
        self.output = W.HTML(layout=W.Layout(width="auto"))
        self.results_html = W.HTML(layout=W.Layout(width="auto"))
        self.full_toggle = W.ToggleButton(description="All columns", icon="table",
                                          layout=W.Layout(width="auto", display="none"))
        self.full_toggle.observe(lambda _c: self._show_results(), names="value")
        self.peer = PeerConfigPart(lambda _c: (self.targets.gateway_ip,
                                               self.targets.customer_gateway_ip))
        bar = W.VBox([W.HBox([self.submit_button, self.wait_box, self.checks],
                             layout=W.Layout(width="100%", align_items="center")),
                      self.progress, self.status, self.output], layout=W.Layout(width="100%"))
        bar.add_class("vpnkit-bar")
        super().__init__([
            W.HTML(CSS), section("1", "Where", self.targets),
            section("2", "Tunnel", self.tunnel),
            section("3", "Security policy (SPD): VPC side → IDC side", self.spd),
            section("4", "Security", self.security),
            section("5", "Review", W.VBox([self.issues_html, self.preview_box],
                                          layout=W.Layout(width="100%"))),
            bar, self.results_html, W.HBox([self.full_toggle]), self.peer,
        ], layout=W.Layout(width="100%"))
        self.add_class("vpnkit-form")
        self.slots: dict[str, Slot] = {**self.targets.slots, **self.tunnel.path_slots(),
                                       **self.security.path_slots()}
        self._hold = 0
        if spec is not None:
            self.load(spec)
        else:
            self._targets_changed()

    # --- live state ------------------------------------------------------------------

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Batch many widget changes into one re-validation."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1
        self._changed()

    def _targets_changed(self) -> None:
        self.spd.set_vpc_cidr(self.targets.vpc_cidr)
        gw = self.targets.vpn_gateway_id
        if gw and gw not in self._existing and self.targets.client is not None:
            self.refresh_live()
        self._changed()

    def _relist(self) -> None:
        self._existing.clear()  # Refresh: the gateway's tunnels are looked up again too
        if not self._hold:
            self._targets_changed()

    def _route_note(self) -> None:
        route_based = self.tunnel.route_type.value in ("StaticRoute", "Bgp")
        self.spd.note.value = ("<small style='color:#555'>Route-based tunnel: SPD rules are "
                               "optional; without them it negotiates any-any and the route "
                               "table decides.</small>" if route_based else "")

    def refresh_live(self) -> None:
        """Look up the chosen gateway's tunnels and the account's tunnel quotas again (for
        the pre-flight checks): one DescribeVpcLimits call per look-up."""
        gw = self.targets.vpn_gateway_id
        if not gw or self.targets.client is None:
            return
        try:
            self._existing[gw] = gateway_tunnels(self.targets.client, gw)
        except Exception as exc:  # shown as a warning; the API still enforces the rules
            self._existing[gw] = exc
        self._quota = read_quota(self.targets.client)

    def remember(self, conn: VpnConnection) -> None:
        """A tunnel this form created counts as existing for the next pre-flight: on its
        gateway, and on its customer gateway and the account (the quota counts, read before
        the create, get it added here rather than by one more DescribeVpcLimits)."""
        found = self._existing.get(conn.vpn_gateway_id)
        if isinstance(found, list):
            found.append(conn)
        if self._quota is not None:
            self._quota = self._quota.with_tunnel(conn.customer_gateway_id)

    def _peer_address(self, old: str, new: str) -> None:
        """Pre-fill the IKE remote identity address with the customer gateway's public IP."""
        field = self.security.ike.fields["remote_address"]
        if new and field.value.strip() in ("", old):
            field.value = new

    def build_spec(self) -> VpnConnectionSpec:
        """A new spec from the widgets' current values (pure reading, no validation)."""
        b, t = self.tunnel, self.targets
        return VpnConnectionSpec(
            vpn_gateway_id=t.vpn_gateway_id, customer_gateway_id=t.customer_gateway_id,
            vpn_connection_name=b.name.value, pre_share_key=b.key.value,
            vpc_id=t.vpc_id or None, security_policy_databases=self.spd.rules(),
            ike_options=self.security.ike_options(),
            ipsec_options=self.security.ipsec_options(), tags=b.tag_values(),
            route_type=b.route_type.value, negotiation_type=b.negotiation_type.value,
            bgp_config=b.bgp_config(), **self.security.values())

    def _live_issues(self, spec: VpnConnectionSpec) -> list[Issue]:
        found = self._existing.get(spec.vpn_gateway_id)
        if isinstance(found, Exception):
            return [Issue("vpn_gateway_id", "LookupFailed", "could not list this gateway's "
                          f"tunnels, so names and SPDs were not checked against them: {found}",
                          "warning")]
        done = self._created.get((spec.vpn_gateway_id, spec.vpn_connection_name))
        if done is not None:  # the tunnel just sent: Submit says "already created" instead
            found = [t for t in found or () if t.vpn_connection_id != done.vpn_connection_id]
        quota = quota_issues(spec, found or [], self._quota) if self._quota is not None \
            and found is not None else []
        return (live_issues(spec, found) if found else []) + quota

    def _changed(self) -> None:
        if self._hold:
            return
        started = time.perf_counter()
        self._spec = spec = self.build_spec()
        self.live = self._live_issues(spec)
        self.issues = issues(spec, vpc_cidr=self.targets.vpc_cidr or None,
                             gateway_version=self.targets.gateway_version or None) + self.live
        self._show_issues()
        if self._refused:  # a refusal names the errors there are now, and goes once fixed
            from vpnkit.widgets.submit import show_refusal

            self._refused = show_refusal(self)
        self._preview_stale = True
        if self.preview_box.selected_index is not None:  # rendered only while open
            self._show_preview()
        self.validate_ms = (time.perf_counter() - started) * 1000

    def shown_issues(self) -> list[Issue]:
        """The issues a person sees now: touched fields, live-state checks, or all on Submit."""
        return messages.shown_issues(self)

    def _show_issues(self) -> None:
        messages.show_issues(self)

    def open_errors(self) -> None:
        """Open the collapsed advanced part when an error sits in it (after Submit)."""
        messages.open_errors(self)

    def _show_preview(self) -> None:
        if not self._preview_stale:
            return
        self._preview_stale = False
        spec, region = self.spec, self.targets.region
        endpoint = getattr(self.targets.client, "endpoint", "https://vpc.tencentcloudapi.com")
        try:
            body = body_json(spec)
            self.preview.value = request_text(spec, region=region, endpoint=endpoint,
                                              body=body)
            self.tccli.value = tccli_text(spec, region=region, endpoint=endpoint, body=body)
        except Exception as exc:  # a half-typed value the wire mapping cannot encode yet
            self.preview.value = self.tccli.value = f"(no preview: {exc})"

    @property
    def preview_text(self) -> str:
        """The request as it will be sent (endpoint, region, JSON body; key masked)."""
        self._show_preview()
        return str(self.preview.value)

    @property
    def tccli_text(self) -> str:
        """The same request as a tccli command plus its ``request.json``."""
        self._show_preview()
        return str(self.tccli.value)

    @property
    def spec(self) -> VpnConnectionSpec:
        """The current ``VpnConnectionSpec`` (as last validated)."""
        return self._spec if self._spec is not None else self.build_spec()

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)

    @property
    def widget(self) -> VpnForm:
        return self

    # --- results ---------------------------------------------------------------------

    def add_result(self, conn: VpnConnection) -> None:
        """Record a created tunnel: one row in ``form.results``, shown once, compact."""
        self._session.append(conn)
        self.results = connection_frame(self._session)
        self.full_toggle.layout.display = None
        self._show_results()
        self.peer.offer(conn)

    def _show_results(self) -> None:
        n = len(self.results)
        if n:
            self.results_html.value = result_html(
                self.results, f"Created in this session: {n} tunnel{'s' if n != 1 else ''} "
                "(form.results)", full=self.full_toggle.value)

    # --- filling ---------------------------------------------------------------------

    def load(self, source: VpnConnectionSpec | VpnConnection, *,
             name: str | None = None) -> None:
        """Fill every field from a spec, or from an existing tunnel (to clone it).

        A tunnel's clone is named ``<name>-copy`` unless ``name`` is given (names are
        unique per gateway); its pre-shared key is kept on the Python side (never in a
        widget) and shown as "key set (kept from tunnel)"; generate a new one if needed.
        """
        cloned = isinstance(source, VpnConnection)
        if isinstance(source, VpnConnection):
            spec = source.to_spec()
            name = name if name is not None else f"{spec.vpn_connection_name}-copy"
        else:
            spec = source
        if name is not None:
            spec = spec.replace(vpn_connection_name=name)
        with self.hold():
            self.targets.select(vpc_id=spec.vpc_id or "", vpn_gateway_id=spec.vpn_gateway_id,
                                customer_gateway_id=spec.customer_gateway_id)
            b = self.tunnel
            b.name.value = spec.vpn_connection_name
            b.key.set(spec.pre_share_key or "", "kept from tunnel" if cloned else "from spec")
            for widget, value in ((b.route_type, spec.route_type),
                                  (b.negotiation_type, spec.negotiation_type)):
                if value is not None:
                    known = {v for _, v in widget.options}
                    widget.value = value if value in known else widget.value
            b.set_tags(spec.tags)
            b.bgp.set_values(spec.bgp_config)
            self.spd.load(spec.security_policy_databases)
            self.security.set_values(spec)
            # A spec that leaves the remote address to the API gets the peer's IP, as when
            # the customer gateway is picked (the form always sends the identity type).
            self._peer_address("", self.targets.customer_gateway_ip)

    def load_spd(self, source: Any, *, append: bool = False) -> None:
        """SPD rows from a DataFrame, a CSV path, a text block, a mapping or pairs."""
        self.spd.load(source, append=append)

    # --- submitting ------------------------------------------------------------------

    def submit(self) -> VpnConnection | None:
        """Send the request (as the Submit button does); the tunnel, or None on failure."""
        from vpnkit.widgets.submit import run_submit

        return run_submit(self)


def form(client: Any = None, **kwargs: Any) -> VpnForm:
    """A new :class:`VpnForm` talking through ``client`` (see ``VpnForm`` for options)."""
    return VpnForm(client, **kwargs)

