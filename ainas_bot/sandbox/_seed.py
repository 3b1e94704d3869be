"""First start: organisations, their users and older certificate records, client .p12s and notices."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import secrets
import string
from pathlib import Path

from ainas_bot.certificates.issuers import Issuer
from ainas_bot.sandbox import _names
from ainas_bot.sandbox._clock import JAPAN, japan_day
from ainas_bot.sandbox._db import Db
from ainas_bot.sandbox._files import write_owner_only
from ainas_bot.sandbox._options import Notice, write_notices
from ainas_bot.sandbox._pki import client_p12

__all__ = ["ROLE_ADMIN", "ROLE_STAFF", "hash_password", "seed"]

ROLE_ADMIN, ROLE_STAFF = "admin", "staff"
# 新車新規 … 継続検査, (軽) 新車新規, (軽) 継続検査: the manual's organisation may do all but
# 移転一時, 移転永久 and 変更一時.
_PERMISSIONS = "1111111000111"
_PASSWORD_CHARS = string.ascii_letters + string.digits
_P12_PASSWORD_CHARS = _PASSWORD_CHARS + "/"


def hash_password(password: str, salt: bytes) -> bytes:
    # Few iterations on purpose: seeding hashes hundreds of passwords, and these are throw-away test logins.
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 1000)


def _secret(chars: str, length: int) -> str:
    return "".join(secrets.choice(chars) for _ in range(length))


def _firm_groups(orgs: int) -> list[list[int]]:
    """Indexes (at the end of the list) of organisations run by one firm with one administrator login."""
    size = 3 if orgs >= 30 else 2
    count = min(3, orgs // 5)
    return [list(range(orgs - (g + 1) * size, orgs - g * size)) for g in range(count)]


class _Seeder:
    def __init__(self, db: Db, state_dir: Path, issuer: Issuer, seed: int, now: dt.datetime) -> None:
        self.db, self.state_dir, self.issuer, self.now = db, state_dir, issuer, now
        self.rng = random.Random(seed)  # noqa: S311 - reproducible names and dates; secrets use `secrets`
        self.login_ids: set[str] = set()
        self.names: set[str] = set()
        self.users: list[tuple[int, str, bytes, bytes, str]] = []
        self.members: list[tuple[int, str]] = []

    def user(self, role: str) -> tuple[int, str, str]:
        while True:
            login_id = "".join(self.rng.choice(_names.LOGIN_ID_ALPHABET) for _ in range(_names.LOGIN_ID_LENGTH))
            if login_id not in self.login_ids:
                break
        self.login_ids.add(login_id)
        password, salt = _secret(_PASSWORD_CHARS, 10), os.urandom(16)
        user_id = len(self.users) + 1
        self.users.append((user_id, login_id, salt, hash_password(password, salt), role))
        return user_id, login_id, password

    def certificate(self, org_id: str, trade: tuple[str, str], holder: _names.Person) -> tuple[object, ...]:
        rng, today = self.rng, japan_day(self.now)
        kind = rng.random()
        if kind < 0.15:
            not_after = today - dt.timedelta(days=rng.randint(1, 400))
        elif kind < 0.40:
            not_after = today + dt.timedelta(days=rng.randint(1, 60))
        else:
            not_after = today + dt.timedelta(days=rng.randint(61, 900))
        registered = not_after - dt.timedelta(days=rng.choice((730, 1095)) - rng.randint(0, 20))
        if registered > today - dt.timedelta(days=30):
            registered = today - dt.timedelta(days=rng.randint(30, 200))
        at = dt.datetime.combine(registered, dt.time(rng.randint(9, 18), rng.choice((0, 15, 30, 45))), JAPAN)
        where = _names.place(rng)
        return (
            org_id,
            at.isoformat(timespec="minutes"),
            trade[1],
            trade[0],
            holder.kana,
            holder.kanji,
            where.postal_code,
            where.street,
            where.building,
            not_after.isoformat(),
            registered.isoformat(),
            f"{rng.getrandbits(64):016X}",
            "active",
        )

    def run(self, orgs: int) -> list[Notice]:
        groups = _firm_groups(orgs)
        firm_of = {index: (g, k) for g, group in enumerate(groups) for k, index in enumerate(group)}
        firm_admins = [self.user(ROLE_ADMIN) for _ in groups]
        firm_holders = [_names.person(self.rng) for _ in groups]
        clients = self.state_dir / "clients"
        clients.mkdir(mode=0o700, exist_ok=True)
        org_rows, cert_rows, notices = [], [], []
        for index in range(orgs):
            org_id = str(index + 1)
            if index in firm_of:
                g, k = firm_of[index]
                firm, firm_kana = _names.firm_name(g)
                city, _ = _names.branch(k)
                name, short = f"{firm} {city}事務所", f"{firm[len('行政書士法人') :]}{city}"
                trade, holder = (firm, firm_kana), firm_holders[g]
                admin = firm_admins[g]
            else:
                holder = _names.person(self.rng)
                trade = _names.office_name(self.rng, holder, self.names)
                name = short = trade[0]
                admin = self.user(ROLE_ADMIN)
            staff = self.user(ROLE_STAFF)
            self.members += [(admin[0], org_id), (staff[0], org_id)]
            light = "11" if self.rng.random() < 0.8 else "00"
            org_rows.append((org_id, index, name, short, "OSS申請可能", _PERMISSIONS[:-2] + light))
            cert_rows.append(self.certificate(org_id, trade, holder))
            p12_password = _secret(_P12_PASSWORD_CHARS, 10)
            path = clients / f"{org_id}.p12"
            write_owner_only(path, client_p12(self.issuer, index, org_id, name, p12_password), what="client_cert")
            notices.append(Notice(org_id, name, admin[1], admin[2], staff[1], staff[2], path.resolve(), p12_password))
        with self.db.transaction() as conn:
            for table in ("tokens", "sessions", "certificates", "memberships", "users", "orgs"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            conn.executemany("INSERT INTO orgs VALUES (?, ?, ?, ?, ?, ?)", org_rows)
            conn.executemany("INSERT INTO users (id, login_id, salt, pw_hash, role) VALUES (?, ?, ?, ?, ?)", self.users)
            conn.executemany("INSERT INTO memberships VALUES (?, ?)", self.members)
            conn.executemany(
                "INSERT INTO certificates (org_id, registered_at, trade_name_kana, trade_name_kanji, holder_name_kana,"
                " holder_name_kanji, postal_code, address_street, address_building, not_after, start_date, serial,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                cert_rows,
            )
        return notices


def seed(db: Db, state_dir: Path, issuer: Issuer, *, orgs: int, seed: int, now: dt.datetime) -> list[Notice]:
    """Fill an empty state directory; the `seeded` mark is written last, so a crash means a fresh seed."""
    notices = _Seeder(db, state_dir, issuer, seed, now).run(orgs)
    write_notices(state_dir, notices)
    db.set_meta("seeded", str(len(notices)))
    return notices
