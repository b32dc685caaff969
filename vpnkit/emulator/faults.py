"""Opt-in fault injection, so reliability tests can prove a client never loses or duplicates.

Faults are off by default. Set them from Python (``emu.faults.update(delay=0.2)``) or the CLI
(``--fault delay=0.2``, repeatable). Each request draws from one seeded RNG.

==============================  ==========================================================
name                            effect
==============================  ==========================================================
``delay``                       seconds to wait before handling each request
``internal_error``              probability of answering ``InternalError`` *before* running
``rate_limit_burst``            the next N requests answer ``RequestLimitExceeded``
``drop_after_commit``           probability that a successful mutating call (Create*,
                                Delete*, Modify*) is committed and then the TCP connection
                                is closed with no answer
``internal_error_after_commit`` probability that a successful mutating call is committed
                                and then answered with ``InternalError``
``unauthorized``                probability of answering ``UnauthorizedOperation`` *before*
                                running (a sub-account whose CAM policy lacks the action,
                                e.g. ``vpc:DescribeVpcLimits``)
``empty_create_id``             probability that a successful ``CreateVpnConnection`` is
                                answered with ``VpnConnectionId: ""`` (the tunnel exists;
                                TF handles this answer of the live API, ref §1.2)
``actions``                     comma-separated actions the faults apply to (empty: all)
``seed``                        reseed the fault RNG (reproducible runs)
==============================  ==========================================================

``injected`` counts how many of each fault fired.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from vpnkit.emulator.codes import EmulatorError

__all__ = ["ConnectionDropped", "FaultSettings", "Faults", "parse_assignment"]


class ConnectionDropped(Exception):
    """Raised by the app after a commit: the server must close the socket without answering."""


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """The current fault configuration (see the module docstring)."""

    delay: float = 0.0
    internal_error: float = 0.0
    rate_limit_burst: int = 0
    drop_after_commit: float = 0.0
    internal_error_after_commit: float = 0.0
    empty_create_id: float = 0.0
    unauthorized: float = 0.0
    actions: frozenset[str] = frozenset()
    seed: int | None = None


_NAMES = frozenset(f.name for f in dataclasses.fields(FaultSettings))
_PROBABILITIES = ("internal_error", "drop_after_commit", "internal_error_after_commit",
                  "empty_create_id", "unauthorized")


def _coerce(name: str, value: Any) -> Any:
    if name not in _NAMES:
        raise ValueError(f"unknown fault {name!r}; choose from {', '.join(sorted(_NAMES))}")
    if name == "actions":
        items = value.split(",") if isinstance(value, str) else value
        return frozenset(a.strip() for a in items if a.strip())
    if name in ("rate_limit_burst", "seed"):
        return None if value is None else int(value)
    number = float(value)
    if number < 0 or (name in _PROBABILITIES and number > 1):
        bound = "in [0, 1]" if name in _PROBABILITIES else ">= 0"
        raise ValueError(f"fault {name} must be {bound}")
    return number


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"name=value"`` (the CLI form) -> ``(name, typed value)``."""
    name, eq, value = text.partition("=")
    if not eq:
        raise ValueError(f"expected name=value, got {text!r}")
    return name.strip(), _coerce(name.strip(), value.strip())


class Faults:
    """Thread-safe fault switchboard consulted by the app on every request."""

    def __init__(self, **settings: Any) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._rng = random.Random()
        self._burst_left = 0
        self.injected: Counter[str] = Counter()
        self.update(**settings)

    @property
    def settings(self) -> FaultSettings:
        """A snapshot of the configuration."""
        return self._settings

    def update(self, **changes: Any) -> None:
        """Change some settings; ``rate_limit_burst`` restarts the burst countdown."""
        typed = {k: _coerce(k, v) for k, v in changes.items()}
        with self._lock:
            self._settings = dataclasses.replace(self._settings, **typed)
            if "seed" in typed:
                self._rng.seed(typed["seed"])
            if "rate_limit_burst" in typed:
                self._burst_left = typed["rate_limit_burst"]

    def clear(self) -> None:
        """Turn every fault off (the counters stay)."""
        with self._lock:
            self._settings = FaultSettings()
            self._burst_left = 0

    def _fire(self, action: str, name: str, probability: float = 1.0) -> bool:
        s = self._settings
        if s.actions and action not in s.actions:
            return False
        with self._lock:
            hit = probability >= 1.0 or (probability > 0 and self._rng.random() < probability)
            if hit:
                self.injected[name] += 1
            return hit

    def _take_burst(self, action: str) -> bool:
        if self._settings.actions and action not in self._settings.actions:
            return False
        with self._lock:
            if self._burst_left <= 0:
                return False
            self._burst_left -= 1
            self.injected["rate_limit_burst"] += 1
            return True

    def before(self, action: str) -> None:
        """Faults that strike before the request runs (may raise :class:`EmulatorError`)."""
        s = self._settings
        if s.delay and self._fire(action, "delay"):
            time.sleep(s.delay)
        if self._burst_left > 0 and self._take_burst(action):
            raise EmulatorError("RequestLimitExceeded", "Injected fault: request rate limited.")
        if self._fire(action, "internal_error", s.internal_error):
            raise EmulatorError("InternalError", "Injected fault: internal error.")
        if self._fire(action, "unauthorized", s.unauthorized):
            raise EmulatorError("UnauthorizedOperation", f"Injected fault: the caller is not "
                                f"authorized to call {action}.")

    def after_commit(self, action: str) -> None:
        """Faults that strike after a mutating call committed."""
        s = self._settings
        if self._fire(action, "drop_after_commit", s.drop_after_commit):
            raise ConnectionDropped(action)
        if self._fire(action, "internal_error_after_commit", s.internal_error_after_commit):
            raise EmulatorError("InternalError", "Injected fault: internal error after commit.")

    def answer(self, action: str, result: dict[str, Any]) -> dict[str, Any]:
        """Faults that change a successful answer (the request ran and committed)."""
        s = self._settings
        conn = result.get("VpnConnection")
        if action == "CreateVpnConnection" and isinstance(conn, dict) and \
                self._fire(action, "empty_create_id", s.empty_create_id):
            return {**result, "VpnConnection": {**conn, "VpnConnectionId": ""}}
        return result
