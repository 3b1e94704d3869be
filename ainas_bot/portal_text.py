"""Every text of the AINAS agent application that the bot reads or the sandbox shows, in one place.

Labels marked [manual] are character for character from the manual (spec: `ainas.md`). Messages
marked [assumed] are not documented; the bot and the sandbox share them from here, so that a change
on the real portal is one edit.
"""

from __future__ import annotations

__all__ = [
    "CERT_DETAIL_ROWS",
    "CERT_TABLE_COLUMNS",
    "LABEL_DECORATIONS",
    "MENU",
    "ORG_DETAIL_PERMISSION_ROWS",
    "ORG_SEARCH_COLUMNS",
    "Label",
    "Message",
    "Screen",
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


MENU = ("申請データ統計検索", "代理人ユーザー管理", "代理人組織管理", "代理人拠点管理", "各種ダウンロード")
ORG_SEARCH_COLUMNS = (Label.ORG_ID, Label.ORG_NAME, Label.ORG_SHORT_NAME, Label.ORG_STATUS)
ORG_DETAIL_PERMISSION_ROWS = tuple(
    f"{kind}申請可否"
    for kind in ("新車新規", "中古新規", "移転登録", "変更登録", "記載変更", "一時抹消", "永久抹消",
                 "移転一時", "移転永久", "変更一時", "継続検査", "(軽) 新車新規", "(軽) 継続検査")
)
CERT_TABLE_COLUMNS = (Label.CERT, Label.REGISTERED_AT, Label.TRADE_NAME_KANJI, Label.HOLDER_NAME_KANJI, Label.EXPIRY)
CERT_DETAIL_ROWS = (
    Label.REGISTERED_AT, Label.TRADE_NAME_KANA, Label.TRADE_NAME_KANJI, Label.HOLDER_NAME_KANA,
    Label.HOLDER_NAME_KANJI, Label.POSTAL_CODE, Label.ADDRESS_STREET, Label.ADDRESS_BUILDING,
    Label.EXPIRY, Label.START_DATE,
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


# [assumed] What may stand beside a label without being part of it: the manual's 【1】…【5】 markers, and the
# required-field marks and trailing colons common on such portals. Regular expressions valid in Python and
# in the browser's JavaScript alike; the finder strips them before comparing a label.
LABEL_DECORATIONS = (r"【[0-9]+】", r"[※*]", r"\(?必須\)?", r"\(?任意\)?", r"[:：]$")
