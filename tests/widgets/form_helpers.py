"""Helpers shared by the widget tests (imported by file name, as tests/emulator does)."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
from ipywidgets.widgets.widget import _instances

from vpnkit.widgets import VpnForm

PSK = "Sup3r-Secret-PSK-never-shown"


def fill(f: VpnForm, name: str = "gz-to-hq", *, gateway: str = "vpngw-demo0001",
         cgw: str = "cgw-demo0001") -> VpnForm:
    """Fill a valid tunnel: targets, name, typed key, two SPD rows (remote address from cgw)."""
    f.targets.select(vpn_gateway_id=gateway, customer_gateway_id=cgw)
    f.basics.name.value = name
    f.basics.key.entry.value = PSK  # as the browser syncs a typed key (Enter / blur)
    f.load_spd("10.0.1.0/24 -> 192.168.0.0/24, 192.168.1.0/24\n10.0.2.0/24 = 192.168.2.0/24")
    return f


def synced_state(f: VpnForm) -> str:
    """Every synced trait of every widget in the form, as one string (what a front end
    or a notebook's saved widget state can ever hold)."""
    seen: set[str] = set()
    out: list[str] = []

    def walk(w: Any) -> None:
        if not isinstance(w, W.Widget) or w.model_id in seen:
            return
        seen.add(w.model_id)
        state = w.get_state()
        out.append(repr(state))
        for value in state.values():
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, str) and item.startswith("IPY_MODEL_"):
                    walk(_instances.get(item[len("IPY_MODEL_"):]))
        for child in getattr(w, "children", ()):
            walk(child)

    walk(f)
    return "\n".join(out)
