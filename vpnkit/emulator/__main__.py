"""``python -m vpnkit.emulator``: serve until SIGINT/SIGTERM; the base URL is stdout line 1.

:func:`add_arguments` and :func:`main` are reused by the ``vpnkit emulator`` subcommand.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from vpnkit.emulator.backend import (
    TUNNELS_PER_ACCOUNT,
    TUNNELS_PER_CUSTOMER_GATEWAY,
    TUNNELS_PER_GATEWAY,
)
from vpnkit.emulator.faults import parse_assignment
from vpnkit.emulator.seed import SEEDS
from vpnkit.emulator.server import (
    DEMO_SECRET_ID,
    DEMO_SECRET_KEY,
    IDLE_TIMEOUT,
    MAX_CONNECTIONS,
    serve,
)

__all__ = ["add_arguments", "main"]


def _fault(text: str) -> tuple[str, Any]:
    try:
        return parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to ``parser``."""
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default: "
                        "%(default)s; loopback only unless --allow-remote)")
    parser.add_argument("--port", type=int, default=0, help="port (default: %(default)s, "
                        "a free one)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a non-loopback --host "
                        "(default: off)")
    parser.add_argument("--secret-id", default=DEMO_SECRET_ID, help="accepted SecretId (default: "
                        "the documented demo id)")
    parser.add_argument("--secret-key", default=DEMO_SECRET_KEY,
                        help="accepted SecretKey (default: the documented demo key)")
    parser.add_argument("--token", default=None,
                        help="require this X-TC-Token (temporary credentials; default: none)")
    parser.add_argument("--state", metavar="FILE", help="persist state in this JSON file "
                        "(default: in memory only)")
    parser.add_argument("--seed", choices=sorted(SEEDS), default="demo",
                        help="starting state when there is no state file (default: %(default)s)")
    parser.add_argument("--create-delay", type=float, default=1.0, metavar="S",
                        help="seconds a tunnel stays PENDING (and DELETING; default: %(default)s)")
    parser.add_argument("--rate-limit", type=float, default=100.0, metavar="N",
                        help="requests/s per action and SecretId (0: unlimited; default: "
                        "%(default)s)")
    parser.add_argument("--tunnels-per-gateway", type=int, default=TUNNELS_PER_GATEWAY,
                        metavar="N", help="the emulator's tunnel quota per VPN gateway (no "
                        "documented default exists; default: %(default)s)")
    parser.add_argument("--tunnels-per-customer-gateway", type=int,
                        default=TUNNELS_PER_CUSTOMER_GATEWAY, metavar="N",
                        help="the emulator's tunnel quota per customer gateway (default: "
                        "%(default)s)")
    parser.add_argument("--tunnels-per-account", type=int, default=TUNNELS_PER_ACCOUNT,
                        metavar="N", help="the emulator's tunnel quota per account and region "
                        "(default: %(default)s)")
    parser.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS, metavar="N",
                        help="open connections served at once; the longest-idle one is "
                        "closed for a new one (default: %(default)s)")
    parser.add_argument("--idle-timeout", type=float, default=IDLE_TIMEOUT, metavar="S",
                        help="seconds a connection may wait between requests (default: "
                        "%(default)s)")
    parser.add_argument("--fault", type=_fault, action="append", default=[],
                        metavar="NAME=VALUE", help="inject a fault (repeatable), e.g. "
                        "drop_after_commit=0.3, delay=0.2, internal_error=0.1, "
                        "rate_limit_burst=5, actions=CreateVpnConnection, seed=1 (default: none)")


def _start_error(args: argparse.Namespace, exc: Exception) -> str:
    """serve()'s failure in the words of the command line: the port, the --state file, the
    --allow-remote flag (never a bare errno or a JSON parser's message alone)."""
    import errno

    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return (f"port {args.port} on {args.host} is already in use (choose another --port, "
                "or 0 for a free one)")
    import json

    if isinstance(exc, json.JSONDecodeError):
        return (f"--state {args.state} is not valid JSON: {exc.msg} at line {exc.lineno} "
                f"column {exc.colno}")
    text = str(exc).replace("allow_remote=True", "--allow-remote")
    if args.state and isinstance(exc, ValueError | OSError) and args.state not in text:
        return f"--state {args.state}: {text}"
    return text


def main(argv: list[str] | None = None, prog: str = "python -m vpnkit.emulator") -> int:
    """Run the emulator until interrupted; returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog,
                                     description="Strict local Tencent Cloud VPC emulator.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        emu = serve(args.host, args.port, seed=args.seed, state=args.state,
                    secret_id=args.secret_id, secret_key=args.secret_key, token=args.token,
                    create_delay=args.create_delay, rate_limit=args.rate_limit,
                    faults=dict(args.fault), allow_remote=args.allow_remote,
                    tunnels_per_gateway=args.tunnels_per_gateway,
                    tunnels_per_customer_gateway=args.tunnels_per_customer_gateway,
                    tunnels_per_account=args.tunnels_per_account,
                    max_connections=args.max_connections, idle_timeout=args.idle_timeout)
    except (OSError, ValueError) as exc:
        print(f"{prog}: error: {_start_error(args, exc)}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with emu:
        print(emu.url, flush=True)
        print(f"SecretId {emu.credential.secret_id} (demo credentials unless overridden); "
              "Ctrl-C to stop", file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
