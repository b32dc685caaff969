"""``rehearse(conn)``: prove a tunnel negotiates and carries traffic, offline, before the change.

Two strongSwan daemons in two private network namespaces (:mod:`vpnkit.peer.netns`): the
"Tencent" side is configured from the tunnel exactly as the API describes it (the peer model's
:meth:`~vpnkit.peer.model.PeerConfig.mirrored` side, rendered for strongSwan: one CHILD_SA per
SPD pair); the IDC side is vpnkit's generated strongSwan configuration or the caller's own
``swanctl.conf``. Who initiates follows ``NegotiationType``: the Tencent side for ``active`` and
``flowTrigger`` (its first packet is emulated by an explicit initiation), the IDC side for
``passive``. Every SPD pair is negotiated, then carries a UDP exchange between an address in
each range; each pair is reported ``UP`` or with the status and reason from the daemons' logs
(:mod:`vpnkit.peer.rehearse_reasons`; engine in :mod:`vpnkit.peer.rehearse_run`).

Addresses: the namespaces get the tunnel's own gateway addresses and one address in each
protected range, and have no other interface, so nothing leaves them, whatever the ranges (a
real tunnel's private and public addresses stay inside the two namespaces). The project's
tests and CI use documentation and benchmarking ranges only.

Libreswan: pluto needs the kernel's ESP (XFRM) to install SAs, and these machines' kernel has no
ESP (``ip xfrm state add ... proto esp`` answers "Requested type not found"); strongSwan does ESP
in user space instead, so Libreswan cannot carry traffic here. A Libreswan ``ipsec.conf`` is
first loaded by Libreswan itself (``ipsec addconn --checkconfig``, when installed), then read
into the peer model (:func:`~vpnkit.peer.parse_libreswan.parse_libreswan`: its conns facing
the VPN gateway, their selectors united, the first proposal of each phase) and rehearsed as
that model's strongSwan configuration; ``notes`` says so. What the model cannot hold (several
proposals, Libreswan-only options) is not rehearsed.

The pre-shared key: ``psk=``, else the tunnel's own key when DescribeVpnConnections returned
one, else the key in the caller's own file, else a random key for both sides (it is a
rehearsal). It goes only into the lab's private work directory (mode 0700, removed at the end);
it is never printed, logged or returned.

Route-based tunnels (``RouteType`` StaticRoute) are rehearsed per destination route, not per
SPD pair (:mod:`vpnkit.peer.rehearse_routes`): both sides negotiate any-any selectors, the
Tencent side routes the gateway's routes to this tunnel (``routes=``, by default read with
DescribeVpnGatewayRoutes) into the tunnel and the IDC side routes the VPC's ranges
(``vpc_cidrs=``, by default the VPC's CidrBlock). The XFRM interface of the strongSwan
configuration (``if_id_in``/``if_id_out``) is rehearsed as libipsec's TUN device with explicit
routes, and ``notes`` says so. BGP tunnels are not rehearsed (the lab runs no BGP session).
"""

from __future__ import annotations

import base64
import ipaddress
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from vpnkit.models import VpnConnection
from vpnkit.peer.model import PeerConfig, from_connection
from vpnkit.peer.netns import INSTALL_HINT, LabUnavailable, requirements
from vpnkit.peer.rehearse_reasons import Status
from vpnkit.peer.rehearse_result import COLUMNS, PairResult, RehearsalResult
from vpnkit.peer.rehearse_routes import control_address, strip_if_id, tunnel_routes
from vpnkit.peer.rehearse_run import Setup, run
from vpnkit.peer.render import render
from vpnkit.redact import remember

__all__ = [
    "COLUMNS",
    "INSTALL_HINT",
    "LabUnavailable",
    "PairResult",
    "RehearsalResult",
    "Status",
    "libreswan_loads",
    "lookup_tunnel",
    "prepare",
    "rehearse",
    "requirements",
    "start_actions",
]

_LIBRESWAN = re.compile(r"^\s*conn\s+\S+", re.M)
_SWANCTL = re.compile(r"^\s*connections\s*\{", re.M)
_START = re.compile(r"^(\s*start_action\s*=\s*)(\S+)\s*$")


def start_actions(text: str) -> dict[str, str]:
    """Each child's ``start_action`` in a ``swanctl.conf`` (``none`` when not set)."""
    out: dict[str, str] = {}
    stack: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.endswith("{"):
            stack.append(line[:-1].strip())
            if len(stack) == 4 and stack[0] == "connections" and stack[2] == "children":
                out.setdefault(stack[3], "none")
        elif line == "}":
            if stack:
                stack.pop()
        elif len(stack) == 4 and stack[2] == "children":
            m = _START.match(line)
            if m:
                out[stack[3]] = m.group(2)
    return out


def _no_start(text: str) -> str:
    """``text`` with every ``start_action`` set to ``none``: the rehearsal initiates itself."""
    return "\n".join(_START.sub(r"\1none", line) for line in text.splitlines()) + "\n"


def _secret_of(text: str) -> str | None:
    """The first ``secret = ...`` of a ``swanctl.conf``'s secrets section, if any."""
    m = re.search(r"^\s*secret\s*=\s*(.+?)\s*$", text, re.M)
    if m is None:
        return None
    value = m.group(1)
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        return value[1:-1]
    if value.startswith("0s"):
        try:
            return base64.b64decode(value[2:]).decode()
        except (ValueError, UnicodeDecodeError):
            return None
    return value


def _from_libreswan(text: str, gateway_ip: str, notes: list[str]) -> PeerConfig:
    """The Libreswan file's conns facing ``gateway_ip`` as one peer model (selectors united)."""
    from vpnkit.peer.parse_libreswan import parse_libreswan

    found = parse_libreswan(text, gateway_ip)
    facing = [c for c in found if c.remote.address == gateway_ip] or found
    first = facing[0]
    selectors = tuple(dict.fromkeys(s for c in facing for s in c.selectors))
    notes.append("Libreswan cannot carry traffic on this kernel (no ESP): its file was "
                 "rehearsed as the strongSwan configuration of the same parameters"
                 + (f" ({len(facing)} conns united)" if len(facing) > 1 else ""))
    if any(len(c.ike_accepts()) > 1 or len(c.esp_accepts()) > 1 for c in facing):
        notes.append("only the first IKE and ESP proposal of the Libreswan file was rehearsed")
    if len({(c.ike, c.esp, c.ike_version, c.exchange_mode) for c in facing}) > 1:
        notes.append(f"the Libreswan conns differ in proposals; those of {first.name} were used")
    return replace(first, selectors=selectors, side="idc")


def libreswan_loads(text: str) -> str | None:
    """Libreswan's own verdict on an ipsec.conf (``ipsec addconn --checkconfig``).

    None when it loads (or Libreswan is not installed: then nothing is said), else its words.
    """
    import shutil
    import subprocess
    import tempfile

    if shutil.which("ipsec") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="vkr-libreswan-") as work:
        path = Path(work, "ipsec.conf")
        body = text if re.search(r"^config setup", text, re.M) else "config setup\n" + text
        path.write_text(body)
        try:
            run = subprocess.run(["ipsec", "addconn", "--checkconfig", "--config", str(path)],
                                 capture_output=True, text=True, timeout=20, check=False)
        except subprocess.TimeoutExpired:
            return "ipsec addconn --checkconfig timed out"
    out = (run.stdout + run.stderr).strip().replace(str(path), "ipsec.conf")
    return None if run.returncode == 0 and not out else (out or f"exit {run.returncode}")


def prepare(conn: VpnConnection, *, gateway_ip: str, customer_ip: str,
            idc_config: str | Path | None = None, psk: str | None = None,
            routes: Iterable[Any] | None = None,
            vpc_cidrs: Sequence[str] = ()) -> Setup:
    """The :class:`~vpnkit.peer.rehearse_run.Setup` for ``conn`` (no processes started).

    ``idc_config`` is the IDC side's own ``swanctl.conf`` (or Libreswan ``ipsec.conf``): its
    text, or a ``Path`` to it. A StaticRoute tunnel also needs ``routes`` (its gateway's
    DescribeVpnGatewayRoutes rows, :class:`~vpnkit.models.GatewayRoute` objects or CIDRs; those
    pointing at other next hops are ignored) and ``vpc_cidrs`` (the VPC's ranges).
    Raises ValueError for what cannot be rehearsed (BGP, no SPD, no enabled route, a tunnel
    strongSwan cannot express such as SM4).
    """
    cfg = from_connection(conn, gateway_ip=gateway_ip, customer_ip=customer_ip)
    # route_based also covers "no SPD at all"; otherwise the Tencent side's selectors are the
    # tunnel's (VPC range, IDC range) pairs, in order and without repeats
    if cfg.route_based and (cfg.route_type == "Bgp" or cfg.bgp is not None):
        raise ValueError(f"{conn.vpn_connection_id}: BGP tunnels are not rehearsed (their "
                         "routes are learned over a BGP session, which the lab does not run); "
                         "policy-based and StaticRoute tunnels are")
    if cfg.route_based and cfg.route_type != "StaticRoute":
        raise ValueError(f"{conn.vpn_connection_id}: RouteType {cfg.route_type} with no SPD "
                         "pairs: nothing to rehearse")
    user = idc_config.read_text() if isinstance(idc_config, Path) else idc_config
    notes: list[str] = []
    libreswan: PeerConfig | None = None
    if user is not None and not _SWANCTL.search(user):
        if not _LIBRESWAN.search(user):
            raise ValueError("idc_config is neither a strongSwan swanctl.conf "
                             "(connections { ... }) nor a Libreswan ipsec.conf (conn NAME)")
        libreswan = _from_libreswan(user, gateway_ip, notes)
        user = None
    key = psk or conn.pre_share_key or (_secret_of(user) if user else None)
    if key is None:
        key = secrets.token_urlsafe(24)
        notes.append("a random pre-shared key was used on both sides (none was given)")
    elif user and not psk and not conn.pre_share_key:
        notes.append("the tunnel's key is unknown here: both sides used the key in the given "
                     "file, so keys were not compared (pass psk= to compare)")
    remember(key)
    mirrored = cfg.mirrored()
    pairs = tuple((s.local, s.remote) for s in mirrored.selectors)
    tencent = render(mirrored, "strongswan", psk=key)
    if not tencent.ok:
        errors = "; ".join(str(i) for i in tencent.issues if i.severity == "error")
        raise ValueError(f"{conn.vpn_connection_id} cannot be set up in strongSwan: {errors}")
    if libreswan is not None:
        idc = render(libreswan, "strongswan", psk=key).text
    else:
        idc = user if user is not None else render(cfg, "strongswan", psk=key).text
    tencent_text = tencent.text
    extra: dict[str, Any] = {}
    if cfg.route_based:
        pairs, extra = _routed(conn, routes, vpc_cidrs, (gateway_ip, customer_ip), notes)
        tencent_text, _ = strip_if_id(tencent_text)
        idc, had = strip_if_id(idc)
        notes.append("route-based: strongSwan's XFRM interface (if_id_in/if_id_out) does not "
                     "exist in this machine's userspace ESP, so both sides were rehearsed "
                     f"without it{' (removed from the IDC configuration)' if had else ''}, "
                     "each routing the other side's ranges into libipsec's TUN device")
    initiator = "idc" if mirrored.local.initiation == "none" else "tencent"
    never = frozenset(n for n, a in start_actions(idc).items() if a == "none") \
        if initiator == "idc" else frozenset()
    return Setup(_no_start(tencent_text), _no_start(idc), pairs, initiator=initiator,
                 tencent_ip=gateway_ip, idc_ip=customer_ip, ike_version=cfg.ike_version,
                 vpn_connection_id=conn.vpn_connection_id, notes=tuple(notes),
                 idc_never_starts=never, **extra)


def _routed(conn: VpnConnection, routes: Iterable[Any] | None, vpc_cidrs: Sequence[str],
            gateways: tuple[str, str], notes: list[str]
            ) -> tuple[tuple[tuple[str, str], ...], dict[str, Any]]:
    """A StaticRoute tunnel's rows (VPC range, destination) and its Setup fields."""
    cid = conn.vpn_connection_id
    if routes is None:
        raise ValueError(f"{cid}: a route-based tunnel is rehearsed per destination route: "
                         "pass routes= (its gateway's DescribeVpnGatewayRoutes) or client=")
    vpcs = list(dict.fromkeys(str(ipaddress.ip_network(c, strict=False)) for c in vpc_cidrs))
    if not vpcs:
        raise ValueError(f"{cid}: a route-based tunnel needs the VPC's ranges (vpc_cidrs=, or "
                         "client= to read its VPC's CidrBlock)")
    enabled, disabled, more = tunnel_routes(routes, cid)
    notes += more
    if not enabled:
        raise ValueError(f"{cid}: no enabled destination route of {conn.vpn_gateway_id} points "
                         "at this tunnel (CreateVpnGatewayRoutes, InstanceType VPNCONN), so "
                         "nothing would enter it")
    dests = [*enabled, *disabled]
    pairs = tuple((vpc, dest) for vpc in vpcs for dest in dests)
    off = frozenset(n for n, (_, dest) in enumerate(pairs) if dest in disabled)
    control = control_address([*vpcs, *dests, *gateways])
    return pairs, {"route_based": True, "disabled": off, "control": control}


def lookup_tunnel(conn: VpnConnection | str, client: Any, gateway_ip: str | None = None,
                  customer_ip: str | None = None) -> tuple[VpnConnection, str, str]:
    """The tunnel (read by ID through ``client`` when ``conn`` is one), its VPN gateway's
    public IP and its customer gateway's IP (read through ``client`` unless given).

    ValueError when the tunnel or an address cannot be read.
    """
    if isinstance(conn, str):
        if client is None:
            raise ValueError("rehearse(VPNX_ID) needs client= to read the tunnel")
        found = client.describe_vpn_connections([conn])
        if not found:
            raise ValueError(f"no tunnel {conn!r} in region {client.region}")
        conn = found[0]
    assert isinstance(conn, VpnConnection)
    if gateway_ip is None or customer_ip is None:
        if client is None:
            raise ValueError("gateway_ip (the VPN gateway's PublicIpAddress) and customer_ip "
                             "(the customer gateway's IpAddress) are required without client=")
        gateway_ip = gateway_ip or _field(client.describe_vpn_gateways([conn.vpn_gateway_id]),
                                          "PublicIpAddress", conn.vpn_gateway_id)
        customer_ip = customer_ip or _field(
            client.describe_customer_gateways([conn.customer_gateway_id]), "IpAddress",
            conn.customer_gateway_id)
    return conn, gateway_ip, customer_ip


def _field(rows: Any, key: str, what: str) -> str:
    for row in rows or ():
        value = row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)
        if value:
            return str(value)
    raise ValueError(f"{what}: no {key} found")


def rehearse(conn: VpnConnection | str, *, idc_config: str | Path | None = None,
             psk: str | None = None, gateway_ip: str | None = None,
             customer_ip: str | None = None, client: Any = None,
             routes: Iterable[Any] | None = None, vpc_cidrs: Sequence[str] | None = None,
             timeout: float = 5.0) -> RehearsalResult:
    """Rehearse ``conn`` (a tunnel, or its ID with ``client=``) and report every SPD pair.

    ``gateway_ip``/``customer_ip`` default to the VPN gateway's public IP and the customer
    gateway's IP read through ``client``. ``idc_config``: the IDC side's own ``swanctl.conf``
    (text or ``Path``); by default vpnkit's generated one. A StaticRoute tunnel is rehearsed per
    destination route: ``routes`` (default: its gateway's DescribeVpnGatewayRoutes through
    ``client``) and ``vpc_cidrs`` (default: its VPC's CidrBlock). ``timeout`` bounds each
    negotiation.
    Raises :class:`~vpnkit.peer.netns.LabUnavailable` (what to install) when not root or
    strongSwan is missing, ValueError for a tunnel that cannot be rehearsed.
    """
    conn, gateway_ip, customer_ip = lookup_tunnel(conn, client, gateway_ip, customer_ip)
    text = idc_config.read_text() if isinstance(idc_config, Path) else idc_config
    if text is not None and not _SWANCTL.search(text) and _LIBRESWAN.search(text):
        refused = libreswan_loads(text)
        if refused:
            raise ValueError(f"Libreswan does not load this ipsec.conf: {refused[:300]}")
    if conn.route_type == "StaticRoute" and client is not None:
        if routes is None:
            routes = client.describe_vpn_gateway_routes(conn.vpn_gateway_id)
        if not vpc_cidrs and conn.vpc_id:
            vpc_cidrs = [_field(client.describe_vpcs([conn.vpc_id]), "CidrBlock", conn.vpc_id)]
    setup = prepare(conn, gateway_ip=gateway_ip, customer_ip=customer_ip,
                    idc_config=text, psk=psk, routes=routes, vpc_cidrs=vpc_cidrs or ())
    return run(setup, timeout=timeout)
