"""API responses and models -> pandas DataFrames (pure functions; pandas is imported only here).

Column scheme (see :data:`COLUMNS` / :func:`column_map` for the full documented mapping):

* top-level fields keep their snake_case name: ``VpnConnectionId`` -> ``vpn_connection_id``;
* options of a nested object take the section prefix plus the option's name from
  :mod:`vpnkit.options`: ``ike_`` (IKEOptionsSpecification), ``ipsec_``
  (IPSECOptionsSpecification), ``bgp_`` (BgpConfig), ``hc_`` (HealthCheckConfig), e.g.
  ``ike_encryption_algorithm``, ``ipsec_integrity_algorithm``, ``bgp_tunnel_cidr``,
  ``hc_probe_interval``;
* ``tags`` is a ``{key: value}`` column and each key also gets a ``tag:<key>`` column;
* secret fields (the pre-shared key) are never read: they have no column at all.

Dtypes: ids/addresses ``string``, enums ``category`` (the documented values plus any unknown
one seen), integers nullable ``Int64`` (old responses carry some as strings, §2.4), flags
``boolean``, times tz-aware (``0000-00-00 00:00:00`` while pending -> ``NaT``). Each frame
builder also accepts an empty list and returns every column with its dtype.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta, timezone
from itertools import chain, repeat
from operator import itemgetter
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from vpnkit import options
from vpnkit.cidr import parse_block
from vpnkit.models import VpnConnection
from vpnkit.validate import Issue

__all__ = [
    "API_TZ",
    "COLUMNS",
    "column_map",
    "connections_frame",
    "customer_gateways_frame",
    "issues_frame",
    "spd_frame",
    "spd_overlaps",
    "vpcs_frame",
    "vpn_gateways_frame",
]

#: The API's "YYYY-MM-DD HH:MM:SS" times are China Standard Time (UTC+8; no DST since 1991)
#: in every region. We attach that fixed offset (exact, and needs no tz database); use
#: ``.dt.tz_convert(...)`` for another zone. Comparisons with UTC columns just work.
API_TZ = timezone(timedelta(hours=8), "UTC+08:00")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

#: section of options.py -> column prefix
PREFIXES = {"ike": "ike_", "ipsec": "ipsec_", "bgp": "bgp_", "health_check_config": "hc_"}

# (column, wire path, kind, categories). Kinds: str, cat, int, bool, time, obj.
_Col = tuple[str, tuple[str, ...], str, tuple[Any, ...]]

# VpnConnection fields that are output-only (§2.4), hence not in the options table.
_OUTPUT_ONLY: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "vpn_connection_id": ("VpnConnectionId", "str", ()),
    "vpn_connection_name": ("VpnConnectionName", "str", ()),
    "vpc_id": ("VpcId", "str", ()),
    "vpn_gateway_id": ("VpnGatewayId", "str", ()),
    "customer_gateway_id": ("CustomerGatewayId", "str", ()),
    "vpn_proto": ("VpnProto", "cat", ("IPSEC",)),
    "encrypt_proto": ("EncryptProto", "cat", ("IKE",)),
    "created_time": ("CreatedTime", "time", ()),
    "state": ("State", "cat", ("PENDING", "AVAILABLE", "DELETING")),
    "net_status": ("NetStatus", "cat", ("AVAILABLE", "UNAVAILABLE")),
    "health_check_status": ("HealthCheckStatus", "cat", ("AVAILABLE", "UNAVAILABLE")),
}
# §2.4 order; names not in _OUTPUT_ONLY are tunnel-level rows of options.py.
_ORDER = ("vpn_connection_id", "vpn_connection_name", "vpc_id", "vpn_gateway_id",
          "customer_gateway_id", "vpn_proto", "encrypt_proto", "route_type", "created_time",
          "state", "net_status", "enable_health_check", "health_check_local_ip",
          "health_check_remote_ip", "health_check_status", "dpd_enable", "dpd_timeout",
          "dpd_action", "negotiation_type")
# BgpConfigAndAsn (output) adds two ASNs to the request's BgpConfig (§2.5); strings on the wire.
_BGP_ASNS = (("bgp_local_bgp_asn", ("BgpConfig", "LocalBgpAsn"), "int", ()),
             ("bgp_remote_bgp_asn", ("BgpConfig", "RemoteBgpAsn"), "int", ()))
# Responses use the deprecated spelling; the new one is read when the old is absent (§2.3).
_ALIASES = {("IPSECOptionsSpecification", "IntegrityAlgorith"): "IntegrityAlgorithm"}


def _option_col(opt: options.Option, column: str, path: tuple[str, ...]) -> _Col:
    kind = {"int": "int", "bool": "bool"}.get(opt.kind, "cat" if opt.choices else "str")
    return column, path, kind, opt.choices


def _connection_schema() -> tuple[_Col, ...]:
    cols: list[_Col] = []
    for name in _ORDER:
        if name in _OUTPUT_ONLY:
            wire, kind, cats = _OUTPUT_ONLY[name]
            cols.append((name, (wire,), kind, cats))
        else:
            opt = options.get("spec", name)
            cols.append(_option_col(opt, name, (opt.wire,)))
    for section, prefix in PREFIXES.items():
        parent = options.SECTIONS[section][1]
        cols += [_option_col(o, prefix + o.name, (parent, o.wire))
                 for o in options.by_section(section) if not o.secret]
        if section == "bgp":
            cols += _BGP_ASNS
    return tuple(cols)


_CONN = _connection_schema()
# per-tunnel values (ids, times, addresses): converted row by row, never de-duplicated
_DIRECT = frozenset(("vpn_connection_id", "vpn_connection_name", "vpc_id", "vpn_gateway_id",
                     "customer_gateway_id", "created_time", "health_check_local_ip",
                     "health_check_remote_ip"))
_EXTRA = {"spd_count": "len(SecurityPolicyDatabaseSet)",
          "tags": "TagSet as {Key: Value}", "tag:<key>": "TagSet[Key=<key>].Value"}

#: connections_frame column -> where it comes from in a VpnConnectionSet element.
COLUMNS: Mapping[str, str] = MappingProxyType(
    {c[0]: ".".join(c[1]) for c in _CONN} | _EXTRA)


def column_map() -> pd.DataFrame:
    """The documented mapping: column, wire path, dtype kind and help text (from options.py)."""
    helps = {prefix_col: o.help for o in options.OPTIONS
             for prefix_col in (PREFIXES.get(o.section, "") + o.name,)}
    rows = [{"column": c, "wire": ".".join(p), "kind": k, "help": helps.get(c, "")}
            for c, p, k, _ in _CONN]
    rows += [{"column": c, "wire": w, "kind": "int" if c.startswith("spd") else "obj",
              "help": ""} for c, w in _EXTRA.items()]
    return pd.DataFrame(rows, columns=["column", "wire", "kind", "help"])


# --- converters --------------------------------------------------------------------------

_EMPTY: dict[str, Any] = {}  # read-only stand-in for a missing nested object


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else _EMPTY


def _int(value: Any) -> int | None:
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.lstrip("-").isdigit() else None
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value if isinstance(value, bool) else None


def _ints(values: list[Any]) -> pd.arrays.IntegerArray:
    """Nullable Int64 from ints, numeric strings ("86400", §2.4) and nulls; others -> NA."""
    try:  # C-speed path: every value is a number, a numeric string or None (-> NaN)
        floats = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError):
        return pd.array([v if type(v) is int or v is None else _int(v) for v in values],
                        dtype="Int64")
    if np.any(np.abs(floats) >= 2.0**53):  # beyond exact floats: take the careful path
        return pd.array([_int(v) for v in values], dtype="Int64")
    mask = ~np.isfinite(floats) | (floats != np.floor(floats))
    return pd.arrays.IntegerArray(np.where(mask, 0, floats).astype(np.int64), mask)


def _text(values: list[Any]) -> list[Any]:
    return [v if v is None or type(v) is str else str(v) for v in values]


def _category(values: list[Any], cats: tuple[Any, ...]) -> pd.Categorical:
    """Documented values first, then any other seen; codes built by one dict lookup each."""
    try:
        seen: set[Any] = set(values)
    except TypeError:  # unhashable odd values (lists)
        seen = {0}
    if not all(v is None or type(v) is str for v in seen):  # odd values: use their text
        values = _text(values)
        seen = set(values)
    categories = [str(c) for c in cats]
    categories += sorted(seen.difference(categories, (None,)))
    index = {c: i for i, c in enumerate(categories)}
    codes = np.fromiter(map(index.get, values, repeat(-1)), dtype=np.int32, count=len(values))
    return pd.Categorical.from_codes(codes, categories=categories)


def _convert(values: list[Any], kind: str, cats: tuple[Any, ...]) -> Any:
    if kind == "str":
        return pd.array(values, dtype="string")  # non-strings become their text
    if kind == "cat":
        return _category(values, cats)
    if kind == "int":
        return _ints(values)
    if kind == "bool":
        return pd.array([v if v is None or type(v) is bool else _bool(v) for v in values],
                        dtype="boolean")
    if kind == "time":
        return _times(values)
    return pd.Series(values, dtype=object).to_numpy()  # obj: lists kept as they are


def _times(values: list[Any]) -> pd.DatetimeIndex:
    parsed = pd.to_datetime(pd.Series(_text(values), dtype=object), format=_TIME_FORMAT,
                            errors="coerce")
    return pd.DatetimeIndex(parsed).as_unit("s").tz_localize(API_TZ)


def _column(objs: Sequence[Mapping[str, Any]], col: _Col, depth: int) -> list[Any]:
    """One column's raw values; a None under a deprecated name falls back to the new one."""
    key = col[1][depth]
    try:  # C-speed when every object has the key (the usual response)
        values = list(map(itemgetter(key), objs))
    except (KeyError, TypeError):
        values = [o.get(key) for o in objs]
    alias = _ALIASES.get((col[1][0], key)) if depth else None
    if alias and None in values:
        values = [o.get(alias) if v is None else v for v, o in zip(values, objs, strict=True)]
    return values


def _repeats(columns: Sequence[list[Any]], n: int, sample: int = 256) -> bool:
    """Whether de-duplicating is likely to pay: at most half of a leading sample is distinct
    (hashing every row of 10,000 all-distinct profiles only to give up costs ~15 %)."""
    if n <= 2 * sample:
        return True
    try:
        seen = set(zip(*(c[:sample] for c in columns), strict=True))
    except TypeError:  # unhashable odd values
        return False
    return len(seen) * 2 <= sample


def _converted(objs: Sequence[Mapping[str, Any]], cols: Sequence[_Col], depth: int, *,
               dedupe: bool) -> dict[str, Any]:
    """Columns ``cols`` of ``objs`` (dicts), one list comprehension and one vectorised
    conversion per column. With ``dedupe``, when at most half the rows are distinct in all
    of ``cols`` (tunnels share a few crypto profiles), each distinct row is converted once
    and the columns are taken by code."""
    columns = [_column(objs, c, depth) for c in cols]
    n = len(objs)
    if dedupe and len(cols) > 1 and n > 1 and _repeats(columns, n):
        index: dict[tuple[Any, ...], int] = {}
        add = index.setdefault
        try:
            codes = [add(t, len(index)) for t in zip(*columns, strict=True)]
        except TypeError:  # an unhashable value (a list where a string belongs)
            codes = []
        if codes and len(index) * 2 <= n:
            take = np.asarray(codes, dtype=np.intp)
            uniques = [list(v) for v in zip(*index, strict=True)]
            return {c[0]: _convert(u, c[2], c[3]).take(take)
                    for c, u in zip(cols, uniques, strict=True)}
    return {c[0]: _convert(v, c[2], c[3]) for c, v in zip(cols, columns, strict=True)}


def _extract(rows: Sequence[Mapping[str, Any]], schema: Sequence[_Col],
             direct: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Columns straight from the dicts (no model objects, no per-row Python objects).
    ``direct`` columns (ids, times, addresses) are never de-duplicated; the other top-level
    columns, and each nested object's, are (see :func:`_converted`)."""
    data = _converted(rows, [c for c in schema if c[0] in direct], 0, dedupe=False)
    top = [c for c in schema if len(c[1]) == 1 and c[0] not in direct]
    data |= _converted(rows, top, 0, dedupe=True)
    n = len(rows)
    for parent in dict.fromkeys(c[1][0] for c in schema if len(c[1]) > 1):
        cols = [c for c in schema if len(c[1]) > 1 and c[1][0] == parent]
        objs: list[Any] = [r.get(parent) for r in rows]
        if set(map(type, objs)) == {dict}:
            data |= _converted(objs, cols, 1, dedupe=True)
        elif objs.count(None) == n:  # absent everywhere: one all-NA row, taken
            nulls = np.zeros(n, dtype=np.intp)
            data |= {k: v.take(nulls) for k, v in
                     _converted([_EMPTY], cols, 1, dedupe=False).items()}
        else:
            data |= _converted([_obj(o) for o in objs], cols, 1, dedupe=True)
    return {c[0]: data[c[0]] for c in schema}


def _tag_dict(tags: Any) -> dict[str, Any]:
    if not isinstance(tags, list | tuple):
        return {}
    return {str(t.get("Key")): t.get("Value") for t in tags if isinstance(t, Mapping)}


def _add_tags(data: dict[str, Any], rows: Sequence[Mapping[str, Any]]) -> None:
    sets = [r.get("TagSet") for r in rows]
    try:
        tags = [{t["Key"]: t["Value"] for t in ts} if ts else {} for ts in sets]
    except (KeyError, TypeError):  # odd shapes: skip what is not a tag
        tags = [_tag_dict(ts) if ts else {} for ts in sets]
    data["tags"] = pd.Series(tags, dtype=object).to_numpy()
    for key in sorted(set().union(*tags)):
        data[f"tag:{key}"] = pd.array(_text([t.get(key) for t in tags]), dtype="string")


def _frame(data: dict[str, Any], n: int) -> pd.DataFrame:
    return pd.DataFrame(data, index=pd.RangeIndex(n))


def _as_dict(conn: Mapping[str, Any] | VpnConnection) -> Mapping[str, Any]:
    """A model object in the response's own shape (the pre-shared key is left out)."""
    if isinstance(conn, Mapping):
        return conn
    out: dict[str, Any] = {c[1][0]: getattr(conn, c[0], None) for c in _CONN if len(c[1]) == 1}
    for section in PREFIXES:
        attr, wire = options.SECTIONS[section]
        obj = getattr(conn, attr, None)
        if isinstance(obj, Mapping):  # VpnConnection.bgp_config keeps the wire dict
            out[wire] = obj
        elif obj is not None:
            out[wire] = {o.wire: getattr(obj, o.name, None) for o in options.by_section(section)}
    out["SecurityPolicyDatabaseSet"] = [
        {"LocalCidrBlock": r.local_cidr_block, "RemoteCidrBlock": list(r.remote_cidr_blocks)}
        for r in conn.security_policy_databases]
    out["TagSet"] = [{"Key": t.key, "Value": t.value} for t in conn.tags]
    return out


def _rows(items: Iterable[Any]) -> list[Mapping[str, Any]]:
    return [c if type(c) is dict else _as_dict(c) for c in items]


# --- public builders ---------------------------------------------------------------------

def connections_frame(conns: Iterable[Mapping[str, Any] | VpnConnection]) -> pd.DataFrame:
    """One row per tunnel from ``VpnConnectionSet`` dicts and/or ``VpnConnection`` objects."""
    rows = _rows(conns)
    data = _extract(rows, _CONN, _DIRECT)
    spds = [r.get("SecurityPolicyDatabaseSet") or () for r in rows]
    data["spd_count"] = pd.array([len(s) if isinstance(s, list) else 0 for s in spds],
                                 dtype="Int64")
    _add_tags(data, rows)
    return _frame(data, len(rows))


def _remotes(entry: Mapping[str, Any]) -> Sequence[Any]:
    remote = entry.get("RemoteCidrBlock")
    if isinstance(remote, str):
        return (remote,)
    return remote if isinstance(remote, list) and remote else (None,)


def _block(cidr: str) -> tuple[int, int, int, int]:
    """``(first, last, prefixlen, addresses)`` of a CIDR (``ValueError`` if it is not one)."""
    first, last = parse_block(cidr)
    size = last - first + 1
    return first, last, 33 - size.bit_length(), size


def _block_columns(cidrs: Any) -> list[pd.arrays.IntegerArray]:
    """first, last, prefixlen, addresses of a ``string`` array; each distinct CIDR parsed once."""
    codes, uniques = cidrs.factorize()
    table = np.zeros((len(uniques) + 1, 4), dtype=np.int64)
    valid = np.zeros(len(uniques) + 1, dtype=bool)  # the last row stands for "no CIDR"
    for i, cidr in enumerate(uniques):
        try:
            table[i] = _block(cidr)
            valid[i] = True
        except ValueError:
            pass
    rows = np.where(codes < 0, len(uniques), codes)
    mask = ~valid[rows]
    return [pd.arrays.IntegerArray(table[rows, j], mask) for j in range(4)]


_SPD_IDS = ("vpn_connection_id", "vpn_connection_name", "vpn_gateway_id", "vpc_id",
            "customer_gateway_id")
_Entries = tuple[Any, Any, list[Any], Any, list[Any]]


def _spd_entries(rows: Sequence[Mapping[str, Any]]) -> _Entries:
    """Per SPD entry: tunnel row, entry index, local CIDR, remote count; and the remotes of
    all entries, flat. Any shape: odd entries are skipped, odd remotes kept visible."""
    sets = [r.get("SecurityPolicyDatabaseSet") or () for r in rows]
    flat = list(chain.from_iterable(sets))
    try:  # the well-formed answer, flattened by C-level maps: no per-entry Python code
        if not set(map(type, sets)) <= {list, tuple} or not set(map(type, flat)) <= {dict}:
            raise TypeError
        remotes = list(map(itemgetter("RemoteCidrBlock"), flat))
        if not set(map(type, remotes)) <= {list} or not all(remotes):
            raise TypeError
        local = list(map(itemgetter("LocalCidrBlock"), flat))
    except (KeyError, TypeError):
        return _spd_entries_careful(rows)
    per_row = np.fromiter(map(len, sets), dtype=np.intp, count=len(sets))
    owner = np.repeat(np.arange(len(sets)), per_row)
    starts = np.repeat(np.cumsum(per_row) - per_row, per_row)
    rule = np.arange(len(flat)) - starts
    counts = np.fromiter(map(len, remotes), dtype=np.intp, count=len(remotes))
    return owner, rule, local, counts, list(chain.from_iterable(remotes))


def _spd_entries_careful(rows: Sequence[Mapping[str, Any]]) -> _Entries:
    """:func:`_spd_entries` for odd shapes, one entry at a time."""
    owner: list[int] = []
    rule: list[int] = []
    local: list[Any] = []
    counts: list[int] = []
    remote: list[Any] = []  # per (entry, remote) pair
    for n, row in enumerate(rows):
        spd = row.get("SecurityPolicyDatabaseSet")
        if not spd or not isinstance(spd, list):
            continue
        for i, entry in enumerate(spd):
            if type(entry) is not dict and not isinstance(entry, Mapping):
                continue
            rem = entry.get("RemoteCidrBlock")
            if type(rem) is not list or not rem:
                rem = _remotes(entry)
            owner.append(n)
            rule.append(i)
            local.append(entry.get("LocalCidrBlock"))
            counts.append(len(rem))
            remote += rem
    return owner, rule, local, counts, remote


def spd_frame(conns: Iterable[Mapping[str, Any] | VpnConnection]) -> pd.DataFrame:
    """One row per (tunnel, local CIDR, remote CIDR) with prefix lengths, sizes and ranges.

    ``*_first``/``*_last`` are the integer first and last addresses (for overlap and coverage
    arithmetic); a value that is not a CIDR keeps its text and gets NA numbers. An SPD entry
    with no remote CIDR gives one row with an NA remote, so it stays visible.
    """
    rows = _rows(conns)
    owner, rule, local, counts, remote = _spd_entries(rows)
    expand = np.repeat(np.arange(len(counts)), counts)  # entry -> pair rows
    take = np.asarray(owner, dtype=np.intp)[expand]
    data: dict[str, Any] = {}
    for column in _SPD_IDS:
        wire = _OUTPUT_ONLY[column][0]
        ids = _column(rows, (column, (wire,), "str", ()), 0)
        data[column] = pd.array(ids, dtype="string").take(take)
    data["rule_index"] = pd.arrays.IntegerArray(np.asarray(rule, dtype=np.int64)[expand],
                                                np.zeros(len(expand), dtype=bool))
    local_texts = pd.array(local, dtype="string")
    remote_texts = pd.array(remote, dtype="string")
    data["local_cidr_block"] = local_texts.take(expand)
    data["remote_cidr_block"] = remote_texts
    first, last, plen, size = (a.take(expand) for a in _block_columns(local_texts))
    rfirst, rlast, rplen, rsize = _block_columns(remote_texts)
    data |= {"local_prefixlen": plen, "remote_prefixlen": rplen, "local_addresses": size,
             "remote_addresses": rsize, "local_first": first, "local_last": last,
             "remote_first": rfirst, "remote_last": rlast}
    return _frame(data, len(expand))


def spd_overlaps(spd: pd.DataFrame, *, within: str | None = None) -> pd.DataFrame:
    """Pairs of different tunnels whose remote CIDRs overlap, one row per pair of blocks.

    ``within`` (e.g. ``"vpn_gateway_id"`` or ``"vpc_id"``) only pairs rows sharing that value.
    Block ``_a`` contains (or equals) block ``_b``. CIDR blocks are nested or disjoint, so a
    sweep in (start, -size) order with a stack of the enclosing blocks finds every pair in
    O(n log n + pairs). (``cidr.find_range_overlaps`` reports each block once against its
    widest container only, which would drop pairs of tunnels nested inside a third.)
    """
    keys = ["vpn_connection_id", "remote_cidr_block", "remote_first", "remote_last"]
    sub = spd[keys + ([within] if within else [])].dropna(subset=["remote_first"])
    sub = sub.drop_duplicates(keys[:2])
    groups = sub.groupby(within, sort=False, observed=True) if within else [(None, sub)]
    out: list[tuple[Any, ...]] = []
    for key, group in groups:
        items = sorted(zip(group["remote_first"], group["remote_last"],
                           group["vpn_connection_id"], group["remote_cidr_block"],
                           strict=True), key=lambda x: (x[0], -x[1]))
        stack: list[tuple[Any, ...]] = []
        for item in items:
            while stack and stack[-1][1] < item[0]:
                stack.pop()
            out += [(key, *outer[2:], *item[2:], "equal" if outer[:2] == item[:2]
                     else "contains") for outer in stack if outer[2] != item[2]]
            stack.append(item)
    columns = ["vpn_connection_id_a", "remote_cidr_block_a", "vpn_connection_id_b",
               "remote_cidr_block_b"]
    frame = pd.DataFrame({name: pd.array([o[i] for o in out], dtype="string")
                          for i, name in enumerate(["_key", *columns], start=0)})
    frame["relation"] = pd.Categorical([o[5] for o in out], categories=["contains", "equal"])
    return frame.rename(columns={"_key": within}) if within else frame.drop(columns="_key")


# --- the targets (§3.1-3.3): VPCs, VPN gateways, customer gateways ------------------------

def _snake(wire: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", wire).lower()


def _schema(*fields: str | tuple[Any, ...]) -> tuple[_Col, ...]:
    """``"Wire"`` (a string) or ``("Wire", kind[, categories])`` -> columns in snake_case."""
    out: list[_Col] = []
    for f in fields:
        wire, kind, cats = (f, "str", ()) if isinstance(f, str) else (*f, ())[:3]
        out.append((_snake(wire), (wire,), kind, cats))
    return tuple(out)


_VPC = _schema(
    "VpcId", "VpcName", "CidrBlock", ("IsDefault", "bool"), ("EnableMulticast", "bool"),
    ("CreatedTime", "time"), ("DnsServerSet", "obj"), "DomainName", "DhcpOptionsId",
    ("EnableDhcp", "bool"), "Ipv6CidrBlock", ("AssistantCidrSet", "obj"),
    ("EnableRouteVpcPublish", "bool"), ("Ipv6CidrBlockSet", "obj"),
    ("EnableRouteVpcPublishIpv6", "bool"), ("StackType", "cat", ("DualStack", "IPv6Only")))
_GATEWAY = _schema(
    "VpnGatewayId", "VpcId", "VpnGatewayName", ("Type", "cat", ("IPSEC", "SSL", "CCN", "SSL_CCN")),
    ("State", "cat", ("PENDING", "PENDING_ERROR", "DELETING", "DELETING_ERROR", "AVAILABLE")),
    "PublicIpAddress", ("RenewFlag", "cat", ("NOTIFY_AND_MANUAL_RENEW", "NOTIFY_AND_AUTO_RENEW",
                                             "NOT_NOTIFY_AND_NOT_RENEW")),
    ("InstanceChargeType", "cat", ("POSTPAID_BY_HOUR", "PREPAID")),
    ("InternetMaxBandwidthOut", "int"), ("CreatedTime", "time"), ("ExpiredTime", "time"),
    ("IsAddressBlocked", "bool"), ("NewPurchasePlan", "cat", ("PREPAID_TO_POSTPAID",)),
    ("RestrictState", "cat", ("PROTECTIVELY_ISOLATED", "NORMAL")), ("Zone", "cat"),
    ("VpnGatewayQuotaSet", "obj"), ("Version", "cat"), "NetworkInstanceId", "CdcId",
    ("MaxConnection", "int"), ("BgpAsn", "int"), ("IsPrivate", "bool"))
_CUSTOMER_GATEWAY = _schema(
    "CustomerGatewayId", "CustomerGatewayName", "IpAddress", ("CreatedTime", "time"),
    ("BgpAsn", "int"), ("VpnConnNum", "int"))


def _target_frame(items: Iterable[Mapping[str, Any]], schema: tuple[_Col, ...]) -> pd.DataFrame:
    rows = [r for r in items if isinstance(r, Mapping)]
    data = _extract(rows, schema)
    _add_tags(data, rows)
    return _frame(data, len(rows))


def vpcs_frame(vpcs: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per VPC from ``DescribeVpcs``' ``VpcSet`` (§3.1); join on ``vpc_id``."""
    return _target_frame(vpcs, _VPC)


def vpn_gateways_frame(gateways: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per VPN gateway from ``VpnGatewaySet`` (§3.2); join on ``vpn_gateway_id``."""
    return _target_frame(gateways, _GATEWAY)


def customer_gateways_frame(gateways: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per customer gateway (§3.3); join on ``customer_gateway_id``."""
    return _target_frame(gateways, _CUSTOMER_GATEWAY)


def issues_frame(issues: Iterable[Issue] | Any) -> pd.DataFrame:
    """Validation issues (a list of ``Issue`` or a ``SpecError``): path, code, message, severity."""
    items = list(getattr(issues, "issues", issues))
    return pd.DataFrame({
        "path": pd.array([i.path for i in items], dtype="string"),
        "code": pd.array([i.code for i in items], dtype="string"),
        "message": pd.array([i.message for i in items], dtype="string"),
        "severity": pd.Categorical([i.severity for i in items],
                                   categories=["error", "warning"]),
    })
