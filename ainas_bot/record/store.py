"""The local record of what the portal last proved, per office, and what each .p12 file was found to hold.

One SQLite file (standard library, no server): every write is one transaction, so offices ending at the
same moment in one run, a second process reading it (`status` beside a scheduled `renew`) and a run
killed mid-write leave it whole; WAL lets a reader go on while a writer commits. Owner-only, never
through a symlink: it names offices and certificates (never a PIN, a password or a key).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from ainas_bot.errors import OutputError
from ainas_bot.foundation.jst import JST
from ainas_bot.foundation.safe_files import open_private
from ainas_bot.i18n import _
from ainas_bot.record.notes import LastOutcome, put_last_outcome

__all__ = ["CachedFacts", "VerificationLog", "Verified", "VerifiedStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS verified (
    office_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, organisation TEXT NOT NULL,
    registered_at TEXT NOT NULL, verified_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS p12_facts (
    file_sha256 TEXT NOT NULL, kind TEXT NOT NULL, verifier BLOB NOT NULL, iterations INTEGER NOT NULL,
    facts TEXT NOT NULL, PRIMARY KEY (file_sha256, kind));
CREATE TABLE IF NOT EXISTS last_outcome (
    office_id TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT, screen TEXT, ended_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS order_reminders (
    office_id TEXT NOT NULL, fingerprint TEXT NOT NULL, threshold INTEGER NOT NULL, sent_at TEXT NOT NULL,
    PRIMARY KEY (office_id, fingerprint, threshold));
"""
# Columns added after a table was first written: a record of an older version gains them when opened.
_ADDED_COLUMNS = (("verified", "expiry", "TEXT"),)
_BUSY_SECONDS = 5.0  # a write of another run takes milliseconds; longer is a process stuck holding it


@dataclasses.dataclass(frozen=True)
class Verified:
    """The certificate last seen on the portal as registered and active for an office, and when."""

    office_id: str
    fingerprint: str  # SHA-256 of the certificate (DER), as `inspect` shows it
    organisation: str  # 代理人組織名, as the portal showed it
    registered_at: str  # 登録日時 of the active record, as shown
    verified_at: dt.datetime  # aware, Japan time
    expiry: dt.date | None = None  # 証明書有効期限 of that certificate (None in a record of an older version)

    @property
    def verified_on(self) -> dt.date:
        return self.verified_at.astimezone(JST).date()


@dataclasses.dataclass(frozen=True)
class CachedFacts:
    """What opening a .p12 with its PIN taught, bound to that PIN by a slow verifier (never the PIN itself)."""

    verifier: bytes
    iterations: int
    facts: str  # JSON


class VerifiedStore:
    """The record file, opened once per run; each method is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = _connect(path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; a failure of SQLite is the project's `OutputError`, naming the file."""
        try:
            with self._db:
                yield self._db
        except sqlite3.Error as exc:
            raise _failure(self.path, exc) from None

    def get(self, office_id: str) -> Verified | None:
        with self.transaction() as db:
            row = db.execute(
                "SELECT office_id, fingerprint, organisation, registered_at, verified_at, expiry FROM verified "
                "WHERE office_id = ?",
                (office_id,),
            ).fetchone()
        return _verified(row) if row is not None else None

    def all_verified(self) -> dict[str, Verified]:
        """Every office's record (`status --from-record`), read in one transaction."""
        with self.transaction() as db:
            rows = db.execute(
                "SELECT office_id, fingerprint, organisation, registered_at, verified_at, expiry FROM verified"
            ).fetchall()
        return {v.office_id: v for v in map(_verified, rows) if v is not None}

    def put(self, record: Verified) -> None:
        if record.verified_at.tzinfo is None:
            raise ValueError("verified_at must be an aware datetime")
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO verified (office_id, fingerprint, organisation, registered_at, verified_at, "
                "expiry) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.office_id,
                    record.fingerprint,
                    record.organisation,
                    record.registered_at,
                    record.verified_at.astimezone(JST).isoformat(timespec="seconds"),
                    record.expiry.isoformat() if record.expiry else None,
                ),
            )

    def forget(self, office_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM verified WHERE office_id = ?", (office_id,))

    def facts(self, file_sha256: str, kind: str) -> CachedFacts | None:
        with self.transaction() as db:
            row = db.execute(
                "SELECT verifier, iterations, facts FROM p12_facts WHERE file_sha256 = ? AND kind = ?",
                (file_sha256, kind),
            ).fetchone()
        return CachedFacts(bytes(row[0]), int(row[1]), str(row[2])) if row else None

    def put_facts(self, file_sha256: str, kind: str, cached: CachedFacts) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO p12_facts VALUES (?, ?, ?, ?, ?)",
                (file_sha256, kind, cached.verifier, cached.iterations, cached.facts),
            )

    def close(self) -> None:
        self._db.close()


def _verified(row: tuple[str, str, str, str, str, str | None]) -> Verified | None:
    """A row not written by this module is as if there were none: the portal is asked."""
    try:
        when = dt.datetime.fromisoformat(row[4])
        expiry = dt.date.fromisoformat(row[5]) if row[5] else None
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return Verified(row[0], row[1], row[2], row[3], when.astimezone(JST), expiry)


def _failure(path: Path, exc: sqlite3.Error) -> OutputError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        why = _("locked by another process for more than {seconds} s; is another ainas-bot stuck?").format(
            seconds=f"{_BUSY_SECONDS:g}"
        )
    elif "not a database" in text or "malformed" in text:
        why = _("is not a readable SQLite database; move it away (the next run starts a new record)")
    else:
        why = _("cannot be used ({error})").format(error=text)
    return OutputError(_("verified record {path}: {why}").format(path=path, why=why))


def _connect(path: Path) -> sqlite3.Connection:
    """Created owner-only and checked to be a regular file (not a link) before SQLite opens it by name;
    the same file (device and inode) after, so a link swapped in between is refused too."""
    fd = open_private(path, truncate=False, readable=True, what=_("verified record"))
    try:
        expected = os.fstat(fd)
        # The store is opened where the run is set up and written from the thread its event loop runs
        # on, one statement at a time; SQLite's own serialised mode makes that safe.
        db = sqlite3.connect(path, timeout=_BUSY_SECONDS, isolation_level="DEFERRED", check_same_thread=False)
        try:
            now = os.lstat(path)
            if (now.st_dev, now.st_ino) != (expected.st_dev, expected.st_ino):
                raise OutputError(
                    _("verified record {path}: was replaced while being opened; refused").format(path=path)
                )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a verification recorded is on disk when the office ends
            with db:
                db.executescript(_SCHEMA)
                for table, column, kind in _ADDED_COLUMNS:
                    if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        except sqlite3.Error as exc:
            db.close()
            raise _failure(path, exc) from None
        except BaseException:
            db.close()
            raise
    finally:
        os.close(fd)
    return db


class VerificationLog:
    """What a run's flow tells as it proves (or disproves) a registration; each call is written at once.

    A write that fails does not stop the run (the portal work is what matters to the office): it is told
    once, after the recap, and the next run simply asks the portal again.
    """

    def __init__(self, store: VerifiedStore) -> None:
        self.store = store
        self.errors: list[str] = []

    def _attempt(self, write: Callable[[], None]) -> None:
        if self.errors:
            return
        try:
            write()
        except OutputError as exc:
            self.errors.append(_("{error}; the next run asks the portal again").format(error=exc))

    def verified(self, record: Verified) -> None:
        self._attempt(lambda: self.store.put(record))

    def contradicted(self, office_id: str) -> None:
        """The portal does not show the local certificate as registered and active: no record stands."""
        self._attempt(lambda: self.store.forget(office_id))

    def ended(self, office_id: str, status: str, reason: str | None, screen: str | None, at: dt.datetime) -> None:
        """How the office's run ended (`status --from-record`, the calendar and the metrics read it)."""
        self._attempt(lambda: put_last_outcome(self.store, LastOutcome(office_id, status, reason, screen, at)))
