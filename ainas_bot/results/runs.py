"""What a run is asked (`RunRequest`), its offices after their checks (`prepare`, also all that `check`,
`status --from-record` and the console's drop need) and what it returns (`RunResult`): one outcome each."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.checks.prepare import PreparedOffice, Problem, check_offices, office_message, office_prefix
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import OutputError
from ainas_bot.foundation.jst import now_jst, today_jst
from ainas_bot.i18n import _
from ainas_bot.record.p12_cache import P12Cache
from ainas_bot.record.store import Verified
from ainas_bot.results.outcome import Outcome
from ainas_bot.results.reports import write_report, write_report_csv

__all__ = ["Prepared", "RunRequest", "RunResult", "prepare", "write_run_reports"]


@dataclasses.dataclass(frozen=True)
class RunRequest:
    """What the command asks of a run: which offices, and how."""

    offices: Sequence[Office]
    dry_run: bool = False
    visit_all: bool = False  # --verify, a dry run, `status`: the record vouches for no office
    start_delay: float = 0.0  # seconds before the portal; spreads scheduled runs' load on it
    audit: bool = True  # `status` keeps no audit line, and takes no lock (it changes nothing)
    report: Path | None = None
    report_csv: Path | None = None
    report_dir: Path | None = None  # a JSON report here when an office failed or a certificate nears its end


@dataclasses.dataclass
class Prepared:
    """The offices after their checks: those ready for the portal, and an outcome for each refused one."""

    ready: list[PreparedOffice]
    refused: list[Outcome]
    warnings: list[str]
    certificates: dict[str, CertificateInfo]  # each office's certificate, where its .p12 opened


def _joined(office_id: str, problems: list[Problem]) -> str:
    """`office 1: first; second`: one line for an office, each problem said once."""
    prefix = office_prefix(office_id)
    return office_message(office_id, _("; ").join(p.message.removeprefix(prefix) for p in problems))


def prepare(
    settings: Settings, offices: Sequence[Office], environ: Mapping[str, str], *, cache: P12Cache | None
) -> Prepared:
    """Every check before the first click, for every office at once; one outcome per refused office, however
    many problems it has (counted once in the recap, the reports and the audit log)."""
    ready, problems, warnings = check_offices(list(offices), settings, environ, today=today_jst(), cache=cache)
    by_office: dict[str, list[Problem]] = {}
    for p in problems:
        by_office.setdefault(p.office_id, []).append(p)
    logins = {o.id: o.login_id for o in offices}
    refused = [
        Outcome.not_started(
            oid,
            logins[oid],
            office_name=next((p.office_name for p in ps if p.office_name), ""),
            reason=ps[0].reason,
            message=_joined(oid, ps),
        )
        for oid, ps in by_office.items()
    ]
    certificates = {r.office.id: r.certificate for r in ready}
    certificates |= {p.office_id: p.certificate for p in problems if p.certificate is not None}
    return Prepared(ready, refused, warnings, certificates)


@dataclasses.dataclass
class RunResult:
    """What a run did: one outcome per office (refused ones first, then in the order asked), and what the
    command says about it."""

    prepared: Prepared
    outcomes: list[Outcome]
    visited: list[PreparedOffice]
    errors: list[str]  # what could not be written (record, audit log, a report); said after the recap
    reports: list[tuple[str, Path]]  # ("json" or "csv", where)
    interrupted: bool
    records: dict[str, tuple[Verified | None, Verified | None]]  # a visited office's record before and after

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def warned(self) -> bool:
        """A certificate near its end (min_days_left) is worth a report even when every office went well."""
        return any(r.warnings for r in self.prepared.ready)

    @property
    def report(self) -> Path | None:
        return next((path for kind, path in self.reports if kind == "json"), None)


def write_run_reports(request: RunRequest, result: RunResult) -> None:
    """The reports asked for, and a scheduled run's own when an office failed or a certificate nears its end;
    what is written is added to `result.reports`, what cannot be to `result.errors`."""
    report = request.report
    if report is None and request.report_dir is not None and (result.failed or result.warned):
        report = request.report_dir / f"report-{now_jst():%Y%m%dT%H%M%S%z}.json"
    for kind, path, write in (("json", report, write_report), ("csv", request.report_csv, write_report_csv)):
        if path is None:
            continue
        try:
            write(path, result.outcomes)
        except OutputError as exc:
            result.errors.append(str(exc))
        else:
            result.reports.append((kind, path))
