"""What the operator reads, in the operator's language: Japanese where the locale or `--lang` says so,
English otherwise.

Messages are written in English in the code and marked `_("...{name}...")`, with named placeholders
filled by `.format()` after translation, so that a translation can put them in its own order. Text
defined before the language is known (argument help, module constants) is marked `N_()` and translated
where it is shown. The catalogs are gettext's, shipped in the package
(`ainas_bot/locale/ja/LC_MESSAGES/ainas_bot.mo`), extracted and compiled with Babel (README,
Development); a test fails when a marked message has no Japanese translation.

The language is chosen once at the edge (`choose_language`) and set for the whole process with
`use_language`; lines for machines (JSON reports, the audit log, `--json`) keep their English keys.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

__all__ = ["LANGUAGES", "N_", "Language", "_", "choose_language", "current_language", "ngettext", "use_language"]

Language = Literal["en", "ja"]
LANGUAGES: tuple[Language, ...] = ("en", "ja")
DOMAIN = "ainas_bot"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


class _Current:
    """The one language of the process, set at the edge, as gettext's own `install()` sets one."""

    catalog: gettext.NullTranslations = gettext.NullTranslations()
    language: Language = "en"


def _from_locale(value: str) -> Language:
    """`ja_JP.UTF-8`, `ja`, `ja_JP`, `ja:en` → ja; anything else → en."""
    return "ja" if value.strip().split(":")[0].lower().startswith("ja") else "en"


def choose_language(flag: str | None, setting: str | None, environ: Mapping[str, str]) -> Language:
    """`--lang`, then the settings' `lang`, then the locale as the C library reads it: the first of
    `LC_ALL`, `LC_MESSAGES`, `LANG` that is set, with `LANGUAGE` before it unless that locale is C."""
    for explicit in (flag, setting):
        if explicit:
            return _from_locale(explicit)
    effective = next((v for n in ("LC_ALL", "LC_MESSAGES", "LANG") if (v := environ.get(n, "").strip())), "")
    if not effective or effective in ("C", "POSIX") or effective.startswith("C."):
        return "en"
    return _from_locale(environ.get("LANGUAGE", "").strip() or effective)


def use_language(language: Language) -> None:
    """Translate from now on into `language` (English: the messages as written)."""
    _Current.language = language
    _Current.catalog = (
        gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=False)
        if language != "en"
        else gettext.NullTranslations()
    )


def current_language() -> Language:
    return _Current.language


def _(message: str) -> str:
    """`message` in the current language."""
    return _Current.catalog.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _Current.catalog.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks `message` for the catalog without translating it now (it is translated where shown)."""
    return message
