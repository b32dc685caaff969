"""Run every benchmark and write ``bench/RESULTS.md`` (``make bench``).

Each ``bench_*.py`` runs as its own subprocess (cwd ``bench/``, this interpreter), its output
streamed; the ``BENCH {json}`` lines it prints are collected into one table per script, with
machine facts (CPU, load average at start and end, Python) and package versions.

Bytecode: the children run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` removed,
``PYTHONPYCACHEPREFIX`` set to a temporary directory, so nothing is written into the source
tree). Installed packages (requests, the SDK, tccli) come with ``.pyc`` files; vpnkit, run
from a checkout, would otherwise be compiled from source in every fresh process, which no
installed copy does. Every process-starting benchmark warms the cache before measuring.

Text in ``RESULTS.md`` below the line ``<!-- notes: kept by bench/run.py -->`` is kept.

    python bench/run.py [bench_import bench_cli ...]   # default: all of them
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
MARKER = "<!-- notes: kept by bench/run.py -->"
SCRIPTS = ("bench_import", "bench_cli", "bench_client", "bench_signing", "bench_validate",
           "bench_frames", "bench_emulator", "bench_form", "bench_batch", "bench_plan",
           "bench_peer", "bench_rehearse")
PACKAGES = ("tencent-vpnkit", "requests", "pandas", "ipywidgets",
            "tencentcloud-sdk-python-common", "tencentcloud-sdk-python-vpc", "tccli")
_SHOWN = {"figure", "value", "unit", "reference", "ref_value", "ratio", "target", "ok"}


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"CPUs (os.cpu_count)": str(os.cpu_count()), "CPU model": model,
            "Python": f"{platform.python_implementation()} {platform.python_version()}",
            "OS": f"{platform.system()} {platform.release()} ({platform.machine()})"}


def versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"
    except OSError:
        return "unknown"


def run_script(name: str, env: dict[str, str]) -> tuple[list[dict[str, Any]], int, float]:
    """Run one benchmark, echoing its output; its BENCH records, exit status, seconds."""
    print(f"\n=== {name} ===", flush=True)
    started = time.perf_counter()
    records = []
    with subprocess.Popen([sys.executable, f"{name}.py"], cwd=HERE, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=1) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith("BENCH "):
                records.append(json.loads(line[6:]))
    return records, proc.returncode, time.perf_counter() - started


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _met(ok: Any) -> str:
    return {True: "yes", False: "**no**"}.get(ok, "n/a")


def table(records: list[dict[str, Any]]) -> list[str]:
    lines = ["| figure | value | reference | ratio | target | met? |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in records:
        ref = r.get("reference") or ""
        if r.get("ref_value") is not None:
            ref += f": {_num(r['ref_value'])}"
        ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else ""
        lines.append(f"| {r['figure']} | {_num(r['value'])} {r['unit']} | {ref} | {ratio} | "
                     f"{r.get('target', '')} | {_met(r.get('ok'))} |")
    for r in records:
        extra = {k: v for k, v in r.items() if k not in _SHOWN}
        if extra:
            shown = ", ".join(f"{k} = {_num(v) if not isinstance(v, list) else v}"
                              for k, v in extra.items())
            lines.append(f"\n*{r['figure']}*: {shown}")
    return lines


def write(results: dict[str, tuple[list[dict[str, Any]], int, float]], facts: dict[str, str],
          load_start: str, load_end: str) -> None:
    notes = ""
    if RESULTS.exists():
        old = RESULTS.read_text(encoding="utf-8")
        if MARKER in old:
            notes = old.split(MARKER, 1)[1].lstrip("\n")
    out = ["# Benchmark results", "",
           "Written by `bench/run.py` (`make bench`). The machine is shared: absolute times",
           "mean little; each figure is compared with its reference measured in the same run,",
           "alternating sides round by round. Ratio = value / reference (for rates, higher is",
           "better; for times, lower is better). Medians unless stated.", "",
           "## Summary", "",
           "| script | figure | ratio | target | met? |", "| --- | --- | --- | --- | --- |"]
    for name, (records, code, _) in results.items():
        if code != 0 and not records:
            out.append(f"| {name} | (failed, exit status {code}) | | | **no** |")
        for r in records:
            ratio = f"{r['ratio']:.2f}x" if r.get("ratio") is not None else \
                f"{_num(r['value'])} {r['unit']}"
            out.append(f"| {name} | {r['figure']} | {ratio} | {r.get('target', '')} | "
                       f"{_met(r.get('ok'))} |")
    out += ["", "## Machine", ""]
    out += [f"- {k}: {v}" for k, v in facts.items()]
    out += [f"- load average at start: {load_start}", f"- load average at end: {load_end}",
            "- bytecode caching on for all sides (see `bench/run.py`)", "",
            "## Package versions", ""]
    out += [f"- {k}: {v}" for k, v in versions().items()]
    for name, (records, code, seconds) in results.items():
        out += ["", f"## {name}", "",
                f"`python {name}.py`: exit status {code}, {seconds:.0f} s.", ""]
        out += table(records) if records else ["(no figures)"]
    out += ["", MARKER, ""]
    RESULTS.write_text("\n".join(out) + notes, encoding="utf-8")


def main(names: list[str]) -> int:
    chosen = [n.removesuffix(".py") for n in names] or list(SCRIPTS)
    load_start = load()
    results = {}
    with tempfile.TemporaryDirectory(prefix="vpnkit-bench-pyc-") as pyc:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pyc
        for name in chosen:
            results[name] = run_script(name, env)
    write(results, machine(), load_start, load())
    print(f"\nwrote {RESULTS}")
    failed = [n for n, (_, code, _) in results.items() if code != 0]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
