"""Which issues a person sees, and where: under the touched field, at the SPD row, in the bar.

A pristine form shows no errors; a field's message shows once the field was touched, or
every message after Submit (``form.show_all``). Checks against the gateway's live tunnels
(``form.live``: duplicate name, SPD conflict, mixed route types, ...) show as soon as they
are found, since no typing of the analyst's own brings them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpnkit.validate import Issue
from vpnkit.widgets.fields import Slot, message_html
from vpnkit.widgets.layout import bar_summary
from vpnkit.widgets.results import issues_html
from vpnkit.widgets.wording import human_path

if TYPE_CHECKING:
    from vpnkit.widgets.vpnform import VpnForm

__all__ = ["open_errors", "path_is_spd", "show_issues", "shown_issues",
           "slot_for"]

def path_is_spd(path: str) -> bool:
    return path.startswith("security_policy_databases")


def slot_for(form: VpnForm, path: str) -> Slot | None:
    """The field an issue path belongs to (``tags[0].key`` -> the tags field)."""
    return form.slots.get(path) or form.slots.get(path.split("[")[0])


def _spd_row_touched(form: VpnForm, path: str) -> bool:
    rows = form.spd.rule_rows
    if "[" not in path:
        return bool(form.spd.touched)
    i = int(path.split("[", 1)[1].split("]", 1)[0])
    return i < len(rows) and rows[i] in form.spd.touched


def shown_issues(form: VpnForm) -> list[Issue]:
    """The issues a person sees now: touched fields, live-state checks, or all on Submit."""
    out = []
    live = form.live  # the pre-flight against the gateway's tunnels (and its lookup)
    for i in form.issues:
        if path_is_spd(i.path):
            seen = form.show_all or i in live or _spd_row_touched(form, i.path)
        else:
            slot = slot_for(form, i.path)
            seen = form.show_all or i in live or slot is None or slot.touched
        if seen:
            out.append(i)
    return out


_CHOOSE = {"vpn_gateway_id": "a VPN gateway", "customer_gateway_id": "a customer gateway",
           "vpc_id": "a VPC"}


def _say(issue: Issue) -> str:
    """The message under a field; an empty picker asks to choose (validation says "empty")."""
    empty = issue.code in ("InvalidParameterValue.Empty", "MissingParameter")
    if issue.path in _CHOOSE and empty:
        return f"choose {_CHOOSE[issue.path]} (or type its id)"
    if issue.path == "pre_share_key" and empty:
        return "type a key and press Enter, or generate one"
    return issue.message


def show_issues(form: VpnForm) -> None:
    """Put every shown issue at its field, its SPD row, the review list and the bar."""
    shown = shown_issues(form)
    rows = form.spd.rule_rows
    form.issues_html.value = issues_html(shown, rule_rows=rows) if shown or not \
        form.has_errors else "<span style='color:#555'>Messages appear at each field as " \
        "you fill it in.</span>"
    form.spd.show_all = form.show_all
    form.spd.mark_issues((i.path, i.severity, i.message) for i in shown if path_is_spd(i.path))
    per: dict[int, list[tuple[str, str]]] = {}
    for i in shown:
        slot = slot_for(form, i.path)
        if slot is not None and not path_is_spd(i.path):
            per.setdefault(id(slot), []).append((i.severity, _say(i)))
    for slot in {id(s): s for s in form.slots.values()}.values():
        slot.show(per.get(id(slot), []))
    security = form.security.path_slots()
    weak = [("warning", f"{human_path(i.path)}: {i.message}") for i in form.issues
            if i.severity == "warning" and i.path in security]
    form.security.weak.value = message_html(weak)  # weak choices show at the picker
    done = form._created.get((form.spec.vpn_gateway_id, form.spec.vpn_connection_name))
    form.checks.value = bar_summary(form.issues, shown, rows, created=done.vpn_connection_id
                                    if done is not None else "", say=_say)


def open_errors(form: VpnForm) -> None:
    """After Submit, open the collapsed advanced part when the errors left are all in it
    (errors in the visible parts come first; an empty form does not unfold every option)."""
    advanced = set(form.security.path_slots())
    errors = [i for i in form.issues if i.severity == "error"]
    if errors and all(i.path in advanced or i.path.split("[")[0] in advanced for i in errors):
        form.security.advanced.selected_index = 0
