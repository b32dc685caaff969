"""Helpers shared by the widget tests (imported by file name, as tests/emulator does)."""

from __future__ import annotations

from vpnkit.widgets import VpnForm

PSK = "Sup3r-Secret-PSK-never-shown"


def fill(f: VpnForm, name: str = "gz-to-hq", *, gateway: str = "vpngw-demo0001",
         cgw: str = "cgw-demo0001") -> VpnForm:
    """Fill a valid tunnel: targets, name, key, two SPD rows (remote address from the cgw)."""
    f.targets.select(vpn_gateway_id=gateway, customer_gateway_id=cgw)
    f.basics.name.value = name
    f.basics.psk.value = PSK
    f.load_spd("10.0.1.0/24 -> 192.168.0.0/24, 192.168.1.0/24\n10.0.2.0/24 = 192.168.2.0/24")
    return f
