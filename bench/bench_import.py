"""Whole-process ``python -c "import vpnkit"`` vs ``python -c "import requests"`` (target <= 1.1x).

Both run as fresh processes, alternated, so interpreter start-up is in both sides. A third
side, ``python -c "from vpnkit import VpcClient"`` (which loads requests and the client), is
reported as context against the same reference.
"""

from __future__ import annotations

import sys

from _common import PY, alternate, emit, run_process, summary


def main(rounds: int = 21) -> None:
    sides = {
        "requests": lambda: run_process([PY, "-c", "import requests"]),
        "vpnkit": lambda: run_process([PY, "-c", "import vpnkit"]),
        "VpcClient": lambda: run_process([PY, "-c", "from vpnkit import VpcClient"]),
    }
    for side in sides.values():  # warm-up (bytecode caches)
        side()
    times = alternate(sides, rounds)
    (rmin, rmed), (vmin, vmed) = summary(times["requests"]), summary(times["vpnkit"])
    print(f"import requests: min {rmin * 1000:.0f} ms, median {rmed * 1000:.0f} ms")
    print(f"import vpnkit:   min {vmin * 1000:.0f} ms, median {vmed * 1000:.0f} ms")
    emit("import vpnkit (whole process)", value=vmed * 1000, unit="ms median",
         reference="python -c 'import requests'", ref_value=rmed * 1000, target="<= 1.1x",
         ok=vmed / rmed <= 1.1, min_ratio=vmin / rmin)
    cmin, cmed = summary(times["VpcClient"])
    print(f"from vpnkit import VpcClient: min {cmin * 1000:.0f} ms, median {cmed * 1000:.0f} ms")
    emit("from vpnkit import VpcClient (whole process)", value=cmed * 1000, unit="ms median",
         reference="python -c 'import requests'", ref_value=rmed * 1000,
         target="none (context for the figure above)", ok=None, min_ratio=cmin / rmin)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
