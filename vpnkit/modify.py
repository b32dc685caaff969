"""A partial change of a tunnel (ModifyVpnConnectionAttribute, §3.6): check it, compare it.

Pure, no I/O. A change is a mapping of spec attribute names (those of
:class:`~vpnkit.models.VpnConnectionSpec` that Modify can set, :data:`MODIFIABLE`) to model
values. :func:`change_issues` validates only what the change touches (with the tunnel as it
is for context, when known); :func:`unapplied` says which parts of a change a tunnel read
back does not show yet, which is how the client decides, after an unknown outcome, whether a
Modify landed (it is never re-sent blindly).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from vpnkit.gateway_version import CUSTOMER_GATEWAY_CHANGE, at_least
from vpnkit.models import VpnConnection, VpnConnectionSpec, spd_rules
from vpnkit.validate import Issue, errors, issues
from vpnkit.wire import MODIFY_FIELDS

__all__ = ["MODIFIABLE", "ModifyResult", "change_errors", "change_issues", "normalize", "unapplied"]

#: Spec attributes ModifyVpnConnectionAttribute can change (§3.6): not the gateway, VPC,
#: route type or tags.
MODIFIABLE: frozenset[str] = frozenset(MODIFY_FIELDS.values())
_SECTIONS = frozenset({"ike_options", "ipsec_options", "health_check_config", "bgp_config"})
_PLACEHOLDER_IDS = ("vpngw-00000000", "cgw-00000000")


@dataclass(frozen=True)
class ModifyResult:
    """What a Modify did.

    ``outcome`` is ``"ok"`` (the API answered success) or ``"reconciled"`` (the answer was
    lost or an InternalError, and a read of the tunnel showed the change applied; then
    ``request_id`` may be the failed call's or None). ``fields`` are the attributes sent.
    """

    vpn_connection_id: str
    request_id: str | None
    outcome: str
    fields: tuple[str, ...]


def normalize(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values and read the SPD from any shape :func:`spd_rules` accepts."""
    out = {k: v for k, v in changes.items() if v is not None}
    if "security_policy_databases" in out:
        out["security_policy_databases"] = spd_rules(out["security_policy_databases"])
    return out


def _root(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def change_issues(changes: Mapping[str, Any], current: VpnConnection | None = None, *,
                  vpc_cidr: str | None = None,
                  gateway_version: str | None = None) -> list[Issue]:
    """Every problem with the changed fields (errors and warnings); never raises.

    The change is overlaid on ``current`` (or on placeholders) and validated as a create
    spec; only issues on the changed attributes are kept, so a tunnel the API itself
    reported (e.g. any-any SPDs of a route-based tunnel, ref §2.1) never blocks an
    unrelated change.
    """
    unknown = [Issue(k, "UnknownParameter",
                     f"{k!r} cannot be changed by ModifyVpnConnectionAttribute")
               for k in changes if k not in MODIFIABLE]
    known = {k: v for k, v in changes.items() if k in MODIFIABLE}
    if current is not None:
        base = current.to_spec()
        values = {f.name: getattr(base, f.name) for f in fields(VpnConnectionSpec)}
    else:
        values = {"vpn_gateway_id": _PLACEHOLDER_IDS[0],
                  "customer_gateway_id": _PLACEHOLDER_IDS[1],
                  "vpn_connection_name": "unchanged", "pre_share_key": "",
                  "route_type": "Bgp" if "bgp_config" in known else None,
                  "profile": None}  # a change is validated as given, not profile-filled
    values.update(known)
    spec = VpnConnectionSpec(**values)
    found = issues(spec, vpc_cidr=vpc_cidr, gateway_version=gateway_version)
    if "customer_gateway_id" in known and gateway_version is not None and \
            not at_least(gateway_version, CUSTOMER_GATEWAY_CHANGE) and (
                current is None or known["customer_gateway_id"] != current.customer_gateway_id):
        # ref §3.6: "对端网关ID，4.0及以上网关下的通道支持更新"
        found.append(Issue("customer_gateway_id", "UnsupportedOperation",
                           f"can change only on a 4.0 or later VPN gateway; this one is "
                           f"{gateway_version}"))
    return unknown + [i for i in found if _root(i.path) in known]


def change_errors(changes: Mapping[str, Any], current: VpnConnection | None = None,
                  **context: Any) -> list[Issue]:
    """Only the error-level issues of :func:`change_issues`."""
    return errors(change_issues(changes, current, **context))


def _same_section(want: Any, have: Any) -> bool:
    if have is None:
        return False
    for f in fields(want):
        value = getattr(want, f.name)
        if value is None or not f.compare:  # integrity_field: a wire spelling, not a value
            continue
        got = getattr(have, f.name)
        if str(value) != str(got):  # old responses carry integers as strings (§2.1)
            return False
    return True


def _pairs(rules: Any) -> set[tuple[str, str]]:
    return {(r.local_cidr_block, remote) for r in spd_rules(rules)
            for remote in r.remote_cidr_blocks}


def unapplied(conn: VpnConnection, changes: Mapping[str, Any]) -> list[str]:
    """The attributes of ``changes`` that ``conn`` (read back) does not show.

    SPDs compare as sets of (VPC range, IDC range) pairs, so the API's order is no
    difference; an option section compares only the options the change sets. A pre-shared
    key compares by value when the read carries one; if it does not, it counts as unapplied.
    """
    have = conn.to_spec()
    missing: list[str] = []
    for attr, want in normalize(changes).items():
        if attr == "security_policy_databases":
            ok = _pairs(want) == _pairs(conn.security_policy_databases)
        elif attr in _SECTIONS:
            ok = _same_section(want, getattr(have, attr))
        elif attr == "pre_share_key":
            ok = conn.pre_share_key is not None and conn.pre_share_key == want
        else:
            ok = str(getattr(have, attr, None)) == str(want)
        if not ok:
            missing.append(attr)
    return missing
