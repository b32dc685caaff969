"""Pure parsing of SPD rows: pasted text, DataFrames, CSV files, mappings -> (local, remotes).

Used by the SPD editor; no widgets here.
"""

from __future__ import annotations

import os
import re
from typing import Any

from vpnkit.models import spd_rules

__all__ = ["parse_spd_text", "spd_pairs", "split_cidrs"]

_SPLIT = re.compile(r"[\s,;]+")
_ARROWS = ("->", "→", "=>", "=", "\t")


def split_cidrs(text: str) -> tuple[str, ...]:
    """``"a, b; c d"`` -> ``("a", "b", "c", "d")``."""
    return tuple(p for p in _SPLIT.split(text.strip()) if p)


def parse_spd_text(text: str) -> list[tuple[str, str]]:
    """Lines like ``10.0.1.0/24 -> 192.168.0.0/24, 192.168.1.0/24`` or ``local=r1;r2``.

    Also ``local<TAB>remote`` (a spreadsheet paste) and ``local remote1 remote2``. Blank
    lines and ``#`` comments are skipped. Returns ``(local, "remote1, remote2")`` rows.
    """
    rows = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        for arrow in _ARROWS:
            if arrow in line:
                local, _, rest = line.partition(arrow)
                remotes = split_cidrs(rest)
                break
        else:
            local, *more = split_cidrs(line)
            remotes = tuple(more)
        if not remotes:
            raise ValueError(f"line {number}: {raw.strip()!r} has no IDC-side CIDR; "
                             "write 'local -> remote1, remote2'")
        rows.append((local.strip(), ", ".join(remotes)))
    return rows


def spd_pairs(source: Any) -> list[tuple[str, str]]:
    """Rows from a DataFrame, CSV path, text block, mapping, pairs or ``SpdRule``s."""
    if isinstance(source, str | os.PathLike):
        if isinstance(source, os.PathLike) or (os.path.exists(source) and "\n" not in source):
            import pandas as pd

            source = pd.read_csv(source, dtype=str, skipinitialspace=True)
        else:
            return parse_spd_text(source)
    rows = []
    for rule in spd_rules(source):
        remotes = [c for r in rule.remote_cidr_blocks for c in split_cidrs(str(r))]
        rows.append((str(rule.local_cidr_block).strip(), ", ".join(remotes)))
    return rows
