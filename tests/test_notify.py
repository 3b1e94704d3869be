"""Notifications: the decision to remind (pure), what each message says, and sending to a real SMTP server started
by the test, read back as the people who get it read it; a CLI run that cannot send keeps its exit code."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ainas_bot.config.notify import NotifyTarget
from ainas_bot.errors import Reason
from ainas_bot.fleet.standing import Standing, order_threshold
from ainas_bot.foundation.jst import JST
from ainas_bot.i18n import use_language
from ainas_bot.notices.after_run import notify_after_run, reminders_due
from ainas_bot.notices.messages import RunFacts, failed_message, order_message
from ainas_bot.notices.send import Message, Notifier, Target, resolve_targets
from ainas_bot.record.notes import reminders_sent
from ainas_bot.record.store import VerifiedStore
from ainas_bot.results.outcome import Outcome
from tests.fixtures_cli import BOT
from tests.fixtures_settings import settings_toml
from tests.fixtures_smtp import MAIL_PASSWORD, SmtpServer, free_port, text_of

TODAY = dt.date(2026, 12, 7)
STARTED = dt.datetime(2026, 12, 7, 6, 0, tzinfo=JST)


def make_standing(office_id: str = "1001", *, days_left: int | None = 30, **fields: Any) -> Standing:
    end = TODAY + dt.timedelta(days=days_left) if days_left is not None else None
    values: dict[str, Any] = {
        "office_id": office_id,
        "office_name": "山田行政書士事務所",
        "registered_expiry": end,
        "registered_fingerprint": "AA:BB",
        "proved_on": TODAY - dt.timedelta(days=3),
        "local_expiry": end,
        "local_start": TODAY - dt.timedelta(days=700),
        "local_fingerprint": "AA:BB",
        "local_file": f"/srv/ainas/{office_id}.p12",
        "last_status": "already-current",
        "last_reason": None,
        "last_screen": None,
        "last_run_at": STARTED - dt.timedelta(days=1),
        "problem": None,
        "today": TODAY,
        **fields,
    }
    return Standing(**values)


def failed_outcome(office_id: str = "1001", name: str = "山田行政書士事務所") -> Outcome:
    return Outcome(
        office_id,
        "agent-1",
        "failed",
        office_name=name,
        message=f"office {office_id}: login refused on ログイン",
        reason=Reason.AUTH,
        screen="ログイン",
    )


def facts(*outcomes: Outcome) -> RunFacts:
    return RunFacts(list(outcomes), [], Path("/srv/ainas/report.json"), STARTED, "ainas-host")


# -- the decision --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "threshold"), [(None, None), (91, None), (90, 90), (61, 90), (30, 30), (8, 14), (7, 7), (-3, 7)]
)
def test_the_threshold_reached_is_the_smallest_at_or_above_the_days_left(days_left: int | None, threshold: int) -> None:
    assert order_threshold(days_left, (90, 60, 30, 14, 7)) == threshold


def test_one_reminder_for_many_thresholds_passed_at_once_and_none_for_one_already_sent() -> None:
    (due,) = reminders_due([make_standing(days_left=25)], lambda office, key: frozenset())
    assert (due.threshold, due.reached, due.key) == (30, (90, 60, 30), "AA:BB")
    assert reminders_due([make_standing(days_left=24)], lambda office, key: frozenset({90, 60, 30})) == []
    (later,) = reminders_due([make_standing(days_left=13)], lambda office, key: frozenset({90, 60, 30}))
    assert later.threshold == 14


def test_a_newer_local_certificate_is_not_ordered_and_a_new_certificate_starts_afresh() -> None:
    pending = make_standing(
        days_left=20, local_expiry=TODAY + dt.timedelta(days=700), local_fingerprint="CC:DD"
    )  # the next run registers it: nothing to order
    assert pending.order_now is False and reminders_due([pending], lambda o, k: frozenset()) == []
    renewed = make_standing(days_left=30, registered_fingerprint="CC:DD", local_fingerprint="CC:DD")
    sent = {("1001", "AA:BB"): frozenset({90, 60, 30})}
    (due,) = reminders_due([renewed], lambda o, k: sent.get((o, k), frozenset()))
    assert due.key == "CC:DD"


# -- what the messages say -----------------------------------------------------------------------------------------


def test_the_failed_message_names_the_office_its_class_screen_and_what_to_do_in_japanese() -> None:
    use_language("ja")
    message = failed_message(facts(failed_outcome(name="山田\n事務所\x1b[31m")))
    assert message is not None
    assert "\n" not in message.subject and "\x1b" not in message.subject
    assert message.subject.startswith("[ainas-bot] ") and "1001" in message.subject
    assert "証明書の更新に失敗" in message.subject
    assert "ログイン" in message.body and "認証" in message.body
    assert "対処" in message.body and "再試行しない" in message.body
    assert "/srv/ainas/report.json" in message.body and "\x1b" not in message.body


def test_several_failures_are_one_message() -> None:
    message = failed_message(facts(failed_outcome("1001"), failed_outcome("1002"), failed_outcome("1003")))
    assert message is not None
    assert "3 offices" in message.subject
    assert all(f"■ {oid} " in message.body for oid in ("1001", "1002", "1003"))
    assert failed_message(facts()) is None


def test_the_order_message_says_when_it_ends_and_where_the_next_p12_goes() -> None:
    message = order_message(make_standing(days_left=30), 30, facts(), place="/srv/ainas/1001/")
    assert message.subject == "[ainas-bot] Order a new certificate: office 1001 山田行政書士事務所 (30 days left)"
    assert "2027/01/06" in message.body and "/srv/ainas/1001/" in message.body
    expired = order_message(make_standing(days_left=-2), 7, facts())
    assert "expired 2 days ago" in expired.subject
    assert "expired on 2026/12/05, 2 days ago" in expired.body and "-2" not in expired.body
    use_language("ja")
    expired_ja = order_message(make_standing(days_left=-2), 7, facts())
    assert "2 日前" in expired_ja.body and "-2" not in expired_ja.body


def test_a_run_whose_offices_all_ended_well_but_whose_records_could_not_be_written() -> None:
    unwritten = RunFacts([], ["ainas-audit.jsonl: No space left on device"], None, STARTED, "ainas-host")
    message = failed_message(unwritten)
    assert message is not None
    assert "failed in the run" not in message.body and "ended as it should" in message.body
    assert "No space left on device" in message.body


# -- sending, to a real SMTP server --------------------------------------------------------------------------------


def _target(url: str, *events: Any) -> Target:
    from pydantic import SecretStr

    return Target("office-mail", SecretStr(url), events or ("failed",))


def test_a_mail_is_sent_with_a_japanese_subject_read_back_from_the_server(smtp_server: SmtpServer) -> None:
    use_language("ja")
    notifier = Notifier([_target(smtp_server.url())])
    message = failed_message(facts(failed_outcome()))
    assert message is not None

    assert notifier.send(message) is True

    (mail,) = smtp_server.mails
    (raw,) = smtp_server.raw
    assert b"\nSubject: =?utf-8?" in raw and "証明書".encode() not in raw  # sent as MIME encoded-words (RFC 2047)
    assert mail["Subject"] == message.subject  # and decoded back to the same words
    assert mail["To"] == "staff@example.jp" and mail["From"] == "ainas-bot@example.jp"
    body = text_of(mail)
    assert "■ 1001 山田行政書士事務所" in body and "\n  対処：" in body  # the lines as written
    assert notifier.problems == []


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    closed = free_port()
    notifier = Notifier([_target(SmtpServer.url(SmtpServer.__new__(SmtpServer), port=closed))])

    assert notifier.send(Message("failed", "s", "b")) is False

    (line,) = notifier.problems
    assert line.startswith("notification (failed) to office-mail not sent: ")
    assert "Connection refused" in line and MAIL_PASSWORD not in line and "\n" not in line


def test_a_service_token_in_the_url_is_masked_in_what_is_said() -> None:
    token = "T0k3n-5ecret-Abc123"
    notifier = Notifier([_target(f"json://127.0.0.1:{free_port()}/hooks/{token}?key={token}")])
    assert notifier.send(Message("failed", "s", "b")) is False
    (line,) = notifier.problems
    assert token not in line, line


@pytest.mark.parametrize(
    ("url", "token"),
    [
        ("tgram://123456789:AAH-Bot-Token-77/-100123", "AAH-Bot-Token-77"),  # the bot token is the host
        ("tgram://123456789:AAH-Bot-Token-77/-100123", "123456789"),
        ("discord://112233445566778899/Hook-Token-Abc", "112233445566778899"),
        ("pover://User-Key-42@App-Token-9/", "App-Token-9"),
        ("mailtos://ops:Mail-Pass-1@smtp.example.jp:587/?to=a@example.jp", "Mail-Pass-1"),
    ],
)
def test_a_token_where_a_service_keeps_it_in_the_host_is_masked_too(url: str, token: str) -> None:
    from ainas_bot.notices.send import masked

    said = masked(f"could not reach {url} ({token} refused)", url)
    assert token not in said, said
    # A server's name and port are not secrets, and say where it went wrong.
    assert "smtp.example.jp:587" in masked("smtp.example.jp:587 refused", "mailtos://ops:x@smtp.example.jp:587/")


def test_a_target_whose_secret_is_missing_is_left_out_with_one_line(tmp_path: Path) -> None:
    targets = [NotifyTarget.model_validate({"url": {"env": "NO_SUCH_URL"}, "name": "ops"})]
    resolved, problems = resolve_targets(targets, {}, None)
    assert resolved == [] and problems == [
        "notify target ops: environment variable NO_SUCH_URL is not set; nothing is sent to it"
    ]


def test_a_plain_url_in_the_settings_is_refused_without_being_repeated() -> None:
    with pytest.raises(ValueError, match="plain-text secret") as info:
        NotifyTarget.model_validate({"url": f"mailto://u:{MAIL_PASSWORD}@example.jp"})
    assert MAIL_PASSWORD not in str(info.value).split("input_value")[0]


def test_an_order_reminder_is_sent_once_and_remembered_only_when_delivered(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    store = VerifiedStore(tmp_path / "record.sqlite3")
    try:
        down = Notifier([_target(smtp_server.url(port=free_port()), "order-new-certificate")])
        notify_after_run(down, facts(), [make_standing(days_left=30)], store, {}, STARTED)
        assert len(down.problems) == 1 and reminders_sent(store, "1001", "AA:BB") == frozenset()

        up = Notifier([_target(smtp_server.url(), "order-new-certificate")])
        notify_after_run(up, facts(), [make_standing(days_left=30)], store, {}, STARTED)
        notify_after_run(up, facts(), [make_standing(days_left=29)], store, {}, STARTED + dt.timedelta(days=1))
        assert [m["Subject"] for m in smtp_server.mails] == [
            "[ainas-bot] Order a new certificate: office 1001 山田行政書士事務所 (30 days left)"
        ]
        assert reminders_sent(store, "1001", "AA:BB") == {90, 60, 30}
    finally:
        store.close()


# -- through the CLI, without a browser: an office refused by its checks fails the run -----------------------------


def _refused_run(tmp_path: Path, url: str | None) -> subprocess.CompletedProcess[str]:
    secrets = tmp_path / "secrets"
    secrets.mkdir(exist_ok=True, mode=0o700)
    top: dict[str, Any] = {
        "portal_url": "https://127.0.0.1:9/",
        "secrets_dir": secrets,
        "audit_log": tmp_path / "audit.jsonl",
        "artifacts_dir": tmp_path / "artifacts",
    }
    if url is not None:
        (secrets / "mail-url").write_text(url + "\n", encoding="utf-8")
        (secrets / "mail-url").chmod(0o600)
        top["notify"] = [{"url": {"secret": "mail-url"}, "events": ["failed"]}]
    office = {
        "id": "2001",
        "login_id": "agent-2001",
        "login_password": {"env": "X_PASSWORD"},
        "client_cert": tmp_path / "missing-client.p12",
        "client_cert_password": {"env": "X_PASSWORD"},
        "signing_cert": tmp_path / "missing-signing.p12",
        "pin": {"env": "X_PASSWORD"},
        "trade_name_kana": "ヤマダ",
        "holder_name_kana": "ヤマダ タロウ",
        "postal_code": "100-0013",
    }
    config = tmp_path / "ainas.toml"
    config.write_text(settings_toml(top, [office]), encoding="utf-8")
    return subprocess.run(
        [*BOT, "renew", "--all", "--scheduled", "--config", str(config)],
        env={"PATH": "/usr/bin:/bin", "X_PASSWORD": "x", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_run_that_cannot_send_keeps_its_exit_code_and_says_so_in_one_line(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    quiet = _refused_run(tmp_path, None)
    sent = _refused_run(tmp_path, smtp_server.url())
    unsent = _refused_run(tmp_path, smtp_server.url(port=free_port()))

    assert quiet.returncode == sent.returncode == unsent.returncode != 0, (quiet.stderr, unsent.stderr)
    (mail,) = smtp_server.mails
    assert "2001" in mail["Subject"]
    said = [line for line in unsent.stderr.splitlines() if "not sent" in line]
    assert len(said) == 1 and "Connection refused" in said[0], unsent.stderr
    for run in (sent, unsent):
        assert MAIL_PASSWORD not in run.stdout + run.stderr


def test_renewed_and_digest_name_each_office_and_say_what_ends_first() -> None:
    from ainas_bot.notices.messages import digest_message, renewed_message

    updated = Outcome("1001", "agent-1", "updated", office_name="山田行政書士事務所", certificate_expiry="2029-12-01")
    current = Outcome("1002", "agent-2", "already-current", office_name="鈴木事務所")
    assert renewed_message(facts(current)) is None
    renewed = renewed_message(facts(updated, current))
    assert renewed is not None and renewed.subject == "[ainas-bot] Certificate renewed: office 1001 山田行政書士事務所"
    assert "2029-12-01" in renewed.body and "1002" not in renewed.body
    digest = digest_message(
        facts(updated, current, failed_outcome("1003")),
        [make_standing("1002", days_left=12), make_standing("1001", days_left=700)],
    )
    assert digest.subject == "[ainas-bot] Run of 2026-12-07: already-current 1, failed 1, updated 1"
    ending = digest.body.split("Certificates ending first:")[1]
    assert ending.index("1002") < ending.index("1001") and "(12 days)" in ending


def _notify_config(tmp_path: Path, url: str) -> Path:
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700, exist_ok=True)
    (secrets / "mail-url").write_text(url + "\n", encoding="utf-8")
    (secrets / "mail-url").chmod(0o600)
    config = tmp_path / "ainas.toml"
    targets = [{"url": {"secret": "mail-url"}, "name": "office-mail", "events": ["order-new-certificate"]}]
    config.write_text(settings_toml({"secrets_dir": secrets, "notify": targets}), encoding="utf-8")
    return config


def test_notify_test_sends_one_message_to_each_target_whatever_its_events(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    env = {"PATH": "/usr/bin:/bin", "LANG": "ja_JP.UTF-8"}
    run = subprocess.run(
        [*BOT, "notify", "--test", "--config", str(_notify_config(tmp_path, smtp_server.url()))],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (run.returncode, run.stdout.strip()) == (0, "office-mail に送りました"), run.stderr
    (mail,) = smtp_server.mails
    assert mail["Subject"] == "[ainas-bot] テスト通知" and "テストです" in text_of(mail)

    down = subprocess.run(
        [*BOT, "notify", "--test", "--config", str(_notify_config(tmp_path, smtp_server.url(port=free_port())))],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert down.returncode == 1 and len(down.stderr.splitlines()) == 1, down.stderr
    assert "office-mail" in down.stderr and MAIL_PASSWORD not in down.stderr + down.stdout
