"""The batch journal: a small SQLite file recording intent before each create and outcome after.

One row per (batch_id, vpn_gateway_id, name). ``status`` is ``sending`` from just before the
request leaves until its outcome is known, then ``created`` (with the tunnel id), ``failed``
(the API refused; nothing exists) or ``unknown`` (the answer was lost and the lookup failed
too). A row left ``sending``/``unknown`` after a crash is reconciled on resume by looking the
tunnel up by gateway + name. WAL mode: a commit survives ``kill -9`` of the writer.

Two invariants hold whatever a caller records: a known tunnel id is never overwritten (a later
record without an id, or with another id, keeps the first; once the row is ``deleted`` that
tunnel is gone and the next record starts afresh, as when :mod:`vpnkit.plan` replaces a
tunnel), and a ``created`` row never goes back to ``sending``/``unknown``/``failed`` (its
tunnel exists; only a lookup can say otherwise, and that is the planner's business, not a
write's). Other changes of a created tunnel (``modified``, ``deleting``, ``deleted``) are
recorded as given.

Replaces (:mod:`vpnkit.plan`: delete, then create, where Modify cannot make a change) have a
second table, one row per (gateway, name): the *intent*, written before the delete is sent
and removed once the new tunnel exists (or the API refused the delete, so nothing was
deleted). A row still there after a crash or ``kill -9`` between the delete and the create
tells the next plan that the tunnel's absence (or its ``DELETING`` state) is a replace of
vpnkit's own to finish: it plans the create, which the next apply makes once.

The file is private: created ``0600`` (its ``-wal``/``-shm`` companions inherit that mode) in a
folder created ``0700``, as the emulator's state file and the audit database are.

Default location: ``$VPNKIT_BATCH_STATE``, else ``batches.sqlite3`` beside the audit
database when the audit log has a ``path`` (``emulator-batches.sqlite3`` beside the emulator's
``emulator-audit.sqlite3``, so rehearsals keep their own journal), else
``~/.vpnkit/batches.sqlite3``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Journal", "JournalRow", "Replacing", "default_state_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_rows (
    batch_id TEXT NOT NULL,
    vpn_gateway_id TEXT NOT NULL,
    name TEXT NOT NULL,
    row INTEGER,
    status TEXT NOT NULL,
    vpn_connection_id TEXT,
    request_id TEXT,
    error_code TEXT,
    message TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (batch_id, vpn_gateway_id, name)
);
CREATE TABLE IF NOT EXISTS replaces (
    vpn_gateway_id TEXT NOT NULL,
    name TEXT NOT NULL,
    apply_id TEXT NOT NULL,
    old_id TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (vpn_gateway_id, name)
);
"""
_DONE = ("created", "exists")
_RETRY = ("sending", "unknown", "failed")  # what a (re-)create attempt writes
_UPSERT = f"""
INSERT INTO batch_rows VALUES (?,?,?,?,?,?,?,?,?,?)
ON CONFLICT (batch_id, vpn_gateway_id, name) DO UPDATE SET
    row = excluded.row,
    status = CASE WHEN batch_rows.status IN {_DONE!r} AND excluded.status IN {_RETRY!r}
                  THEN batch_rows.status ELSE excluded.status END,
    vpn_connection_id = CASE WHEN batch_rows.status = 'deleted' THEN excluded.vpn_connection_id
        ELSE COALESCE(batch_rows.vpn_connection_id, excluded.vpn_connection_id) END,
    request_id = COALESCE(excluded.request_id, batch_rows.request_id),
    error_code = excluded.error_code,
    message = excluded.message,
    updated = excluded.updated
"""


def default_state_path(audit: Any = None) -> Path:
    """Where the journal lives unless ``state=`` says otherwise (see the module docstring)."""
    env = os.environ.get("VPNKIT_BATCH_STATE")
    if env:
        return Path(env)
    audit_path = getattr(audit, "path", None)
    if isinstance(audit_path, str | os.PathLike) and str(audit_path) != ":memory:":
        rehearsal = Path(audit_path).name.startswith("emulator-")  # vpnkit.session's log
        return Path(audit_path).with_name(("emulator-" if rehearsal else "") + "batches.sqlite3")
    return Path.home() / ".vpnkit" / "batches.sqlite3"


@dataclass(frozen=True, slots=True)
class JournalRow:
    """What the journal knows about one tunnel of a batch."""

    row: int | None
    status: str
    vpn_connection_id: str | None
    request_id: str | None
    error_code: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class Replacing:
    """An unfinished replace: ``apply_id`` deletes (or deleted) ``old_id`` to re-create it."""

    apply_id: str
    old_id: str


class Journal:
    """Thread-safe journal over one SQLite file (created with its directory if missing)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            from vpnkit.audit import _private_file  # one copy: the audit log's is made so too

            _private_file(self.path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                   timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def load(self, batch_id: str) -> dict[tuple[str, str], JournalRow]:
        """Everything recorded for ``batch_id``, keyed by (gateway, name)."""
        with self._lock:
            cur = self._db.execute(
                "SELECT vpn_gateway_id, name, row, status, vpn_connection_id, request_id, "
                "error_code, message FROM batch_rows WHERE batch_id = ?", (batch_id,))
            return {(r[0], r[1]): JournalRow(*r[2:]) for r in cur.fetchall()}

    def batches(self) -> list[tuple[str, int, float]]:
        """(batch_id, rows, last update) of every batch, newest first."""
        with self._lock:
            cur = self._db.execute("SELECT batch_id, COUNT(*), MAX(updated) FROM batch_rows "
                                   "GROUP BY batch_id ORDER BY MAX(updated) DESC")
            return [(str(a), int(b), float(c)) for a, b, c in cur.fetchall()]

    def record(self, batch_id: str, key: tuple[str, str], row: int, status: str, *,
               vpn_connection_id: str | None = None, request_id: str | None = None,
               error_code: str | None = None, message: str | None = None) -> None:
        """Write one row's status (see the invariants above); committed before returning."""
        with self._lock:
            self._db.execute(
                _UPSERT, (batch_id, key[0], key[1], row, status, vpn_connection_id, request_id,
                 error_code, message, time.time()))

    def intend_replace(self, apply_id: str, key: tuple[str, str], old_id: str) -> None:
        """Before a replace's delete: (gateway, name) is to be re-created (committed first)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO replaces VALUES (?,?,?,?,?)",
                             (key[0], key[1], apply_id, old_id, time.time()))

    def end_replace(self, key: tuple[str, str]) -> None:
        """The replace of (gateway, name) is over: its new tunnel exists, or nothing was deleted."""
        with self._lock:
            self._db.execute("DELETE FROM replaces WHERE vpn_gateway_id = ? AND name = ?", key)

    def replacing(self, gateways: Sequence[str] | None = None
                  ) -> dict[tuple[str, str], Replacing]:
        """The unfinished replaces on ``gateways`` (None: on every gateway), keyed by
        (gateway, name)."""
        wanted = None if gateways is None else set(gateways)
        with self._lock:
            cur = self._db.execute("SELECT vpn_gateway_id, name, apply_id, old_id FROM replaces")
            return {(r[0], r[1]): Replacing(r[2], r[3]) for r in cur.fetchall()
                    if wanted is None or r[0] in wanted}
