"""The private store: one SQLite database in WAL mode, with full fsync on every commit.

A submission is acknowledged to its author only after `add` has committed it, so after a
crash (even `kill -9`, even a power cut) everything acknowledged is still here. Contact
addresses sit in their own table so they can be read and deleted on their own; deleted
rows are overwritten (`secure_delete`) and the WAL is truncated after a deletion, so an
address that was forgotten does not linger in the files.
"""

from __future__ import annotations

import hmac
import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from masthead.domain.problems import UsageError
from masthead.domain.submissions import Submission, public_ref

RECEIVED, DELIVERING, IN_REVIEW, PUBLISHED, DECLINED, FAILED = (
    "received", "delivering", "in-review", "published", "declined", "failed")
STATUSES = (RECEIVED, DELIVERING, IN_REVIEW, PUBLISHED, DECLINED, FAILED)

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
  id TEXT PRIMARY KEY,
  received TEXT NOT NULL,          -- ISO 8601, UTC
  fields TEXT NOT NULL,            -- JSON of the public fields (never the contact address)
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt REAL NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  branch TEXT NOT NULL DEFAULT '',
  story_path TEXT NOT NULL DEFAULT '',
  site_path TEXT NOT NULL DEFAULT '',
  commit_sha TEXT NOT NULL DEFAULT '',
  review_url TEXT NOT NULL DEFAULT '',
  review_number INTEGER NOT NULL DEFAULT 0,
  published_url TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_due ON submissions (status, next_attempt);
CREATE TABLE IF NOT EXISTS spent_tokens (  -- one token, one submission; kept until it expires
  nonce TEXT PRIMARY KEY,
  expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS submission_keys (  -- a contributor's proof of identity, as a hash only
  handle TEXT PRIMARY KEY,
  key_hash TEXT NOT NULL,
  issued TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS contacts (
  id TEXT PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  received TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Record:
    """A stored submission as the worker, the receipt page and the commands see it."""

    id: str
    received: datetime
    fields: dict[str, str]
    status: str
    attempts: int = 0
    next_attempt: float = 0.0
    last_error: str = ""
    branch: str = ""
    story_path: str = ""
    site_path: str = ""
    commit_sha: str = ""
    review_url: str = ""
    review_number: int = 0
    published_url: str = ""
    reason: str = ""
    has_contact: bool = False

    @property
    def title(self) -> str:
        return self.fields.get("title", "")

    def submission(self) -> Submission:
        """The public submission, as validated (the contact address is not part of it)."""
        return Submission(**{k: self.fields.get(k, "") for k in Submission.__dataclass_fields__ if k != "email"})


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """The database, safe to share between threads (one connection, one lock)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
        self.path = folder / "submissions.sqlite3"
        old = os.umask(0o077)  # the database and its WAL are readable by this user only
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON", "foreign_keys=ON",
                           "busy_timeout=10000"):
                self._db.execute(f"PRAGMA {pragma}")
            self._db.executescript(SCHEMA)
            self._add_refs()
        finally:
            os.umask(old)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        # A second connection for reads: in WAL mode it never waits for a writer's fsync, so
        # /health, receipts and token checks stay quick while submissions are being stored.
        self._reader = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        self._reader.execute("PRAGMA query_only=ON")
        self._reader.row_factory = sqlite3.Row
        self._read_lock = threading.Lock()

    def _add_refs(self) -> None:
        """The public reference of each submission, for receipt lookups that never compare the
        secret id in SQL (added to stores made before it existed)."""
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(submissions)")}
        if "ref" not in columns:
            self._db.execute("ALTER TABLE submissions ADD COLUMN ref TEXT NOT NULL DEFAULT ''")
        for (sid,) in self._db.execute("SELECT id FROM submissions WHERE ref = ''").fetchall():
            self._db.execute("UPDATE submissions SET ref = ? WHERE id = ?", (public_ref(sid), sid))
        self._db.execute("CREATE INDEX IF NOT EXISTS submissions_ref ON submissions (ref)")

    def close(self) -> None:
        with self._read_lock:
            self._reader.close()
        with self._lock:
            self._db.close()

    def _write(self, sql: str, *args: Any) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                changed = self._db.execute(sql, args).rowcount
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return changed

    def _rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._read_lock:
            return self._reader.execute(sql, args).fetchall()

    # --- in ------------------------------------------------------------------------------

    def add(self, submission_id: str, sub: Submission, received: datetime,
            token: tuple[str, float] | None = None) -> bool:
        """Store a new submission and its contact address in one transaction, durably, and
        spend its form token (nonce, expiry) in the same one. False, and nothing stored, when
        the token was spent already: one token, one submission, whatever the concurrency."""
        stamp = received.astimezone(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if token is not None:
                    self._db.execute("DELETE FROM spent_tokens WHERE expires < ?", (received.timestamp(),))
                    if self._db.execute("INSERT OR IGNORE INTO spent_tokens (nonce, expires) VALUES (?, ?)",
                                        token).rowcount == 0:
                        self._db.execute("ROLLBACK")
                        return False
                self._db.execute("INSERT INTO submissions (id, received, fields, status, updated, ref) "
                                 "VALUES (?,?,?,?,?,?)",
                                 (submission_id, stamp, json.dumps(sub.public(), ensure_ascii=False), RECEIVED,
                                  _now(), public_ref(submission_id)))
                if sub.email:
                    self._db.execute("INSERT INTO contacts (id, email, received) VALUES (?,?,?)",
                                     (submission_id, sub.email, stamp))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return True

    def is_spent(self, nonce: str) -> bool:
        return bool(self._rows("SELECT 1 FROM spent_tokens WHERE nonce = ?", nonce))

    # --- submission keys: proof that a handle's owner sent the text ----------------------------

    def set_key(self, handle: str, key_hash: str) -> None:
        """Keep (only) the hash of a contributor's new submission key; an older key stops working."""
        self._write("INSERT INTO submission_keys (handle, key_hash, issued) VALUES (?, ?, ?) "
                    "ON CONFLICT (handle) DO UPDATE SET key_hash = excluded.key_hash, issued = excluded.issued",
                    handle, key_hash, _now())

    def key_hash(self, handle: str) -> str | None:
        rows = self._rows("SELECT key_hash FROM submission_keys WHERE handle = ?", handle)
        return str(rows[0][0]) if rows else None

    def revoke_key(self, handle: str) -> bool:
        return self._write("DELETE FROM submission_keys WHERE handle = ?", handle) > 0

    def key_handles(self) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT handle FROM submission_keys ORDER BY handle")]

    # --- out -----------------------------------------------------------------------------

    def _record(self, row: sqlite3.Row) -> Record:
        data = dict(row)
        data["fields"] = json.loads(data["fields"])
        data["received"] = datetime.fromisoformat(data["received"])
        data["has_contact"] = bool(data.pop("has_contact"))
        data.pop("updated", None)
        data.pop("ref", None)
        return Record(**data)

    SELECT = "SELECT s.*, (c.id IS NOT NULL) AS has_contact FROM submissions s LEFT JOIN contacts c ON c.id = s.id"

    def get(self, submission_id: str) -> Record | None:
        rows = self._rows(f"{self.SELECT} WHERE s.id = ?", submission_id)
        return self._record(rows[0]) if rows else None

    def by_receipt(self, receipt: str) -> Record | None:
        """The submission whose receipt id is `receipt`: looked up by its public reference, then
        compared in constant time, so timing says nothing about the secret id."""
        rows = self._rows(f"{self.SELECT} WHERE s.ref = ?", public_ref(receipt))
        for row in rows:
            if hmac.compare_digest(str(row["id"]).encode("ascii"), receipt.encode("ascii")):
                return self._record(row)
        return None

    def find(self, prefix: str) -> Record:
        """The one submission whose id starts with `prefix` (the receipt's short id is enough)."""
        clean = prefix.strip().lower()
        if len(clean) < 4 or not all(c in "0123456789abcdef" for c in clean):
            raise UsageError(f"'{prefix}' is not a submission id; give at least 4 characters of the id "
                             "that 'masthead submissions' lists")
        rows = self._rows(f"{self.SELECT} WHERE s.id LIKE ? OR s.ref LIKE ? ORDER BY s.received LIMIT 2",
                          clean + "%", clean + "%")
        if not rows:
            raise UsageError(f"no submission with an id starting '{clean}'; 'masthead submissions' lists them")
        if len(rows) > 1:
            raise UsageError(f"more than one submission starts with '{clean}'; give more characters of the id")
        return self._record(rows[0])

    def list(self, status: str | None = None, limit: int = 1000) -> list[Record]:
        where, args = ("WHERE s.status = ?", (status,)) if status else ("", ())
        return [self._record(r) for r in self._rows(f"{self.SELECT} {where} ORDER BY s.received DESC, s.id LIMIT ?",
                                                    *args, limit)]

    def counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self._rows("SELECT status, COUNT(*) FROM submissions GROUP BY status")}

    def iter_status(self, *statuses: str) -> Iterator[Record]:
        marks = ",".join("?" * len(statuses))
        yield from (self._record(r) for r in self._rows(f"{self.SELECT} WHERE s.status IN ({marks})", *statuses))

    # --- the worker's transitions ----------------------------------------------------------

    def claim_due(self, now: float) -> Record | None:
        """Take the oldest submission due for delivery (received, next attempt reached)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT id FROM submissions WHERE status = ? AND next_attempt <= ? "
                                       "ORDER BY next_attempt, received LIMIT 1", (RECEIVED, now)).fetchone()
                if row is not None:
                    self._db.execute("UPDATE submissions SET status = ?, attempts = attempts + 1, updated = ? "
                                     "WHERE id = ?", (DELIVERING, _now(), row[0]))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return self.get(row[0]) if row is not None else None

    def next_due(self) -> float | None:
        rows = self._rows("SELECT MIN(next_attempt) FROM submissions WHERE status = ?", RECEIVED)
        return rows[0][0] if rows and rows[0][0] is not None else None

    def release_interrupted(self) -> int:
        """After a crash: deliveries that were under way go back to the queue (delivery is
        idempotent, so finishing them again makes no second branch)."""
        return self._write("UPDATE submissions SET status = ?, next_attempt = 0, updated = ? WHERE status = ?",
                           RECEIVED, _now(), DELIVERING)

    def mark_delivered(self, submission_id: str, *, branch: str, story_path: str, site_path: str,
                       commit_sha: str, review_url: str = "", review_number: int = 0) -> None:
        self._write("UPDATE submissions SET status = ?, branch = ?, story_path = ?, site_path = ?, commit_sha = ?, "
                    "review_url = ?, review_number = ?, last_error = '', updated = ? WHERE id = ?",
                    IN_REVIEW, branch, story_path, site_path, commit_sha, review_url, review_number, _now(),
                    submission_id)

    def schedule_retry(self, submission_id: str, error: str, at: float) -> None:
        self._write("UPDATE submissions SET status = ?, last_error = ?, next_attempt = ?, updated = ? WHERE id = ?",
                    RECEIVED, error, at, _now(), submission_id)

    def mark_failed(self, submission_id: str, error: str) -> None:
        self._write("UPDATE submissions SET status = ?, last_error = ?, updated = ? WHERE id = ?",
                    FAILED, error, _now(), submission_id)

    def mark_published(self, submission_id: str, url: str) -> None:
        self._write("UPDATE submissions SET status = ?, published_url = ?, updated = ? WHERE id = ?",
                    PUBLISHED, url, _now(), submission_id)

    def decline(self, submission_id: str, reason: str) -> None:
        self._write("UPDATE submissions SET status = ?, reason = ?, updated = ? WHERE id = ?",
                    DECLINED, reason, _now(), submission_id)

    def retry(self, submission_id: str) -> bool:
        """Queue a failed (or waiting) submission for delivery now."""
        return self._write("UPDATE submissions SET status = ?, next_attempt = 0, attempts = 0, updated = ? "
                           "WHERE id = ? AND status IN (?, ?)", RECEIVED, _now(), submission_id,
                           FAILED, RECEIVED) > 0

    # --- the private contact address --------------------------------------------------------

    def contact(self, submission_id: str) -> str | None:
        rows = self._rows("SELECT email FROM contacts WHERE id = ?", submission_id)
        return str(rows[0][0]) if rows else None

    def forget_contact(self, submission_id: str) -> bool:
        changed = self._write("DELETE FROM contacts WHERE id = ?", submission_id)
        self._truncate_wal()
        return changed > 0

    def purge_contacts(self, before: datetime) -> int:
        """Delete contact addresses of submissions received before `before`."""
        changed = self._write("DELETE FROM contacts WHERE received < ?",
                              before.astimezone(timezone.utc).isoformat(timespec="seconds"))
        if changed:
            self._truncate_wal()
        return changed

    def _truncate_wal(self) -> None:
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
