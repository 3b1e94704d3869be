"""What is typed is clean: IDs as operators type them (NFKC), and invisible characters shown by code point."""

from __future__ import annotations

import re
import unicodedata

from ainas_bot.i18n import _

__all__ = ["clean_id", "id_warnings", "visible"]

# 利用登録通知書 ※4: a login ID is five half-width lower-case letters and digits. The manual's own login
# screen shows `sample1`, so another shape is a warning, never a refusal.
_LOGIN_ID = re.compile(r"[a-z0-9]{5}", re.ASCII)
_SEPARATORS = frozenset("/\\")


def _invisible(ch: str) -> bool:
    return ch != " " and unicodedata.category(ch) in {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"}


def visible(text: str, *, quote: str = "'") -> str:
    """`text` in quotes, every invisible or control character written as U+XXXX (a zero-width space, a tab)."""
    return quote + "".join(f"<U+{ord(ch):04X}>" if _invisible(ch) else ch for ch in text) + quote


def clean_id(value: str, *, field: str) -> str:
    """An office or login ID with full-width digits and letters made half-width; ValueError when it holds
    a path separator or a control character (it names a folder of artifacts, and is typed on the portal)."""
    text = unicodedata.normalize("NFKC", value).strip(" ")
    bad = [ch for ch in text if ch in _SEPARATORS or _invisible(ch) or ch == " "]
    if not text:
        raise ValueError(
            _("{field} {value} is empty; type the ID as on the 利用登録通知書").format(
                field=field, value=visible(value)
            )
        )
    if bad:
        raise ValueError(
            _("{field} {value} holds {characters}; type the ID as on the 利用登録通知書").format(
                field=field,
                value=visible(value),
                characters=", ".join(
                    dict.fromkeys(f"U+{ord(ch):04X}" if _invisible(ch) or ch == " " else f"'{ch}'" for ch in bad)
                ),
            )
        )
    return text


def id_warnings(office_id: str, login_id: str) -> list[str]:
    """Shapes the notice does not describe: worth a look, not a refusal."""
    found = []
    if not office_id.isascii() or not office_id.isdigit():
        found.append(
            _(
                "office {office}: id (代理人組織ID) '{office}' is not digits; check it against the 利用登録通知書"
            ).format(office=office_id)
        )
    if not _LOGIN_ID.fullmatch(login_id):
        found.append(
            _(
                "office {office}: login_id '{login_id}' is not five lower-case letters and digits as the "
                "利用登録通知書 describes; check it (0/o, 1/l)"
            ).format(office=office_id, login_id=login_id)
        )
    return found
