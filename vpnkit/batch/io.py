"""Read a batch of tunnel specs from a CSV/JSON file, a DataFrame, records or specs.

The CSV layout (also what a DataFrame passed to :func:`vpnkit.batch.create_many` holds)
--------------------------------------------------------------------------------------

One row per tunnel::

    name,vpn_gateway_id,customer_gateway_id,vpc_id,pre_share_key_env,spd,route_type,ike_encryption_algorithm,tag:site
    br-guangzhou-01,vpngw-demo0001,cgw-demo0001,vpc-demo0001,PSK_BR01,10.0.1.0/24=192.168.1.0/24;192.168.2.0/24,Policy,AES-CBC-256,gz01

=========================== =================================================================
column                      meaning
=========================== =================================================================
``name``                    tunnel name (``vpn_connection_name`` is accepted too); unique per
                            gateway, it is the batch's key together with the gateway
``vpn_gateway_id``          ``vpngw-...`` (required)
``customer_gateway_id``     ``cgw-...`` (required)
``vpc_id``                  ``vpc-...``; empty for a CCN-type gateway
``pre_share_key_env``       the NAME of an environment variable holding the PSK (preferred:
                            a CSV full of secrets is a bad habit), or
``pre_share_key``           the PSK itself (supported; never echoed anywhere)
``spd``                     ``local=remote1;remote2|local2=remote3``: VPC-side CIDR ``=``
                            IDC-side CIDRs separated by ``;``, rules separated by ``|``
``local_cidr_block``,       the alternative SPD layout: one row per (local, remote) pair;
``remote_cidr_block``       rows with the same name and gateway form one tunnel (other
                            columns may be left empty on the extra rows, or must agree)
``profile``                 the named set of IKE/IPsec/DPD values for the options this row
                            leaves empty (:data:`vpnkit.options.PROFILES`); empty: the
                            default, ``strong`` (``api-defaults`` for an old peer)
option columns              named after :mod:`vpnkit.options`: tunnel-level options bare
                            (``route_type``, ``negotiation_type``, ``dpd_enable``,
                            ``dpd_timeout``, ``dpd_action``, ``enable_health_check``,
                            ``health_check_local_ip``, ``health_check_remote_ip``), others
                            with the section prefix used by :mod:`vpnkit.frames`: ``ike_``,
                            ``ipsec_``, ``bgp_``, ``hc_`` (e.g. ``ike_encryption_algorithm``,
                            ``ipsec_pfs_dh_group``, ``bgp_tunnel_cidr``, ``hc_probe_interval``)
``tag:<key>``               one column per tag key; the cell is the value (empty: no tag)
``notes``, ``#...``         ignored
=========================== =================================================================

An empty IKE/IPsec/DPD option cell takes the row's profile's value (default ``strong``: the
request carries every such option explicitly, never the API's weak defaults); other empty
cells mean "not set". ``name``, ``vpn_gateway_id`` and ``customer_gateway_id`` are required.
Integers (ASCII decimals only, via :mod:`vpnkit.integers`) and booleans
(``true/false/yes/no/1/0``) are parsed from text; a cell that is not one is an issue naming
the row, the column and the value. Any other column is reported as ``UnknownParameter`` so a
typo never silently drops an option.
:func:`option_columns` lists every option column with its help text.

A JSON file holds a list of objects, each either a row in the layout above or a tccli /
SDK-shaped request body (``{"VpnGatewayId": ..., "SecurityPolicyDatabases": [...]}``).
"""

from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vpnkit import options
from vpnkit.errors import SpecError
from vpnkit.integers import int_issue
from vpnkit.models import (
    BgpConfig,
    HealthCheckConfig,
    IkeOptions,
    IpsecOptions,
    SpdRule,
    Tag,
    VpnConnectionSpec,
)
from vpnkit.validate import Issue

__all__ = ["RowInput", "option_columns", "parse_spd", "read_rows"]

#: section of options.py -> CSV column prefix (the same scheme as vpnkit.frames' columns)
PREFIXES = {"spec": "", "ike": "ike_", "ipsec": "ipsec_", "bgp": "bgp_",
            "health_check_config": "hc_"}
_CLASSES: dict[str, type[Any]] = {"ike": IkeOptions, "ipsec": IpsecOptions, "bgp": BgpConfig,
                                  "health_check_config": HealthCheckConfig}
_BASE = ("name", "vpn_connection_name", "vpn_gateway_id", "customer_gateway_id", "vpc_id",
         "pre_share_key", "pre_share_key_env", "spd", "local_cidr_block",
         "remote_cidr_block", "profile")
_IGNORED = ("notes", "note", "comment", "comments", "description")
_TRUE = {"true", "t", "yes", "y", "1", "on"}
_FALSE = {"false", "f", "no", "n", "0", "off"}


def _option_map() -> dict[str, options.Option]:
    return {PREFIXES[o.section] + o.name: o for o in options.OPTIONS if not o.secret}


OPTION_COLUMNS: dict[str, options.Option] = _option_map()


def option_columns() -> list[tuple[str, str]]:
    """Every option column of the CSV layout and its help text, in options-table order."""
    return [(col, o.help) for col, o in OPTION_COLUMNS.items()]


@dataclass
class RowInput:
    """One tunnel of the batch: its input row, key, spec (None if unreadable) and issues."""

    row: int
    name: str
    vpn_gateway_id: str
    spec: VpnConnectionSpec | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        """(gateway, name): unique per batch, the resume key together with the batch id."""
        return self.vpn_gateway_id, self.name


def parse_spd(text: str) -> tuple[SpdRule, ...]:
    """``"10.0.1.0/24=192.168.1.0/24;192.168.2.0/24|10.0.2.0/24=..."`` -> SPD rules."""
    rules = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        local, eq, remotes = part.partition("=")
        if not eq:
            raise ValueError(f"SPD rule {part!r} needs the form local=remote1;remote2")
        rules.append(SpdRule(local.strip(),
                             tuple(r.strip() for r in remotes.split(";") if r.strip())))
    return tuple(rules)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")  # pandas' missing markers


def _typed(opt: options.Option, value: Any, column: str) -> tuple[Any, Issue | None]:
    """A cell as the option's type, or an issue naming the column and the value.

    Integers go through the one strict parser (:mod:`vpnkit.integers`): ``"²"``, ``"--30"``
    or a 5,000-digit cell is an issue for that row, never a bare ``ValueError``. Other
    unparseable values are kept so validation names them.
    """
    if opt.kind == "int":
        if isinstance(value, str):
            value = value.strip()  # CSV padding; inside the cell the parser is strict
        elif not isinstance(value, bool | int) and isinstance(value, numbers.Integral):
            value = int(value)  # numpy/pandas integers from a typed DataFrame
        return int_issue(value, column, allow_float=True)
    if opt.kind == "bool":
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return value, None
    return (value.strip() if isinstance(value, str) else str(value)), None


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


class _RowReader:
    """Turns one (possibly grouped) record into a spec, collecting every problem."""

    def __init__(self, record: Mapping[str, Any], spd: list[SpdRule],
                 require_key: bool = True,
                 profile: str | None = options.DEFAULT_PROFILE) -> None:
        self.record = record
        self.spd = spd
        self.require_key = require_key
        self.profile = profile
        self.issues: list[Issue] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.issues.append(Issue(path, code, message))

    def psk(self) -> str | None:
        direct, env = _text(self.record.get("pre_share_key")), _text(
            self.record.get("pre_share_key_env"))
        if direct and env:
            self.add("pre_share_key_env", "InvalidParameter.Coexist",
                     "give pre_share_key or pre_share_key_env, not both")
            return None
        if env:
            value = os.environ.get(env)
            if not value:
                self.add("pre_share_key_env", "MissingParameter",
                         f"environment variable {env} is not set")
            return value or None
        if not direct:
            if not self.require_key:
                return None  # the caller decides (a plan keeps the live key)
            self.add("pre_share_key", "MissingParameter",
                     "is required (or name an environment variable in pre_share_key_env)")
            return None
        return direct

    def spec(self) -> VpnConnectionSpec | None:
        rec = self.record
        sections: dict[str, dict[str, Any]] = {s: {} for s in _CLASSES}
        top: dict[str, Any] = {}
        tags: list[Tag] = []
        for column, value in rec.items():
            col = str(column)
            if col in _BASE or _blank(value):
                continue
            if col.startswith("tag:"):
                tags.append(Tag(col[4:], _text(value)))
            elif col in OPTION_COLUMNS:
                opt = OPTION_COLUMNS[col]
                target = top if opt.section == "spec" else sections[opt.section]
                typed, issue = _typed(opt, value, col)
                if issue is not None:
                    self.issues.append(issue)
                target[opt.name] = typed
        if sections.get("bgp"):
            for opt in options.by_section("bgp"):
                if opt.name not in sections["bgp"]:
                    self.add(f"bgp_{opt.name}", "MissingParameter",
                             "is required when any bgp_ column is set")
        psk = self.psk()
        name = _text(rec.get("name")) or _text(rec.get("vpn_connection_name"))
        for column, value in (("name", name), ("vpn_gateway_id", rec.get("vpn_gateway_id")),
                              ("customer_gateway_id", rec.get("customer_gateway_id"))):
            if not _text(value):
                self.add(column, "MissingParameter", "is required (the cell is empty)")
        profile = self.row_profile()
        if self.issues:
            return None
        nested = {options.SECTIONS[s][0]: cls(**sections[s]) for s, cls in _CLASSES.items()
                  if sections[s]}
        vpc = rec.get("vpc_id")
        return VpnConnectionSpec(
            vpn_gateway_id=_text(rec.get("vpn_gateway_id")),
            customer_gateway_id=_text(rec.get("customer_gateway_id")),
            vpn_connection_name=name,
            pre_share_key=psk or "",
            vpc_id=None if vpc is None else _text(vpc),
            security_policy_databases=tuple(self.spd),
            tags=tuple(tags), **nested, **top, profile=profile)

    def row_profile(self) -> str | None:
        """The row's ``profile`` cell (a name in options.PROFILES), else the reader's."""
        name = _text(self.record.get("profile"))
        if not name:
            return self.profile
        if name not in options.PROFILES:
            self.add("profile", "InvalidParameterValue",
                     f"{name!r} is not a profile; choose one of {', '.join(options.PROFILES)}")
        return name


def _unknown_columns(columns: Iterable[str]) -> list[Issue]:
    out = []
    for col in columns:
        if col in _BASE or col in OPTION_COLUMNS or col.startswith(("tag:", "#")) or \
                col.lower() in _IGNORED or col.startswith("Unnamed:"):
            continue
        out.append(Issue(col, "UnknownParameter",
                         f"unknown column {col!r}; option columns are named after the options "
                         "table, e.g. ike_encryption_algorithm (see option_columns())"))
    return out


#: columns whose values are never shown in a message (the options table's secret fields too)
SECRET_COLUMNS = frozenset({"pre_share_key", *(PREFIXES[o.section] + o.name
                                                for o in options.OPTIONS if o.secret)})


def _disagree(col: str, first: Any, other: Any, first_row: int, row: int) -> Issue:
    """Rows of one tunnel give two values for ``col``; a secret's values are never shown."""
    if col in SECRET_COLUMNS:
        detail = f"row {row} gives a different {col} than row {first_row} (values not shown)"
    else:
        detail = f"{_text(first)!r} (row {first_row}) vs {_text(other)!r} (row {row})"
    return Issue(col, "InvalidParameter", f"rows of one tunnel disagree on {col}: {detail}")


def _group_records(records: Sequence[Mapping[str, Any]], require_key: bool = True,
                   profile: str | None = options.DEFAULT_PROFILE) -> list[RowInput]:
    """Records -> one RowInput per tunnel, grouping one-row-per-SPD-pair layouts."""
    pair_layout = any(("local_cidr_block" in r or "remote_cidr_block" in r) for r in records)
    index: dict[tuple[str, str], list[int]] = {}
    order: list[list[int]] = []
    for i, rec in enumerate(records):
        name = _text(rec.get("name")) or _text(rec.get("vpn_connection_name"))
        key = (_text(rec.get("vpn_gateway_id")), name)
        if pair_layout and name and key in index:
            index[key].append(i)
            continue
        members = [i]
        order.append(members)
        if pair_layout and name:
            index[key] = members
    out = []
    for members in order:
        merged: dict[str, Any] = {}
        problems: list[Issue] = []
        spd: list[tuple[str, list[str]]] = []
        for i in members:
            rec = records[i]
            for col, value in rec.items():
                if col in ("local_cidr_block", "remote_cidr_block") or _blank(value):
                    continue
                if col in merged and _text(merged[col]) != _text(value):
                    problems.append(_disagree(str(col), merged[col], value, members[0], i))
                merged.setdefault(col, value)
            local, remote = _text(rec.get("local_cidr_block")), _text(
                rec.get("remote_cidr_block"))
            if local or remote:
                remotes = [r.strip() for r in remote.split(";") if r.strip()]
                found = next((r for loc, r in spd if loc == local), None)
                if found is None:
                    spd.append((local, remotes))
                else:
                    found.extend(remotes)
        rules = [SpdRule(loc, tuple(rem)) for loc, rem in spd]
        text = _text(merged.get("spd"))
        if text:
            try:
                rules = [*parse_spd(text), *rules]
            except ValueError as exc:
                problems.append(Issue("spd", "InvalidParameterValue.Malformed", str(exc)))
        reader = _RowReader(merged, rules, require_key, profile)
        reader.issues.extend(problems)
        spec = reader.spec()
        name = _text(merged.get("name")) or _text(merged.get("vpn_connection_name"))
        out.append(RowInput(members[0], name, _text(merged.get("vpn_gateway_id")),
                            spec if not reader.issues else None, reader.issues))
    return out


def _from_specs(specs: Sequence[VpnConnectionSpec]) -> list[RowInput]:
    return [RowInput(i, str(s.vpn_connection_name), str(s.vpn_gateway_id), s)
            for i, s in enumerate(specs)]


def _from_json(data: Any, require_key: bool = True,
               profile: str | None = options.DEFAULT_PROFILE) -> list[RowInput]:
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, Mapping) for d in data):
        raise ValueError("a JSON batch must be a list of objects")
    out: list[RowInput] = []
    flat: list[tuple[int, Mapping[str, Any]]] = []
    for i, item in enumerate(data):
        if "VpnGatewayId" in item or "VpnConnectionName" in item:
            name, gw = str(item.get("VpnConnectionName", "")), str(item.get("VpnGatewayId", ""))
            if not require_key and "PreShareKey" not in item:
                item = {**item, "PreShareKey": ""}  # the caller decides (see read_rows)
            try:
                out.append(RowInput(i, name, gw,
                                    VpnConnectionSpec.from_wire(item, profile=profile)))
            except SpecError as exc:
                out.append(RowInput(i, name, gw, None, list(exc.issues)))
        else:
            flat.append((i, item))
    if flat:
        grouped = _group_records([r for _, r in flat], require_key, profile)
        for g in grouped:
            g.row = flat[g.row][0]
        out = sorted([*out, *grouped], key=lambda r: r.row)
    return out


def read_rows(source: Any, *, require_key: bool = True,
              profile: str | None = options.DEFAULT_PROFILE
              ) -> tuple[list[RowInput], list[Issue]]:
    """``source`` -> (one RowInput per tunnel, batch-level issues such as unknown columns).

    ``source`` is a CSV or JSON path, a pandas DataFrame, a list of VpnConnectionSpec, or a
    list of records in the CSV layout. ``require_key=False`` (used by :mod:`vpnkit.plan`)
    lets a row give no pre-shared key: its spec then holds ``""`` and the caller decides.
    ``profile`` fills the options a row leaves empty (:data:`vpnkit.options.PROFILES`,
    default ``"strong"``); ``None`` leaves them unset.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(os.fspath(source).removeprefix("file://"))
        if path.suffix.lower() == ".json":
            return _from_json(json.loads(path.read_text(encoding="utf-8")), require_key,
                              profile), []
        import pandas as pd

        source = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                             comment=None)
    if hasattr(source, "to_dict") and hasattr(source, "columns"):
        columns = [str(c).strip() for c in source.columns]
        frame = source.set_axis(columns, axis=1)
        records = frame.to_dict("records")
        return _group_records(records, require_key, profile), _unknown_columns(columns)
    items = list(source)
    if all(isinstance(s, VpnConnectionSpec) for s in items):
        return _from_specs(items), []
    if all(isinstance(s, Mapping) for s in items):
        columns = sorted({str(c) for s in items for c in s})
        if any(c[:1].isupper() for c in columns):
            return _from_json(items, require_key, profile), []
        return _group_records(items, require_key, profile), _unknown_columns(columns)
    raise TypeError("specs must be a DataFrame, a CSV/JSON path, a list of VpnConnectionSpec "
                    "or a list of records")
