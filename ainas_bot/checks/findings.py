"""What the checks of an office find: problems that stop it before any click, warnings it goes on with.

Every check returns its own `Findings`; `prepare` adds them up, one collector per office, so that all the
problems of an office are said at once and each names the office first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ainas_bot.errors import AinasBotError, Reason
from ainas_bot.i18n import _

if TYPE_CHECKING:
    from ainas_bot.certificates.certinfo import CertificateInfo

__all__ = ["Findings", "Problem", "office_message", "office_prefix"]

T = TypeVar("T")


def office_message(office_id: str, message: str) -> str:
    """`office 1234567: …` (`事務所 1234567: …`): a problem that names its office first."""
    return _("office {office}: {message}").format(office=office_id, message=message)


def office_prefix(office_id: str) -> str:
    """What `office_message` puts before the message, in the current language: what is stripped or looked
    for at the start of a message, so that a line does not name its office twice."""
    return office_message(office_id, "")


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something that stops an office before any click; `reason` is the outcome class, `certificate` what the
    office's .p12 held when it opened (its 屋号 names the office in the recap)."""

    office_id: str
    message: str
    reason: Reason
    certificate: CertificateInfo | None = dataclasses.field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return self.message

    @property
    def office_name(self) -> str:
        return self.certificate.trade_name_kanji if self.certificate else ""


@dataclasses.dataclass
class Findings:
    """The problems (message, class) and warnings one check, or all the checks of an office, found."""

    problems: list[tuple[str, Reason]] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)

    def __iadd__(self, other: Findings) -> Findings:
        self.problems += other.problems
        self.warnings += other.warnings
        return self

    def refuse(self, message: str, reason: Reason = Reason.INPUT) -> None:
        self.problems.append((message, reason))

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def attempt(self, office_id: str, check: Callable[[], T]) -> T | None:
        """What `check` returns, or None with its error kept as a problem naming the office."""
        try:
            return check()
        except AinasBotError as exc:
            text = str(exc)
            self.refuse(
                text if text.startswith(office_prefix(office_id)) else office_message(office_id, text), exc.reason
            )
            return None

    def problems_of(self, office_id: str, certificate: CertificateInfo | None) -> list[Problem]:
        return [Problem(office_id, message, reason, certificate) for message, reason in self.problems]
