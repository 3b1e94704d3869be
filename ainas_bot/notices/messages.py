"""What each notification says, in the run's language: a subject naming the office and the action, and a body
that says, for each office, what happened and what to do.

Every text from a certificate, the portal or a file goes through `shown` (no control character reaches a mail
header or a chat message) and a subject is one line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ainas_bot.checks.findings import office_prefix
from ainas_bot.config.notify import Event
from ainas_bot.fleet.standing import Standing
from ainas_bot.foundation.jst import format_portal_date
from ainas_bot.foundation.safe_text import shown
from ainas_bot.i18n import N_, _
from ainas_bot.notices.send import Message
from ainas_bot.results.outcome import Outcome, reason_label, status_label

__all__ = ["RunFacts", "digest_message", "failed_message", "order_message", "renewed_message", "test_message"]

_PREFIX = "[ainas-bot] "

# What a person does about each class of failure (README "Exit codes" names the classes).
_ADVICE = {
    "auth": N_(
        "check the office's login ID, password and client certificate in the settings; the bot never retries a "
        "failed login, so the portal's lockout count is not raised further"
    ),
    "certificate": N_("check the .p12 and its PIN with `ainas-bot inspect`, put the right file in place, run again"),
    "input": N_("correct the office's values (`ainas-bot check --office ID --suggest` says how), then run again"),
    "identity": N_(
        "the certificate is not this organisation's as the portal shows it: check that the .p12 is this office's "
        "(a new representative or a new name is confirmed with identity_change_confirmed)"
    ),
    "portal-unavailable": N_("the portal was down or outside its hours; the next run tries again, nothing was changed"),
    "portal-untrusted": N_("the portal's TLS certificate was not trusted: check portal_ca and the network (a proxy?)"),
    "portal-changed": N_(
        "the portal's screens changed: run `ainas-bot probe --office ID` and set portal_text as it says"
    ),
    "mismatch": N_(
        "the portal shows something other than what was sent: check the office in AINAS (代理人組織管理) by hand "
        "before running again; the screen is kept with the artifacts"
    ),
    "locked": N_("another ainas-bot run held the lock and this one did nothing; check for a run that is stuck"),
    "output": N_("a file could not be written (disk full? permissions?): free space and run again"),
    "interrupted": N_("the run was stopped before this office ended; run it again (a pending upload is resumed)"),
    "error": N_("an unexpected error: see the report and the artifacts, and run again with --debug"),
}


@dataclasses.dataclass(frozen=True)
class RunFacts:
    """What a message says about the run it comes from."""

    outcomes: Sequence[Outcome]
    errors: Sequence[str]  # what the run could not write (record, audit log, a report)
    report: Path | None
    started_at: dt.datetime
    host: str
    dry_run: bool = False


def _one_line(text: str) -> str:
    return " ".join(shown(text).split())


def _office(office_id: str, name: str) -> str:
    return _one_line(f"{office_id} {name}" if name else office_id)


def _footer(facts: RunFacts, body: list[str]) -> list[str]:
    lines = [] if body and not body[-1] else [""]
    if facts.report is not None:
        lines.append(_("Report: {path}").format(path=shown(str(facts.report))))
    lines.append(
        _("Sent by ainas-bot on {host}, run started {time}.").format(
            host=shown(facts.host), time=facts.started_at.strftime("%Y-%m-%d %H:%M %Z")
        )
    )
    return lines


def failed_message(facts: RunFacts) -> Message | None:
    """One message for the run, naming every failed office: its name, the class, the screen, what to do."""
    failed = [o for o in facts.outcomes if not o.ok]
    if not failed and not facts.errors:
        return None
    if len(failed) == 1:
        first = _office(failed[0].office_id, failed[0].office_name)
        subject = _("Renewal failed: office {office}").format(office=first)
    elif failed:
        subject = _("Renewal failed for {count} offices: {office} and others").format(
            count=len(failed), office=_office(failed[0].office_id, failed[0].office_name)
        )
    else:
        subject = _("A run could not write its records")
    when = facts.started_at.strftime("%Y-%m-%d %H:%M")
    if failed:
        lines = [_("These offices failed in the run of {time}:").format(time=when), ""]
    else:  # every office ended as it should; what failed is the bookkeeping
        lines = [_("Every office of the run of {time} ended as it should.").format(time=when)]
    for o in failed:
        reason = str(o.reason) if o.reason else "error"
        lines.append("■ " + _office(o.office_id, o.office_name))
        lines.append("  " + _("class: {reason}").format(reason=reason_label(reason)))
        if o.screen:
            lines.append("  " + _("screen: {screen}").format(screen=_one_line(o.screen)))
        said = o.message.removeprefix(office_prefix(o.office_id))  # the office is named on the line above
        lines.append("  " + _("what happened: {message}").format(message=_one_line(said)))
        lines.append("  " + _("what to do: {advice}").format(advice=_(_ADVICE.get(reason, _ADVICE["error"]))))
        if o.artifacts:
            lines.append("  " + _("kept: {paths}").format(paths=", ".join(shown(a) for a in o.artifacts)))
        lines.append("")
    if facts.errors:
        lines.append(_("The run could not write:"))
        lines += [f"- {_one_line(e)}" for e in facts.errors]
    return Message("failed", _PREFIX + subject, "\n".join([*lines, *_footer(facts, lines)]))


def order_message(standing: Standing, threshold: int, facts: RunFacts, *, place: str | None = None) -> Message:
    """Order the next certificate: the one in force ends within `threshold` days and no newer .p12 is on disk."""
    office = _office(standing.office_id, standing.office_name)
    days = standing.days_left or 0
    end = standing.end
    if days < 0:
        subject = _("Order a new certificate: office {office} (expired {days} days ago)").format(
            office=office, days=-days
        )
    else:
        subject = _("Order a new certificate: office {office} ({days} days left)").format(office=office, days=days)
    shown_end = format_portal_date(end) if end else "—"
    if days < 0:
        first = _("The certificate of office {office} expired on {end}, {days} days ago, and no newer .p12 is on disk.")
    else:
        first = _("The certificate of office {office} ends on {end}, in {days} days, and no newer .p12 is on disk.")
    lines = [
        first.format(office=office, end=shown_end, days=abs(days)),
        _("Order the next signing certificate now (SECOM, or 商業登記 at the Legal Affairs Bureau)."),
        _("When it arrives, put the .p12 at {place}: the next run registers it in AINAS.").format(
            place=shown(place or standing.local_file or "signing_cert")
        ),
        "",
        _("This reminder is sent once as the days left reach each of {thresholds} days (now {threshold}).").format(
            thresholds="/".join(str(t) for t in standing.thresholds), threshold=threshold
        ),
    ]
    return Message("order-new-certificate", _PREFIX + subject, "\n".join([*lines, *_footer(facts, lines)]))


def renewed_message(facts: RunFacts) -> Message | None:
    """One message naming the offices whose certificate was registered in this run."""
    done = [o for o in facts.outcomes if o.status in ("updated", "resumed")]
    if not done:
        return None
    first = _office(done[0].office_id, done[0].office_name)
    if len(done) == 1:
        subject = _("Certificate renewed: office {office}").format(office=first)
    else:
        subject = _("Certificate renewed for {count} offices: {office} and others").format(
            count=len(done), office=first
        )
    lines = [
        _("office {office}: {status}, the certificate expiring {expiry} is registered and active").format(
            office=_office(o.office_id, o.office_name),
            status=status_label(o.status),
            expiry=o.certificate_expiry or "—",
        )
        for o in done
    ]
    return Message("renewed", _PREFIX + subject, "\n".join([*lines, *_footer(facts, lines)]))


def digest_message(facts: RunFacts, standings: Sequence[Standing]) -> Message:
    """Every run: the counts, each office's outcome, and the offices whose certificate ends first."""
    counts = Counter(o.status for o in facts.outcomes)
    said = ", ".join(f"{status_label(k)} {n}" for k, n in sorted(counts.items())) or _("nothing to do")
    subject = _("Run of {day}: {counts}").format(day=facts.started_at.strftime("%Y-%m-%d"), counts=said)
    lines = [
        f"{_office(o.office_id, o.office_name)}: {status_label(o.status)}"
        + (f" ({reason_label(str(o.reason))})" if o.reason else "")
        for o in facts.outcomes
    ]
    soonest = sorted((s for s in standings if s.days_left is not None), key=lambda s: s.days_left or 0)[:10]
    if soonest:
        lines += ["", _("Certificates ending first:")]
        lines += [
            _("{office}: ends {end} ({days} days)").format(
                office=_office(s.office_id, s.office_name),
                end=format_portal_date(s.end) if s.end else "—",
                days=s.days_left,
            )
            for s in soonest
        ]
    return Message("digest", _PREFIX + subject, "\n".join([*lines, *_footer(facts, lines)]))


def test_message(event: Event, host: str, now: dt.datetime) -> Message:
    """`ainas-bot notify --test`: says where it comes from, so the people who get it know the path works."""
    body = _(
        "This is a test from ainas-bot on {host} at {time}. Messages like it will tell you when a run failed and "
        "when a certificate must be ordered."
    ).format(host=shown(host), time=now.strftime("%Y-%m-%d %H:%M %Z"))
    return Message(event, _PREFIX + _("Test notification"), body)
