"""In-memory, per-region state of the emulated VPC API, and the actions that change it.

Modelled on moto's ``ec2/models/vpn_connections.py``: each action method checks references
and rules and raises :class:`EmulatorError` with a real Tencent code; HTTP lives elsewhere.

State is plain JSON (``{"regions": {region: {"vpcs", "vpn_gateways", "customer_gateways",
"vpn_connections"}}, "tasks": {...}}``) so it persists as-is. Transitions are lazy, computed
from timestamps on every read, never by timers (§10):

* a tunnel is ``PENDING`` for ``create_delay`` seconds, then ``AVAILABLE`` (its CreatedTime
  reads ``0000-00-00 00:00:00`` until then, as in the §1.2 example);
* ``DeleteVpnConnection`` makes it ``DELETING`` for ``create_delay`` seconds, then it is gone;
* ``DescribeVpcTaskResult`` (TaskId = the RequestId of the async call, §3.7) answers
  ``RUNNING`` until the transition is due, then ``SUCCESS``.

Times are shown in China Standard Time (UTC+8), as the live API does. Answers follow the
official examples (tccli 3.1.189.1 ``examples.json``): ``NetStatus`` is ``AVAILABLE`` (the
create example shows it on a PENDING tunnel; the emulated peer always answers) except for
``create_delay`` seconds after ResetVpnConnection, while the emulated peer renegotiates;
``HealthCheckStatus`` is ``AVAILABLE`` on every tunnel (the examples return it with
``EnableHealthCheck: false``, although the SDK field doc says it is omitted when no health
check is configured: the examples are real output, so they win); a finished task's
``Output`` is ``SUCCESS`` (DescribeVpcTaskResult example).
"""

from __future__ import annotations

import copy
import random
import string
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from vpnkit import options
from vpnkit.cidr import parse_address, parse_network
from vpnkit.emulator import limits as vpc_limits
from vpnkit.emulator import routes as gw_routes
from vpnkit.emulator import tagging, vendors
from vpnkit.emulator.codes import EmulatorError, for_action
from vpnkit.emulator.query import check_id, exact, select
from vpnkit.emulator.rules import (
    Context,
    check_name,
    check_option,
    check_tags,
    default_health_ips,
    tunnel_config,
)
from vpnkit.emulator.schema import SCHEMAS, read
from vpnkit.emulator.seed import REGIONS
from vpnkit.gateway_version import CUSTOMER_GATEWAY_CHANGE, at_least

__all__ = ["ACTIONS", "MUTATING", "TUNNELS_PER_ACCOUNT", "TUNNELS_PER_CUSTOMER_GATEWAY",
           "TUNNELS_PER_GATEWAY", "Backend", "EmulatorError"]

ACTIONS: tuple[str, ...] = tuple(SCHEMAS)
MUTATING = frozenset({"CreateVpnConnection", "DeleteVpnConnection",
                      "ModifyVpnConnectionAttribute", "CreateCustomerGateway",
                      "ResetVpnConnection", "CreateVpnGatewayRoutes", "DeleteVpnGatewayRoutes"})
PENDING_TIME = "0000-00-00 00:00:00"
CUSTOMER_GATEWAY_QUOTA = 50
#: An emulator setting, not a documented number: the tunnels-per-gateway quota is an account
#: quota (DescribeVpcLimits ``vpn-gateway-max-custom-gateways``, "每个VPNGW可以创建的通道数",
#: cloud.tencent.com product 248 doc 42942) whose default no doc states. ``MaxConnection`` of
#: a gateway is the SSL-VPN client count (ref §3.2), never a tunnel quota.
TUNNELS_PER_GATEWAY = 100
#: Emulator settings too: the tunnels per customer gateway (DescribeVpcLimits
#: ``custom-gateway-max-vpn-connections``) and per account (``appid-max-vpn-connections``,
#: counted per region as the doc's "部分私有网络的配额有地域属性" allows); no doc gives a default.
TUNNELS_PER_CUSTOMER_GATEWAY = 100
TUNNELS_PER_ACCOUNT = 1000
MAX_TASKS = 10_000
_CST = timezone(timedelta(hours=8))
# §3.8: ASNs Tencent reserves for itself.
_RESERVED_ASNS = frozenset({139341, 45090, 58835})
_NOT_PUBLIC = tuple(IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"))
_TUNNEL_KEYS = (  # §2.4 order
    "VpnConnectionId", "VpnConnectionName", "VpcId", "VpnGatewayId", "CustomerGatewayId",
    "PreShareKey", "VpnProto", "EncryptProto", "RouteType", "CreatedTime", "State",
    "NetStatus", "SecurityPolicyDatabaseSet", "IKEOptionsSpecification",
    "IPSECOptionsSpecification", "EnableHealthCheck", "HealthCheckLocalIp",
    "HealthCheckRemoteIp", "HealthCheckStatus", "DpdEnable", "DpdTimeout", "DpdAction",
    "TagSet", "NegotiationType", "BgpConfig", "HealthCheckConfig")


def _fmt(ts: float) -> str:
    return datetime.fromtimestamp(ts, _CST).strftime("%Y-%m-%d %H:%M:%S")


def _not_found(kind: str, rid: str, region: str) -> EmulatorError:
    return EmulatorError("ResourceNotFound", f"The {kind} {rid} does not exist in {region}.")


def _on_customer_gateway(r: Mapping[str, Mapping[str, Any]], cgw_id: str) -> int:
    """The tunnels on customer gateway ``cgw_id`` (DELETING ones too, as VpnConnNum counts)."""
    return sum(1 for t in r["vpn_connections"].values() if t["CustomerGatewayId"] == cgw_id)


class Backend:
    """The emulated account. Thread-safe: every action runs under one lock."""

    def __init__(
        self,
        state: Mapping[str, Any] | None = None,
        *,
        create_delay: float = 1.0,
        clock: Callable[[], float] = time.time,
        seed: int | None = None,
        on_change: Callable[[Mapping[str, Any]], None] | None = None,
        tunnels_per_gateway: int = TUNNELS_PER_GATEWAY,
        tunnels_per_customer_gateway: int = TUNNELS_PER_CUSTOMER_GATEWAY,
        tunnels_per_account: int = TUNNELS_PER_ACCOUNT,
    ) -> None:
        self.state: dict[str, Any] = copy.deepcopy(dict(state or {"regions": {}, "tasks": {}}))
        self.state.setdefault("regions", {})
        self.state.setdefault("tasks", {})
        self.create_delay = create_delay
        #: emulator quota of tunnels per VPN gateway (see TUNNELS_PER_GATEWAY)
        self.tunnels_per_gateway = tunnels_per_gateway
        #: emulator quotas of tunnels per customer gateway and per account (in a region)
        self.tunnels_per_customer_gateway = tunnels_per_customer_gateway
        self.tunnels_per_account = tunnels_per_account
        self.clock = clock
        self.on_change = on_change
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._actions: dict[str, Callable[[str, dict[str, Any], str], dict[str, Any]]] = {
            "CreateVpnConnection": self.create_vpn_connection,
            "DescribeVpnConnections": self.describe_vpn_connections,
            "DeleteVpnConnection": self.delete_vpn_connection,
            "ModifyVpnConnectionAttribute": self.modify_vpn_connection_attribute,
            "DescribeVpcs": self.describe_vpcs,
            "DescribeVpnGateways": self.describe_vpn_gateways,
            "DescribeCustomerGateways": self.describe_customer_gateways,
            "DescribeVpcTaskResult": self.describe_vpc_task_result,
            "DescribeVpcLimits": self.describe_vpc_limits,
            "CreateCustomerGateway": self.create_customer_gateway,
            "ResetVpnConnection": self.reset_vpn_connection,
            "GenerateVpnConnectionDefaultHealthCheckIp": self.generate_health_check_ip,
            "DescribeVpnGatewayRoutes": self.describe_vpn_gateway_routes,
            "CreateVpnGatewayRoutes": self.create_vpn_gateway_routes,
            "DeleteVpnGatewayRoutes": self.delete_vpn_gateway_routes,
            "DescribeCustomerGatewayVendors": self.describe_customer_gateway_vendors,
            "DownloadCustomerGatewayConfiguration": self.download_customer_gateway_configuration,
        }
        self._tag_actions: dict[str, Callable[[str, dict[str, Any], str], dict[str, Any]]] = {
            "ModifyResourceTags": self.modify_resource_tags,
        }

    # --- entry point ---------------------------------------------------------------------

    def handle(self, action: str, region: str, params: Any, request_id: str, *,
               form: bool = False, service: str = "vpc") -> dict[str, Any]:
        """Run one action on raw params; returns the Response fields (without RequestId).

        ``service="tag"``: an action of the Tag service (:mod:`vpnkit.emulator.tagging`),
        whose Region is optional (the resource name carries it).
        """
        tag = service == "tag"
        actions = self._tag_actions if tag else self._actions
        if action not in actions:
            raise EmulatorError("InvalidAction", f"The action {action!r} is not supported.")
        if not tag and region not in REGIONS:
            raise EmulatorError("UnsupportedRegion", f"The region {region!r} is not supported.")
        try:
            typed = read(params, (tagging.SCHEMAS if tag else SCHEMAS)[action], form=form)
            with self._lock:
                result = actions[action](region, typed, request_id)
                if (action in MUTATING or action in tagging.MUTATING) and \
                        self.on_change is not None:
                    self.on_change(self.state)
        except EmulatorError as exc:
            code = for_action(action, exc.code)  # only codes the action lists (codes.py)
            if code != exc.code:
                raise EmulatorError(code, exc.message) from None
            raise
        return result

    def reset(self, state: Mapping[str, Any]) -> None:
        """Replace the whole state (tests, notebooks rehearsing from scratch)."""
        with self._lock:
            self.state = copy.deepcopy(dict(state))
            self.state.setdefault("regions", {})
            self.state.setdefault("tasks", {})
            if self.on_change is not None:
                self.on_change(self.state)

    def dump(self) -> dict[str, Any]:
        """A deep copy of the whole state (JSON-serialisable)."""
        with self._lock:
            return copy.deepcopy(self.state)

    # --- helpers -------------------------------------------------------------------------

    def _region(self, region: str) -> dict[str, dict[str, dict[str, Any]]]:
        r: dict[str, dict[str, dict[str, Any]]] = self.state["regions"].setdefault(region, {})
        for kind in ("vpcs", "vpn_gateways", "customer_gateways", "vpn_connections",
                     "vpn_gateway_routes"):
            r.setdefault(kind, {})
        now = self.clock()
        tunnels = r["vpn_connections"]
        for tid in [t for t, v in tunnels.items() if v["_gone"] is not None and now >= v["_gone"]]:
            del tunnels[tid]
        return r

    def _new_id(self, prefix: str, kind: str) -> str:
        taken = {k for r in self.state["regions"].values() for k in r.get(kind, {})}
        alphabet = string.ascii_lowercase + string.digits
        while True:
            new = f"{prefix}-" + "".join(self._rng.choices(alphabet, k=8))
            if new not in taken:
                return new

    def _get(self, r: Mapping[str, Mapping[str, Any]], kind: str, prefix: str, rid: str,
             path: str, region: str) -> dict[str, Any]:
        check_id(rid, prefix, path)
        found = r[kind].get(rid)
        if found is None:
            raise _not_found(kind.rstrip("s").replace("_", " "), rid, region)
        return dict(found)

    def _task(self, region: str, request_id: str, resource_id: str, due: float) -> None:
        tasks = self.state["tasks"]
        tasks[request_id] = {"Region": region, "ResourceId": resource_id, "Due": due}
        while len(tasks) > MAX_TASKS:
            del tasks[next(iter(tasks))]

    def _view(self, t: Mapping[str, Any]) -> dict[str, Any]:
        now = self.clock()
        if t["_gone"] is not None:
            state = "DELETING"
        else:
            state = "PENDING" if now < t["_ready"] else "AVAILABLE"
        live = {"State": state,
                "CreatedTime": PENDING_TIME if now < t["_ready"] else _fmt(t["_created"]),
                "NetStatus": "UNAVAILABLE" if now < t.get("_reset_until", 0.0)
                else "AVAILABLE",
                "HealthCheckStatus": "AVAILABLE"}
        return {k: live[k] if k in live else copy.deepcopy(t[k])
                for k in _TUNNEL_KEYS if k in t or k in live}

    def _vpc_cidr(self, r: Mapping[str, Mapping[str, Any]], gw: Mapping[str, Any],
                  vpc_id: str | None, region: str) -> IPv4Network | None:
        """§1.1 #5: VpcId is required for a VPC-type gateway and must be empty for CCN."""
        if gw["Type"] in ("CCN", "SSL_CCN"):
            if vpc_id:
                raise EmulatorError("InvalidParameterValue", f"VpcId must be empty for the "
                                    f"CCN-type VPN gateway {gw['VpnGatewayId']}.")
            return None
        if not vpc_id:
            raise EmulatorError("MissingParameter", f"VpcId is required for the {gw['Type']} "
                                f"VPN gateway {gw['VpnGatewayId']}.")
        vpc = self._get(r, "vpcs", "vpc", vpc_id, "VpcId", region)
        if gw["VpcId"] != vpc_id:
            raise EmulatorError("InvalidParameterValue", f"VPN gateway {gw['VpnGatewayId']} "
                                f"belongs to {gw['VpcId']}, not {vpc_id}.")
        return parse_network(vpc["CidrBlock"])

    # --- the Tag service (tagging.py) -------------------------------------------------------

    def modify_resource_tags(self, region: str, p: dict[str, Any], rid: str) -> dict[str, Any]:
        """ModifyResourceTags (Tag service): a tunnel's TagSet, by its six-segment name."""
        return tagging.modify_resource_tags(
            p, lambda r: self._region(r)["vpn_connections"] if r in REGIONS else None)

    # --- VPN connections -----------------------------------------------------------------

    def create_vpn_connection(self, region: str, p: dict[str, Any], rid: str) -> dict[str, Any]:
        """CreateVpnConnection (§1): asynchronous; the tunnel starts PENDING."""
        r = self._region(region)
        gw = self._get(r, "vpn_gateways", "vpngw", p["VpnGatewayId"], "VpnGatewayId", region)
        self._gateway_ready(gw)
        cgw = self._get(r, "customer_gateways", "cgw", p["CustomerGatewayId"],
                        "CustomerGatewayId", region)
        cidr = self._vpc_cidr(r, gw, p.get("VpcId"), region)
        siblings = [self._view(t) for t in r["vpn_connections"].values()
                    if t["VpnGatewayId"] == gw["VpnGatewayId"]]
        self._tunnel_quota(r, gw, cgw, len(siblings))
        tags = check_tags(p.get("Tags", []))
        conf = tunnel_config(p, Context(gw, cgw, cidr, siblings, self._rng))
        now = self.clock()
        tid = self._new_id("vpnx", "vpn_connections")
        tunnel: dict[str, Any] = {
            "VpnConnectionId": tid, "VpcId": gw["VpcId"], "VpnGatewayId": gw["VpnGatewayId"],
            "CustomerGatewayId": cgw["CustomerGatewayId"], "VpnProto": "IPSEC",
            "EncryptProto": "IKE", **conf, "TagSet": tags,
            "_created": now, "_ready": now + self.create_delay, "_gone": None,
        }
        r["vpn_connections"][tid] = tunnel
        self._task(region, rid, tid, tunnel["_ready"])
        return {"VpnConnection": self._view(tunnel)}

    def _tunnel_quota(self, r: Mapping[str, Mapping[str, Any]], gw: Mapping[str, Any],
                      cgw: Mapping[str, Any], on_gateway: int) -> None:
        """The account's tunnel quotas (:meth:`limits`): per gateway, per customer gateway,
        per account. Each is ``LimitExceeded`` (listed for CreateVpnConnection, GOINTL);
        tunnels still DELETING count, as they do in VpnConnNum."""
        for count, quota, what in (
                (on_gateway, self.tunnels_per_gateway, f"VPN gateway {gw['VpnGatewayId']}"),
                (_on_customer_gateway(r, cgw["CustomerGatewayId"]),
                 self.tunnels_per_customer_gateway,
                 f"customer gateway {cgw['CustomerGatewayId']}"),
                (len(r["vpn_connections"]), self.tunnels_per_account, "this account")):
            if count >= quota:
                raise EmulatorError("LimitExceeded", f"{what} already has {count} tunnels, "
                                    f"its quota ({quota}).")

    def limits(self) -> dict[str, int]:
        """The quotas DescribeVpcLimits answers (emulator settings; see limits.py)."""
        return {vpc_limits.PER_GATEWAY: self.tunnels_per_gateway,
                vpc_limits.PER_CUSTOMER_GATEWAY: self.tunnels_per_customer_gateway,
                vpc_limits.PER_ACCOUNT: self.tunnels_per_account,
                vpc_limits.CUSTOMER_GATEWAYS: CUSTOMER_GATEWAY_QUOTA}

    def describe_vpc_limits(self, region: str, p: dict[str, Any], rid: str) -> dict[str, Any]:
        """DescribeVpcLimits: the VPN quotas from the emulator's settings (limits.py)."""
        return {"VpcLimitSet": vpc_limits.answer(p["LimitTypes"], self.limits())}

    def describe_vpn_connections(self, region: str, p: dict[str, Any],
                                 rid: str) -> dict[str, Any]:
        """DescribeVpnConnections (§3.4)."""
        r = self._region(region)
        items = [self._view(t) for t in r["vpn_connections"].values()]
        total, page = select(items, p, ids_field="VpnConnectionIds", id_key="VpnConnectionId",
                             prefix="vpnx", matchers={
                                 "vpc-id": exact("VpcId"),
                                 "vpn-gateway-id": exact("VpnGatewayId"),
                                 "customer-gateway-id": exact("CustomerGatewayId"),
                                 "vpn-connection-name": exact("VpnConnectionName"),
                                 "vpn-connection-id": exact("VpnConnectionId")})
        return {"TotalCount": total, "VpnConnectionSet": page}

    def delete_vpn_connection(self, region: str, p: dict[str, Any], rid: str) -> dict[str, Any]:
        """DeleteVpnConnection (§3.5): asynchronous; the tunnel is DELETING, then gone."""
        r = self._region(region)
        gw = self._get(r, "vpn_gateways", "vpngw", p["VpnGatewayId"], "VpnGatewayId", region)
        tunnel = self._tunnel(r, p["VpnConnectionId"], region)
        if tunnel["VpnGatewayId"] != gw["VpnGatewayId"]:
            raise _not_found("vpn connection", p["VpnConnectionId"], region)
        self._gateway_ready(gw)
        state = self._view(tunnel)["State"]
        if state != "AVAILABLE":  # §3.5: "updating, deleting or creating"
            raise EmulatorError("UnsupportedOperation.DeleteVpnConnInvalidState",
                                f"The tunnel {tunnel['VpnConnectionId']} is {state}.")
        if self.clock() < tunnel.get("_reset_until", 0.0):
            raise EmulatorError("UnsupportedOperation.MutexOperationTaskRunning",
                                f"A reset of {tunnel['VpnConnectionId']} is still running.")
        tunnel["_gone"] = self.clock() + self.create_delay
        self._task(region, rid, tunnel["VpnConnectionId"], tunnel["_gone"])
        return {}

    def _tunnel(self, r: Mapping[str, dict[str, dict[str, Any]]], tid: str,
                region: str) -> dict[str, Any]:
        """The live record (not a copy) of tunnel ``tid``."""
        check_id(tid, "vpnx", "VpnConnectionId")
        tunnel = r["vpn_connections"].get(tid)
        if tunnel is None:
            raise _not_found("vpn connection", tid, region)
        return tunnel

    @staticmethod
    def _gateway_ready(gw: Mapping[str, Any]) -> None:
        """§3.2 gateway states: only an AVAILABLE gateway's tunnels change.

        ``UnsupportedOperation.InvalidState`` ("invalid resource status") is listed for
        Create, Modify, Delete and Reset (GOINTL client.go); which resource's state it means
        is not documented: the emulator answers it for the gateway's.
        """
        if gw.get("State", "AVAILABLE") != "AVAILABLE":
            raise EmulatorError("UnsupportedOperation.InvalidState",
                                f"VPN gateway {gw['VpnGatewayId']} is {gw['State']}.")

    def _changeable(self, r: Mapping[str, dict[str, dict[str, Any]]], tid: str,
                    region: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """(record, view, gateway) of a tunnel that may change: no change while PENDING or
        DELETING (``UnsupportedOperation.VpnConnInvalidState``, "tunnel not available")."""
        tunnel = self._tunnel(r, tid, region)
        gw = r["vpn_gateways"][tunnel["VpnGatewayId"]]
        self._gateway_ready(gw)
        view = self._view(tunnel)
        if view["State"] != "AVAILABLE":
            raise EmulatorError("UnsupportedOperation.VpnConnInvalidState",
                                f"The tunnel {view['VpnConnectionId']} is {view['State']}.")
        return tunnel, view, gw

    def modify_vpn_connection_attribute(self, region: str, p: dict[str, Any],
                                        rid: str) -> dict[str, Any]:
        """ModifyVpnConnectionAttribute (§3.6): only an AVAILABLE tunnel can change.

        The rules are create's, run on the tunnel overlaid by the change; codes outside
        Modify's list are answered as their listed parent (codes.for_action). An SPD left
        as it is is not re-checked (loaded state may hold any-any selectors, ref §2.1).
        """
        r = self._region(region)
        tunnel, view, gw = self._changeable(r, p["VpnConnectionId"], region)
        cgw_id = p.get("CustomerGatewayId", tunnel["CustomerGatewayId"])
        if cgw_id != tunnel["CustomerGatewayId"] and \
                not at_least(gw.get("Version"), CUSTOMER_GATEWAY_CHANGE):
            raise EmulatorError("UnsupportedOperation", "CustomerGatewayId can change only "
                                f"on a 4.0 or later VPN gateway; {gw['VpnGatewayId']} is "
                                f"version {gw.get('Version')}.")
        cgw = self._get(r, "customer_gateways", "cgw", cgw_id, "CustomerGatewayId", region)
        # a move onto a full customer gateway: LimitExceeded, the common quota code (ref §6),
        # as CreateVpnConnection answers it (§3.6's list has no code of its own for a quota)
        quota = self.tunnels_per_customer_gateway
        on_cgw = _on_customer_gateway(r, cgw_id)
        if cgw_id != tunnel["CustomerGatewayId"] and on_cgw >= quota:
            raise EmulatorError("LimitExceeded", f"customer gateway {cgw_id} already has "
                                f"{on_cgw} tunnels, its quota ({quota}).")
        siblings = [self._view(t) for t in r["vpn_connections"].values()
                    if t["VpnGatewayId"] == gw["VpnGatewayId"] and t is not tunnel]
        vpc = r["vpcs"].get(gw["VpcId"])
        cidr = parse_network(vpc["CidrBlock"]) if vpc else None
        ctx = Context(gw, cgw, cidr, siblings, self._rng, action="ModifyVpnConnectionAttribute",
                      check_spd="SecurityPolicyDatabases" in p)
        conf = tunnel_config(_merge(view, p), ctx)
        # Only what the request names changes; the other fields keep what is stored (loaded
        # state may hold placeholders or string integers, which a rename must not rewrite).
        for key in p:
            for field in _WRITES.get(key, (key,)):
                if field in conf:
                    tunnel[field] = conf[field]
                elif field in ("HealthCheckConfig", "BgpConfig"):
                    tunnel.pop(field, None)
        tunnel["CustomerGatewayId"] = cgw_id
        self._task(region, rid, tunnel["VpnConnectionId"], self.clock())
        return {}

    def reset_vpn_connection(self, region: str, p: dict[str, Any], rid: str) -> dict[str, Any]:
        """ResetVpnConnection: renegotiate; NetStatus is UNAVAILABLE for ``create_delay``."""
        r = self._region(region)
        gw = self._get(r, "vpn_gateways", "vpngw", p["VpnGatewayId"], "VpnGatewayId", region)
        tunnel, _, _ = self._changeable(r, p["VpnConnectionId"], region)
        if tunnel["VpnGatewayId"] != gw["VpnGatewayId"]:
            raise _not_found("vpn connection", p["VpnConnectionId"], region)
        tunnel["_reset_until"] = self.clock() + self.create_delay
        self._task(region, rid, tunnel["VpnConnectionId"], tunnel["_reset_until"])
        return {}

    def generate_health_check_ip(self, region: str, p: dict[str, Any],
                                 rid: str) -> dict[str, Any]:
        """GenerateVpnConnectionDefaultHealthCheckIp (ref §3.10): two distinct free probe IPs.

        Addresses already used by the gateway's tunnels are avoided (the doc only says "a
        pair of health-check addresses"; not reusing a sibling's is the emulator's choice).
        """
        r = self._region(region)
        gw = self._get(r, "vpn_gateways", "vpngw", p["VpnGatewayId"], "VpnGatewayId", region)
        used = {parse_address(t[k]) for t in r["vpn_connections"].values()
                if t["VpnGatewayId"] == gw["VpnGatewayId"]
                for k in ("HealthCheckLocalIp", "HealthCheckRemoteIp") if t.get(k)}
        local, remote = default_health_ips(self._rng, avoid=used)
        return {"HealthCheckLocalIp": str(local), "HealthCheckRemoteIp": str(remote)}

    # --- VPN gateway routes (routes.py) ----------------------------------------------

    def describe_vpn_gateway_routes(self, region: str, p: dict[str, Any],
                                    rid: str) -> dict[str, Any]:
        """DescribeVpnGatewayRoutes: the gateway's destination routes, paged."""
        r = self._region(region)
        gw = self._get(r, "vpn_gateways", "vpngw", p["VpnGatewayId"], "VpnGatewayId", region)
        items = [gw_routes.view(x) for x in r["vpn_gateway_routes"].values()
                 if x["VpnGatewayId"] == gw["VpnGatewayId"]]
        total, page = select(items, p, ids_field="RouteIds", id_key="RouteId", prefix="vpnr",
                             matchers=gw_routes.ROUTE_FILTERS)
        return {"Routes": list(page), "TotalCount": total}

    def create_vpn_gateway_routes(self, region: str, p: dict[str, Any],
                                  rid: str) -> dict[str, Any]:
        """CreateVpnGatewayRoutes: all the routes, or none."""
        r = self._region(region)
        gw = self._get(r, "vpn_gateways", "vpngw", p["VpnGatewayId"], "VpnGatewayId", region)
        self._gateway_ready(gw)
        created = gw_routes.create_routes(
            r["vpn_gateway_routes"], gw, r["vpn_connections"], p["Routes"],
            lambda: self._new_id("vpnr", "vpn_gateway_routes"), _fmt(self.clock()))
        return {"Routes": created}

    def delete_vpn_gateway_routes(self, region: str, p: dict[str, Any],
                                  rid: str) -> dict[str, Any]:
        """DeleteVpnGatewayRoutes: all the RouteIds, or none."""
        r = self._region(region)
        gw = self._get(r, "vpn_gateways", "vpngw", p["VpnGatewayId"], "VpnGatewayId", region)
        gw_routes.delete_routes(r["vpn_gateway_routes"], gw, p["RouteIds"])
        return {}

    # --- customer gateway vendors (vendors.py) -----------------------------------------

    def describe_customer_gateway_vendors(self, region: str, p: dict[str, Any],
                                          rid: str) -> dict[str, Any]:
        """DescribeCustomerGatewayVendors: the documented example's vendors."""
        return {"CustomerGatewayVendorSet": [dict(v) for v in vendors.VENDORS]}

    def download_customer_gateway_configuration(self, region: str, p: dict[str, Any],
                                                rid: str) -> dict[str, Any]:
        """DownloadCustomerGatewayConfiguration: a text in the example's shape, no key."""
        r = self._region(region)
        gw = self._get(r, "vpn_gateways", "vpngw", p["VpnGatewayId"], "VpnGatewayId", region)
        tunnel = self._tunnel(r, p["VpnConnectionId"], region)
        if tunnel["VpnGatewayId"] != gw["VpnGatewayId"]:
            raise _not_found("vpn connection", p["VpnConnectionId"], region)
        vendor = vendors.find_vendor(p["CustomerGatewayVendor"])
        if not p["InterfaceName"].strip():
            raise EmulatorError("InvalidParameterValue.Empty",
                                "`InterfaceName` must not be empty.")
        cgw = r["customer_gateways"].get(tunnel["CustomerGatewayId"], {
            "CustomerGatewayId": tunnel["CustomerGatewayId"]})
        text = vendors.configuration(vendor, p["InterfaceName"], self._view(tunnel), gw, cgw)
        return {"CustomerGatewayConfiguration": text}

    # --- other resources -----------------------------------------------------------------

    def describe_vpcs(self, region: str, p: dict[str, Any], rid: str) -> dict[str, Any]:
        """DescribeVpcs (§3.1): Offset/Limit may be strings."""
        r = self._region(region)

        def tag_key(item: Mapping[str, Any], values: Sequence[str]) -> bool:
            return any(t["Key"] in values for t in item["TagSet"])

        def tag(item: Mapping[str, Any], values: Sequence[str]) -> bool:
            return any(t["Key"] == values[0] and t["Value"] in values[1:]
                       for t in item["TagSet"])

        total, page = select(list(r["vpcs"].values()), p, ids_field="VpcIds", id_key="VpcId",
                             prefix="vpc", matchers={
                                 "vpc-name": lambda i, v: any(x in i["VpcName"] for x in v),
                                 "is-default": lambda i, v: str(i["IsDefault"]).upper() in
                                 {x.upper() for x in v},
                                 "vpc-id": exact("VpcId"), "cidr-block": _cidr_block,
                                 "tag-key": tag_key, "tag:": tag,
                                 "ipv6-cidr-block": exact("Ipv6CidrBlock"),
                                 "isp-type": lambda i, v: False,
                                 "address-type": lambda i, v: False})
        return {"TotalCount": total, "VpcSet": copy.deepcopy(page)}

    def describe_vpn_gateways(self, region: str, p: dict[str, Any], rid: str) -> dict[str, Any]:
        """DescribeVpnGateways (§3.2)."""
        r = self._region(region)
        keys = {"vpc-id": "VpcId", "vpn-gateway-id": "VpnGatewayId", "type": "Type",
                "vpn-gateway-name": "VpnGatewayName", "public-ip-address": "PublicIpAddress",
                "renew-flag": "RenewFlag", "zone": "Zone"}
        total, page = select(list(r["vpn_gateways"].values()), p, ids_field="VpnGatewayIds",
                             id_key="VpnGatewayId", prefix="vpngw",
                             matchers={k: exact(v) for k, v in keys.items()})
        return {"TotalCount": total, "VpnGatewaySet": copy.deepcopy(page)}

    def describe_customer_gateways(self, region: str, p: dict[str, Any],
                                   rid: str) -> dict[str, Any]:
        """DescribeCustomerGateways (§3.3); VpnConnNum counts the live tunnels."""
        r = self._region(region)
        counts: dict[str, int] = {}
        for t in r["vpn_connections"].values():
            counts[t["CustomerGatewayId"]] = counts.get(t["CustomerGatewayId"], 0) + 1
        items = [{**c, "VpnConnNum": counts.get(c["CustomerGatewayId"], 0)}
                 for c in r["customer_gateways"].values()]
        total, page = select(items, p, ids_field="CustomerGatewayIds",
                             id_key="CustomerGatewayId", prefix="cgw", matchers={
                                 "customer-gateway-id": exact("CustomerGatewayId"),
                                 "customer-gateway-name": exact("CustomerGatewayName"),
                                 "ip-address": exact("IpAddress"),
                                 "ip-version": lambda i, v: "IPv4" in v})
        return {"TotalCount": total, "CustomerGatewaySet": copy.deepcopy(page)}

    def create_customer_gateway(self, region: str, p: dict[str, Any],
                                rid: str) -> dict[str, Any]:
        """CreateCustomerGateway (§3.8)."""
        r = self._region(region)
        check_name(p["CustomerGatewayName"], "CustomerGatewayName")
        ip = _public_ip(p["IpAddress"])
        asn = p.get("BgpAsn", 0)
        if "BgpAsn" in p and not 1 <= asn <= 4294967295:
            raise EmulatorError("InvalidParameterValue", f"BgpAsn={asn} is outside "
                                "[1, 4294967295].")
        if asn in _RESERVED_ASNS:
            raise EmulatorError("InvalidParameterValue", f"BgpAsn={asn} is reserved by "
                                "Tencent Cloud.")
        tags = check_tags(p.get("Tags", []))
        cgws = r["customer_gateways"]
        if any(c["IpAddress"] == str(ip) for c in cgws.values()):
            raise EmulatorError("UnsupportedOperation.RecordExists",
                                f"A customer gateway with IP {ip} already exists.")
        if len(cgws) >= CUSTOMER_GATEWAY_QUOTA:
            raise EmulatorError("LimitExceeded", f"At most {CUSTOMER_GATEWAY_QUOTA} customer "
                                "gateways per region.")
        cid = self._new_id("cgw", "customer_gateways")
        cgws[cid] = {"CustomerGatewayId": cid, "CustomerGatewayName": p["CustomerGatewayName"],
                     "IpAddress": str(ip), "CreatedTime": _fmt(self.clock()), "BgpAsn": asn,
                     "VpnConnNum": 0, "TagSet": tags}
        return {"CustomerGateway": copy.deepcopy(cgws[cid])}

    def describe_vpc_task_result(self, region: str, p: dict[str, Any],
                                 rid: str) -> dict[str, Any]:
        """DescribeVpcTaskResult (§3.7): RUNNING until the transition is due, then SUCCESS."""
        task = self.state["tasks"].get(p["TaskId"])
        if task is None or task["Region"] != region:
            raise EmulatorError("ResourceNotFound", f"The task {p['TaskId']} does not exist.")
        status = "SUCCESS" if self.clock() >= task["Due"] else "RUNNING"
        return {"Status": status, "Output": status if status == "SUCCESS" else "",
                "Result": [{"ResourceId": task["ResourceId"], "Status": status}]}


def _cidr_block(item: Mapping[str, Any], values: Sequence[str]) -> bool:
    """DescribeVpcs ``cidr-block``: the official example (tccli examples.json) sends
    ``10.0.0.0`` and gets the ``10.0.0.0/16`` VPC. A value with a prefix matches the CIDR
    exactly; one without matches the CIDR's network address (the example's case; the doc
    says no more, so containment is not assumed)."""
    cidr = str(item.get("CidrBlock", ""))
    return any(v == cidr or ("/" not in v and cidr.split("/", 1)[0] == v) for v in values)


def _public_ip(text: str) -> IPv4Address:
    try:
        ip = parse_address(text)
    except ValueError as exc:
        raise EmulatorError("InvalidParameterValue.Malformed", f"`IpAddress`: {exc}") from None
    if any(ip in net for net in _NOT_PUBLIC):
        raise EmulatorError("InvalidParameterValue", f"IpAddress {ip} is not a public address.")
    return ip


def _settled(section: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """A stored option section, readable by the rules: integers stored as strings (old
    responses, ref §2.4) become integers; a value its option refuses (a placeholder of loaded
    state) is left out, so a Modify that does not touch it cannot fail on it."""
    out: dict[str, Any] = {}
    for key, value in given.items():
        o = options.by_wire(section, key)
        if o is not None and o.kind == "int" and not o.wire_str and isinstance(value, str) \
                and value.strip().isdigit():
            value = int(value)
        if o is not None:
            try:
                check_option(o, value, key)
            except (EmulatorError, TypeError, ValueError, AttributeError):
                continue
        out[key] = copy.deepcopy(value)
    return out


#: Modify request field -> the tunnel fields it changes (others keep their stored values).
_WRITES: dict[str, tuple[str, ...]] = {
    "SecurityPolicyDatabases": ("SecurityPolicyDatabaseSet",),
    "EnableHealthCheck": ("EnableHealthCheck", "HealthCheckConfig"),
    "HealthCheckConfig": ("HealthCheckConfig",),
    "BgpConfig": ("BgpConfig",),
}


def _merge(view: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A create-shaped request: the tunnel as it is, overlaid by a Modify request."""
    # A placeholder the API reports for an unset field (DpdEnable -1, "" for NegotiationType,
    # DpdAction, health-check IPs; ref §2.1 notes) is not a value to re-validate: a Modify
    # that leaves such a field alone must not fail on it.
    base: dict[str, Any] = {k: copy.deepcopy(view[k]) for k in (
        "VpnConnectionName", "PreShareKey", "RouteType", "NegotiationType", "DpdEnable",
        "DpdTimeout", "DpdAction", "EnableHealthCheck", "HealthCheckLocalIp",
        "HealthCheckRemoteIp", "IKEOptionsSpecification", "IPSECOptionsSpecification")
        if k in view and view[k] != "" and not (k == "DpdEnable" and view[k] == -1)}
    for key, section in (("IKEOptionsSpecification", "ike"),
                         ("IPSECOptionsSpecification", "ipsec")):
        if isinstance(base.get(key), dict):
            base[key] = _settled(section, base[key])
    base["SecurityPolicyDatabases"] = copy.deepcopy(view["SecurityPolicyDatabaseSet"])
    if "BgpConfig" in view:
        base["BgpConfig"] = {k: view["BgpConfig"][k]
                             for k in ("TunnelCidr", "LocalBgpIp", "RemoteBgpIp")}
    if "HealthCheckConfig" in view:
        base["HealthCheckConfig"] = _settled("health_check_config", view["HealthCheckConfig"])
    ipsec = changes.get("IPSECOptionsSpecification", {})
    if "IntegrityAlgorith" in ipsec or "IntegrityAlgorithm" in ipsec:
        base["IPSECOptionsSpecification"].pop("IntegrityAlgorith", None)
        base["IPSECOptionsSpecification"].pop("IntegrityAlgorithm", None)
    for key, value in changes.items():
        if key in ("VpnConnectionId", "CustomerGatewayId"):
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base
