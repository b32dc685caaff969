"""``--state FILE``: the backend's JSON state, loaded at start and saved atomically.

A save writes a temporary file in the same directory, fsyncs it, ``os.replace``-s it over the
target and fsyncs the directory, so a crash leaves either the old or the new state, never a
torn file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["load", "save"]


def load(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The state saved at ``path``, or None if there is no file yet."""
    target = Path(path)
    if not target.exists():
        return None
    data = json.loads(target.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("regions"), dict):
        raise ValueError(f"{target} is not a vpnkit emulator state file")
    return data


def save(path: str | os.PathLike[str], state: Mapping[str, Any]) -> None:
    """Write ``state`` to ``path`` atomically (see the module docstring)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, ensure_ascii=False, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
