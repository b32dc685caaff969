"""``python -m vpnkit``: the same as the ``vpnkit`` command (see :mod:`vpnkit.cli`)."""

import sys

from vpnkit.cli import main

sys.exit(main())
