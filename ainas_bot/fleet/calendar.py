"""The expiry calendar (`ainas-bot status --html FILE`): every office on one page, its certificates as bars on a
timeline, today's line, the reminder thresholds shaded, failures and "order now" marked.

The page is one file that asks for nothing and runs nothing: it is opened from a shared folder, a mail
attachment or a printout on office PCs that may be offline or block scripts, and a page that fetched a font or an
image would tell a third party who looks at the fleet and when. So the style is inline, positions are
percentages computed here, and sorting is two radio buttons whose `:checked` state switches the rows' CSS
`order` between two orders computed here. Office names and file names come from certificates: the template
escapes them (autoescape) and `shown` writes their control and bidi characters as code points.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Sequence
from pathlib import Path

import jinja2

from ainas_bot.fleet.standing import DEFAULT_THRESHOLDS, Standing
from ainas_bot.foundation.jst import JST, format_portal_date, jst_date
from ainas_bot.foundation.safe_files import write_private
from ainas_bot.foundation.safe_text import shown
from ainas_bot.i18n import N_, _, current_language
from ainas_bot.results.outcome import reason_label, status_label

__all__ = ["render_calendar", "write_calendar"]

AXIS_BEFORE = 30  # days before today: today's line stands clear of the edge, a recent expiry still shows
AXIS_MIN_AFTER = 400  # at least the largest threshold and a year ahead, however near every end is
AXIS_MAX_AFTER = 3 * 366  # beyond AINAS's two years: a certificate dated 9999 must not squash the others to a dot
NONE = "—"  # an unknown date or value: no word to translate
ZONE_ALPHA = 0.14  # one threshold's shade; the zones overlap, so the nearest (inside them all) is the darkest

# Every word the page shows that is not a value; translated when the page is made (`_labels`).
_LABELS = {
    "title": N_("Certificate expiry calendar"),
    "office_id": N_("office ID"),
    "name": N_("name"),
    "registered": N_("registered expiry"),
    "local": N_("local expiry"),
    "days_left": N_("days left"),
    "last_run": N_("last run"),
    "proved_on": N_("proved on"),
    "timeline": N_("timeline"),
    "sort": N_("Sort:"),
    "by_days": N_("by days left"),
    "by_id": N_("by office ID"),
    "legend": N_("Legend"),
    "local_bar": N_("local certificate"),
    "registered_bar": N_("registered certificate"),
    "same_bar": N_("local certificate, registered"),
    "today": N_("today"),
    "order_now": N_("order now"),
    "failed": N_("failed"),
    "pending": N_("renewal pending"),
    "expired": N_("expired"),
    "no_offices": N_("No offices."),
}


@dataclasses.dataclass(frozen=True)
class _Mark:
    kind: str  # data-mark: order-now, failed, pending, expired
    text: str


@dataclasses.dataclass(frozen=True)
class _Box:
    """Something placed on a timeline: `style` is its inline left/width, in percent of the axis."""

    kind: str
    style: str
    title: str = ""
    text: str = ""
    width: float = 0.0


@dataclasses.dataclass(frozen=True)
class _Row:
    standing: Standing
    office_id: str
    office_name: str
    local_file: str
    days_left: str
    last_run: str
    last_run_at: str
    problem: str
    marks: tuple[_Mark, ...]
    boxes: tuple[_Box, ...]
    by_days: int = 0
    by_id: int = 0


@dataclasses.dataclass(frozen=True)
class _Axis:
    """The days the timelines span; `at` places a day on it (clamped: a bar never leaves its box)."""

    start: dt.date
    end: dt.date

    def at(self, day: dt.date) -> float:
        return min(max((day - self.start).days / max((self.end - self.start).days, 1) * 100, 0.0), 100.0)

    def box(self, kind: str, start: dt.date | None, end: dt.date, *, title: str = "") -> _Box | None:
        """A bar from `start` (the axis's start when unknown) to `end`; None when it lies wholly before the axis."""
        if end < self.start:
            return None
        left = self.at(start or self.start)
        width = max(self.at(end) - left, min(0.3, 100 - left))  # a day's bar still shows, inside its box
        return _Box(kind, f"left: {left:.2f}%; width: {width:.2f}%", title, width=width)


def _axis(standings: Sequence[Standing], today: dt.date) -> _Axis:
    ends = [d for s in standings for d in (s.registered_expiry, s.local_expiry) if d is not None]
    wanted = max([today + dt.timedelta(days=AXIS_MIN_AFTER), *ends])
    return _Axis(today - dt.timedelta(days=AXIS_BEFORE), min(wanted, today + dt.timedelta(days=AXIS_MAX_AFTER)))


def _ticks(axis: _Axis) -> list[_Box]:
    """The first of each month on the axis, labelled `YYYY/MM` every few months so that labels never overlap."""
    firsts: list[dt.date] = []
    day = (axis.start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    while day <= axis.end:
        firsts.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    step = max(1, -(-len(firsts) // 8))
    return [
        _Box("tick", f"left: {axis.at(d):.2f}%", text=d.strftime("%Y/%m") if i % step == 0 and axis.at(d) < 88 else "")
        for i, d in enumerate(firsts)
    ]


def _date(day: dt.date | None) -> str:
    return format_portal_date(day) if day else NONE


def _boxes(s: Standing, axis: _Axis, L: dict[str, str]) -> tuple[_Box, ...]:
    """Threshold zones (stacked, so the nearest is the darkest), the certificates' bars, then today's line."""
    out = [
        axis.box("zone", s.today, s.today + dt.timedelta(days=t), title=_("within {days} days").format(days=t))
        for t in s.thresholds
    ]
    same = s.local_fingerprint is not None and s.local_fingerprint == s.registered_fingerprint
    if s.local_expiry is not None:
        kind, label = ("same", L["same_bar"]) if same else ("local", L["local_bar"])
        when = f"{label}: {_date(s.local_start)} – {_date(s.local_expiry)}"
        bar = axis.box(kind, s.local_start, s.local_expiry, title=when)
        # Said in the bar when it is wide enough to read; the legend and the title say it otherwise.
        out.append(dataclasses.replace(bar, text=label) if same and bar and bar.width >= 15 else bar)
    if s.registered_expiry is not None and not (same and s.local_expiry is not None):
        when = f"{L['registered_bar']}: – {_date(s.registered_expiry)}"
        out.append(axis.box("registered", None, s.registered_expiry, title=when))
    out.append(_Box("today", f"left: {axis.at(s.today):.2f}%", title=f"{L['today']} {_date(s.today)}"))
    return tuple(b for b in out if b is not None)


def _marks(s: Standing, L: dict[str, str]) -> tuple[_Mark, ...]:
    marks: list[_Mark] = []
    if s.days_left is not None and s.days_left < 0:
        marks.append(_Mark("expired", L["expired"]))
    if s.order_now:
        marks.append(_Mark("order-now", _("order now (within {threshold} days)").format(threshold=s.threshold)))
    if s.failed:
        marks.append(_Mark("failed", L["failed"]))
    if s.renewal_pending:
        marks.append(_Mark("pending", L["pending"]))
    return tuple(marks)


def _row(s: Standing, axis: _Axis, L: dict[str, str]) -> _Row:
    detail = [reason_label(s.last_reason), shown(s.last_screen or "")] if s.last_status == "failed" else []
    return _Row(
        standing=s,
        office_id=shown(s.office_id),
        office_name=shown(s.office_name),
        local_file=shown(s.local_file or ""),
        days_left=NONE if s.days_left is None else str(s.days_left),
        last_run=" · ".join(t for t in [status_label(s.last_status) if s.last_status else NONE, *detail] if t),
        last_run_at=s.last_run_at.astimezone(JST).strftime("%Y/%m/%d %H:%M") if s.last_run_at else "",
        problem=shown(s.problem or ""),
        marks=_marks(s, L),
        boxes=_boxes(s, axis, L),
    )


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """Office IDs in the order people count them: 9 before 10."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)


def _ordered(rows: list[_Row]) -> list[_Row]:
    """The rows by days left (unknown last), each carrying its place in both orders for the CSS `order`; the
    document order is the default sort, as a reader without CSS (a screen reader, a copy) meets it."""
    by_id = {id(r): i for i, r in enumerate(sorted(rows, key=lambda r: _natural(r.standing.office_id)))}
    by_days = sorted(
        rows,
        key=lambda r: (r.standing.days_left is None, r.standing.days_left or 0, _natural(r.standing.office_id)),
    )
    return [dataclasses.replace(r, by_days=i, by_id=by_id[id(r)]) for i, r in enumerate(by_days)]


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ainas_bot", "fleet"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["day"] = _date
    return env.get_template("calendar.html")


def render_calendar(standings: Sequence[Standing], *, generated_at: dt.datetime) -> str:
    """The whole page, in the process's language; `generated_at` is shown in Japan time."""
    L = {key: _(message) for key, message in _LABELS.items()}
    today = max((s.today for s in standings), default=jst_date(generated_at))
    axis = _axis(standings, today)
    rows = _ordered([_row(s, axis, L) for s in standings])
    summary = _("{offices} offices, {order} to order now, {failed} failed, {pending} renewals pending").format(
        offices=len(rows),
        order=sum(s.order_now for s in standings),
        failed=sum(s.failed for s in standings),
        pending=sum(s.renewal_pending for s in standings),
    )
    thresholds = sorted({t for s in standings for t in s.thresholds}, reverse=True) or list(DEFAULT_THRESHOLDS)
    return _template().render(
        lang=current_language(),
        L=L,
        made=_("made {when} (Japan time)").format(when=generated_at.astimezone(JST).strftime("%Y/%m/%d %H:%M")),
        summary=summary,
        rows=rows,
        ticks=_ticks(axis),
        today=_Box("today", f"left: {axis.at(today):.2f}%", text=f"{L['today']} {_date(today)}"),
        zone_alpha=ZONE_ALPHA,
        zones=[
            (f"{1 - (1 - ZONE_ALPHA) ** (i + 1):.3f}", _("within {days} days").format(days=t))
            for i, t in enumerate(thresholds)
        ],
    )


def write_calendar(path: Path, standings: Sequence[Standing], *, generated_at: dt.datetime) -> None:
    """The page written owner-only (it names every office), never through a symlink; `OutputError` otherwise."""
    write_private(path, render_calendar(standings, generated_at=generated_at).encode("utf-8"), what=_("calendar"))
