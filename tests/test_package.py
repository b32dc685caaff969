"""Package hygiene: exports, import weight."""

from __future__ import annotations

import subprocess
import sys

import vpnkit


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted, lists every lazily exported name, and every name resolves."""
    assert vpnkit.__all__ == sorted(vpnkit.__all__)
    assert set(vpnkit.__all__) == {"__version__", *vpnkit._LAZY}
    for name in vpnkit.__all__:
        assert getattr(vpnkit, name) is not None


def test_import_does_not_load_pandas_or_ipywidgets() -> None:
    """`import vpnkit` in a fresh process loads neither pandas, ipywidgets nor the emulator."""
    code = ("import sys, vpnkit; print(sorted(m for m in ('pandas', 'ipywidgets', 'IPython', "
            "'werkzeug', 'sqlite3', 'vpnkit.emulator') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_connect_stays_the_function_after_submodule_imports() -> None:
    """Importing every vpnkit submodule never shadows vpnkit.connect or vpnkit.form."""
    code = ("import importlib, pkgutil, vpnkit\n"
            "for m in pkgutil.walk_packages(vpnkit.__path__, 'vpnkit.'):\n"
            "    if '.emulator.__main__' not in m.name and m.name != 'vpnkit.__main__':\n"
            "        importlib.import_module(m.name)\n"
            "print(callable(vpnkit.connect), callable(vpnkit.form))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True True"
