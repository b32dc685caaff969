"""``VpnForm``: the CreateVpnConnection form. Assembles the parts, validates live, submits.

Every change rebuilds the spec from the widgets and runs :func:`vpnkit.validate.issues`
against the chosen VPC's CIDR and gateway version; bad fields are marked and every issue
is listed with its path. Submit stays disabled while there are errors. ``submit()`` is what
the button does, so tests and scripts need no browser.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from html import escape
from typing import Any

import ipywidgets as W

from vpnkit.models import VpnConnection, VpnConnectionSpec
from vpnkit.validate import Issue, issues
from vpnkit.widgets.fields import mark
from vpnkit.widgets.preview import body_json, request_text, tccli_text
from vpnkit.widgets.results import connection_frame, issues_html
from vpnkit.widgets.sections import Basics, Crypto, Extras
from vpnkit.widgets.spd import SpdEditor
from vpnkit.widgets.targets import TargetPicker

__all__ = ["VpnForm", "form"]

_CSS = ("<style>.vpnkit-bad input, .vpnkit-bad select, input.vpnkit-bad "
        "{border-color:#d9534f !important; background:#fff5f5}</style>")


def _section(title: str, body: W.Widget) -> W.VBox:
    return W.VBox([W.HTML(f"<h4 style='margin:6px 0 2px'>{escape(title)}</h4>"), body])


class VpnForm(W.VBox):  # type: ignore[misc]
    """A form that builds, checks and sends one ``CreateVpnConnection`` request."""

    def __init__(self, client: Any = None, *, spec: VpnConnectionSpec | None = None,
                 wait: bool = True, wait_timeout: float = 300.0,
                 poll_interval: float = 0.5) -> None:
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.result: VpnConnection | None = None
        self.results: Any = connection_frame([])
        self.issues: list[Issue] = []
        self.validate_ms = 0.0
        self._hold = 1  # no validation until every part exists
        self._lock = threading.Lock()
        self._created: dict[tuple[str, str], VpnConnection] = {}
        self._spec: VpnConnectionSpec | None = None
        self._marked: dict[int, tuple[W.Widget, str]] = {}
        on_change = self._changed
        self.targets = TargetPicker(client)
        self.basics = Basics(on_change)
        self.spd = SpdEditor(on_change)
        self.crypto = Crypto(on_change)
        self.extras = Extras(on_change, self.basics.route_type)
        self.targets.observe(lambda c: self._peer_address(c["old"], c["new"]),
                             names="customer_gateway_ip")
        self.targets.observe(lambda _c: self._targets_changed(),
                             names=["vpc_id", "vpc_cidr", "vpn_gateway_id", "gateway_version",
                                    "customer_gateway_id", "region"])
        self.issues_html = W.HTML()
        self.preview = W.Textarea(layout=W.Layout(width="98%", height="16em"))
        self.tccli = W.Textarea(layout=W.Layout(width="98%", height="16em"))
        self.preview_box = W.Accordion([W.VBox([self.preview]), W.VBox([self.tccli])],
                                       titles=("Preview: request body (key masked)",
                                               "Copy as tccli command / cli-input-json"))
        self._preview_stale = True
        self.preview_box.observe(lambda _c: self._show_preview(), names="selected_index")
        self.wait_box = W.Checkbox(value=wait, description="wait until AVAILABLE",
                                   indent=False)
        self.submit_button = W.Button(description="Submit", button_style="primary",
                                      icon="paper-plane", disabled=True)
        self.submit_button.on_click(lambda _b: self.submit())
        self.progress = W.IntProgress(min=0, max=100, value=0,
                                      layout=W.Layout(display="none", width="40%"))
        self.status = W.HTML()
        self.output = W.HTML()
        self.results_html = W.HTML()
        left = W.VBox([_section("Where", self.targets), _section("Tunnel", self.basics),
                       _section("Security policy (SPD): VPC side → IDC side", self.spd)],
                      layout=W.Layout(width="56%"))
        right = W.VBox([_section("Encryption", self.crypto), _section("Options", self.extras)],
                       layout=W.Layout(width="44%"))
        super().__init__([W.HTML(_CSS), W.HBox([left, right]),
                          _section("Checks", self.issues_html), self.preview_box,
                          W.HBox([self.submit_button, self.wait_box, self.progress,
                                  self.status]), self.output, self.results_html])
        self.add_class("vpnkit-form")
        self._paths = {"vpn_connection_name": self.basics.name,
                       "pre_share_key": self.basics.psk, "tags": self.basics.tags,
                       "route_type": self.basics.route_type,
                       "negotiation_type": self.basics.negotiation_type,
                       "vpn_gateway_id": self.targets.gw_w, "vpc_id": self.targets.vpc_w,
                       "customer_gateway_id": self.targets.cgw_w,
                       **self.crypto.ike.path_widgets("ike_options"),
                       **self.crypto.ipsec.path_widgets("ipsec_options"),
                       **self.extras.path_widgets()}
        self._hold = 0
        if spec is not None:
            self.load(spec)
        else:
            self._targets_changed()

    # --- live state ------------------------------------------------------------------

    @contextmanager
    def hold(self) -> Any:
        """Batch many widget changes into one re-validation."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1
        self._changed()

    def _targets_changed(self) -> None:
        self.spd.set_vpc_cidr(self.targets.vpc_cidr)
        self._changed()

    def _peer_address(self, old: str, new: str) -> None:
        """Pre-fill the IKE remote identity address with the customer gateway's public IP."""
        field = self.crypto.ike.fields["remote_address"]
        if new and field.value.strip() in ("", old):
            field.value = new

    def build_spec(self) -> VpnConnectionSpec:
        """A new spec from the widgets' current values (pure reading, no validation)."""
        b, t = self.basics, self.targets
        return VpnConnectionSpec(
            vpn_gateway_id=t.vpn_gateway_id, customer_gateway_id=t.customer_gateway_id,
            vpn_connection_name=b.name.value, pre_share_key=b.psk.value,
            vpc_id=t.vpc_id or None, security_policy_databases=self.spd.rules(),
            ike_options=self.crypto.ike_options(), ipsec_options=self.crypto.ipsec_options(),
            tags=b.tag_values(), route_type=b.route_type.value,
            negotiation_type=b.negotiation_type.value, **self.extras.values())

    def _changed(self) -> None:
        if self._hold:
            return
        started = time.perf_counter()
        self._spec = spec = self.build_spec()
        self.issues = issues(spec, vpc_cidr=self.targets.vpc_cidr or None,
                             gateway_version=self.targets.gateway_version or None)
        self._show_issues()
        self._preview_stale = True
        if self.preview_box.selected_index is not None:  # rendered only while open
            self._show_preview()
        self.validate_ms = (time.perf_counter() - started) * 1000

    def _show_issues(self) -> None:
        self.issues_html.value = issues_html(self.issues)
        self.spd.mark_issues((i.path, i.message) for i in self.issues
                             if i.path.startswith("security_policy_databases"))
        want: dict[int, tuple[W.Widget, str]] = {}
        for issue in self.issues:
            widget = self._paths.get(issue.path) or self._paths.get(issue.path.split("[")[0])
            if widget is not None:
                old = want.get(id(widget), (widget, ""))[1]
                want[id(widget)] = (widget, f"{old}; {issue.message}" if old else issue.message)
        for key, (widget, _msg) in self._marked.items():
            if key not in want:
                mark(widget, None)
        for key, (widget, msg) in want.items():
            if self._marked.get(key, (None, ""))[1] != msg:
                mark(widget, msg)
        self._marked = want
        self.submit_button.disabled = self.has_errors or self._lock.locked()

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

    # --- filling ---------------------------------------------------------------------

    def load(self, source: VpnConnectionSpec | VpnConnection, *,
             name: str | None = None) -> None:
        """Fill every field from a spec, or from an existing tunnel (to clone it).

        A tunnel's clone is named ``<name>-copy`` unless ``name`` is given (names are
        unique per gateway); its pre-shared key is kept (masked) and can be regenerated.
        """
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
            b = self.basics
            b.name.value = spec.vpn_connection_name
            b.psk.value = spec.pre_share_key or ""
            for widget, value in ((b.route_type, spec.route_type),
                                  (b.negotiation_type, spec.negotiation_type)):
                if value is not None:
                    widget.value = value if value in widget.options else widget.value
            b.set_tags(spec.tags)
            self.spd.load(spec.security_policy_databases)
            self.crypto.profile.value = "(custom)"
            self.crypto.ike.set_values(spec.ike_options)
            self.crypto.ipsec.set_values(spec.ipsec_options)
            self.extras.set_values(spec)
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
