"""The ``vpnkit`` subcommands (see :mod:`vpnkit.cli`). Heavy imports stay inside commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpnkit.cli import UsageError
from vpnkit.errors import ApiError, SpecError, TransportError, VpnkitError
from vpnkit.redact import redact, scrub

if TYPE_CHECKING:
    import pandas as pd

    from vpnkit.client import AuditSink, VpcClient

__all__ = ["error_line", "run", "skeleton"]

DEMO_REGION = "ap-guangzhou"
_TABLE = ["vpn_connection_id", "vpn_connection_name", "vpn_gateway_id", "customer_gateway_id",
          "route_type", "state", "net_status", "spd_count", "created_time"]


def error_line(exc: BaseException) -> str:
    """One line for stderr: code, message, RequestId. Never a traceback or a secret."""
    if isinstance(exc, ApiError):
        rid = f" [RequestId {exc.request_id}]" if exc.request_id else ""
        text = f"error: {exc.code}: {exc.message}{rid}"
    elif isinstance(exc, SpecError):
        shown = "; ".join(f"{i.path}: {i.message} ({i.code})" for i in exc.issues[:5])
        more = f"; ... {len(exc.issues) - 5} more" if len(exc.issues) > 5 else ""
        n = len(exc.issues)
        text = f"error: invalid request ({n} problem{'s' if n != 1 else ''}): {shown}{more}"
    elif isinstance(exc, TransportError):
        text = f"error: {type(exc).__name__}: {exc.message}"
    elif isinstance(exc, VpnkitError | OSError | ValueError):
        text = f"error: {type(exc).__name__}: {exc}"
    else:
        text = f"error: unexpected {type(exc).__name__}: {exc} (set VPNKIT_DEBUG=1 for details)"
    return scrub(" ".join(text.split()))


# --- plumbing -----------------------------------------------------------------------------

class _CountingSink:
    """Wraps the audit sink (if any) and counts outcomes per action for summaries."""

    def __init__(self, inner: AuditSink | None) -> None:
        self.inner = inner
        self.counts: Counter[tuple[str, str]] = Counter()

    def begin(self, **kw: Any) -> Any:
        begin: Any = self.inner.begin if self.inner is not None else None
        return kw.get("action"), begin(**kw) if begin is not None else None

    def finish(self, token: Any, **kw: Any) -> None:
        action, inner = token
        self.counts[(str(action), str(kw.get("outcome")))] += 1
        if self.inner is not None:
            self.inner.finish(inner, **kw)


def _audit_path(args: argparse.Namespace) -> str | None:
    return args.audit or os.environ.get("VPNKIT_AUDIT") or None


def _audit_log(args: argparse.Namespace) -> Any:
    """The AuditLog at --audit / $VPNKIT_AUDIT / the default, or None if unavailable."""
    try:
        from vpnkit.audit import AuditLog
    except ImportError:
        return None
    path = _audit_path(args)
    return AuditLog(path) if path else AuditLog()


def _client(args: argparse.Namespace, audit: Any = None) -> VpcClient:
    from vpnkit.session import connect

    sink = _audit_log(args) if audit is None else audit
    return connect(args.region, profile=args.profile, endpoint=args.endpoint,
                   audit=sink or None)


def _read_json(text: str) -> Any:
    path = Path(text.removeprefix("file://")).expanduser()
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None


def _emit(frame: pd.DataFrame, fmt: str, *, records: Any = None) -> None:
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt == "json":
        data = records if records is not None else json.loads(
            frame.to_json(orient="records", date_format="iso"))
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif frame.empty:
        print("(none)")
    else:
        print(frame.to_string(index=False))


# --- commands -----------------------------------------------------------------------------

def cmd_create(args: argparse.Namespace) -> int:
    """create --spec FILE: one tunnel from a tccli/SDK-shaped request body."""
    from vpnkit.validate import check
    from vpnkit.wire import spec_from_wire

    spec = spec_from_wire(_read_json(args.spec))
    check(spec)  # before connecting: a bad file never reaches the API
    client = _client(args)
    conn = client.create_vpn_connection(spec, wait=args.wait, timeout=args.timeout)
    out = {"VpnConnectionId": conn.vpn_connection_id,
           "VpnConnectionName": conn.vpn_connection_name, "VpnGatewayId": conn.vpn_gateway_id,
           "CustomerGatewayId": conn.customer_gateway_id, "VpcId": conn.vpc_id,
           "State": conn.state, "CreatedTime": conn.created_time}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _run_batch(client: VpcClient, source: Any, args: argparse.Namespace,
               **kw: Any) -> int:
    from vpnkit.batch import BatchInvalid, create_many

    try:
        result = create_many(client, source, workers=args.workers, wait=not args.no_wait,
                             batch_id=args.resume, skip_invalid=args.skip_invalid,
                             dry_run=args.dry_run, progress=not args.no_progress,
                             wait_timeout=args.wait_timeout, state=args.state, **kw)
    except BatchInvalid as exc:
        print(exc.frame.to_string(index=False))
        n = len(exc.frame)
        print(f"error: batch refused, nothing sent: {n} problem{'s' if n != 1 else ''} "
              "(table above); fix them or pass --skip-invalid", file=sys.stderr)
        return 1
    if args.dry_run:
        if args.format == "json":
            print(json.dumps(result.requests, ensure_ascii=False, indent=2))
        else:
            _emit(result.frame, args.format)
            for req in result.requests:
                print(f"# row {req['row']}: {req['action']} -> {req['endpoint']}")
                print(json.dumps(req["body"], ensure_ascii=False))
    else:
        _emit(result.frame, args.format)
    warnings = result.issues[result.issues["severity"] == "warning"]
    for _, w in warnings.iterrows():
        where = f"row {w['row']} " if w["row"] is not None and str(w["row"]) != "<NA>" else ""
        print(f"warning: {where}{w['path']}: {w['message']} ({w['code']})", file=sys.stderr)
    print(result.summary() + ("" if result.ok or args.dry_run else
                              f"; resume with --resume {result.batch_id}"), file=sys.stderr)
    return 0 if result.ok else 1


def cmd_batch(args: argparse.Namespace) -> int:
    """batch FILE: many tunnels, validated first, resumable."""
    path = Path(args.file.removeprefix("file://")).expanduser()
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    return _run_batch(_client(args), path, args)


def cmd_describe(args: argparse.Namespace) -> int:
    """describe: tunnels as a table, CSV or JSON (the pre-shared key is never shown)."""
    from vpnkit.frames import connections_frame

    client = _client(args)
    filters = {"vpn-gateway-id": args.gateway} if args.gateway else None
    raw = client.describe_vpn_connections_raw(args.ids, filters=filters)
    frame = connections_frame(raw)
    if args.format == "json":
        _emit(frame, "json", records={"TotalCount": len(raw),
                                      "VpnConnectionSet": redact(raw)})
    else:
        _emit(frame if args.format == "csv" else frame[[c for c in _TABLE
                                                        if c in frame.columns]], args.format)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """delete ID: shows what would go; deletes only with --yes."""
    client = _client(args)
    found = client.describe_vpn_connections(filters={"vpn-connection-id": args.id})
    if not found:
        raise ApiError("ResourceNotFound", f"{args.id} does not exist in {client.region}", "",
                       "DeleteVpnConnection")
    conn = found[0]
    what = f"{conn.vpn_connection_id} ({conn.vpn_connection_name}) on {conn.vpn_gateway_id}"
    if not args.yes:
        print(f"would delete {what}; re-run with --yes to delete it")
        return 0
    request_id = client.delete_vpn_connection(conn.vpn_connection_id, conn.vpn_gateway_id)
    if args.wait:
        client.wait_vpn_connection(conn.vpn_connection_id, "DELETED", interval=0.5)
    print(f"deleting {what} [RequestId {request_id}]" if not args.wait else f"deleted {what}")
    return 0


def _since(text: str) -> Any:
    import re

    import pandas as pd

    m = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text)
    if m:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
        return pd.Timestamp.now(tz="UTC") - pd.Timedelta(**{unit[m[2]]: int(m[1])})
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise UsageError(f"--since {text!r}: give an ISO time or an age like 30m, 2h, 7d") \
            from None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def cmd_audit(args: argparse.Namespace) -> int:
    """audit: the call log, filtered (secrets were redacted before they were written)."""
    import pandas as pd

    log = _audit_log(args)
    if log is None:
        raise UsageError("the audit log (vpnkit.audit) is not available in this install")
    frame = log.frame()
    if args.since:
        cutoff = _since(args.since)
        col = next((c for c in ("time", "started", "started_at", "timestamp", "ts")
                    if c in frame.columns), None)
        if col is not None:
            times = pd.to_datetime(frame[col], utc=True, errors="coerce")
            frame = frame[times >= cutoff]
    if args.action:
        frame = frame[frame["action"] == args.action]
    if args.outcome:
        frame = frame[frame["outcome"] == args.outcome]
    frame = frame.reset_index(drop=True)
    if args.format == "table":
        frame = frame[[c for c in frame.columns if c not in ("params", "response")]]
    _emit(frame, args.format)
    return 0


def skeleton() -> dict[str, Any]:
    """A CreateVpnConnection request skeleton like tccli's ``--generate-cli-skeleton``."""
    from vpnkit import options
    from vpnkit.wire import SPEC_FIELDS

    def kind(o: options.Option) -> str:
        if o.wire_str:
            return "String"
        return {"int": "Integer", "bool": "Boolean"}.get(o.kind, "String")

    def section(name: str) -> dict[str, str]:
        out = {o.wire: kind(o) for o in options.by_section(name)}
        if name == "ipsec":  # §2.3/§8: tccli lists both spellings
            out["IntegrityAlgorithm"] = "String"
        return out

    nested: dict[str, Any] = {
        "SecurityPolicyDatabases": [{"LocalCidrBlock": "String",
                                     "RemoteCidrBlock": ["String"]}],
        "IKEOptionsSpecification": section("ike"),
        "IPSECOptionsSpecification": section("ipsec"),
        "Tags": [{"Key": "String", "Value": "String"}],
        "Route": {"DestinationCidrBlock": "String", "Priority": "Integer",
                  "Description": "String"},
        "BgpConfig": section("bgp"),
        "HealthCheckConfig": section("health_check_config"),
    }
    out: dict[str, Any] = {}
    for wire in SPEC_FIELDS:
        if wire in nested:
            out[wire] = nested[wire]
        else:
            opt = options.by_wire("spec", wire)
            out[wire] = kind(opt) if opt is not None else "String"
    return out


def cmd_skeleton(args: argparse.Namespace) -> int:
    """skeleton: print the request skeleton (fill it in, then ``vpnkit create --spec``)."""
    print(json.dumps(skeleton(), indent=4))
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    """lab: ``jupyter lab notebooks/``, every runbook on one shared API.

    With no credentials and no endpoint configured, one emulator is started for the whole
    lab session (its state kept beside the audit log), so the runbooks see each other's
    tunnels: 01 creates, 02 adds a batch, 03 audits them, 04 cleans up.
    """
    import shlex
    import shutil
    import subprocess

    from vpnkit.credentials import resolve_credential

    here = Path(__file__).resolve().parents[1] / "notebooks"
    notebooks = next((p for p in (Path.cwd() / "notebooks", here) if p.is_dir()), None)
    if notebooks is None:
        raise UsageError("no notebooks/ directory here or beside the vpnkit package")
    jupyter = shutil.which("jupyter", path=os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    cmd = [jupyter, "lab"] if jupyter else [sys.executable, "-m", "jupyterlab"]
    extra = [a for a in args.jupyter_args if a != "--"]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # jupyter lab refuses to start as root without it
    cmd += [str(notebooks), *extra]
    env = dict(os.environ)
    endpoint = args.endpoint or env.get("VPNKIT_ENDPOINT")
    shared = not endpoint and resolve_credential(args.profile) is None
    if args.dry_run:
        print(shlex.join(cmd))
        if shared:
            print("(would start one emulator for the runbooks and set VPNKIT_ENDPOINT)")
        return 0
    if not shared:
        if endpoint:
            env["VPNKIT_ENDPOINT"] = endpoint
        return subprocess.call(cmd, env=env)
    from vpnkit.audit import default_audit_path
    from vpnkit.emulator import serve

    state = default_audit_path().with_name("lab-emulator.json")
    state.parent.mkdir(parents=True, exist_ok=True)
    with serve(seed="demo", state=state) as emu:
        env["VPNKIT_ENDPOINT"] = emu.url
        print(f"vpnkit: EMULATOR for the runbooks at {emu.url} (state kept in {state}; "
              "delete it to start afresh). Nothing leaves this machine.", file=sys.stderr)
        return subprocess.call(cmd, env=env)


def cmd_demo(args: argparse.Namespace) -> int:
    """demo: one tunnel, then the sample batch, on an embedded emulator; no credentials."""
    import secrets
    import tempfile
    import time

    from vpnkit.emulator import serve
    from vpnkit.models import IkeOptions, IpsecOptions, Tag, VpnConnectionSpec, spd_rules
    from vpnkit.session import banner, connect

    started = time.monotonic()
    counting = _CountingSink(_audit_log(args))
    with serve(seed="demo", create_delay=args.create_delay) as emu, \
            tempfile.TemporaryDirectory(prefix="vpnkit-demo-") as tmp:
        client = connect(args.region or DEMO_REGION, endpoint=emu.url,
                         credential=emu.credential, audit=counting, quiet=True)
        client.mode = "emulator"
        print(banner(client, "emulator"), file=sys.stderr)
        spec = VpnConnectionSpec(
            "vpngw-demo0001", "cgw-demo0001", "hq-guangzhou", secrets.token_urlsafe(18),
            vpc_id="vpc-demo0001", route_type="Policy",
            security_policy_databases=spd_rules(
                {"10.0.1.0/24": ["192.168.0.0/24", "192.168.1.0/24"]}),
            ike_options=IkeOptions(encryption_algorithm="AES-CBC-256",
                                   authentication_algorithm="SHA-256", dh_group="GROUP14",
                                   version="IKEV2"),
            ipsec_options=IpsecOptions(encryption_algorithm="AES-CBC-256",
                                       integrity_algorithm="SHA-256", pfs_dh_group="DH-GROUP14"),
            dpd_enable=1, dpd_timeout=30, dpd_action="restart", tags=(Tag("site", "hq"),))
        print(f"1. creating {spec.vpn_connection_name} on {spec.vpn_gateway_id} ...")
        conn = client.create_vpn_connection(spec, wait=True, timeout=60)
        print(f"   {conn.vpn_connection_id} is {conn.state}")
        for var in ("VPNKIT_PSK_PROD", "VPNKIT_PSK_DEV", "VPNKIT_PSK_CCN"):
            os.environ.setdefault(var, secrets.token_urlsafe(18))  # generated, never shown
        sample = Path(__file__).with_name("samples") / "branches.csv"
        print(f"2. batch from {sample.name} ...")
        ns = argparse.Namespace(workers=8, no_wait=False, resume=None, skip_invalid=False,
                                dry_run=False, no_progress=True, wait_timeout=120.0,
                                state=str(Path(tmp) / "journal.sqlite3"), format="table")
        status = _run_batch(client, sample, ns)
        print("3. every tunnel:")
        _emit_describe(client)
        print("4. audit summary (calls by action and outcome):")
        for (action, outcome), n in sorted(counting.counts.items()):
            print(f"   {action:<28} {outcome:<16} {n}")
        where = _audit_path(args) or "the default audit log"
        if counting.inner is not None:
            print(f"   full log: vpnkit audit   ({where})")
    print(f"demo finished in {time.monotonic() - started:.1f} s")
    return status


def _emit_describe(client: VpcClient) -> None:
    from vpnkit.frames import connections_frame

    frame = connections_frame(client.describe_vpn_connections_raw())
    frame = frame.sort_values(["vpn_gateway_id", "vpn_connection_name"])
    _emit(frame[[c for c in _TABLE if c in frame.columns]], "table")


COMMANDS: Mapping[str, Callable[[argparse.Namespace], int]] = {
    "create": cmd_create, "batch": cmd_batch, "describe": cmd_describe, "delete": cmd_delete,
    "audit": cmd_audit, "skeleton": cmd_skeleton, "lab": cmd_lab, "demo": cmd_demo,
}


def run(args: argparse.Namespace) -> int:
    """Dispatch a parsed command line."""
    return COMMANDS[args.command](args)
