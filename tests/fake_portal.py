"""A portal in memory behind `flows.screens`: the session's decisions tested without a browser.

It keeps what the real one keeps per organisation (its name, its certificate records, pending or
active) and answers the screens the flow uses, the way the manual says AINAS does: an upload makes a
pending record with what the portal read from the certificate, 確定 makes it active with what was
typed. Faults are planned per step: raised before the step does anything, or after it took effect
(the answer lost), or as the browser dying. It counts logins, uploads and updates per office, so a test
can prove that nothing was registered twice, and it refuses a typed secret while the trace is on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from ainas_bot.certificates import factory as certfactory
from ainas_bot.certificates.certinfo import CertificateInfo, describe
from ainas_bot.certificates.p12 import open_p12
from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.config.settings import Office
from ainas_bot.errors import AinasBotError, BrowserLostError
from ainas_bot.foundation.jst import format_portal_date
from ainas_bot.portal_text import Label
from flows.decision import CertificateRow
from flows.screens import CertDetail, CertUpdateComplete, Connection, Menu, OrgDetail, UpdateForm

PIN = "fake-PIN-2291"
PASSWORD = "fake-password"
Step = Literal["connect", "log_in", "open_org", "certificates", "upload", "read", "update", "log_out"]


@functools.cache
def _key() -> rsa.RSAPrivateKey:
    return certfactory.generate_key()  # one key for every test certificate: generating one costs 0.1 s or more


def make_office(
    office_id: str, *, login_id: str = "agent-1", trade_name: str = "", valid_days: int = 1095
) -> PreparedOffice:
    """An office ready for the portal, with a signing .p12 of its own generated here."""
    trade_name = trade_name or f"鈴木行政書士事務所{office_id}"
    data = certfactory.make_p12(
        trade_name=trade_name, holder_name="鈴木　一郎", password=PIN, valid_days=valid_days, key=_key()
    )
    info = describe(open_p12(data, PIN, name=f"{office_id}.p12"), file=f"{office_id}.p12")
    ref = {"env": "UNUSED"}
    entry = Office(
        id=office_id,
        login_id=login_id,
        login_password=ref,
        client_cert=Path("client.p12"),
        client_cert_password=ref,
        signing_cert=Path(f"{office_id}.p12"),
        pin=ref,
        trade_name_kana="スズキギョウセイショシジムショ",
        holder_name_kana="スズキ イチロウ",
        postal_code="100-0013",
    )
    return PreparedOffice(
        office=entry,
        login_password=SecretStr(PASSWORD),
        client_cert_password=SecretStr("c"),
        pin=SecretStr(PIN),
        signing_p12=Path(f"{office_id}.p12"),
        signing_bytes=data,
        certificate=info,
        trade_name_kana="スズキギョウセイショシジムショ",
        holder_name_kana="スズキ イチロウ",
        postal_code="1000013",
        start_date=dt.date(2026, 12, 1),
    )


@dataclasses.dataclass
class Record:
    """One certificate record of an organisation: pending after 登録, active after 更新."""

    registered_at: str
    read: dict[str, str]  # what the portal read from the .p12, by the labels of 代理人証明書照会
    typed: dict[str, str] = dataclasses.field(default_factory=dict)
    active: bool = False

    def row(self, position: int) -> CertificateRow:
        shown = self.active
        return CertificateRow(
            self.registered_at,
            self.read[Label.TRADE_NAME_KANJI] if shown else "",
            self.read[Label.HOLDER_NAME_KANJI] if shown else "",
            self.read[Label.EXPIRY] if shown else "",
            position=position,
        )

    def shown(self) -> dict[str, str]:
        return {Label.REGISTERED_AT: self.registered_at, **self.read, **self.typed}


def read_from(cert: CertificateInfo) -> dict[str, str]:
    """What the portal reads from a certificate, as its 照会 shows it."""
    return {
        Label.TRADE_NAME_KANJI: cert.trade_name_kanji,
        Label.HOLDER_NAME_KANJI: cert.holder_name_kanji,
        Label.ADDRESS_STREET: cert.address_street,
        Label.ADDRESS_BUILDING: cert.address_building,
        Label.EXPIRY: format_portal_date(cert.expiry_date),
    }


@dataclasses.dataclass
class Org:
    name: str
    records: list[Record] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Fault:
    """`error` at `step` (of `office`, or of any), `times` times: before the step acts, or after (answer lost)."""

    step: Step
    error: AinasBotError | None = None  # None: the browser dies
    when: Literal["before", "after"] = "before"
    office: str | None = None
    times: int = 1


class _BrowserDied(Exception):
    """What a dying browser raises in the fake, as Playwright's Error does in the real one."""


class FakePortal:
    def __init__(self, offices: list[PreparedOffice], *, complete_screen: bool = False) -> None:
        self.orgs = {o.office.id: Org(o.certificate.trade_name_kanji) for o in offices}
        self.complete_screen = complete_screen  # a 完了 screen after 確定 instead of the 照会
        self.faults: list[Fault] = []
        self.logins = 0
        self.connections = 0
        self.uploads: dict[str, int] = {}
        self.updates: dict[str, int] = {}
        self.traces: list[FakeTracing] = []  # one per connection, as a trace belongs to its browser context
        self.artifacts: list[str] = []
        self.windows_open = 0
        self._minute = 0

    # --- arranging ----------------------------------------------------------------------------
    def registered(self, office: PreparedOffice, *, active: bool = True) -> Record:
        """A record of `office`'s certificate made before the run (active, or left pending)."""
        record = Record(self._now(), read_from(office.certificate), active=active)
        self.orgs[office.office.id].records.append(record)
        return record

    def fail(
        self,
        step: Step,
        error: AinasBotError | None = None,
        *,
        when: Literal["before", "after"] = "before",
        office: str | None = None,
        times: int = 1,
    ) -> None:
        self.faults.append(Fault(step, error, when, office, times))

    def _now(self) -> str:
        self._minute += 1
        return f"2026/12/01 09:{self._minute:02d}"

    def fault(self, step: Step, office: str | None, when: Literal["before", "after"]) -> None:
        for planned in self.faults:
            if planned.times and planned.step == step and planned.when == when and planned.office in (None, office):
                planned.times -= 1
                if planned.error is None:
                    raise _BrowserDied(f"browser died at {step}")
                raise planned.error

    # --- the session's way in -----------------------------------------------------------------
    def connect(self, office: PreparedOffice) -> contextlib.AbstractAsyncContextManager[Connection]:
        return self._connection(office)

    @contextlib.asynccontextmanager
    async def _connection(self, office: PreparedOffice) -> AsyncIterator[Connection]:
        try:
            self.fault("connect", office.office.id, "before")
            self.connections += 1
            connection = FakeConnection(self)
            self.traces.append(connection.tracing)
            yield connection
        except _BrowserDied as exc:
            raise BrowserLostError(str(exc)) from None


class FakeTracing:
    def __init__(self) -> None:
        self.active = False
        self.started = 0

    async def start(self) -> None:
        if not self.active:
            self.active = True
            self.started += 1

    async def pause_for_secret(self) -> None:
        self.active = False

    async def discard(self) -> None:
        self.active = False

    def typing_secret(self) -> None:
        assert not self.active, "a secret was typed while the trace was recording"


class FakeConnection:
    def __init__(self, portal: FakePortal) -> None:
        self.portal = portal
        self.window = False
        self._tracing = FakeTracing()

    @property
    def tracing(self) -> FakeTracing:
        return self._tracing

    async def log_in(self, login_id: str, password: SecretStr) -> Menu:
        self.window = True
        self.portal.windows_open += 1
        self.tracing.typing_secret()
        self.portal.fault("log_in", None, "before")
        assert password.get_secret_value() == PASSWORD
        self.portal.logins += 1
        return Screen(self, None)

    async def log_out(self) -> None:
        self.portal.fault("log_out", None, "before")

    async def save_artifacts(self, office_id: str) -> list[str]:
        kept = [f"artifacts/{office_id}/screen.png"] + (["artifacts/trace.zip"] if self.tracing.active else [])
        self.tracing.active = False
        self.portal.artifacts.extend(kept)
        return kept

    async def close_window(self) -> None:
        if self.window:
            self.window = False
            self.portal.windows_open -= 1


class Screen:
    """Every screen of the fake, as the protocols see them: which organisation (and record) it shows."""

    def __init__(self, connection: FakeConnection, org_id: str | None, record: Record | None = None) -> None:
        self.connection = connection
        self.portal = connection.portal
        self.org_id = org_id
        self.record = record

    def _step(self, step: Step, act: Callable[[], None] | None = None) -> None:
        self.portal.fault(step, self.org_id, "before")
        if act is not None:
            act()
        self.portal.fault(step, self.org_id, "after")

    # Menu
    async def go_to_org_management(self) -> Screen:
        return Screen(self.connection, None)

    # OrgSearch
    async def search(self, org_id: str) -> Screen:
        return self

    async def open_org(self, org_id: str) -> OrgDetail:
        self.portal.fault("open_org", org_id, "before")
        return Screen(self.connection, org_id)

    # OrgDetail
    def _org(self) -> Org:
        assert self.org_id is not None
        return self.portal.orgs[self.org_id]

    async def org_name(self) -> str:
        return self._org().name

    async def certificates(self) -> list[CertificateRow]:
        self._step("certificates")
        return [record.row(i) for i, record in enumerate(self._org().records)]

    async def open_certificate(self, row: CertificateRow) -> CertDetail:
        return Screen(self.connection, self.org_id, self._org().records[row.position])

    async def start_registration(self) -> Screen:
        return Screen(self.connection, self.org_id)

    # CertRegister
    async def upload(self, p12: Path, pin: SecretStr) -> CertDetail:
        self.connection.tracing.typing_secret()
        data = p12.read_bytes()
        cert = describe(open_p12(data, pin.get_secret_value(), name=p12.name), file=p12.name)
        record = Record(self.portal._now(), read_from(cert))
        org_id = self.org_id or ""

        def act() -> None:
            self._org().records.append(record)
            self.portal.uploads[org_id] = self.portal.uploads.get(org_id, 0) + 1

        self._step("upload", act)
        return Screen(self.connection, self.org_id, record)

    # CertDetail
    async def read(self) -> dict[str, str]:
        self._step("read")
        assert self.record is not None
        return self.record.shown()

    async def start_update(self) -> Screen:
        return Screen(self.connection, self.org_id, self.record)

    async def can_go_back_to_org(self) -> bool:
        return True

    async def back_to_org(self, org_id: str) -> OrgDetail:
        return Screen(self.connection, org_id)

    # CertUpdate
    async def update(
        self, form: UpdateForm, pin: SecretStr, *, on_confirm: Callable[[], None] | None = None
    ) -> CertDetail | CertUpdateComplete:
        self.connection.tracing.typing_secret()
        record = self.record
        assert record is not None and pin.get_secret_value() == PIN
        self.portal.fault("update", self.org_id, "before")
        if on_confirm is not None:
            on_confirm()
        record.typed = form.typed()
        record.active = True
        org_id = self.org_id or ""
        self.portal.updates[org_id] = self.portal.updates.get(org_id, 0) + 1
        self.portal.fault("update", self.org_id, "after")
        return Complete(self.connection, self.org_id) if self.portal.complete_screen else self


class Complete:
    """代理人証明書更新完了: no values, only the way back."""

    def __init__(self, connection: FakeConnection, org_id: str | None) -> None:
        self.connection = connection
        self.org_id = org_id

    async def back_to_org(self, org_id: str) -> OrgDetail:
        return Screen(self.connection, org_id)
