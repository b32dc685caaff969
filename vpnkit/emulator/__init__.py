"""A strict local emulator of the Tencent Cloud VPC API (2017-03-12) for the VPN actions.

Start one in Python::

    from vpnkit.emulator import serve
    with serve() as emu:            # loopback, a free port, the ``demo`` seed
        emu.url                     # "http://127.0.0.1:PORT"
        emu.credential              # the demo key pair, a vpnkit Credential

or from a shell: ``python -m vpnkit.emulator`` (prints the base URL as its first line).

Demo credentials, accepted out of the box (never valid anywhere else):

* SecretId  ``AKIDvpnkitEMULATOR0000000000000000`` (:data:`DEMO_SECRET_ID`)
* SecretKey ``vpnkit-emulator-demo-secret-key-0000`` (:data:`DEMO_SECRET_KEY`)

Layout, one concern per module: ``codes`` (the error catalogue), ``schema`` (request shapes
and the raw-JSON reader), ``rules`` (tunnel rules), ``query`` (Describe* selection),
``backend`` (state and actions), ``limits`` (DescribeVpcLimits: the quotas the backend's
settings answer), ``seed`` (starting states and their IDs), ``protocol``
(signature verification), ``faults``, ``app`` (WSGI), ``server`` (threaded
loopback server, :func:`serve`), ``store`` (``--state`` file), ``adapter`` (in-process
``requests`` transport), ``__main__`` (the command line).
"""

from vpnkit.credentials import demo_credential
from vpnkit.emulator.adapter import EmulatorAdapter
from vpnkit.emulator.app import EmulatorApp, build_app
from vpnkit.emulator.backend import Backend
from vpnkit.emulator.codes import EmulatorError
from vpnkit.emulator.faults import Faults
from vpnkit.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator, serve

__all__ = [  # noqa: RUF022 - plain sorted(), as tests/test_package.py checks
    "Backend",
    "DEMO_CREDENTIAL",
    "DEMO_SECRET_ID",
    "DEMO_SECRET_KEY",
    "Emulator",
    "EmulatorAdapter",
    "EmulatorApp",
    "EmulatorError",
    "Faults",
    "build_app",
    "serve",
]

#: The demo key pair as a :class:`~vpnkit.credentials.Credential`.
DEMO_CREDENTIAL = demo_credential()
