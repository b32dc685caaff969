"""Shared benchmark helpers: alternated timing, min/median, and the one-line result format.

Every benchmark prints human lines and, last, one ``BENCH {json}`` line per figure, which
``bench/run.py`` collects into ``bench/RESULTS.md``. Sides are alternated round by round so
that machine noise (this machine is shared) hits both alike; ratios are what count.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PY = sys.executable
CANNED = Path(__file__).resolve().with_name("canned_server.py")


def start_canned() -> tuple[subprocess.Popen[str], str]:
    """Start ``canned_server.py`` (found beside this file, whatever the working directory);
    its process and loopback URL. Raises if it does not print one, so no side is ever sent
    an empty ``--endpoint`` (vpnkit would then address the real API)."""
    proc = subprocess.Popen([PY, str(CANNED)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.terminate()
        proc.wait()
        proc.stdout.close()
        raise RuntimeError(f"{CANNED.name} did not start (printed {url!r})")
    return proc, url


def alternate(sides: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Run each side once per round, in alternating order; seconds per call."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            gc.collect()
            t = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - t)
    return times


def run_process(argv: Sequence[str], env: dict[str, str] | None = None) -> None:
    """Run a command to completion; raise with its output if it fails."""
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{argv} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")


def summary(samples: list[float]) -> tuple[float, float]:
    return min(samples), statistics.median(samples)


def emit(figure: str, *, value: float, unit: str, reference: str = "",
         ref_value: float | None = None, target: str = "", ok: bool | None = None,
         **extra: Any) -> None:
    """Print the machine-readable result line for one figure."""
    ratio = value / ref_value if ref_value else None
    record = {"figure": figure, "value": value, "unit": unit, "reference": reference,
              "ref_value": ref_value, "ratio": ratio, "target": target, "ok": ok, **extra}
    print("BENCH " + json.dumps(record), flush=True)


def counting_limiter(emu: Any) -> tuple[Counter[str], Counter[str]]:
    """Count requests and RequestLimitExceeded refusals per action at the emulator."""
    seen: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    allow = emu.app.limiter.try_take
    lock = threading.Lock()

    def counting(key: Any) -> bool:
        ok = allow(key)
        with lock:
            seen[key[0]] += 1
            if not ok:
                rejected[key[0]] += 1
        return ok

    emu.app.limiter.try_take = counting
    return seen, rejected
