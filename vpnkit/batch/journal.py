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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Journal", "JournalRow", "default_state_path"]

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
