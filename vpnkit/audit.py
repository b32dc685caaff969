"""A persistent call log in SQLite: one row per API call, written before it is sent.

``AuditLog`` implements the client's ``AuditSink``: :meth:`AuditLog.begin` inserts a row with
``outcome = 'unknown'`` before the request leaves, :meth:`AuditLog.finish` completes it. A
process that dies in between leaves that honest ``unknown`` row, never nothing.

Permissions: the file is created 0600 (its folder 0700 when vpnkit creates it), since it
records who called what where, even with secrets masked.

Where: ``$VPNKIT_AUDIT`` if set, else ``$XDG_DATA_HOME/vpnkit/audit.sqlite3``, else
``~/.local/share/vpnkit/audit.sqlite3`` (:func:`default_audit_path`).

Secrets: the client passes parameters already through :func:`vpnkit.redact.redact`; they are
redacted again here (defence in depth), and every text column is scrubbed of known secrets.

Concurrency: WAL mode, one SQLite connection per thread (and per process after a fork),
``busy_timeout``, one short ``BEGIN IMMEDIATE`` transaction per write, and retries while the
database is locked, so many threads and several processes can share one file and lose nothing.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from vpnkit.redact import redact, scrub

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "AuditLog", "default_audit_path"]

log = logging.getLogger("vpnkit.audit")

COLUMNS = ("id", "started_at", "finished_at", "region", "endpoint", "action", "params",
           "outcome", "request_id", "error_code", "error_message", "resource_id",
           "latency_ms", "pid", "host", "user", "thread", "batch_id", "note")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at    TEXT NOT NULL,          -- UTC, ISO 8601 with microseconds
    finished_at   TEXT,
    region        TEXT,
    endpoint      TEXT,
    action        TEXT NOT NULL,
    params        TEXT,                   -- JSON, secrets masked
    outcome       TEXT NOT NULL DEFAULT 'unknown',
    request_id    TEXT,
    error_code    TEXT,
    error_message TEXT,
    resource_id   TEXT,
    latency_ms    REAL,
    pid           INTEGER,
    host          TEXT,
    user          TEXT,
    thread        TEXT,
    batch_id      TEXT,
    note          TEXT
);
CREATE INDEX IF NOT EXISTS calls_started_at ON calls (started_at);
CREATE INDEX IF NOT EXISTS calls_batch_id ON calls (batch_id);
"""
_BUSY_MS = 10_000
_RETRY_FOR = 60.0  # seconds of "database is locked" before a write gives up


def default_audit_path() -> Path:
    """``$VPNKIT_AUDIT``, else the user's data dir (XDG): ``.../vpnkit/audit.sqlite3``."""
    explicit = os.environ.get("VPNKIT_AUDIT")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join("~", ".local", "share")
    return Path(base).expanduser() / "vpnkit" / "audit.sqlite3"


def _private_file(path: Path) -> None:
    """Create ``path`` 0600 in a folder created 0700, as the emulator keeps its state file.

    Folders that already exist are left alone (``$VPNKIT_AUDIT`` may point into a shared
    one); an existing log of ours that others can read is tightened to 0600. SQLite gives
    its ``-wal``/``-shm`` files the database file's permissions.
    """
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(parent, 0o700)  # mkdir's mode is filtered by the umask
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            os.chmod(path, 0o600)
    else:
        os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _clean(text: Any) -> str | None:
    return None if text is None else scrub(str(text))


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (containers)
        return None


def _iso(since: datetime | timedelta | str) -> str:
    """A cut-off as stored text; naive datetimes and strings count as UTC."""
    if isinstance(since, timedelta):
        since = datetime.now(UTC) - since
    if isinstance(since, str):
        since = datetime.fromisoformat(since)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since.astimezone(UTC).isoformat(timespec="microseconds")


class AuditLog:
    """The audit log at ``path`` (default :func:`default_audit_path`); safe to share."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_audit_path()
        self._memory = str(path) == ":memory:"
        if not self._memory:
            _private_file(self.path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._closed = False
        self._host, self._user = socket.gethostname(), _user()
        self._shared = self._connect() if self._memory else None
        self._write(lambda db: db.executescript(_SCHEMA), script=True)

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r})"

    # --- connections and writes ----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), timeout=_BUSY_MS / 1000, isolation_level=None,
                             check_same_thread=False)
        db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        if not self._memory:
            for _ in range(50):  # switching to WAL needs a moment without other writers
                try:
                    db.execute("PRAGMA journal_mode = WAL")
                    break
                except sqlite3.OperationalError:
                    time.sleep(0.05)
        db.execute("PRAGMA synchronous = FULL")  # an audit row survives power loss too
        if self._memory:
            return db
        with self._lock:  # connections of finished threads are closed here, not leaked
            gone = [c for t, c in self._all if not t.is_alive()]
            self._all = [(t, c) for t, c in self._all if t.is_alive()]
            self._all.append((threading.current_thread(), db))
        for old in gone:
            old.close()
        return db

    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise ValueError(f"{self!r} is closed")
        if self._shared is not None:  # ":memory:": one database, used under the lock
            return self._shared
        pid, db = getattr(self._local, "conn", (None, None))
        if pid != os.getpid() or db is None:  # first use in this thread, or a forked child
            db = self._connect()
            self._local.conn = (os.getpid(), db)
        return db

    def _write(self, step: Any, *, script: bool = False) -> Any:
        """Run ``step(db)`` in one short immediate transaction, retrying while locked
        (``script=True``: ``step`` runs an ``executescript``, which manages its own)."""
        deadline = time.monotonic() + _RETRY_FOR
        delay = 0.01
        while True:
            db = self._db()
            try:
                with self._lock if self._memory else contextlib.nullcontext():
                    if script:
                        return step(db)
                    db.execute("BEGIN IMMEDIATE")
                    try:
                        result = step(db)
                        db.execute("COMMIT")
                    except BaseException:
                        if db.in_transaction:
                            db.execute("ROLLBACK")
                        raise
                    return result
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(0.5, delay * 2)

    # --- the AuditSink protocol --------------------------------------------------------------

    def begin(self, *, action: str, region: str, endpoint: str, params: Mapping[str, Any],
              batch_id: str | None = None, note: str | None = None) -> int:
        """Record the intent to call ``action``; returns the row id (the token for finish)."""
        body = json.dumps(redact(dict(params)), ensure_ascii=False, default=str)
        row = (_now(), region, endpoint, action, body, os.getpid(), self._host, self._user,
               threading.current_thread().name, _clean(batch_id), _clean(note))

        def insert(db: sqlite3.Connection) -> int:
            cur = db.execute(
                "INSERT INTO calls (started_at, region, endpoint, action, params, pid, host, "
                "user, thread, batch_id, note) VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
            return int(cur.lastrowid or 0)

        return int(self._write(insert))

    def finish(self, token: Any, *, outcome: str, request_id: str | None = None,
               error_code: str | None = None, error_message: str | None = None,
               resource_id: str | None = None, latency_ms: float | None = None,
               note: str | None = None) -> None:
        """Record the outcome of the call ``token`` (from :meth:`begin`).

        Never raises for a storage problem (the call itself already happened): it is logged
        and the row keeps its honest ``unknown`` outcome.
        """
        if token is None:
            return
        values = (_now(), _clean(outcome), _clean(request_id), _clean(error_code),
                  _clean(error_message), _clean(resource_id), latency_ms, _clean(note),
                  int(token))
        try:
            self._write(lambda db: db.execute(
                "UPDATE calls SET finished_at=?, outcome=?, request_id=?, error_code=?, "
                "error_message=?, resource_id=?, latency_ms=?, note=COALESCE(?, note) "
                "WHERE id=?", values))
        except (sqlite3.Error, ValueError) as exc:
            log.error("audit: could not record the outcome of call %s: %s", token,
                      scrub(str(exc)))

    # --- reading ---------------------------------------------------------------------------

    def rows(self, since: datetime | timedelta | str | None = None,
             action: str | Iterable[str] | None = None,
             outcome: str | Iterable[str] | None = None, *, batch_id: str | None = None,
             limit: int | None = None) -> list[dict[str, Any]]:
        """Rows as dicts, oldest first. ``since``: a datetime (naive = UTC), ISO text or a
        ``timedelta`` back from now; ``action``/``outcome``: a value or several."""
        where: list[str] = []
        args: list[Any] = []
        if since is not None:
            where.append("started_at >= ?")
            args.append(_iso(since))
        for column, wanted in (("action", action), ("outcome", outcome),
                               ("batch_id", batch_id)):
            if wanted is None:
                continue
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            args += values
        sql = f"SELECT {', '.join(COLUMNS)} FROM calls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        db = self._db()
        if self._memory:
            with self._lock:
                fetched = db.execute(sql, args).fetchall()
        else:
            fetched = db.execute(sql, args).fetchall()
        return [dict(zip(COLUMNS, r, strict=True)) for r in fetched]

    def frame(self, since: datetime | timedelta | str | None = None,
              action: str | Iterable[str] | None = None,
              outcome: str | Iterable[str] | None = None, **kw: Any) -> pd.DataFrame:
        """:meth:`rows` as a DataFrame: UTC datetimes, categories, nullable numbers."""
        import pandas as pd

        rows = self.rows(since, action, outcome, **kw)
        data: dict[str, Any] = {c: [r[c] for r in rows] for c in COLUMNS}
        out: dict[str, Any] = {}
        for c, values in data.items():
            if c in ("started_at", "finished_at"):
                out[c] = pd.to_datetime(pd.Series(values, dtype=object), utc=True,
                                        format="ISO8601").astype("datetime64[us, UTC]")
            elif c in ("id", "pid"):
                out[c] = pd.array(values, dtype="Int64")
            elif c == "latency_ms":
                out[c] = pd.array(values, dtype="Float64")
            elif c in ("action", "outcome", "region"):
                out[c] = pd.Categorical(values)
            else:
                out[c] = pd.array(values, dtype="string")
        return pd.DataFrame(out, columns=list(COLUMNS))

    def export(self, path: str | os.PathLike[str], **kw: Any) -> Path:
        """Write the (filtered, see :meth:`rows`) log to ``.csv`` or ``.parquet``."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise ValueError(f"export to .csv or .parquet, not {target.name!r}")
        if suffix == ".parquet":
            import importlib.util

            if importlib.util.find_spec("pyarrow") is None:
                raise ImportError("Parquet export needs pyarrow (pip install pyarrow); "
                                  "or export to .csv")
        frame = self.frame(**kw)
        if suffix == ".csv":
            frame.to_csv(target, index=False)
        else:
            frame.to_parquet(target, index=False)
        return target

    # --- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Close every connection this log opened (in any thread)."""
        with self._lock:
            conns, self._all = [c for _, c in self._all], []
            self._closed = True
        if self._shared is not None:
            conns.append(self._shared)
        for db in conns:
            with contextlib.suppress(sqlite3.Error):  # closing is best effort
                db.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
