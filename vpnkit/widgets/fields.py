"""Option widgets generated from :mod:`vpnkit.options`, and the marks for bad fields.

Every dropdown's values, every numeric range, every default and every tooltip comes from the
options table; nothing here retypes an enum. One option -> one widget:

* allowed values ``(0, 1)``      -> ``Checkbox`` (0/1 on the model);
* other allowed values           -> ``Dropdown`` with the API default selected;
* an int range with a default    -> ``BoundedIntText`` pre-filled with the default;
* an int range without a default -> ``Text`` (blank = not sent; non-numbers reach validation);
* ``bool``                       -> ``Checkbox``; anything else -> ``Text`` (blank = not sent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ipywidgets as W

from vpnkit import options
from vpnkit.models import Tag

__all__ = [
    "BAD_CLASS",
    "DESCRIPTION_WIDTH",
    "OptionPanel",
    "mark",
    "option_widget",
    "parse_tags",
    "read_option",
    "tags_text",
    "write_option",
]

BAD_CLASS = "vpnkit-bad"
DESCRIPTION_WIDTH = "170px"
_BAD_BORDER = "2px solid #d9534f"

#: IKE identity fields and the identity type that needs each (shown only then).
IDENTITY_RULES: dict[str, tuple[str, str]] = {
    "local_address": ("local_identity", "ADDRESS"),
    "local_fqdn_name": ("local_identity", "FQDN"),
    "remote_address": ("remote_identity", "ADDRESS"),
    "remote_fqdn_name": ("remote_identity", "FQDN"),
}


def _style() -> dict[str, str]:
    return {"description_width": DESCRIPTION_WIDTH}


def option_widget(opt: options.Option) -> W.ValueWidget:
    """A widget for one option: allowed values, range, default and tooltip from the table."""
    common: dict[str, Any] = {"description": opt.label, "tooltip": opt.help,
                              "style": _style(), "layout": W.Layout(width="98%")}
    if opt.choices == (0, 1):
        return W.Checkbox(value=bool(opt.default), indent=False, description=opt.label,
                          tooltip=opt.help)
    if opt.choices:
        return W.Dropdown(options=list(opt.choices), value=opt.default
                          if opt.default is not None else opt.choices[0], **common)
    if opt.kind == "bool":
        return W.Checkbox(value=bool(opt.default), indent=False, description=opt.label,
                          tooltip=opt.help)
    if opt.kind == "int" and opt.default is not None:
        return W.BoundedIntText(value=int(opt.default), min=opt.minimum, max=opt.maximum,
                                **common)
    hint = f"{opt.minimum}..{opt.maximum} (blank: not sent)" if opt.kind == "int" \
        else "(blank: not sent)"
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
        if value not in widget.options:  # an unknown value from a clone: keep it, flag it
            widget.options = (*widget.options, value)
        widget.value = value
    elif isinstance(widget, W.Text):
        widget.value = "" if value is None else str(value)
    elif isinstance(widget, W.BoundedIntText):
        widget.value = int(value) if isinstance(value, int) and not isinstance(value, bool) \
            else int(opt.default or 0)
    else:
        widget.value = value


class OptionPanel(W.VBox):  # type: ignore[misc]
    """All options of one section (``ike``, ``ipsec``, ``bgp``, ``health_check_config``)."""

    def __init__(self, section: str, on_change: Callable[[], None]) -> None:
        self.section = section
        self.opts = {o.name: o for o in options.by_section(section)}
        self.fields: dict[str, W.ValueWidget] = {n: option_widget(o)
                                                 for n, o in self.opts.items()}
        for name, widget in self.fields.items():
            widget.observe(lambda _change: on_change(), names="value")
            if name in ("local_identity", "remote_identity"):
                widget.observe(lambda _change: self._identity_visibility(), names="value")
        super().__init__(list(self.fields.values()))
        self._identity_visibility()

    def _identity_visibility(self) -> None:
        for name, (kind_field, needs) in IDENTITY_RULES.items():
            if name in self.fields and kind_field in self.fields:
                shown = self.fields[kind_field].value == needs
                self.fields[name].layout.display = None if shown else "none"

    def visible(self, name: str) -> bool:
        """False for an identity field its identity type does not use."""
        return bool(self.fields[name].layout.display != "none")

    def values(self) -> dict[str, Any]:
        """``{option name: model value}``; hidden identity fields are ``None`` (not sent)."""
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
            write_option(self.opts[name], self.fields[name], value)

    def path_widgets(self, prefix: str) -> dict[str, W.Widget]:
        """``{issue path: widget}`` for marking, e.g. ``ike_options.dh_group``."""
        return {f"{prefix}.{n}": w for n, w in self.fields.items()}


def mark(widget: W.Widget, message: str | None) -> None:
    """Mark a widget bad (CSS class + red border + the message as tooltip), or clear it."""
    if not hasattr(widget, "_vpnkit_help"):
        widget._vpnkit_help = getattr(widget, "tooltip", None)  # restored when cleared
    if message:
        widget.add_class(BAD_CLASS)
        widget.layout.border = _BAD_BORDER
        widget.tooltip = message
    else:
        widget.remove_class(BAD_CLASS)
        widget.layout.border = None
        widget.tooltip = getattr(widget, "_vpnkit_help", None)


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
