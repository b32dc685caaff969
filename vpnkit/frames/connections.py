"""Tunnels -> the connections frame, the SPD frame, and SPD overlaps across tunnels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from vpnkit.cidr import parse_block
from vpnkit.frames._columns import _CONN, _DIRECT, _OUTPUT_ONLY
from vpnkit.frames._convert import _add_tags, _column, _extract, _frame, _rows
from vpnkit.models import VpnConnection


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

