"""The account's tunnel quotas: read once per pre-flight, then counted row by row.

No doc gives a fixed number of tunnels per VPN gateway; the account's quotas are read with
DescribeVpcLimits (cloud.tencent.com product 248 doc 42942):

* ``vpn-gateway-max-custom-gateways``: tunnels per VPN gateway ("每个VPNGW可以创建的通道数");
* ``custom-gateway-max-vpn-connections``: tunnels per customer gateway;
* ``appid-max-vpn-connections``: tunnels per account (in a region).

:func:`read_limits` makes the one call of a pre-flight (the batch's, the plan's, the form's).
A quota that could not be read (an error, a sub-account without the permission:
``UnauthorizedOperation``, a type the answer leaves out) is never taken for "no limit": it is
reported as not checked (a warning) and nothing else changes. :class:`Quota` counts the
tunnels that exist plus those about to be created, in order; a tunnel past a quota is an
error with the code CreateVpnConnection answers for it, ``LimitExceeded`` (GOINTL
``client.go`` list; the emulator answers it, ``vpnkit/emulator/backend.py``).
:func:`move_waves` orders the Modifies that move tunnels between customer gateways so that
none passes the per-customer-gateway quota on the way (the plan's pre-flight counts the state
after all of them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from vpnkit.errors import ApiError, TransportError
from vpnkit.issue import Issue

__all__ = ["CODE", "PER_ACCOUNT", "PER_CUSTOMER_GATEWAY", "PER_GATEWAY", "TUNNEL_LIMITS",
           "UNCHECKED", "Quota", "customer_gateway_counts", "move_waves", "read_limits"]

K = TypeVar("K", bound=Hashable)

PER_GATEWAY = "vpn-gateway-max-custom-gateways"
PER_CUSTOMER_GATEWAY = "custom-gateway-max-vpn-connections"
PER_ACCOUNT = "appid-max-vpn-connections"
TUNNEL_LIMITS = (PER_GATEWAY, PER_CUSTOMER_GATEWAY, PER_ACCOUNT)
CODE = "LimitExceeded"
#: the code of the warning "the quotas were not checked" (vpnkit's, not the API's)
UNCHECKED = "QuotaNotChecked"
#: up to this many moves, a first pass that finds no order is checked against every order
_EXACT = 12


def read_limits(client: Any) -> tuple[dict[str, int] | None, list[Issue]]:
    """One DescribeVpcLimits call: ``(limits, warnings)``; ``limits`` is None if unread."""
    try:
        limits: dict[str, int] = client.describe_vpc_limits(list(TUNNEL_LIMITS))
    except (ApiError, TransportError) as exc:
        return None, [Issue("", UNCHECKED, f"could not read the account's tunnel quotas "
                            f"({exc}): tunnels per VPN gateway, per customer gateway and per "
                            "account are not checked before sending", "warning")]
    missing = [t for t in TUNNEL_LIMITS if t not in limits]
    if missing:
        return limits, [Issue("", UNCHECKED, f"DescribeVpcLimits did not answer "
                              f"{', '.join(missing)}: that quota is not checked", "warning")]
    return limits, []


class Quota:
    """Tunnels counted against the account's limits as new ones are planned, in order.

    ``on_gateway`` / ``on_customer_gateway``: the tunnels that exist per gateway / customer
    gateway; ``total``: the tunnels of the account in the region. A limit absent from
    ``limits`` is not checked (its warning came from :func:`read_limits`).
    """

    def __init__(self, limits: Mapping[str, int], on_gateway: Mapping[str, int],
                 on_customer_gateway: Mapping[str, int], total: int) -> None:
        self.limits = dict(limits)
        self.on_gateway: Counter[str] = Counter(on_gateway)
        self.on_customer_gateway: Counter[str] = Counter(on_customer_gateway)
        self.total = total
        self.existing = (Counter(on_gateway), Counter(on_customer_gateway), total)

    def check(self, gateway: str, customer_gateway: str) -> Issue | None:
        """The error if one more tunnel on ``gateway`` / ``customer_gateway`` passes a quota."""
        for kind, path, count, existing, what in (
                (PER_GATEWAY, "vpn_gateway_id", self.on_gateway[gateway],
                 self.existing[0][gateway], f"VPN gateway {gateway}"),
                (PER_CUSTOMER_GATEWAY, "customer_gateway_id",
                 self.on_customer_gateway[customer_gateway],
                 self.existing[1][customer_gateway], f"customer gateway {customer_gateway}"),
                (PER_ACCOUNT, "", self.total, self.existing[2], "this account (region)")):
            limit = self.limits.get(kind)
            if limit is not None and count >= limit:
                before = count - existing
                return Issue(path, CODE, f"would be tunnel {count + 1} of {what}, past the "
                             f"account's quota of {limit} ({kind}, DescribeVpcLimits): "
                             f"{existing} exist" + (f", {before} from earlier rows"
                                                    if before > 0 else ""))
        return None

    def move(self, customer_gateway: str) -> Issue | None:
        """A tunnel moved onto ``customer_gateway`` (a Modify, or a replace): its quota only,
        counted when it fits (the caller takes the tunnel off its old customer gateway)."""
        limit = self.limits.get(PER_CUSTOMER_GATEWAY)
        count = self.on_customer_gateway[customer_gateway]
        if limit is not None and count >= limit:
            return Issue("customer_gateway_id", CODE, f"moving the tunnel would make it tunnel "
                         f"{count + 1} of customer gateway {customer_gateway}, past the "
                         f"account's quota of {limit} ({PER_CUSTOMER_GATEWAY}, "
                         "DescribeVpcLimits)")
        self.on_customer_gateway[customer_gateway] += 1
        return None

    def take(self, gateway: str, customer_gateway: str) -> Issue | None:
        """:meth:`check`, and count the tunnel when it fits."""
        problem = self.check(gateway, customer_gateway)
        if problem is None:
            self.on_gateway[gateway] += 1
            self.on_customer_gateway[customer_gateway] += 1
            self.total += 1
        return problem


def customer_gateway_counts(customer_gateways: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Tunnels per customer gateway: its ``VpnConnNum`` (DescribeCustomerGateways, ref §3.3)."""
    return {str(c["CustomerGatewayId"]): int(c.get("VpnConnNum") or 0)
            for c in customer_gateways}


def move_waves(moves: Sequence[tuple[K, str, str]], on_customer_gateway: Mapping[str, int],
               limit: int | None) -> tuple[dict[K, int], list[K]]:
    """An order for tunnels moved in place between customer gateways (Modify, ref §3.6),
    each ``(key, from, to)``, that never passes the per-customer-gateway ``limit``.

    ``on_customer_gateway``: the tunnels each holds now. Returns ``(waves, stuck)``: wave 0
    fits now; wave n once the waves before it are done (their moves freed the room), so each
    wave may go in parallel. ``stuck``: the moves vpnkit found no order for (a swap between
    full customer gateways: whichever goes first is ``LimitExceeded``).

    Wave by wave, every move that fits goes, the scarce room first to moves off a full
    customer gateway that other moves wait for. When that leaves moves stuck and there are
    at most :data:`_EXACT` moves, every order is searched (the state after a set of moves is
    the same whatever their order, so sets suffice) and the one found is sent one by one;
    with more, ``stuck`` is the first pass's. ``limit`` None (not read): all in wave 0.
    """
    if limit is None:
        return {key: 0 for key, _, _ in moves}, []
    waves, stuck = _by_waves(moves, on_customer_gateway, limit)
    if stuck and len(moves) <= _EXACT:
        order = _any_order(moves, on_customer_gateway, limit)
        if order is not None:
            return {moves[i][0]: n for n, i in enumerate(order)}, []
    return waves, stuck


def _by_waves(moves: Sequence[tuple[K, str, str]], on_customer_gateway: Mapping[str, int],
              limit: int) -> tuple[dict[K, int], list[K]]:
    count: Counter[str] = Counter(on_customer_gateway)
    pending = list(moves)
    waves: dict[K, int] = {}
    wave = 0
    while pending:
        room = {to: limit - count[to] for _, _, to in pending}
        wanted = Counter(to for _, _, to in pending)
        now, later = [], []
        for move in sorted(pending, key=lambda m: (
                not (wanted[m[1]] and count[m[1]] >= limit), not wanted[m[1]])):
            if room[move[2]] > 0:
                room[move[2]] -= 1
                now.append(move)
            else:
                later.append(move)
        if not now:
            break
        for key, old, new in now:
            waves[key] = wave
            count[old] -= 1
            count[new] += 1
        pending, wave = later, wave + 1
    return waves, [key for key, _, _ in pending]


def _any_order(moves: Sequence[tuple[Any, str, str]], on_customer_gateway: Mapping[str, int],
               limit: int) -> list[int] | None:
    """One order of every move that fits the limit at each step (indexes), or None."""
    full = (1 << len(moves)) - 1
    came: dict[int, tuple[int, int]] = {0: (-1, -1)}
    frontier = [0]
    while frontier:
        nxt = []
        for done in frontier:
            count: Counter[str] = Counter(on_customer_gateway)
            for i, (_, old, new) in enumerate(moves):
                if done >> i & 1:
                    count[old] -= 1
                    count[new] += 1
            for i, (_, _, new) in enumerate(moves):
                after = done | 1 << i
                if done >> i & 1 or after in came or count[new] >= limit:
                    continue
                came[after] = (done, i)
                nxt.append(after)
        if full in came:
            order = []
            at = full
            while at:
                at, i = came[at]
                order.append(i)
            return order[::-1]
        frontier = nxt
    return None
