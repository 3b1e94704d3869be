"""Every text of the AINAS agent application that the bot reads or the sandbox shows, in one place.

Labels marked [manual] are character for character from the manual (`docs/ainas-portal.md`). Messages
marked [assumed] are not documented; the bot and the sandbox share them from here, so that a change
on the real portal is one edit — or no edit at all: every text of `Screen`, `Label` and `Message` can be
overridden by name in the settings (`[portal_text]`, e.g. `"Label.CERT_REGISTER" = "…"`) and in the
sandbox (`--portal-text FILE`).

The texts are plain strings on plain classes. A run's overrides are applied once, at its edge (`applied`,
around the portal work), to these classes and to the lists built from them, and taken back after it. The
sandbox is another portal and keeps its own copy (`ainas_bot/sandbox/_texts.py`), built from `DEFAULTS`, so
a sandbox in the same process as the bot shows its own texts whatever the bot's run applies.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

__all__ = [
    "ABSENCE_GRACE_MS",
    "CERT_DETAIL_ROWS",
    "CERT_TABLE_COLUMNS",
    "CLOSE_CAPTIONS",
    "DEFAULTS",
    "HEADER",
    "KANA_EXTRA",
    "LABEL_DECORATIONS",
    "LISTS",
    "LOGIN_TITLE",
    "MENU",
    "NOTICE_TITLES",
    "ORG_DETAIL_PERMISSION_ROWS",
    "ORG_SEARCH_COLUMNS",
    "PLACEHOLDER_MAX_CHARS",
    "PLACEHOLDER_WORDS",
    "SETTLE_TIMER_BOUND_MS",
    "Label",
    "Message",
    "Screen",
    "applied",
    "check_overrides",
    "known_names",
    "text_of",
]

HEADER = "OSS申請共同利用システム（代理人業務アプリケーション）"  # [manual] header after login
LOGIN_TITLE = "OSS申請共同利用システム (代理人業務アプリケーション)"  # [manual] title of the login screen


class Screen:
    """Screen names as shown in the page heading. [manual]"""

    LOGIN = "ログイン"
    HOME = "お知らせ案内検索"
    ORG_SEARCH = "代理人組織検索"
    ORG_DETAIL = "代理人組織照会"
    CERT_REGISTER = "代理人証明書登録"
    CERT_DETAIL = "代理人証明書照会"
    CERT_UPDATE = "代理人証明書更新"
    # [assumed] A portal may put a 確認 screen between the update form and its result, and a 完了 screen
    # instead of the 照会 after the last 確定; the manual shows neither.
    CERT_UPDATE_CONFIRM = "代理人証明書更新確認"
    CERT_UPDATE_COMPLETE = "代理人証明書更新完了"
    MAINTENANCE = "メンテナンス中"  # [assumed] heading of the 503 page
    ERROR = "エラー"  # [assumed] heading of a refused page
    # [assumed] Titles of what such portals show by themselves after the login, for a person to read and
    # close: a window of notices (お知らせ), an overlay of important ones. A window or overlay under any other
    # title is not closed: the office stops on it.
    NOTICE = "お知らせ"
    IMPORTANT_NOTICE = "重要なお知らせ"
    # [assumed] What a registration window may show once its 確定 is done, when it neither closes nor shows
    # the new record.
    CERT_REGISTER_COMPLETE = "代理人証明書登録完了"


class Label:
    """Field labels, links and buttons. [manual] unless marked."""

    LOGIN_ID = "ログインID"
    PASSWORD = "パスワード"
    LOGIN = "ログイン"
    LOGOUT = "ログアウト"
    PAY_REGISTERED = "登録車OSS納付"
    PAY_LIGHT = "軽OSS納付"
    ROLE_ADMIN = "管理者"
    ROLE_STAFF = "担当者"
    # Home
    REGISTERED_ON = "登録日"
    TARGET = "対象"
    TARGET_CHOICES = ("全ての利用者様", "登録車申請を行う利用者様", "軽自動車申請を行う利用者様")
    SEARCH = "検索"
    RESET = "リセット"
    # Organisations
    ORG_ID = "代理人組織ID"
    ORG_NAME = "代理人組織名"
    ORG_SHORT_NAME = "代理人組織名（略称）"
    ORG_STATUS = "代理人ステータス"
    ORG_STATUS_OK = "OSS申請可能"
    PAGER_PREV = "<前"
    PAGER_NEXT = "次>"
    BACK_TO_LIST = "↑ 一覧に戻る"
    ORG_UPDATE = "代理人組織更新"
    CERT_REGISTER = "+ 代理人証明書登録"
    # Certificates
    CERT = "代理人証明書"
    REGISTERED_AT = "登録日時"
    TRADE_NAME_KANA = "屋号（カナ）"
    TRADE_NAME_KANJI = "屋号（漢字）"
    HOLDER_NAME_KANA = "氏名又は代表者名（カナ）"
    HOLDER_NAME_KANJI = "氏名又は代表者名（漢字）"
    POSTAL_CODE = "郵便番号"
    ADDRESS_STREET = "住所（都道府県～番地）"
    ADDRESS_BUILDING = "住所（建物名等）"
    EXPIRY = "証明書有効期限"
    START_DATE = "利用開始日"
    CERT_FILE = "証明書ファイル"
    BROWSE = "参照"
    CERT_PASSWORD = "証明書パスワード"
    CONFIRM = "確定"
    BACK = "戻る"  # [assumed] the 確認 screen's way back to the form
    CERT_UPDATE = "代理人証明書更新"
    REGISTER_INTRO = "署名用証明書ファイルを登録します。"
    UPDATE_NOTICE = (
        "電子証明書の内容通りに入力してください。値に誤りがある場合は申請できません。"
        "証明書パスワードは更新の都度入力が必要です。"
    )
    ALLOWED = "可能"
    NOT_ALLOWED = "不可"
    # The menu after login [manual]
    MENU_STATISTICS = "申請データ統計検索"
    MENU_USERS = "代理人ユーザー管理"
    MENU_ORGS = "代理人組織管理"
    MENU_BRANCHES = "代理人拠点管理"
    MENU_DOWNLOADS = "各種ダウンロード"
    # [assumed] The captions that close a notice window or overlay.
    CLOSE = "閉じる"
    OK = "OK"
    ACKNOWLEDGE = "確認"


ORG_DETAIL_PERMISSION_ROWS = tuple(
    f"{kind}申請可否"
    for kind in (
        "新車新規",
        "中古新規",
        "移転登録",
        "変更登録",
        "記載変更",
        "一時抹消",
        "永久抹消",
        "移転一時",
        "移転永久",
        "変更一時",
        "継続検査",
        "(軽) 新車新規",
        "(軽) 継続検査",
    )
)


class Message:
    """Messages the portal shows. All [assumed]: the manual does not show them."""

    LOGIN_FAILED = "ログインIDまたはパスワードが正しくありません。"
    ACCOUNT_LOCKED = "アカウントがロックされています。管理者にお問い合わせください。"
    NO_ADMIN_RIGHTS = "代理人組織管理を利用する権限がありません。"
    MAINTENANCE = "現在システムメンテナンス中です。しばらく経ってから再度アクセスしてください。"
    CLOSED_HOURS = "サービス提供時間外です。（サービス提供時間 8:00～22:00）"
    SESSION_EXPIRED = "セッションの有効期限が切れました。再度ログインしてください。"
    SESSION_REPLACED = "別の端末から同じユーザーでログインされたため、ログアウトしました。"
    ACCESS_DENIED = "指定された代理人組織を参照する権限がありません。"
    INVALID_TRANSITION = "不正な画面遷移です。最初から操作をやり直してください。"
    DOUBLE_SUBMIT = "既に処理済みです。二重送信はできません。"
    NOT_FOUND = "該当するデータがありません。"
    LOADING = "読み込み中…"  # [assumed] the row of a table whose rows are still coming (sandbox `--markup late-tables`)
    PROCESSING = "処理中です。しばらくお待ちください。"  # [assumed] a screen's content before its script shows it
    REQUIRED = "{label}を入力してください。"
    # 代理人証明書登録
    FILE_NOT_P12 = "証明書ファイルはPKCS#12形式（.p12）のファイルを指定してください。"
    WRONG_CERT_PASSWORD = "証明書パスワードが正しくありません。"
    CERT_EXPIRED = "有効期限が切れた証明書は登録できません。"
    CERT_NOT_YET_VALID = "有効期間の開始前の証明書は登録できません。"
    CERT_ALREADY_REGISTERED = "この証明書は既に登録されています。"
    # 代理人証明書更新
    KANA_INVALID = "{label}は全角カタカナで入力してください。"
    POSTAL_INVALID = "郵便番号は「123-4567」の形式で入力してください。"
    POSTAL_MISMATCH = "郵便番号が住所（都道府県～番地）と一致しません。"  # the sandbox applies the bot's postal check
    DATE_INVALID = "利用開始日は「YYYY/MM/DD」の形式で入力してください。"
    DATE_BEFORE_TODAY = "利用開始日には本日以降の日付を入力してください。"
    DATE_AFTER_EXPIRY = "利用開始日には証明書有効期限以前の日付を入力してください。"
    CONFIRM_UPDATE = "代理人証明書を更新します。よろしいですか？"
    # The bot accepts any confirm dialog on a step where it means to submit, whatever its wording; these
    # are only the wordings the sandbox shows with `--markup js-confirm`.
    CONFIRM_SUBMIT = "入力内容で処理を実行します。よろしいですか？"
    CONFIRM_LOGOUT = "ログアウトしてよろしいですか？"
    UPDATED = "代理人証明書を更新しました。"
    REGISTERED = "代理人証明書を登録しました。"


# [assumed] Words of a placeholder: text a screen shows while its content is still coming (読み込み中…,
# 処理中です, お待ちください). A short text holding one of them is never content: a screen showing it has not
# settled. (A long text holding one, such as the maintenance page's message, is content.)
PLACEHOLDER_WORDS = ("処理中", "読込中", "読み込み中", "お待ちください", "検索中", "Loading", "Now Loading")
PLACEHOLDER_MAX_CHARS = 24
# [assumed] The timers a screen's script sets that the settling waits for: one shorter than this starts the
# work that fills the screen (a table's request after a pause, a placeholder replaced); a longer one is a
# session warning or a clock, not part of showing the screen. As Angular's Testability counts macrotasks.
SETTLE_TIMER_BOUND_MS = 2000
# [assumed] How long a screen must stay settled before the bot concludes from something *absent* (no such
# organisation, no certificate row): content that a late script brings has come by then.
ABSENCE_GRACE_MS = 1500

# [assumed] What may stand beside a label without being part of it: the manual's 【1】…【5】 markers, and the
# required-field marks and trailing colons common on such portals. Regular expressions valid in Python and
# in the browser's JavaScript alike; the finder strips them before comparing a label.
LABEL_DECORATIONS = (r"【[0-9]+】", r"[※*]", r"\(?必須\)?", r"\(?任意\)?", r"[:：]$")


# Lists of texts the finder and the sandbox use together, by the names of their texts; `applied` rebuilds the
# tuples below from them, so that an override of one label changes the list it is in.
LISTS: Mapping[str, tuple[str, ...]] = {
    "NOTICE_TITLES": ("Screen.NOTICE", "Screen.IMPORTANT_NOTICE"),
    "CLOSE_CAPTIONS": ("Label.CLOSE", "Label.OK", "Label.ACKNOWLEDGE"),
    "MENU": (
        "Label.MENU_STATISTICS",
        "Label.MENU_USERS",
        "Label.MENU_ORGS",
        "Label.MENU_BRANCHES",
        "Label.MENU_DOWNLOADS",
    ),
    "ORG_SEARCH_COLUMNS": ("Label.ORG_ID", "Label.ORG_NAME", "Label.ORG_SHORT_NAME", "Label.ORG_STATUS"),
    "CERT_TABLE_COLUMNS": (
        "Label.CERT",
        "Label.REGISTERED_AT",
        "Label.TRADE_NAME_KANJI",
        "Label.HOLDER_NAME_KANJI",
        "Label.EXPIRY",
    ),
    "CERT_DETAIL_ROWS": (
        "Label.REGISTERED_AT",
        "Label.TRADE_NAME_KANA",
        "Label.TRADE_NAME_KANJI",
        "Label.HOLDER_NAME_KANA",
        "Label.HOLDER_NAME_KANJI",
        "Label.POSTAL_CODE",
        "Label.ADDRESS_STREET",
        "Label.ADDRESS_BUILDING",
        "Label.EXPIRY",
        "Label.START_DATE",
    ),
}
_CLASSES = {"Screen": Screen, "Label": Label, "Message": Message}


def _texts_now() -> dict[str, str]:
    return {
        f"{name}.{attr}": value
        for name, cls in _CLASSES.items()
        for attr, value in vars(cls).items()
        if attr[:1] != "_" and isinstance(value, str)
    }


# Every overridable text by its name, as this release has it.
DEFAULTS: Mapping[str, str] = MappingProxyType(_texts_now())


def text_of(name: str) -> str:
    """The text a name stands for now (`Label.CERT_REGISTER`: with the overrides the run applied)."""
    cls_name, _, attr = name.partition(".")
    value: str = getattr(_CLASSES[cls_name], attr)
    return value


def _lists() -> dict[str, tuple[str, ...]]:
    return {list_name: tuple(text_of(name) for name in names) for list_name, names in LISTS.items()}


NOTICE_TITLES, CLOSE_CAPTIONS, MENU, ORG_SEARCH_COLUMNS, CERT_TABLE_COLUMNS, CERT_DETAIL_ROWS = _lists().values()


def _set(texts: Mapping[str, str]) -> None:
    for name, text in texts.items():
        cls_name, _, attr = name.partition(".")
        setattr(_CLASSES[cls_name], attr, text)
    globals().update(_lists())


@contextlib.contextmanager
def applied(overrides: Mapping[str, str]) -> Iterator[None]:
    """The portal's texts with `overrides` (names as in `DEFAULTS`) for the `with` block: the edge of a run's
    portal work. What was in force before is put back after it. One set of texts holds for the whole process
    (the bot's runs in it take turns); the sandbox keeps its own."""
    before = _texts_now()
    _set({**DEFAULTS, **overrides})
    try:
        yield
    finally:
        _set(before)


def known_names() -> Mapping[str, str]:
    """Every overridable text by its name (`Label.CERT_REGISTER`), as this release has it."""
    return DEFAULTS


def check_overrides(raw: Mapping[str, Any], *, source: str) -> dict[str, str]:
    """`{"Label": {"CERT_REGISTER": "…"}}` or `{"Label.CERT_REGISTER": "…"}` as flat names; ConfigError
    naming the source and the known names for an unknown name or a value that is not text."""
    from ainas_bot.errors import ConfigError
    from ainas_bot.i18n import _

    known = known_names()
    flat: dict[str, str] = {}
    for key, value in raw.items():
        items = [(f"{key}.{k}", v) for k, v in value.items()] if isinstance(value, Mapping) else [(key, value)]
        for name, text in items:
            if name not in known:
                group = name.partition(".")[0]
                near = [k for k in known if k.startswith(f"{group}.")] or list(known)
                raise ConfigError(
                    _("{source}: [portal_text] {name} is not a text the bot knows; known: {known}").format(
                        source=source, name=name, known=", ".join(near)
                    )
                )
            if not isinstance(text, str) or not text.strip():
                raise ConfigError(
                    _("{source}: [portal_text] {name} must be a non-empty text").format(source=source, name=name)
                )
            flat[name] = text
    return flat


# [assumed] Whether the portal's 全角カタカナ check lets `・` (U+30FB, 中黒) through is not known. Names read
# with one (ジョン・スミス) are written so on certificates and in the 住民票, and `・` is in the katakana row
# of JIS X 0208 that such checks take as their set, so the bot accepts it in カナ, keeps it as typed (the
# half-width `･` becomes `・`) and ignores it when comparing a カナ with the dictionary's reading. Should the
# real portal refuse it, emptying this string refuses it before a browser starts.
KANA_EXTRA = "・"
