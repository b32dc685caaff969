"""Describe* selection: ids or filters, then Offset/Limit paging (§3.1-§3.4).

* ids together with filters -> ``InvalidParameter.Coexist``; more than 100 ids, more than 10
  filters or more than 5 values in one filter, or ``Limit`` over 100 ->
  ``InvalidParameterValue.LimitExceeded``; a negative Offset/Limit ->
  ``InvalidParameterValue.Range``; an unknown filter name -> ``InvalidParameter.FilterInvalidKey``;
  a malformed id -> ``InvalidParameterValue.Malformed``; an unknown id -> ``ResourceNotFound``.
* Filters combine with AND, the values of one filter with OR.
* ``TotalCount`` counts the matches before paging.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vpnkit.emulator.codes import EmulatorError

__all__ = ["Matcher", "check_id", "exact", "select"]

#: (item, requested values) -> does the item match
Matcher = Callable[[Mapping[str, Any], Sequence[str]], bool]

MAX_IDS, MAX_FILTERS, MAX_VALUES, MAX_LIMIT, DEFAULT_LIMIT = 100, 10, 5, 100, 20


def exact(key: str) -> Matcher:
    """A filter that matches items whose ``key`` equals one of the values."""
    return lambda item, values: str(item.get(key, "")) in values


def check_id(value: str, prefix: str, path: str) -> None:
    """Tencent IDs are ``<prefix>-`` plus 8 lowercase letters or digits."""
    if not re.fullmatch(rf"{re.escape(prefix)}-[0-9a-z]{{8}}", value):
        raise EmulatorError("InvalidParameterValue.Malformed",
                            f"`{path}`={value!r} is not a valid {prefix}- id.")


def _matcher(name: str, matchers: Mapping[str, Matcher]) -> Matcher:
    if name in matchers:
        return matchers[name]
    if name.startswith("tag:") and "tag:" in matchers:
        key = name[4:]
        return lambda item, values: matchers["tag:"](item, [key, *values])
    raise EmulatorError("InvalidParameter.FilterInvalidKey",
                        f"The filter name {name!r} is not supported.")


def _paging(offset: int, limit: int) -> None:
    if offset < 0 or limit < 0:
        raise EmulatorError("InvalidParameterValue.Range", "Offset and Limit must be >= 0.")
    if limit > MAX_LIMIT:
        raise EmulatorError("InvalidParameterValue.LimitExceeded",
                            f"Limit={limit} exceeds the maximum of {MAX_LIMIT}.")


def select(
    items: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    *,
    ids_field: str,
    id_key: str,
    prefix: str,
    matchers: Mapping[str, Matcher],
) -> tuple[int, list[Mapping[str, Any]]]:
    """``(TotalCount, page)`` for a Describe* request."""
    ids: list[str] = params.get(ids_field) or []
    filters: list[dict[str, Any]] = params.get("Filters") or []
    offset, limit = params.get("Offset", 0), params.get("Limit", DEFAULT_LIMIT)
    if ids and filters:
        raise EmulatorError("InvalidParameter.Coexist",
                            f"{ids_field} and Filters cannot be specified together.")
    if len(ids) > MAX_IDS or len(filters) > MAX_FILTERS or any(
            len(f["Values"]) > MAX_VALUES for f in filters):
        raise EmulatorError("InvalidParameterValue.LimitExceeded",
                            f"At most {MAX_IDS} ids, {MAX_FILTERS} filters and {MAX_VALUES} "
                            "values per filter.")
    _paging(offset, limit)
    chosen: list[Mapping[str, Any]]
    if ids:
        by_id = {item[id_key]: item for item in items}
        for i, value in enumerate(ids):
            check_id(value, prefix, f"{ids_field}.{i}")
            if value not in by_id:
                raise EmulatorError("ResourceNotFound", f"The resource {value} does not exist.")
        chosen = [by_id[v] for v in dict.fromkeys(ids)]
    else:
        tests = [(_matcher(f["Name"], matchers), f["Values"]) for f in filters]
        chosen = [item for item in items if all(m(item, v) for m, v in tests)]
    return len(chosen), chosen[offset:offset + limit]
