"""What a run is asked (`RunRequest`) and what it returns (`RunResult`): the offices, how, and one outcome each."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from ainas_bot.certificates.certinfo import CertificateInfo
from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.config.settings import Office
from ainas_bot.errors import OutputError
from ainas_bot.foundation.jst import now_jst
from ainas_bot.record.store import Verified
from ainas_bot.results.outcome import Outcome
from ainas_bot.results.reports import write_report, write_report_csv

__all__ = ["Prepared", "RunRequest", "RunResult", "write_run_reports"]


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
