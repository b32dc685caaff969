"""What the config parsers share: vendor tokens back to Tencent values, proposal expansion,
durations."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping

from vpnkit import options
from vpnkit.peer.model import EspProposal, IkeProposal
from vpnkit.peer.vendors import VENDORS

__all__ = ["duration", "expand_esp", "expand_ike", "reverse"]

_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> int:
    """``'86400s'``, ``'24h'``, ``'1d'``, ``'3600'`` -> seconds."""
    m = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", text)
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    return int(m.group(1)) * _UNITS[m.group(2)]


def reverse(table: Mapping[str, str | None], aliases: Mapping[str, str] | None = None,
            allowed: tuple[object, ...] = ()) -> dict[str, str]:
    """A vendor token -> Tencent value map (only ``allowed`` values, if given), plus aliases."""
    out: dict[str, str] = {}
    for value, token in table.items():
        if allowed and value not in allowed:
            continue
        if token and token not in out:
            out[token] = value
    for alias, token in (aliases or {}).items():
        if token in out:
            out[alias] = out[token]
    return out


def _classify(algs: Iterable[str], maps: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Put each algorithm of one proposal into its slot; unknown ones keep their own name."""
    slots: dict[str, list[str]] = {k: [] for k in maps}
    for alg in algs:
        for slot, table in maps.items():
            if alg in table:
                slots[slot].append(table[alg])
                break
        else:
            slots.setdefault("unknown", []).append(alg)
    return slots


def expand_ike(proposals: Iterable[list[str]], vendor: str, aliases: Mapping[str, str]
               ) -> tuple[IkeProposal, ...]:
    """Every (encryption, integrity, DH) combination the proposals accept."""
    v = VENDORS[vendor]
    allowed = options.get("ike", "authentication_algorithm").choices
    maps = {"enc": reverse(v.ike_encryption, aliases),
            "int": reverse(v.ike_integrity, aliases, allowed),
            "prf": reverse(v.prf, aliases, allowed), "dh": reverse(v.dh, aliases)}
    out: list[IkeProposal] = []
    for algs in proposals:
        s = _classify(algs, maps)
        enc = s["enc"] or [f"?{a}" for a in s.get("unknown", [])[:1]] or ["?"]
        integ = s["int"] or s["prf"] or ["?"]
        dh = s["dh"] or ["?"]
        out += [IkeProposal(e, i, d) for e, i, d in itertools.product(enc, integ, dh)]
    return tuple(dict.fromkeys(out))


def expand_esp(proposals: Iterable[list[str]], vendor: str, aliases: Mapping[str, str],
               pfs_default: str | None = None) -> tuple[EspProposal, ...]:
    """Every (encryption, integrity, PFS group) combination the ESP proposals accept."""
    v = VENDORS[vendor]
    allowed = options.get("ipsec", "integrity_algorithm").choices
    maps = {"enc": reverse(v.esp_encryption, aliases),
            "int": reverse(v.esp_integrity, aliases, allowed), "dh": reverse(v.dh, aliases)}
    out: list[EspProposal] = []
    for algs in proposals:
        s = _classify(algs, maps)
        enc = s["enc"] or ["?"]
        integ = s["int"] or [""]
        pfs: list[str | None] = list(s["dh"]) or [pfs_default]
        out += [EspProposal(e, i, p) for e, i, p in itertools.product(enc, integ, pfs)]
    return tuple(dict.fromkeys(out))
