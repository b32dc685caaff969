"""Option widgets generated from :mod:`vpnkit.options`, each with its message right under it.

Every dropdown's values, every numeric range, every default and every tooltip comes from the
options table; nothing here retypes an enum. One option -> one widget:

* allowed values ``(0, 1)``      -> ``Checkbox`` (0/1 on the model);
* other allowed values           -> ``Dropdown`` (plain-word labels, the value sent unchanged);
* an int range with a default    -> ``BoundedIntText`` pre-filled with the default;
* an int range without a default -> ``Text`` (blank = not sent; non-numbers reach validation);
* ``bool``                       -> ``Checkbox``; anything else -> ``Text`` (blank = not sent).

A :class:`Slot` holds a widget and its inline message; the message shows once the widget was
touched (its value changed) or the form asked for every message (Submit).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

import ipywidgets as W

from vpnkit import options
from vpnkit.models import Tag
from vpnkit.widgets.wording import choice_labels, label

__all__ = [
    "BAD_CLASS",
    "DESCRIPTION_WIDTH",
    "IDENTITY_RULES",
    "OptionPanel",
    "Slot",
    "mark",
    "message_html",
    "option_widget",
    "parse_tags",
    "read_option",
    "tags_text",
    "write_option",
]

BAD_CLASS = "vpnkit-bad"
DESCRIPTION_WIDTH = "170px"
_COLOUR = {"error": "#c9302c", "warning": "#b35c00"}

#: option -> (the option it depends on, the value that shows it).
IDENTITY_RULES: dict[str, tuple[str, str]] = {
    "local_address": ("local_identity", "ADDRESS"),
    "local_fqdn_name": ("local_identity", "FQDN"),
    "remote_address": ("remote_identity", "ADDRESS"),
    "remote_fqdn_name": ("remote_identity", "FQDN"),
}
#: Display order of a section's options (as an analyst reads them); others follow.
ORDER: dict[str, tuple[str, ...]] = {
    "ike": ("version", "exchange_mode", "encryption_algorithm", "authentication_algorithm",
            "dh_group", "sa_lifetime_seconds", "local_identity", "local_address",
            "local_fqdn_name", "remote_identity", "remote_address", "remote_fqdn_name"),
    "ipsec": ("encryption_algorithm", "integrity_algorithm", "pfs_dh_group",
              "sa_lifetime_seconds", "sa_lifetime_traffic"),
}
#: IKE options that only one IKE version uses (ref §2.2: ExchangeMode is IKEv1's).
VERSION_RULES: dict[str, tuple[str, str]] = {"exchange_mode": ("version", "IKEV1")}


def _style() -> dict[str, str]:
    return {"description_width": DESCRIPTION_WIDTH}


def option_widget(opt: options.Option) -> W.ValueWidget:
    """A widget for one option: allowed values, range, default and tooltip from the table."""
    common: dict[str, Any] = {"description": label(opt), "tooltip": opt.help,
                              "style": _style(), "layout": W.Layout(width="auto")}
    if opt.choices == (0, 1) or opt.kind == "bool":
        return W.Checkbox(value=bool(opt.default), indent=False, description=label(opt),
                          tooltip=opt.help, layout=W.Layout(width="auto"))
    if opt.choices:
        return W.Dropdown(options=choice_labels(opt), value=opt.default
                          if opt.default is not None else opt.choices[0], **common)
    if opt.kind == "int" and opt.default is not None:
        return W.BoundedIntText(value=int(opt.default), min=opt.minimum, max=opt.maximum,
                                **common)
    default = re.search(r"\(default: ([^)]+)\)", opt.help)  # e.g. the gateway's public IP
    blank = f"(blank: {default.group(1)})" if default else "(blank: not sent)"
    hint = f"{opt.minimum}..{opt.maximum} {blank}" if opt.kind == "int" else blank
    return W.Text(value="", placeholder=hint, **common)


def read_option(opt: options.Option, widget: W.ValueWidget) -> Any:
    """The model value of a widget: ``None`` for a blank text (the field is not sent)."""
    value = widget.value
    if opt.choices == (0, 1):
        return 1 if value else 0
    if isinstance(widget, W.Text):
        text = value.strip()
        if not text:
            return None
        if opt.kind == "int":
            try:
                return int(text)
            except ValueError:
                return text  # validation reports "must be an integer" with the path
        return text
    return value


def write_option(opt: options.Option, widget: W.ValueWidget, value: Any) -> None:
    """Show a model value (``None`` -> the API default, or blank)."""
    if value is None:
        value = opt.default
    if opt.choices == (0, 1):
        widget.value = bool(value)
    elif isinstance(widget, W.Dropdown):
        if value not in {v for _, v in widget.options}:  # unknown value from a clone: flag it
            widget.options = (*widget.options, (str(value), value))
        widget.value = value
    elif isinstance(widget, W.Text):
        widget.value = "" if value is None else str(value)
    elif isinstance(widget, W.BoundedIntText):
        widget.value = int(value) if isinstance(value, int) and not isinstance(value, bool) \
            else int(opt.default or 0)
    else:
        widget.value = value


def message_html(found: Sequence[tuple[str, str]]) -> str:
    """``[(severity, text)]`` -> the inline message HTML (errors red, warnings amber)."""
    return "".join(f"<div class='vpnkit-{sev}' style='color:{_COLOUR.get(sev, '#666')}'>"
                   f"{'⚠' if sev == 'warning' else '✖'} {escape(text)}</div>"
                   for sev, text in found)


class Slot(W.VBox):  # type: ignore[misc]
    """A widget with its message under it; ``touched`` once its value changed."""

    def __init__(self, widget: W.Widget, *parts: W.Widget) -> None:
        self.widget = widget
        self.touched = False
        self.msg = W.HTML(layout=W.Layout(margin="0 0 2px 174px"))
        self.msg.add_class("vpnkit-msg")
        if "value" in widget.keys:
            widget.observe(self._touch, names="value")
        row = W.HBox([widget, *parts], layout=W.Layout(width="100%", align_items="center")) \
            if parts else widget
        super().__init__([row, self.msg], layout=W.Layout(width="100%"))

    def _touch(self, _change: Any) -> None:
        self.touched = True

    def show(self, found: Sequence[tuple[str, str]]) -> None:
        """Show these messages (or none); the widget is marked bad for an error."""
        text = message_html(found)
        if self.msg.value != text:
            self.msg.value = text
        mark(self.widget, any(sev == "error" for sev, _ in found))


class OptionPanel(W.VBox):  # type: ignore[misc]
    """All options of one section (``ike``, ``ipsec``, ``bgp``, ``health_check_config``)."""

    def __init__(self, section: str, on_change: Callable[[], None]) -> None:
        self.section = section
        self.opts = {o.name: o for o in options.by_section(section)}
        self.fields: dict[str, W.ValueWidget] = {n: option_widget(o)
                                                 for n, o in self.opts.items()}
        self.slots = {n: Slot(w) for n, w in self.fields.items()}
        rules = {**IDENTITY_RULES, **VERSION_RULES} if section == "ike" else {}
        self._rules = {n: r for n, r in rules.items() if n in self.fields and r[0] in self.fields}
        for name, widget in self.fields.items():  # visibility first: the spec reads it
            if any(r[0] == name for r in self._rules.values()):
                widget.observe(lambda _change: self._visibility(), names="value")
            widget.observe(lambda _change: on_change(), names="value")
        order = ORDER.get(section, ())
        shown = sorted(self.slots, key=lambda n: order.index(n) if n in order else len(order))
        super().__init__([self.slots[n] for n in shown], layout=W.Layout(width="100%"))
        self._visibility()

    def _visibility(self) -> None:
        for name, (depends, needs) in self._rules.items():
            shown = self.fields[depends].value == needs
            self.slots[name].layout.display = None if shown else "none"

    def visible(self, name: str) -> bool:
        """False for an option the current identity type or IKE version does not use."""
        return bool(self.slots[name].layout.display != "none")

    def values(self) -> dict[str, Any]:
        """``{option name: model value}``; hidden options are ``None`` (not sent)."""
        return {n: read_option(self.opts[n], w) if self.visible(n) else None
                for n, w in self.fields.items()}

    def set_values(self, obj: Any) -> None:
        """Fill from a model object or mapping; missing options go back to the default."""
        get = obj.get if isinstance(obj, Mapping) else (lambda n, d=None: getattr(obj, n, d))
        for name, widget in self.fields.items():
            write_option(self.opts[name], widget, None if obj is None else get(name, None))

    def update(self, values: Mapping[str, Any]) -> None:
        """Set only the named options."""
        for name, value in values.items():
            if name in self.fields:
                write_option(self.opts[name], self.fields[name], value)

    def path_slots(self, prefix: str) -> dict[str, Slot]:
        """``{issue path: slot}`` for messages, e.g. ``ike_options.dh_group``."""
        return {f"{prefix}.{n}": s for n, s in self.slots.items()}


def mark(widget: W.Widget, bad: bool | str | None) -> None:
    """Mark a widget bad (a CSS class: the form's style gives its input a red border), or
    clear the mark. The label stays as it is; the message under the field says why."""
    if bad:
        if BAD_CLASS not in widget._dom_classes:
            widget.add_class(BAD_CLASS)
    elif BAD_CLASS in widget._dom_classes:
        widget.remove_class(BAD_CLASS)


def parse_tags(text: str) -> tuple[Tag, ...]:
    """``"env=prod, team=net"`` -> Tags (a key without ``=`` gets an empty value)."""
    out = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if part:
            key, _, value = part.partition("=")
            out.append(Tag(key.strip(), value.strip()))
    return tuple(out)


def tags_text(tags: Iterable[Tag]) -> str:
    """Tags -> ``"env=prod, team=net"``."""
    return ", ".join(f"{t.key}={t.value}" if t.value else t.key for t in tags)
