"""``vpnkit plan FILE`` and ``vpnkit apply FILE``: desired state vs live, then in-place changes.

Exit codes, like ``terraform plan -detailed-exitcode``: 0 nothing to do (or everything
applied), 2 changes pending (``plan``, or ``apply`` without ``--yes``), 1 errors (an invalid
desired state, an unreadable live state, a change that failed, and usage errors too, so that
2 never means anything but "pending"). ``apply`` without ``--yes``
shows the plan and sends nothing; deleting (``--prune``, ``--replace``) also needs the phrase
the plan prints, given with ``--confirm`` (or typed at the prompt on a terminal). ``apply``
plans afresh each time; before sending it re-reads the tunnels, so one that changed while the
prompt waited is reported ``stale`` and not sent (exit 1: plan again).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from vpnkit.cli._common import (
    FORMATS,
    add_workers,
    client_from_args,
    emit,
    input_path,
    warn_rows,
)

if TYPE_CHECKING:
    from vpnkit.plan import Plan

__all__ = ["register", "render"]

_MARK = {"create": "+", "modify": "~", "replace": "-/+", "delete": "-", "unchanged": " "}


def register(sub: Any) -> None:
    """Add ``plan`` and ``apply`` to the subcommands."""
    for name, text in (("plan", "show what apply would change (exit 2 if anything)"),
                       ("apply", "change the live tunnels to match FILE (needs --yes)")):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("file", help="desired state: the batch CSV/JSON layout "
                       "(see vpnkit.batch.io)")
        p.add_argument("--prune", action="store_true", help="also delete the tunnels of "
                       "FILE's gateways that FILE does not list")
        p.add_argument("--format", choices=FORMATS, default="table",
                       help="output format (default: table)")
        p.add_argument("--state", metavar="DB", help="journal (default: beside the "
                       "audit log, or $VPNKIT_BATCH_STATE); its unfinished replaces are "
                       "planned as the creates that finish them")
        if name == "apply":
            p.add_argument("--yes", action="store_true", help="apply (without it: show "
                           "the plan, send nothing)")
            p.add_argument("--replace", action="store_true", help="allow deleting and "
                           "re-creating tunnels whose change Modify cannot make")
            p.add_argument("--confirm", metavar="PHRASE", help="the phrase the plan prints "
                           "when it deletes tunnels, e.g. 'delete 2 tunnels'")
            add_workers(p, "parallel changes")
            p.add_argument("--no-wait", action="store_true", help="do not wait for "
                           "created tunnels to be AVAILABLE")
        p.set_defaults(func=cmd_plan if name == "plan" else cmd_apply)


def render(p: Plan, *, verbose: bool = False, hint: bool = True) -> str:
    """The plan as terraform-like text: one line per tunnel, one indented line per field."""
    lines = []
    for c in p.changes:
        if c.action == "unchanged" and not verbose:
            continue
        where = f" ({c.vpn_connection_id})" if c.vpn_connection_id else ""
        lines.append(f"{_MARK[c.action]:>3} {c.action:<9} {c.vpn_gateway_id}/{c.name}{where}")
        lines += [f"        {f}" for f in c.fields]
        lines += [f"        note: {n}" for n in c.notes]
    lines.append(p.summary())
    if p.confirmation and hint:
        lines.append(f"applying deletes tunnels: confirm with --confirm '{p.confirmation}'")
    return "\n".join(lines)


def _record(p: Plan) -> dict[str, Any]:
    return {"summary": p.summary(), "counts": p.counts, "confirmation": p.confirmation,
            "changes": p.records()}


def _show(p: Plan, fmt: str, *, quiet_json: bool = False, hint: bool = True) -> None:
    if fmt == "table":
        print(render(p, hint=hint))
    elif fmt == "csv":
        emit(p.frame, "csv")
    elif not quiet_json:
        print(json.dumps(_record(p), ensure_ascii=False, indent=2))
    if p.warnings is not None:
        warn_rows(p.warnings)


def _make(args: argparse.Namespace) -> tuple[Any, Plan | None]:
    from vpnkit.batch import BatchInvalid
    from vpnkit.plan import plan

    path = input_path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")  # exit 1: an error, not "pending"
    client = client_from_args(args)
    try:
        return client, plan(client, path, prune=args.prune, state=args.state)
    except BatchInvalid as exc:
        emit(exc.frame, args.format)
        n = len(exc.frame)
        print(f"error: {path}: desired state refused, nothing sent: {n} problem"
              f"{'s' if n != 1 else ''} (table above)", file=sys.stderr)
        return client, None


def cmd_plan(args: argparse.Namespace) -> int:
    """plan FILE: 0 nothing to do, 2 changes pending, 1 errors."""
    _, p = _make(args)
    if p is None:
        return 1
    _show(p, args.format)
    return 0 if p.empty else 2


def _confirmation(p: Plan, given: str | None) -> str | None:
    if p.confirmation is None or given is not None:
        return given
    if sys.stdin.isatty():
        return input(f"type '{p.confirmation}' to confirm: ").strip()
    return None


def cmd_apply(args: argparse.Namespace) -> int:
    """apply FILE [--yes]: make the plan's changes (0 done or nothing to do, 2 not applied)."""
    from vpnkit.plan import PlanError

    _, p = _make(args)
    if p is None:
        return 1
    applying = args.yes and not p.empty
    _show(p, args.format, quiet_json=applying,  # JSON: one document, plan and result
          hint=not (applying and args.confirm == p.confirmation))
    if p.empty:
        return 0
    if not args.yes:
        print("not applied: re-run with --yes to apply this plan", file=sys.stderr)
        return 2
    confirm = _confirmation(p, args.confirm)
    try:
        result = p.apply(confirm=confirm, replace=args.replace, workers=args.workers,
                         state=args.state, wait=not args.no_wait, progress=False)
    except PlanError as exc:
        if args.format == "json":
            print(json.dumps(_record(p), ensure_ascii=False, indent=2))
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        rows = json.loads(result.frame.to_json(orient="records"))
        print(json.dumps({"plan": _record(p), "apply_id": result.apply_id,
                          "summary": result.summary(), "result": rows},
                         ensure_ascii=False, indent=2))
    else:
        emit(result.frame, args.format)
    print(result.summary(), file=sys.stderr)
    stale = result.counts.get("stale", 0)
    if stale:
        print(f"{stale} change{'s' if stale != 1 else ''} not sent: the tunnel changed since "
              "the plan was read; plan again", file=sys.stderr)
    return 0 if result.ok else 1
