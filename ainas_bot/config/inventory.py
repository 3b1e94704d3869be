"""The office inventory: `[[offices]]` in the settings and/or a file kept in Excel, and which offices a run takes.

The file is an .xlsx workbook (its first sheet, or `inventory_sheet`) or a CSV: UTF-8 (with or without BOM),
Shift_JIS (cp932) or Excel's UTF-16 text, separated by commas, tabs or semicolons. Headers are Japanese or
English; columns the bot does not know are notes and are not read; empty rows and those whose first cell
starts with `#` are skipped. Every problem is said at once, each naming the file, the row as Excel numbers it
and the column as written.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import SecretStr

from ainas_bot.config.inventory_files import read_table
from ainas_bot.config.inventory_rows import COLUMNS, Header, office_of_row, read_header
from ainas_bot.config.settings import Office, Settings
from ainas_bot.errors import AinasBotError, ConfigError, ConfigProblems
from ainas_bot.foundation.safe_files import MAX_INVENTORY_BYTES, read_regular
from ainas_bot.i18n import _

__all__ = [
    "COLUMNS",
    "Inventory",
    "all_offices",
    "failed_office_ids",
    "login_conflicts",
    "read_inventory",
    "select_offices",
]


@dataclasses.dataclass(frozen=True)
class Inventory:
    """What an inventory file gave: (row, office) in file order, every problem, and the columns not read."""

    offices: list[tuple[int, Office]]
    problems: list[str]
    ignored: tuple[str, ...] = ()
    kind: str = ""


def read_inventory(path: Path, *, sheet: str | None = None) -> Inventory:
    """Every office of the inventory at `path` and every problem of it; relative paths are relative to its
    folder. A file that cannot be read at all is one problem."""
    name, base = str(path), path.resolve().parent
    try:
        table = read_table(path, sheet=sheet)
    except AinasBotError as exc:
        return Inventory([], [str(exc)])
    problems: list[str] = []
    header: Header | None = None
    found: dict[str, tuple[int, Office]] = {}  # by ID, in file order
    for row, cells in table.rows:
        if not any(c.strip() for c in cells) or cells[0].strip().startswith("#"):
            continue
        if header is None:
            header = read_header(name, row, cells, problems)
            if header is None:
                break  # the rows cannot be read without their columns
            continue
        office = office_of_row(name, base, row, cells, header, problems)
        if office is None:
            continue
        if office.id in found:
            problems.append(
                _(
                    "{path}: row {row}, column {column}: office ID {office} is also on row {other}; list "
                    "each office once"
                ).format(
                    path=name, row=row, column=header.columns["id"][1], office=office.id, other=found[office.id][0]
                )
            )
            continue
        found[office.id] = (row, office)
    if table.problem:
        problems.append(table.problem)
    if header is None and not problems:
        problems.append(
            _("{path}: no header row; the first row names the columns, e.g. {columns}").format(
                path=name, columns=", ".join(COLUMNS)
            )
        )
    return Inventory(list(found.values()), problems, header.ignored if header else (), table.kind)


def failed_office_ids(report: Path) -> list[str]:
    """The office IDs whose status is `failed` in a report written earlier by `--report`."""
    if not report.exists():
        raise ConfigError(
            _("{path}: report not found; give the JSON file an earlier --report wrote").format(path=report)
        )
    data = read_regular(report, limit=MAX_INVENTORY_BYTES, what=_("report"))
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(
            _("{path}: not a report written by --report ({error})").format(path=report, error=type(exc).__name__)
        ) from None
    except RecursionError:  # json recurses once per level: a hostile file nests a million deep
        raise ConfigError(
            _("{path}: not a report written by --report (nested too deeply)").format(path=report)
        ) from None
    offices = payload.get("offices") if isinstance(payload, dict) else None
    if not isinstance(offices, list) or not all(
        isinstance(o, dict) and isinstance(o.get("office_id"), str) and isinstance(o.get("status"), str)
        for o in offices
    ):
        raise ConfigError(
            _('{path}: not a report written by --report (no "offices" list with office_id and status)').format(
                path=report
            )
        )
    return list(dict.fromkeys(str(o["office_id"]) for o in offices if o["status"] == "failed"))


def _few(ids: Iterable[str], limit: int = 5) -> str:
    items = list(ids)
    if not items:
        return _("none")
    if len(items) > limit:
        return _("{codes}, … ({count} in all)").format(codes=", ".join(items[:limit]), count=len(items))
    return ", ".join(items)


def select_offices(offices: list[Office], selectors: list[str] | None, *, all_offices: bool) -> list[Office]:
    """The offices `--office ID`, `--office @REPORT.json` (its failed offices) or `--all` name, in inventory order."""
    if all_offices and selectors:
        raise ConfigError(_("give --office or --all, not both"))
    if all_offices and not offices:
        raise ConfigError(_("--all: the inventory is empty; add [[offices]] to the settings or name an inventory CSV"))
    if all_offices:
        return list(offices)
    if not selectors:
        raise ConfigError(
            _(
                "no office selected; give --office ID (repeatable), --office @REPORT.json "
                "(the failed offices of an earlier run) or --all"
            )
        )
    known = [o.id for o in offices]
    wanted: set[str] = set()
    unknown: list[str] = []
    for selector in (s.strip() for s in selectors):
        if selector.startswith("@"):
            if not selector[1:]:
                raise ConfigError(
                    _("--office @: give the path of an earlier --report JSON, e.g. --office @report.json")
                )
            report = Path(selector[1:])
            ids = failed_office_ids(report)
            missing = [i for i in ids if i not in known]
            if missing:
                raise ConfigError(
                    _("{path}: failed office {offices} is not in the inventory (known: {known})").format(
                        path=report, offices=_few(missing), known=_few(known)
                    )
                )
            wanted.update(ids)
        elif not selector:
            raise ConfigError(_("--office: give an office ID (代理人組織ID)"))
        elif selector in known:
            wanted.add(selector)
        elif selector not in unknown:
            unknown.append(selector)
    if unknown:
        raise ConfigError(
            _("office {offices} is not in the inventory (known: {known})").format(
                offices=_few(unknown), known=_few(known)
            )
        )
    return [o for o in offices if o.id in wanted]


def all_offices(settings: Settings) -> list[Office]:
    """`[[offices]]` of the settings, then the offices of `settings.inventory`; each ID may appear once.
    ConfigProblems lists every problem of the inventory at once."""
    offices, ids = list(settings.offices), {o.id for o in settings.offices}
    if len(ids) < len(offices):
        twice = _few(dict.fromkeys(o.id for o in offices if [p.id for p in offices].count(o.id) > 1))
        raise ConfigError(
            _("settings: office {offices} is in [[offices]] more than once; list each office once").format(
                offices=twice
            )
        )
    if settings.inventory is None:
        return offices
    inventory = read_inventory(settings.inventory, sheet=settings.inventory_sheet)
    problems = list(inventory.problems)
    for row, office in inventory.offices:
        if office.id in ids:
            problems.append(
                _(
                    "{path}: row {row}: office {office} is also in the settings ([[offices]]); keep "
                    "each office in one place"
                ).format(path=settings.inventory, row=row, office=office.id)
            )
        offices.append(office)
    if problems:
        raise ConfigProblems(problems)
    return offices


def login_conflicts(offices: Iterable[tuple[Office, Mapping[str, SecretStr]]]) -> dict[str, str]:
    """Office ID -> problem, for each office that shares a login with an earlier one whose secrets (`name ->
    value`, resolved) differ: one session serves a login, so one of the two would be typed for both. Secrets
    named differently but equal (one file per office holding the same password) are no conflict."""
    first: dict[str, tuple[Office, Mapping[str, SecretStr]]] = {}
    found: dict[str, str] = {}
    for office, secrets in offices:
        earlier, known = first.setdefault(office.login_id, (office, secrets))
        differ = [
            name
            for name, value in secrets.items()
            if name in known and value.get_secret_value() != known[name].get_secret_value()
        ]
        for name in differ:
            found[office.id] = _(
                "office {office}: shares login ID {login} with office {earlier}, but its {setting} ({source}) "
                "differs from office {earlier}'s ({earlier_source}); one login has one password: give both "
                "offices the same secret"
            ).format(
                office=office.id,
                login=office.login_id,
                earlier=earlier.id,
                setting=name,
                source=getattr(office, name).describe(),
                earlier_source=getattr(earlier, name).describe(),
            )
    return found
