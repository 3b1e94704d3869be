"""The certificate update of one office, as the manual has a person do it, from the menu to the proof.

The decision of what to do is `flows.decision`; the login, the retries and the outcome are the login's
session (`flows.session`); this module only does and proves, on the screens of `flows.screens`.
"""

from __future__ import annotations

import dataclasses

from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.checks.typed import start_date_on
from ainas_bot.errors import BackwardsError, IdentityError, PortalMismatchError
from ainas_bot.foundation.jst import format_portal_date, now_jst, today_jst
from ainas_bot.i18n import _
from ainas_bot.portal_text import Label, Screen
from ainas_bot.record.store import Verified
from ainas_bot.results.events import RunEvents
from ainas_bot.results.outcome import Status
from flows.browser.profiles import checked_copy
from flows.decision import (
    Action,
    CertificateRow,
    auto_filled_differences,
    decide,
    entered_differences,
    latest_active_expiry,
)
from flows.identity import backwards_refusal, check_identity, identity_refusal
from flows.screens import CertDetail, Menu, OrgDetail, Tracing, UpdateForm

__all__ = ["FlowOptions", "OfficeProgress", "renew_office"]


@dataclasses.dataclass(frozen=True)
class FlowOptions:
    portal_url: str
    timeout_ms: float
    artifacts_dir: str
    dry_run: bool = False
    retries: int = 0
    retry_backoff_seconds: float = 0.0
    trace: bool = True


async def _open_org(home: Menu, org_id: str) -> OrgDetail:
    search = await home.go_to_org_management()
    await search.search(org_id)
    return await search.open_org(org_id)


async def _back_to_org(detail: CertDetail, org_id: str) -> OrgDetail:
    """Back to the organisation by the screen's own `↑ 一覧に戻る` (one screen, where the menu and the
    search take three); by the menu where the screen has no such button."""
    if await detail.can_go_back_to_org():
        return await detail.back_to_org(org_id)
    return await _open_org(detail, org_id)


@dataclasses.dataclass
class OfficeProgress:
    """How far earlier attempts of this run got for an office, so a retry reports what really happened."""

    uploaded: bool = False
    confirmed: bool = False
    attempts: int = 0
    registered_expiry: str | None = None
    org_name: str = ""  # 代理人組織名 as the portal showed it
    verification: Verified | None = None  # what this run proved registered and active
    notes: list[str] = dataclasses.field(default_factory=list)  # for the recap: an identity change


async def renew_office(
    home: Menu, office: PreparedOffice, opts: FlowOptions, tracer: Tracing, events: RunEvents, progress: OfficeProgress
) -> Status:
    """One office on the portal, from the menu to the proof in its certificate table: what it came to.

    Every decision is read from the portal first, so an attempt after a lost answer resumes at the right
    step: a pending record this run uploaded is completed, not uploaded again."""
    cert = office.certificate
    oid = office.office.id
    events.step(oid, _("{screen}: {label} {office}").format(screen=Screen.ORG_SEARCH, label=Label.ORG_ID, office=oid))
    org = await _open_org(home, oid)
    rows = await org.certificates()
    progress.registered_expiry = latest_active_expiry(rows)
    action, candidates = decide(rows, cert)
    if action is not Action.ALREADY_CURRENT:
        events.proved(oid, None)  # at once: an upload failing later must not leave the record standing
    await _check_identity(org, office, rows, events, progress)
    if action is Action.ALREADY_CURRENT:
        _proved(office, progress, candidates, events)
        if progress.confirmed:  # an earlier attempt's 確定 went through before its answer was lost
            events.step(oid, _("the update of an earlier attempt is registered"))
            return "updated"
        return "already-current"
    start_date_on(office.office.start_date, today_jst(), cert.expiry_date)  # past midnight: still typable?
    # Pending records: is one of them this certificate, uploaded by an earlier run?
    detail, org = await _own_pending_record(org, candidates, office, events)
    resuming = detail is not None and not progress.uploaded
    if opts.dry_run:
        return "would-resume" if detail else "would-register"
    if detail is None:
        events.step(
            oid, _("{screen}: uploading {name}").format(screen=Screen.CERT_REGISTER, name=office.signing_p12.name)
        )
        register = await org.start_registration()
        await tracer.pause_for_secret()
        # Set before the upload: when its answer is lost, the pending record a retry finds is this run's.
        progress.uploaded = True
        with checked_copy(office.signing_p12.name, office.signing_bytes) as checked:  # the bytes checked
            went = await register.upload(checked, office.pin)
        if isinstance(went, OrgDetail):
            # The portal went back to the organisation (the form's window closed and sent its opener there, or
            # a 完了 screen led there): the new record is a pending row of its table, opened as a person would.
            events.step(
                oid,
                _("{screen}: the portal went back to {org}; opening the record just uploaded").format(
                    screen=Screen.CERT_REGISTER, org=Screen.ORG_DETAIL
                ),
            )
            _action, pending = decide(await went.certificates(), cert)
            detail, org = await _own_pending_record(went, pending, office, events)
            if detail is None:
                raise PortalMismatchError(
                    _("{screen}: the certificate just uploaded is not among its pending records").format(
                        screen=Screen.ORG_DETAIL
                    ),
                    screen=Screen.ORG_DETAIL,
                )
        else:
            detail = went
        differences = auto_filled_differences(await detail.read(), cert)
        if differences:
            raise PortalMismatchError(
                _("{screen}: the portal read the certificate differently: {differences}").format(
                    screen=Screen.CERT_DETAIL, differences=_("; ").join(differences)
                ),
                screen=Screen.CERT_DETAIL,
            )
    events.step(
        oid,
        _("{screen}: typing カナ, {postal}, {start}").format(
            screen=Screen.CERT_UPDATE, postal=Label.POSTAL_CODE, start=Label.START_DATE
        ),
    )
    update = await detail.start_update()
    start = start_date_on(office.office.start_date, today_jst(), cert.expiry_date)  # the day of typing, not of checks
    form = UpdateForm(office.trade_name_kana, office.holder_name_kana, office.postal_code, format_portal_date(start))
    await tracer.pause_for_secret()

    def confirmed() -> None:
        progress.confirmed = True

    result = await update.update(form, office.pin, on_confirm=confirmed)
    await tracer.start()  # the last secret has been typed
    if not isinstance(result, CertDetail):
        # A 完了 screen shows no values, nor does the organisation a portal may go back to: read them from the
        # record's 照会, reached from the organisation.
        events.step(
            oid,
            _("{screen}: reading the record from {detail}").format(
                screen=Screen.CERT_UPDATE_COMPLETE, detail=Screen.ORG_DETAIL
            ),
        )
        org = result if isinstance(result, OrgDetail) else await result.back_to_org(oid)
        action, registered = decide(await org.certificates(), cert)
        if action is not Action.ALREADY_CURRENT:
            raise PortalMismatchError(
                _("{screen}: the new certificate is not shown as registered after the update").format(
                    screen=Screen.ORG_DETAIL
                ),
                screen=Screen.ORG_DETAIL,
            )
        updated = await org.open_certificate(registered[-1])
    else:
        updated = result
    shown = await updated.read()
    differences = entered_differences(shown, form.typed()) + auto_filled_differences(shown, cert)
    if differences:
        raise PortalMismatchError(
            _("{screen}: after the update the portal shows: {differences}").format(
                screen=Screen.CERT_DETAIL, differences=_("; ").join(differences)
            ),
            screen=Screen.CERT_DETAIL,
        )
    events.step(oid, _("verifying the certificate table of {office}").format(office=oid))
    org = await _back_to_org(updated, oid)
    rows = await org.certificates()
    progress.registered_expiry = latest_active_expiry(rows)
    action, active = decide(rows, cert)
    if action is not Action.ALREADY_CURRENT:
        raise PortalMismatchError(
            _("{screen}: the new certificate is not shown as registered after the update").format(
                screen=Screen.ORG_DETAIL
            ),
            screen=Screen.ORG_DETAIL,
        )
    _proved(office, progress, active, events)
    return "resumed" if resuming else "updated"


async def _own_pending_record(
    org: OrgDetail, candidates: list[CertificateRow], office: PreparedOffice, events: RunEvents
) -> tuple[CertDetail | None, OrgDetail]:
    """The 照会 of the pending record among `candidates` that is this certificate (what the portal read of it
    matches the local parse), or None, back on the organisation."""
    oid = office.office.id
    for row in candidates:
        if not row.pending:
            continue
        events.step(
            oid,
            _("pending record {registered_at}: comparing with the local certificate").format(
                registered_at=row.registered_at
            ),
        )
        shown_detail = await org.open_certificate(row)
        if not auto_filled_differences(await shown_detail.read(), office.certificate):
            return shown_detail, org
        org = await _back_to_org(shown_detail, oid)
    return None, org


def _proved(office: PreparedOffice, progress: OfficeProgress, active: list[CertificateRow], events: RunEvents) -> None:
    """The table shows the local certificate registered and active: told now, before the office ends."""
    newest = max(active, key=lambda r: r.registered)
    progress.verification = Verified(
        office.office.id,
        office.certificate.sha256,
        progress.org_name,
        newest.registered_at,
        now_jst(),
        office.certificate.expiry_date,
    )
    events.proved(office.office.id, progress.verification)


async def _check_identity(
    org: OrgDetail, office: PreparedOffice, rows: list[CertificateRow], events: RunEvents, progress: OfficeProgress
) -> None:
    """Before any upload: the certificate is this organisation's, and not older than the one in force."""
    oid, cert = office.office.id, office.certificate
    org_name = await org.org_name()
    progress.org_name = org_name
    verdict = check_identity(cert, org_name, rows)
    refusal = identity_refusal(oid, cert, org_name, verdict, confirmed=office.office.identity_change_confirmed)
    if refusal:
        raise IdentityError(refusal, screen=Screen.ORG_DETAIL)
    backwards = backwards_refusal(oid, cert, rows)
    if backwards:
        raise BackwardsError(backwards, screen=Screen.ORG_DETAIL)
    if verdict.changes:
        note = (
            _("identity change confirmed (identity_change_confirmed): {changes}")
            if not verdict.matches
            else _("identity change one name kept: {changes}")
        )
        progress.notes.append(note.format(changes=_("; ").join(verdict.changes)))
        events.step(oid, progress.notes[-1])
