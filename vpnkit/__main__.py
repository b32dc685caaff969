"""``python -m vpnkit``: the same as the ``vpnkit`` command (see :mod:`vpnkit.cli`)."""

from vpnkit.cli import run

run()
