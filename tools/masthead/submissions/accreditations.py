"""The private store of accreditation requests: `accreditations.sqlite3` beside the
submissions' store, with the same guarantees (WAL, full fsync on every commit, answered only
after the commit; contact addresses in their own table, overwritten when deleted).

A request is `pending` until an editor accepts or declines it (`masthead accreditations`);
the contact address is deleted once the answer is sent, unless `--keep-contact` is given.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from masthead.domain.accreditation import PENDING, Request
from masthead.domain.problems import UsageError

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
  id TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  received TEXT NOT NULL,          -- ISO 8601, UTC
  fields TEXT NOT NULL,            -- JSON of the public fields (never the contact address)
  status TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  answered TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS requests_event ON requests (event, status);
CREATE TABLE IF NOT EXISTS request_contacts (
  id TEXT PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
  email TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS spent_tokens (
  nonce TEXT PRIMARY KEY,
  expires REAL NOT NULL
);
"""
FILE = "accreditations.sqlite3"


@dataclass(frozen=True)
class StoredRequest:
    id: str
    event: str
    received: datetime
    fields: dict[str, str]
    status: str
    note: str = ""
    answered: str = ""
    has_contact: bool = False

    @property
    def name(self) -> str:
        return self.fields.get("name", "")


class Accreditations:
    """The database, safe to share between threads (one connection, one lock)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = folder / FILE
        old = os.umask(0o077)  # readable by this user only, WAL included
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON", "foreign_keys=ON",
                           "busy_timeout=10000"):
                self._db.execute(f"PRAGMA {pragma}")
            self._db.executescript(SCHEMA)
        finally:
            os.umask(old)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _transaction(self, *steps: tuple[str, tuple[Any, ...]]) -> list[int]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                counts = [self._db.execute(sql, args).rowcount for sql, args in steps]
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return counts

    def _rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def add(self, request_id: str, req: Request, received: datetime, token: tuple[str, float]) -> bool:
        """Store a request and its contact address durably, spending its form token in the
        same transaction; False (nothing stored) when the token was spent already."""
        stamp = received.astimezone(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM spent_tokens WHERE expires < ?", (received.timestamp(),))
                if self._db.execute("INSERT OR IGNORE INTO spent_tokens (nonce, expires) VALUES (?, ?)",
                                    token).rowcount == 0:
                    self._db.execute("ROLLBACK")
                    return False
                self._db.execute("INSERT INTO requests (id, event, received, fields, status) VALUES (?,?,?,?,?)",
                                 (request_id, req.event, stamp, json.dumps(req.public(), ensure_ascii=False), PENDING))
                self._db.execute("INSERT INTO request_contacts (id, email) VALUES (?, ?)", (request_id, req.contact))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return True

    def is_spent(self, nonce: str) -> bool:
        return bool(self._rows("SELECT 1 FROM spent_tokens WHERE nonce = ?", nonce))

    SELECT = ("SELECT r.*, (c.id IS NOT NULL) AS has_contact FROM requests r "
              "LEFT JOIN request_contacts c ON c.id = r.id")

    def _record(self, row: sqlite3.Row) -> StoredRequest:
        data = dict(row)
        return StoredRequest(id=data["id"], event=data["event"], received=datetime.fromisoformat(data["received"]),
                             fields=json.loads(data["fields"]), status=data["status"], note=data["note"],
                             answered=data["answered"], has_contact=bool(data["has_contact"]))

    def list(self, event: str | None = None, status: str | None = None) -> list[StoredRequest]:
        where, args = [], []
        for column, value in (("r.event", event), ("r.status", status)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return [self._record(r) for r in self._rows(f"{self.SELECT} {clause} ORDER BY r.received, r.id", *args)]

    def find(self, prefix: str) -> StoredRequest:
        """The one request whose id starts with `prefix` (at least 4 characters)."""
        clean = prefix.strip().lower()
        if len(clean) < 4 or not all(c in "0123456789abcdef" for c in clean):
            raise UsageError(f"'{prefix}' is not a request id; give at least 4 characters of an id that "
                             "'masthead accreditations list' shows")
        rows = self._rows(f"{self.SELECT} WHERE r.id LIKE ? ORDER BY r.received LIMIT 2", clean + "%")
        if not rows:
            raise UsageError(f"no accreditation request with an id starting '{clean}'; "
                             "'masthead accreditations list' lists them")
        if len(rows) > 1:
            raise UsageError(f"more than one request starts with '{clean}'; give more characters of the id")
        return self._record(rows[0])

    def contact(self, request_id: str) -> str | None:
        rows = self._rows("SELECT email FROM request_contacts WHERE id = ?", request_id)
        return str(rows[0][0]) if rows else None

    def answer(self, request_id: str, status: str, note: str, when: datetime, forget_contact: bool) -> None:
        """Record the editors' answer; the contact address goes with it unless kept."""
        stamp = when.astimezone(timezone.utc).isoformat(timespec="seconds")
        steps: list[tuple[str, tuple[Any, ...]]] = [
            ("UPDATE requests SET status = ?, note = ?, answered = ? WHERE id = ?", (status, note, stamp, request_id))]
        if forget_contact:
            steps.append(("DELETE FROM request_contacts WHERE id = ?", (request_id,)))
        self._transaction(*steps)
        if forget_contact:
            with self._lock:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy of the address left in the WAL
