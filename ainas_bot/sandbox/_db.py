"""The sandbox's SQLite state: organisations, users, memberships, certificate records, sessions, tokens, and the
values a 確認 screen holds until its 確定."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ainas_bot.sandbox._clock import JAPAN

__all__ = ["DB_FILE", "Db"]

DB_FILE = "sandbox.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orgs (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, name TEXT NOT NULL, short_name TEXT NOT NULL,
    status TEXT NOT NULL, permissions TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, login_id TEXT NOT NULL UNIQUE, salt BLOB NOT NULL, pw_hash BLOB NOT NULL,
    role TEXT NOT NULL, failed INTEGER NOT NULL DEFAULT 0, locked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS memberships (
    user_id INTEGER NOT NULL REFERENCES users(id), org_id TEXT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (user_id, org_id));
CREATE TABLE IF NOT EXISTS certificates (
    id INTEGER PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), registered_at TEXT NOT NULL,
    trade_name_kana TEXT NOT NULL DEFAULT '', trade_name_kanji TEXT NOT NULL DEFAULT '',
    holder_name_kana TEXT NOT NULL DEFAULT '', holder_name_kanji TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '', address_street TEXT NOT NULL DEFAULT '',
    address_building TEXT NOT NULL DEFAULT '', not_after TEXT NOT NULL, start_date TEXT,
    serial TEXT NOT NULL, status TEXT NOT NULL, p12 BLOB);
CREATE INDEX IF NOT EXISTS certificates_org ON certificates(org_id);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), created_at REAL NOT NULL,
    last_seen REAL NOT NULL, ended TEXT);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, session_id TEXT NOT NULL, created_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS pending_updates (
    id TEXT PRIMARY KEY, session_id TEXT NOT NULL, cert_id INTEGER NOT NULL, trade_name_kana TEXT NOT NULL,
    holder_name_kana TEXT NOT NULL, postal_code TEXT NOT NULL, start_date TEXT NOT NULL, created_at REAL NOT NULL);
"""


class Db:
    """One connection shared by the server thread and the caller, serialised by a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        path.chmod(0o600)  # password hashes and uploaded signing certificates
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; a power cut may lose the last writes
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run several statements atomically (the lock is held throughout)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the last inserted row id."""
        with self._lock:
            cursor = self._conn.execute(sql, params)
            return cursor.lastrowid or 0

    def meta(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def state(self, *, users: bool = False) -> list[dict[str, Any]]:
        """Every organisation with its certificate records, and with `users` the users who can log in to it
        (their failed logins, whether locked, their sessions), as `ainas-bot sandbox state` prints them."""
        certs: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows("SELECT * FROM certificates ORDER BY registered_at, id"):
            certs.setdefault(row["org_id"], []).append(
                {
                    key: row[key]
                    for key in (
                        "registered_at",
                        "trade_name_kana",
                        "trade_name_kanji",
                        "holder_name_kana",
                        "holder_name_kanji",
                        "postal_code",
                        "address_street",
                        "address_building",
                        "not_after",
                        "start_date",
                        "serial",
                        "status",
                    )
                }
            )
        if not users:  # what tests compare before and after: the records, which a login does not change
            return [
                {"org_id": row["id"], "org_name": row["name"], "certificates": certs.get(row["id"], [])}
                for row in self.rows("SELECT id, name FROM orgs ORDER BY seq")
            ]
        sessions: dict[int, list[dict[str, Any]]] = {}
        for row in self.rows("SELECT user_id, created_at, last_seen, ended FROM sessions ORDER BY created_at"):
            sessions.setdefault(row["user_id"], []).append(
                {
                    "started": _jst(row["created_at"]),
                    "last_seen": _jst(row["last_seen"]),
                    "ended": row["ended"],  # None while open (an idle one is ended as expired when next used)
                }
            )
        members: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows(
            "SELECT m.org_id, u.id, u.login_id, u.role, u.failed, u.locked FROM memberships m "
            "JOIN users u ON u.id = m.user_id ORDER BY u.login_id"
        ):
            members.setdefault(row["org_id"], []).append(
                {
                    "login_id": row["login_id"],
                    "role": row["role"],
                    "failed_logins": row["failed"],
                    "locked": bool(row["locked"]),
                    "sessions": sessions.get(row["id"], []),
                }
            )
        return [
            {
                "org_id": row["id"],
                "org_name": row["name"],
                "certificates": certs.get(row["id"], []),
                "users": members.get(row["id"], []),
            }
            for row in self.rows("SELECT id, name FROM orgs ORDER BY seq")
        ]


def _jst(epoch: float) -> str:
    """A time of the sandbox's database (seconds since the epoch) as a person reads it, Japan time."""
    return dt.datetime.fromtimestamp(epoch, JAPAN).isoformat(timespec="seconds")
