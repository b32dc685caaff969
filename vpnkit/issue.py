"""One validation problem (:class:`Issue`), shared by every module that reports them.

A leaf module (no vpnkit imports), so validation, the wire codec, the integer parser and the
error tree can all name it without importing one another; :mod:`vpnkit.validate` re-exports
it as ``vpnkit.validate.Issue``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Issue"]


@dataclass(frozen=True)
class Issue:
    """One problem: where (``path``), what the API would say (``code``), and why."""

    path: str
    code: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.message} ({self.code})"
