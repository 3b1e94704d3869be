"""What `ainas-bot probe` reports of a portal: per screen, each thing the update needs, found (and how) or missing,
with the name to override and the nearest text seen; as text and as JSON."""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any

from ainas_bot import portal_text
from ainas_bot.foundation.safe_text import shown
from ainas_bot.i18n import N_, _
from ainas_bot.portal_text import text_of
from flows.finder.locate import caption_core

__all__ = ["Check", "ProbeReport", "ScreenReport", "report_lines"]


# How the report names each kind of thing it looks for (`Check.what`, which the JSON keeps as it is).
_KINDS = {
    "title": N_("title {text}"),
    "field": N_("field {text}"),
    "button": N_("button {text}"),
    "table": N_("table {text}"),
    "row": N_("row {text}"),
    "link": N_("link {text}"),
}


@dataclasses.dataclass
class Check:
    """One thing the update needs on a screen, by its name in portal_text (empty for a value of the settings)."""

    what: str  # "title", "field", "button", "table", "row"
    name: str
    text: str
    how: str | None = None
    required: bool = True
    candidates: list[str] = dataclasses.field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.how is not None

    def hint(self) -> str:
        """Which name to set, and the nearest text seen on the screen."""
        if not self.name or "," in self.name:
            return ""
        # A text the bot knows for something else is not what this one is called now.
        known = {caption_core(text_of(name)) for name in portal_text.known_names()}
        unknown = {caption_core(c): c for c in self.candidates if caption_core(c) and caption_core(c) not in known}
        near = difflib.get_close_matches(caption_core(self.text), list(unknown), n=1, cutoff=0.0)
        value = unknown[near[0]] if near else "…"
        return _('set [portal_text] "{name}" = "{value}"').format(name=self.name, value=value)

    def described(self) -> str:
        """The kind of thing and its text, as the report names it (`button 確定`)."""
        kind = _KINDS.get(self.what)
        return _(kind).format(text=self.text) if kind else f"{self.what} {self.text}"


# What the screen's own scripts are, and which built-ins of the page's world they replaced (probe_scripts.js).
@dataclasses.dataclass
class ScreenReport:
    screen: str
    seconds: float = 0.0
    checks: list[Check] = dataclasses.field(default_factory=list)
    rows: list[dict[str, str]] = dataclasses.field(default_factory=list)
    dialogs: list[str] = dataclasses.field(default_factory=list)
    handled: list[str] = dataclasses.field(default_factory=list)  # frames, windows and overlays dealt with
    scripts: list[str] = dataclasses.field(default_factory=list)  # file names of its script elements, or (inline)
    replaced: list[str] = dataclasses.field(default_factory=list)  # built-ins its scripts replaced

    @property
    def missing(self) -> list[Check]:
        return [c for c in self.checks if c.required and not c.found]


@dataclasses.dataclass
class ProbeReport:
    office_id: str
    screens: list[ScreenReport] = dataclasses.field(default_factory=list)
    error: str | None = None

    @property
    def first_missing(self) -> tuple[ScreenReport, Check] | None:
        for screen in self.screens:
            if screen.missing:
                return screen, screen.missing[0]
        return None

    @property
    def ok(self) -> bool:
        return self.error is None and self.first_missing is None

    def summary(self) -> str:
        if self.first_missing is not None:
            screen, check = self.first_missing
            hint = check.hint()
            found = {"office": self.office_id, "screen": screen.screen, "thing": check.described(), "hint": hint}
            return (
                _("office {office}: {screen}: {thing} not found; {hint}")
                if hint
                else _("office {office}: {screen}: {thing} not found")
            ).format(**found)
        if self.error is not None:
            return _("office {office}: {error}").format(office=self.office_id, error=self.error)
        return _("office {office}: every screen, field, button and table the update needs was found").format(
            office=self.office_id
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "office": self.office_id,
            "ok": self.ok,
            "summary": self.summary(),
            "error": self.error,
            "screens": [
                {
                    **dataclasses.asdict(s),
                    "checks": [
                        {**dataclasses.asdict(c), "found": c.found, "hint": c.hint() if not c.found else ""}
                        for c in s.checks
                    ],
                }
                for s in self.screens
            ],
        }


def report_lines(report: ProbeReport) -> list[str]:
    """The report as `ainas-bot probe` prints it, one line each."""
    lines: list[str] = []
    lines.append(_("office {office}").format(office=report.office_id))
    for screen in report.screens:
        lines.append("  " + _("{screen} ({seconds} s)").format(screen=screen.screen, seconds=f"{screen.seconds:.1f}"))
        for check in screen.checks:
            state = _("ok") if check.found else (_("MISSING") if check.required else _("absent"))
            name = f" [{check.name}]" if check.name else ""
            seen = _("seen: {texts}").format(texts=", ".join(check.candidates[:15])) if check.candidates else ""
            detail = check.how if check.found else "; ".join(filter(None, [check.hint(), seen]))
            lines.append(f"    {state:<7} {check.described()}{name} — {detail}")
        for row in screen.rows:
            lines.append("    " + _("row: {cells}").format(cells=" | ".join(row.values())))
        for dialog in screen.dialogs:
            lines.append("    " + _("dialog accepted: {text}").format(text=dialog))
        for handled in screen.handled:  # the portal's own words among them: no control character reaches here
            lines.append("    " + _("handled: {what}").format(what=shown(handled)))
        if screen.scripts:
            lines.append("    " + _("scripts: {names}").format(names=", ".join(screen.scripts)))
        if screen.replaced:
            lines.append("    " + _("built-ins its scripts replaced: {names}").format(names=", ".join(screen.replaced)))
    lines.append((_("ok: {summary}") if report.ok else _("problem: {summary}")).format(summary=report.summary()))
    return lines
