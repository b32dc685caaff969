"""nbval runs each runbook top to bottom against one emulator started here.

The kernels nbval starts inherit this process's environment, so the emulator's URL goes into
``VPNKIT_ENDPOINT`` (what :func:`vpnkit.connect` reads) before any notebook is collected, and
the audit log and batch journal go to a temporary directory. Real credentials are removed
from the environment so that a runbook can never reach a real account from the test suite.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from vpnkit.emulator import serve

for _name in ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_TOKEN",
              "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_SESSION_TOKEN", "TCCLI_PROFILE"):
    os.environ.pop(_name, None)

_tmp = tempfile.mkdtemp(prefix="vpnkit-nbval-")
_emulator = serve(seed="demo", create_delay=0.3)
os.environ.update({
    "VPNKIT_ENDPOINT": _emulator.url,
    "VPNKIT_AUDIT": os.path.join(_tmp, "audit.sqlite3"),
    "VPNKIT_BATCH_STATE": os.path.join(_tmp, "batches.sqlite3"),
    "HOME": _tmp,  # no ~/.tencentcloud or ~/.tccli profile can be picked up
    "MPLBACKEND": "Agg",
})
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
atexit.register(_emulator.close)
