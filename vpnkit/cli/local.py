"""``vpnkit lab`` and ``vpnkit demo``: the runbooks in JupyterLab, and the main job offline."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpnkit.cli._common import (
    TABLE_COLUMNS,
    CountingSink,
    UsageError,
    audit_log,
    emit,
    in_utc,
    mode_from_args,
    seconds,
)

if TYPE_CHECKING:
    from vpnkit.client import VpcClient

__all__ = ["register"]

DEMO_REGION = "ap-guangzhou"
PACKAGE = Path(__file__).resolve().parents[1]


def register(sub: Any) -> None:
    """Add ``lab`` and ``demo`` to the subcommands."""
    p = sub.add_parser("lab", help="start JupyterLab on the runbooks",
                       description="Start JupyterLab on notebooks/. With no credentials and "
                       "no endpoint, one emulator serves every runbook.")
    p.add_argument("--dry-run", action="store_true", help="print the command, do not run it "
                   "(default: run it)")
    p.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="passed to jupyter lab "
                   "(after --; default: none)")
    p.set_defaults(func=cmd_lab)
    p = sub.add_parser("demo", help="the main job against an embedded emulator, no "
                       "credentials needed", description="Create one tunnel and the sample "
                       "batch on an embedded emulator, then list and audit them. Its calls "
                       "go to the emulator audit log, never the real one.")
    p.add_argument("--create-delay", type=seconds, default=0.5, metavar="S",
                   help="seconds a demo tunnel stays PENDING (default: %(default)s)")
    p.set_defaults(func=cmd_demo)


def cmd_lab(args: argparse.Namespace) -> int:
    """lab: ``jupyter lab notebooks/``, every runbook on one shared API.

    With no credentials and no endpoint configured, one emulator is started for the whole
    lab session (its state kept beside the audit log), so the runbooks see each other's
    tunnels: 01 creates, 02 adds a batch, 03 audits them, 04 cleans up.
    """
    import shlex
    import shutil
    import subprocess

    here = PACKAGE.parent / "notebooks"
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
    shared = mode_from_args(args) == "emulator" and not endpoint  # also checks --profile
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

    from vpnkit.cli.batch import run_batch
    from vpnkit.emulator import serve
    from vpnkit.models import IkeOptions, IpsecOptions, Tag, VpnConnectionSpec, spd_rules
    from vpnkit.session import banner, connect

    started = time.monotonic()
    counting = CountingSink(audit_log(args, "emulator"))  # never the real account's log
    with serve(seed="demo", create_delay=args.create_delay) as emu, \
            tempfile.TemporaryDirectory(prefix="vpnkit-demo-") as tmp:
        client = connect(args.region or DEMO_REGION, endpoint=emu.url,
                         credential=emu.credential, audit=counting, quiet=True)
        client.mode = "emulator"
        where = getattr(counting.inner, "path", None)
        logged = f" Calls logged in {where}." if where is not None else ""
        print(banner(client, "emulator") + logged, file=sys.stderr)
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
        sample = PACKAGE / "samples" / "branches.csv"
        for var in _psk_variables(sample):
            os.environ.setdefault(var, secrets.token_urlsafe(18))  # generated, never shown
        print(f"2. batch from {sample.name} ...")
        ns = argparse.Namespace(workers=8, no_wait=False, resume=None, batch_id=None,
                                crypto_profile="strong",
                                skip_invalid=False,
                                dry_run=False, no_progress=True, wait_timeout=120.0,
                                state=str(Path(tmp) / "journal.sqlite3"), format="table")
        status = run_batch(client, sample, ns)
        print("3. every tunnel:")
        _emit_describe(client)
        print("4. audit summary (calls by action and outcome):")
        for (action, outcome), n in sorted(counting.counts.items()):
            print(f"   {action:<28} {outcome:<16} {n}")
        if where is not None:
            print(f"   full log: {where} (vpnkit --audit {where} audit); the real "
                  "account's audit log is untouched")
    print(f"demo finished in {time.monotonic() - started:.1f} s")
    return status


def _psk_variables(sample: Path) -> list[str]:
    """The environment variables the sample CSV's ``pre_share_key_env`` column names."""
    import csv

    with sample.open(encoding="utf-8", newline="") as fh:
        return sorted({row["pre_share_key_env"] for row in csv.DictReader(fh)
                       if row.get("pre_share_key_env")})


def _emit_describe(client: VpcClient) -> None:
    from vpnkit.frames import connections_frame

    frame = in_utc(connections_frame(client.describe_vpn_connections_raw()))
    frame = frame.sort_values(["vpn_gateway_id", "vpn_connection_name"])
    emit(frame[[c for c in TABLE_COLUMNS if c in frame.columns]], "table")
