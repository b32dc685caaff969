"""What a rehearsal found: one :class:`PairResult` per SPD pair, in a :class:`RehearsalResult`.

For a route-based tunnel each row is a (VPC range, destination route) instead: ``local_cidr``
is the VPC range traffic comes from, ``remote_cidr`` the route's destination range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vpnkit.peer.rehearse_reasons import Status

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "PairResult", "RehearsalResult"]

COLUMNS = ("pair", "local_cidr", "remote_cidr", "status", "reason", "detail")


@dataclass(frozen=True)
class PairResult:
    """One SPD pair (VPC range, IDC range), or one destination route of a route-based tunnel
    (VPC range, routed range): up, or the status and reason it is down."""

    pair: int
    local_cidr: str
    remote_cidr: str
    status: str
    reason: str = ""
    detail: str = ""
    evidence: str = ""

    @property
    def up(self) -> bool:
        return self.status == Status.UP


@dataclass(frozen=True)
class RehearsalResult:
    """Every pair's (or route's) outcome, who initiated, and how long the rehearsal took."""

    vpn_connection_id: str
    pairs: tuple[PairResult, ...]
    initiator: str
    ike_version: str
    seconds: float
    notes: tuple[str, ...] = ()
    #: rows are destination routes (RouteType StaticRoute), not SPD pairs
    route_based: bool = False

    @property
    def ok(self) -> bool:
        """True when every SPD pair (every destination route) carried traffic."""
        return bool(self.pairs) and all(p.up for p in self.pairs)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per pair with :data:`COLUMNS` plus ``evidence`` (a log line)."""
        return [{"pair": p.pair, "local_cidr": p.local_cidr, "remote_cidr": p.remote_cidr,
                 "status": p.status, "reason": p.reason, "detail": p.detail,
                 "evidence": p.evidence} for p in self.pairs]

    def frame(self) -> pd.DataFrame:
        """The per-pair outcome as a DataFrame (pandas is imported here, on first use)."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=[*COLUMNS, "evidence"])

    def table(self) -> str:
        """A fixed-width text table of :data:`COLUMNS`, a summary line first."""
        rows = [[str(r[c]) for c in COLUMNS] for r in self.rows()]
        head = ["route", *COLUMNS[1:]] if self.route_based else list(COLUMNS)
        widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
                  for i, c in enumerate(head)]
        line = "  ".join
        out = [self.summary(), line(c.ljust(w) for c, w in zip(head, widths, strict=True))]
        out += [line(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
        out += [f"note: {n}" for n in self.notes]
        return "\n".join(out)

    def summary(self) -> str:
        up = sum(p.up for p in self.pairs)
        who = f"{self.initiator} side initiates"
        what = "route" if self.route_based else "pair"
        verdict = f"every {what} carries traffic" if self.ok else f"NOT every {what} is up"
        kind = ", route-based" if self.route_based else ""
        return (f"rehearsal of {self.vpn_connection_id or 'the tunnel'} ({self.ike_version}"
                f"{kind}, {who}): {up}/{len(self.pairs)} {what}s up in {self.seconds:.1f} s; "
                f"{verdict}")

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        from html import escape

        return str(f"<p>{escape(self.summary())}</p>"
                + self.frame().drop(columns=["evidence"]).to_html(index=False)
                + "".join(f"<p>note: {escape(n)}</p>" for n in self.notes))
