"""Every tunnel of the account, in every region, in one typed frame.

>>> inv = vpnkit.inventory(client)                      # doctest: +SKIP
>>> inv[inv.weak_crypto_count > 0]                      # tunnels running weak crypto
>>> vpnkit.inventory(client, regions=["ap-guangzhou", "ap-shanghai"]).to_parquet("inv.parquet")

Each region is read by its own client (:meth:`VpcClient.for_region`: same keys, session and
audit log), all regions in parallel; the client's limiter keeps every region's calls under its
own documented 100 requests/s per action (ref §1, §3.4). Per region: the tunnels (paged
DescribeVpnConnections, §3.4), and, when there are any, the VPN and customer gateways (for
their names and public IPs).

Columns: ``region`` first, then every column of :func:`vpnkit.frames.connections_frame`
(state, net status, health-check status, gateway, customer gateway, crypto options, ...),
then ``vpn_gateway_name``, ``vpn_gateway_ip``, ``customer_gateway_ip``, ``spd_pairs`` (the
SPD as ``local=remote`` pairs, ``;``-separated), ``weak_crypto`` (the warning-level findings
of :func:`vpnkit.validate.issues` on the tunnel's IKE/IPsec options: weak algorithms, DH
groups, PFS off) and ``weak_crypto_count``. The pre-shared key has no column.

A region that cannot be read is never an empty region: :class:`InventoryError` names it
(``partial=True`` returns the rest, with ``frame.attrs["failed_regions"]``). A region that
answers ``UnsupportedRegion`` (the API is not offered there, ref §6) holds no tunnels; it is
listed in ``frame.attrs["unavailable_regions"]``.
"""

from __future__ import annotations

import json
import os
import sys
import types
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpnkit.endpoints import REGIONS
from vpnkit.errors import ApiError, TransportError, VpnkitError

if TYPE_CHECKING:
    import pandas as pd

    from vpnkit.client import VpcClient

__all__ = ["EXTRA_COLUMNS", "InventoryError", "export", "flat", "inventory", "resolve_regions"]

EXTRA_COLUMNS = ("vpn_gateway_name", "vpn_gateway_ip", "customer_gateway_ip", "spd_pairs",
                 "weak_crypto", "weak_crypto_count")
#: the option sections whose warnings are crypto findings
_CRYPTO = ("ike_options", "ipsec_options")
#: the live values exactly, with no profile filling what they leave unset
_NO_PROFILE: dict[str, Any] = {"profile": None}


class InventoryError(VpnkitError):
    """Some regions could not be read; ``.failed`` maps each to its error line."""

    def __init__(self, failed: Mapping[str, str]) -> None:
        self.failed = dict(failed)
        super().__init__("could not read " + "; ".join(f"{r}: {m}" for r, m in failed.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.failed,))


def resolve_regions(regions: str | Iterable[str] | None, default: str) -> list[str]:
    """``"all"`` -> every known region; ``"a,b"`` or a list -> those; None -> ``[default]``."""
    if regions is None:
        return [default]
    if isinstance(regions, str):
        if regions.strip().lower() == "all":
            return list(REGIONS)
        regions = regions.split(",")
    out = [r.strip() for r in regions if r.strip()]
    if not out:
        raise ValueError("no region given (use 'all' or a comma-separated list)")
    return list(dict.fromkeys(out))


def _region(client: VpcClient, region: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rc = client.for_region(region)
    tunnels = rc.describe_vpn_connections_raw()
    if not tunnels:
        return [], {}
    gws = {str(g.get("VpnGatewayId")): g for g in rc.describe_vpn_gateways()}
    cgws = {str(c.get("CustomerGatewayId")): c for c in rc.describe_customer_gateways()}
    return tunnels, {"gateways": gws, "customer_gateways": cgws}


def _weak_crypto(raw: Mapping[str, Any], cache: dict[Any, list[str]]) -> list[str]:
    """Warning-level findings of :func:`vpnkit.validate.issues` on a live tunnel's IKE/IPsec
    options (weak algorithms, DH groups, PFS off); computed once per distinct configuration.
    """
    from vpnkit.models import IkeOptions, IpsecOptions, VpnConnectionSpec
    from vpnkit.validate import issues
    from vpnkit.wire import connection_from_wire

    conn = connection_from_wire({k: raw[k] for k in ("IKEOptionsSpecification",
                                                     "IPSECOptionsSpecification") if k in raw})
    key = (conn.ike_options, conn.ipsec_options)
    found = cache.get(key)
    if found is None:
        # only the crypto sections matter to these checks; the rest are placeholders
        spec = VpnConnectionSpec("vpngw-00000000", "cgw-00000000", "inventory", "",
                                 ike_options=conn.ike_options or IkeOptions(),
                                 ipsec_options=conn.ipsec_options or IpsecOptions(),
                                 **_NO_PROFILE)
        found = [f"{i.path}: {i.message} ({i.code})" for i in issues(spec)
                 if i.severity == "warning" and (i.code == "WeakCrypto"
                                                 or i.path.startswith(_CRYPTO))]
        cache[key] = found
    return found


def _spd_pairs(raw: Mapping[str, Any]) -> str:
    pairs = []
    for rule in raw.get("SecurityPolicyDatabaseSet") or ():
        if not isinstance(rule, Mapping):
            continue
        remotes = rule.get("RemoteCidrBlock") or ()
        for remote in [remotes] if isinstance(remotes, str) else remotes:
            pairs.append(f"{rule.get('LocalCidrBlock')}={remote}")
    return ";".join(pairs)


def inventory(client: VpcClient, regions: str | Iterable[str] | None = "all", *,
              workers: int = 8, partial: bool = False) -> pd.DataFrame:
    """One row per tunnel of every region in ``regions`` (see the module docstring).

    ``regions``: ``"all"`` (default: every region in :data:`vpnkit.endpoints.REGIONS`), a
    comma-separated string or a list; None means the client's own region.
    """
    import pandas as pd

    from vpnkit.frames import connections_frame

    wanted = resolve_regions(regions, client.region)
    failed: dict[str, str] = {}
    unavailable: dict[str, str] = {}
    found: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {}

    def one(region: str) -> None:
        try:
            found[region] = _region(client, region)
        except ApiError as exc:
            # §6: UnsupportedRegion = "action not supported in this region": a definite
            # answer (no tunnel can exist there), unlike any other failure.
            target = unavailable if exc.code == "UnsupportedRegion" else failed
            target[region] = " ".join(str(exc).split())
        except (TransportError, ValueError) as exc:
            failed[region] = " ".join(str(exc).split())

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(wanted))),
                            thread_name_prefix="vpnkit-inventory") as pool:
        list(pool.map(one, wanted))
    if failed and not partial:
        raise InventoryError({r: failed[r] for r in wanted if r in failed})
    raws: list[dict[str, Any]] = []
    regions_col: list[str] = []
    gw_name: list[Any] = []
    gw_ip: list[Any] = []
    cgw_ip: list[Any] = []
    for region in wanted:
        tunnels, refs = found.get(region, ([], {}))
        for t in tunnels:
            gw = refs["gateways"].get(str(t.get("VpnGatewayId")), {})
            cgw = refs["customer_gateways"].get(str(t.get("CustomerGatewayId")), {})
            raws.append(t)
            regions_col.append(region)
            gw_name.append(gw.get("VpnGatewayName"))
            gw_ip.append(gw.get("PublicIpAddress"))
            cgw_ip.append(cgw.get("IpAddress"))
    frame = connections_frame(raws)
    frame.insert(0, "region", pd.Categorical(regions_col, categories=wanted))
    frame["vpn_gateway_name"] = pd.array(gw_name, dtype="string")
    frame["vpn_gateway_ip"] = pd.array(gw_ip, dtype="string")
    frame["customer_gateway_ip"] = pd.array(cgw_ip, dtype="string")
    frame["spd_pairs"] = pd.array([_spd_pairs(t) for t in raws], dtype="string")
    cache: dict[Any, list[str]] = {}
    warned = [_weak_crypto(t, cache) for t in raws]
    frame["weak_crypto"] = pd.array(["; ".join(w) for w in warned], dtype="string")
    frame["weak_crypto_count"] = pd.array([len(w) for w in warned], dtype="Int64")
    frame.attrs["failed_regions"] = {r: failed[r] for r in wanted if r in failed}
    frame.attrs["unavailable_regions"] = {r: unavailable[r] for r in wanted if r in unavailable}
    return frame


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns (``tags``) as JSON text, so CSV and Parquet hold plain values."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
                if isinstance(v, dict | list) else v).astype("string")
    out.attrs = {}
    return out


def export(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` to ``.csv`` or ``.parquet`` (needs the ``parquet`` extra: pyarrow)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        flat(frame).to_csv(target, index=False)
    elif suffix == ".parquet":
        import importlib.util

        if importlib.util.find_spec("pyarrow") is None:
            raise VpnkitError("Parquet export needs pyarrow: pip install "
                              "'tencent-vpnkit[parquet]'")
        flat(frame).to_parquet(target, index=False)
    else:
        raise ValueError(f"{target}: the output must end in .csv or .parquet")
    return target


def columns() -> Sequence[str]:
    """The inventory's columns, in order."""
    from vpnkit.frames import connections_frame

    return ["region", *connections_frame([]).columns, *EXTRA_COLUMNS]


class _CallableModule(types.ModuleType):
    """``vpnkit.inventory`` is both this module and :func:`inventory`."""

    def __call__(self, client: VpcClient, regions: str | Iterable[str] | None = "all",
                 **kw: Any) -> pd.DataFrame:
        return inventory(client, regions, **kw)


sys.modules[__name__].__class__ = _CallableModule
