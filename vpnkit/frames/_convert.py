"""Dicts -> typed columns: vectorised conversions, de-duplicated where rows repeat."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from vpnkit import options
from vpnkit.frames._columns import _ALIASES, _CONN, _TIME_FORMAT, API_TZ, PREFIXES, _Col
from vpnkit.models import VpnConnection

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

