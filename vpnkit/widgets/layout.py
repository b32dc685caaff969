"""The form's look: its CSS, numbered section headers and the one-line state of the checks.

The bar holding Submit and the checks is ``position: sticky`` at the bottom of the notebook's
scrolling area, so it stays in view while the analyst fills any part of the form. Sticky needs
every box between the bar and the scrolling area to let it out (``overflow: visible``); the
rules below do that for JupyterLab's output areas only, with ``min-width: 0`` so that a wide
table still scrolls inside its own box instead of widening the output area.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

import ipywidgets as W

from vpnkit.validate import Issue
from vpnkit.widgets.wording import human_path

__all__ = ["CSS", "bar_summary", "section"]

CSS = """<style>
.vpnkit-bad input, .vpnkit-bad select, .vpnkit-bad textarea
  {border:2px solid #d9534f !important; background:#fff5f5}
.vpnkit-form {max-width:100%; min-width:0; box-sizing:border-box}
.vpnkit-form .widget-html, .vpnkit-form .widget-html-content {min-width:0; max-width:100%}
.vpnkit-form .widget-html-content {white-space:normal; overflow-wrap:anywhere}
.vpnkit-msg .widget-html-content, .vpnkit-spd-msg .widget-html-content,
.vpnkit-progress, .vpnkit-form .vpnkit-issues {line-height:1.35}
.vpnkit-form .vpnkit-result-scroll {overflow-x:auto; max-width:100%}
.vpnkit-form .jupyter-button {overflow:visible}
.vpnkit-form h4.vpnkit-h {margin:10px 0 4px; padding-bottom:2px; border-bottom:1px solid #ddd}
.vpnkit-bar {position:sticky; bottom:0; z-index:20; background:var(--jp-layout-color1, #fff);
  border-top:2px solid #1976d2; padding:4px 6px; box-shadow:0 -2px 6px rgba(0,0,0,.12)}
.jp-OutputArea:has(.vpnkit-bar), .jp-OutputArea :has(.vpnkit-bar),
.jp-Cell:has(.vpnkit-bar), .jp-Cell :has(.vpnkit-bar) {overflow:visible !important;
  contain:none !important; min-width:0 !important}
</style>"""


def section(number: str, title: str, body: W.Widget) -> W.VBox:
    """A numbered part of the form (``2 · Tunnel``)."""
    head = W.HTML(f"<h4 class='vpnkit-h'>{escape(number)} · {escape(title)}</h4>")
    return W.VBox([head, body], layout=W.Layout(width="100%"))


def bar_summary(found: Sequence[Issue], shown: Sequence[Issue],
                rule_rows: Sequence[int] = (), *, created: str = "",
                say: Callable[[Issue], str] = lambda i: i.message) -> str:
    """The checks in one line: ready, how many to fix (and the first), or still to fill;
    ``created``: this very request was already sent (its tunnel id)."""
    if created:
        return (f"<span class='vpnkit-ready' style='color:#2e7d32'>✔ Created "
                f"{escape(created)}</span> · change the name (and SPD) to create another")
    errors = [i for i in found if i.severity == "error"]
    warnings = [i for i in found if i.severity != "error"]
    shown_errors = [i for i in shown if i.severity == "error"]
    warn = (f" · <span style='color:#b35c00'>⚠ {len(warnings)} warning"
            f"{'s' if len(warnings) != 1 else ''}</span>" if warnings else "")
    if not errors:
        return f"<span class='vpnkit-ready' style='color:#2e7d32'>✔ Ready to submit</span>{warn}"
    if not shown_errors:
        return (f"<span style='color:#555'>Not ready: {len(errors)} field"
                f"{'s' if len(errors) != 1 else ''} to fill in or fix (Submit shows where)"
                f"</span>{warn}")
    first = shown_errors[0]
    return (f"<span class='vpnkit-not-ready' style='color:#c9302c'>✖ {len(errors)} error"
            f"{'s' if len(errors) != 1 else ''}</span>{warn} · first: <b>"
            f"{escape(human_path(first.path, rule_rows))}</b>: {escape(say(first))}")
