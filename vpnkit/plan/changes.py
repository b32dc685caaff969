"""The comparison of one desired tunnel with its live self: field changes, no I/O.

See :mod:`vpnkit.plan` for the rules (what is compared, placeholders, SPD sets, the key).
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from vpnkit import options
from vpnkit.errors import VpnkitError
from vpnkit.gateway_version import CUSTOMER_GATEWAY_CHANGE, at_least
from vpnkit.models import (
    BgpConfig,
    HealthCheckConfig,
    IkeOptions,
    IpsecOptions,
    SpdRule,
    VpnConnection,
    VpnConnectionSpec,
)
from vpnkit.tags import TagDiff, tag_diff

__all__ = ["ACTIONS", "HIDDEN", "IMMUTABLE", "Change", "FieldChange", "PlanError", "diff",
           "spd_pairs", "tag_change"]


class PlanError(VpnkitError):
    """The plan could not be made or applied (the message says why; nothing was sent)."""


ACTIONS = ("create", "modify", "replace", "delete", "unchanged")
#: what Modify can never change (§3.6); the gateway is part of the match key
IMMUTABLE = ("vpc_id", "route_type")
_SECTIONS: dict[str, tuple[str, type[Any]]] = {
    "ike_options": ("ike", IkeOptions),
    "ipsec_options": ("ipsec", IpsecOptions),
    "health_check_config": ("health_check_config", HealthCheckConfig),
}
#: tunnel-level options compared one by one (the key and the SPD have their own rules)
_TOP = tuple(o.name for o in options.by_section("spec") if not o.secret)
HIDDEN = "(hidden)"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its path, and before/after as shown (a key is never shown)."""

    path: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.path}: {self.before} -> {self.after}"


@dataclass
class Change:
    """One row of a plan: what happens to one tunnel."""

    action: str
    vpn_gateway_id: str
    name: str
    vpn_connection_id: str | None = None
    row: int | None = None
    fields: tuple[FieldChange, ...] = ()
    #: the pre-shared key: new, changed, unchanged, not managed, unknown ("" for a delete)
    key: str = ""
    notes: tuple[str, ...] = ()
    spec: VpnConnectionSpec | None = field(default=None, repr=False)
    live: VpnConnection | None = field(default=None, repr=False)
    #: the ModifyVpnConnectionAttribute change (spec attribute -> model value)
    modify: dict[str, Any] = field(default_factory=dict, repr=False)
    #: a create that finishes an interrupted replace: the old tunnel's id (the journal's
    #: intent, :mod:`vpnkit.batch.journal`); ``live`` is that tunnel while still DELETING
    replaces: str | None = None
    #: a Modify that moves its tunnel to another customer gateway: apply sends wave n once
    #: the waves before it are done (their moves free the room, :func:`vpnkit.quotas.move_waves`)
    wave: int = 0
    #: the Tag-service change of a modify (ModifyResourceTags after the Modify; a create
    #: or replace carries its tags in CreateVpnConnection instead)
    tags: TagDiff | None = field(default=None, repr=False)

    @property
    def key_tuple(self) -> tuple[str, str]:
        """(gateway, name): the match key."""
        return self.vpn_gateway_id, self.name

    def describe(self) -> str:
        """The changed fields on one line (``path: before -> after; ...``)."""
        return "; ".join(str(f) for f in self.fields)


# --- comparing one tunnel -----------------------------------------------------------------

def _unset(value: Any) -> Any:
    """A live value with the API's placeholders read as "not set" (§2.1 notes, §1.2)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _same(want: Any, have: Any) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have or (have is not None and bool(want) == bool(have)
                                and type(want) is type(have))
    if isinstance(want, int) and isinstance(have, str) and have.strip().lstrip("-").isdigit():
        return want == int(have)  # old responses carry integers as strings (§2.4)
    return bool(want == have)


def _show(value: Any) -> str:
    return "(not set)" if value is None else str(value)


def spd_pairs(rules: Sequence[SpdRule]) -> frozenset[tuple[str, str]]:
    """An SPD as the set of (VPC range, IDC range) pairs it negotiates (§2.1)."""
    return frozenset((r.local_cidr_block, remote) for r in rules
                     for remote in r.remote_cidr_blocks)


def _pairs_text(pairs: frozenset[tuple[str, str]]) -> str:
    return ", ".join(f"{a}={b}" for a, b in sorted(pairs)) or "(none)"


def _live_top(live: VpnConnection, name: str) -> Any:
    value = _unset(getattr(live, name, None))
    if name == "dpd_enable" and value not in (0, 1):
        return None  # DpdEnable -1 in the official examples means "not set" (§1.2)
    return value


def _live_section(live: VpnConnection, attr: str) -> Any:
    if attr == "bgp_config":
        bgp = live.bgp_config
        if not bgp:
            return None
        return BgpConfig(str(bgp.get("TunnelCidr", "")), str(bgp.get("LocalBgpIp", "")),
                         str(bgp.get("RemoteBgpIp", "")))
    return getattr(live, attr)


def _section_changes(attr: str, want: Any, have: Any) -> tuple[list[FieldChange], Any]:
    """Changed options of one nested section, and the section to send (live + desired)."""
    found = []
    for f in fields(want):
        value = getattr(want, f.name)
        if value is None:
            continue
        current = _unset(getattr(have, f.name)) if have is not None else None
        if not _same(value, current):
            found.append(FieldChange(f"{attr}.{f.name}", _show(current), _show(value)))
    if not found:
        return [], None
    if attr == "bgp_config" or have is None:
        return found, want
    # Send the whole section, live values overlaid by the desired ones: what the gateway
    # runs is then stated in full, whatever the API does with a partial section.
    base = {f.name: _unset(getattr(have, f.name)) for f in fields(have)}
    base.update({f.name: getattr(want, f.name) for f in fields(want)
                 if getattr(want, f.name) is not None})
    return found, type(want)(**base)


def diff(spec: VpnConnectionSpec, live: VpnConnection, *,
         gateway_version: str | None = None) -> tuple[str, list[FieldChange], dict[str, Any],
                                                      str, list[str]]:
    """Compare a desired spec with the live tunnel of the same (gateway, name).

    Returns ``(action, fields, modify, key, notes)``: ``action`` is ``unchanged``,
    ``modify`` or ``replace``; ``modify`` is the ModifyVpnConnectionAttribute change
    (spec attributes -> values); ``key`` says ``changed`` / ``unchanged`` / ``not managed`` /
    ``unknown`` without ever holding the key.
    """
    found: list[FieldChange] = []
    modify: dict[str, Any] = {}
    notes: list[str] = []
    immutable: list[FieldChange] = []
    for name in (*IMMUTABLE, "customer_gateway_id"):
        want = getattr(spec, name)
        have = _unset(getattr(live, name))
        if want is None or (name == "vpc_id" and not want and not have):
            continue
        if not _same(want, have):
            change = FieldChange(name, _show(have), _show(want))
            if name == "customer_gateway_id" and at_least(gateway_version,
                                                          CUSTOMER_GATEWAY_CHANGE):
                found.append(change)  # §3.6: updatable on gateways of version >= 4.0
                modify[name] = want
            else:
                immutable.append(change)
    for name in _TOP:
        if name in IMMUTABLE:
            continue
        want = getattr(spec, name)
        if want is None:
            continue
        have = _live_top(live, name)
        if not _same(want, have):
            found.append(FieldChange(name, _show(have), _show(want)))
            modify[name] = want
    if spec.security_policy_databases:
        want_pairs = spd_pairs(spec.security_policy_databases)
        have_pairs = spd_pairs(live.security_policy_databases)
        if want_pairs != have_pairs:
            added, removed = want_pairs - have_pairs, have_pairs - want_pairs
            found.append(FieldChange(
                "security_policy_databases", _pairs_text(have_pairs), _pairs_text(want_pairs)
                + f" (+{len(added)} -{len(removed)})"))
            modify["security_policy_databases"] = spec.security_policy_databases
    for attr in (*_SECTIONS, "bgp_config"):
        want_section = getattr(spec, attr)
        if want_section is None:
            continue
        changed, send = _section_changes(attr, want_section, _live_section(live, attr))
        if changed:
            found += changed
            modify[attr] = send
    key = _key_status(spec.pre_share_key, live.pre_share_key)
    if key == "changed":
        found.append(FieldChange("pre_share_key", HIDDEN, "(changed, not shown)"))
        modify["pre_share_key"] = spec.pre_share_key
    elif key == "unknown":
        notes.append("the API did not return the pre-shared key, so it was not compared")
    tags = tag_change(spec, live)
    if tags:
        found.append(FieldChange("tags", _tags_text(live.tags), _tags_text(spec.tags)))
    if immutable:
        notes.append("Modify cannot change " + ", ".join(c.path for c in immutable)
                     + ": applying deletes and re-creates the tunnel (replace=True)")
        return "replace", immutable + found, {}, key, notes
    return ("modify" if modify or tags else "unchanged"), found, modify, key, notes


def tag_change(spec: VpnConnectionSpec, live: VpnConnection) -> TagDiff:
    """What the Tag service must do for ``live`` to carry exactly ``spec``'s tags.

    Tags are managed when the desired state sets some (none: the live ones stand, like any
    option left empty); then a live key the spec lacks is unbound, system keys excepted
    (:func:`vpnkit.tags.tag_diff`). ModifyVpnConnectionAttribute has no Tags (§3.6).
    """
    if not spec.tags:
        return TagDiff()
    return tag_diff(((t.key, t.value or "") for t in spec.tags),
                    ((t.key, t.value or "") for t in live.tags))


def _tags_text(tags: Sequence[Any]) -> str:
    return ", ".join(f"{t.key}={t.value or ''}" for t in sorted(tags, key=lambda t: t.key)) \
        or "(none)"


def _key_status(want: str | None, have: str | None) -> str:
    if not want:
        return "not managed"
    if have is None:
        return "unknown"
    same = hmac.compare_digest(want.encode("utf-8"), have.encode("utf-8"))
    return "unchanged" if same else "changed"
