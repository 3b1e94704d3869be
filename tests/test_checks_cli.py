"""The checks before the first click, through the command line: what the portal cannot check is checked,
before the first click or on 代理人組織照会 before any upload. Each case ends refused with the portal untouched, or
registered where it is confirmed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ainas_bot.foundation.jst import today_jst
from ainas_bot.sandbox import Sandbox, SandboxOptions
from tests.fixtures_cli import BOT, cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit
from tests.fixtures_sandbox import PortalSnapshot, portal_snapshot

pytestmark = pytest.mark.e2e

NOW = dt.datetime.now(dt.UTC)
KANAGAWA = {"address_street": "神奈川県横浜市中区本町一丁目２番３号", "address_building": ""}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowWorld]:
    root = tmp_path_factory.mktemp("checks")
    with Sandbox(SandboxOptions(state_dir=root / "sandbox", orgs=24, seed=13)) as sandbox:
        yield FlowWorld(sandbox, root)


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def problems(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("problem: ")]


def _run(world: FlowWorld, tmp: Path, kits: list[OfficeKit], *args: str, **top: Any) -> Run:
    config = write_config(tmp / "ainas.toml", world, kits, **top)
    result = subprocess.run(
        [*BOT, args[0], "--config", str(config), *args[1:]],
        env=cli_env(kits),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return Run(result.returncode, result.stdout, result.stderr)


def _refused_before_any_click(world: FlowWorld, tmp: Path, kit: OfficeKit, *must: str, code: int = 2) -> str:
    """`check` gives one problem line naming `must`; `renew` refuses it too, with exit `code` (2 for an input, 3
    for the certificate: README "Exit codes"), and the sandbox saw nothing."""
    checked = _run(world, tmp, [kit], "check")
    assert checked.returncode == 2, checked.stderr
    (line,) = checked.problems
    assert line.startswith(f"problem: office {kit.office.id}: "), line
    for text in must:
        assert text in line, (text, line)
    before: PortalSnapshot = portal_snapshot(world.sandbox)
    renewed = _run(world, tmp, [kit], "renew", "--office", kit.office.id)
    assert renewed.returncode == code, renewed.stderr
    assert portal_snapshot(world.sandbox) == before, "the portal was touched"
    return line


# --- before the first click --------------------------------------------------------------------------------


def test_a_hokkaido_postal_code_for_a_kanagawa_address_is_refused(world: FlowWorld, tmp_path: Path) -> None:
    kit = world.make_office(cert=KANAGAWA, postal_code="060-0001")
    _refused_before_any_click(
        world,
        tmp_path,
        kit,
        "postal_code (郵便番号) '060-0001'",
        "北海道札幌市中央区北一条西",
        KANAGAWA["address_street"],
        "231-0005",
        "auto",
    )


def test_a_postal_code_that_does_not_exist_is_refused(world: FlowWorld, tmp_path: Path) -> None:
    kit = world.make_office(cert=KANAGAWA, postal_code="000-0000")
    _refused_before_any_click(
        world,
        tmp_path,
        kit,
        "'000-0000' does not exist in Japan Post's data",
        "231-0005",
        "postal_code_confirmed = true",
    )


def test_another_persons_kana_are_refused_with_the_dictionarys_reading(world: FlowWorld, tmp_path: Path) -> None:
    kit = world.make_office(cert={"holder_name": "吉田　一郎"}, holder_name_kana="タナカ　ケン")
    _refused_before_any_click(
        world,
        tmp_path,
        kit,
        "holder_name_kana (氏名又は代表者名（カナ）) 'タナカ　ケン'",
        "'吉田　一郎'",
        "'ヨシダ\u3000イチロウ'",
        "kana_confirmed = true",
    )


@pytest.mark.parametrize(
    ("trade", "kana"),
    [
        ("行政書士利活用事務所", "ギョウセイシヨシカツヨウジムシヨ"),  # the manual's own example, without the リ of 利
        ("行政書士池田事務所", "ギョウセイショシホウジン　サクラ"),  # what the demo registered
        ("行政書士中村法務事務所", "ヤマダギョウセイショシジムショ"),
    ],
    ids=["manual-example", "demo-ikeda", "demo-nakamura"],
)
def test_a_trade_name_kana_that_does_not_read_the_kanji_is_refused(
    world: FlowWorld, tmp_path: Path, trade: str, kana: str
) -> None:
    kit = world.make_office(cert={"trade_name": trade}, trade_name_kana=kana)
    _refused_before_any_click(world, tmp_path, kit, f"trade_name_kana (屋号（カナ）) '{kana}'", f"'{trade}'")


def test_a_certificate_with_under_14_days_left_is_refused(world: FlowWorld, tmp_path: Path) -> None:
    kit = world.make_office(cert={"not_before": NOW - dt.timedelta(days=700), "valid_days": 710})
    _refused_before_any_click(world, tmp_path, kit, "証明書有効期限", "days left, under 14", "signing_cert", code=3)


def test_confirmed_values_auto_and_suggest(world: FlowWorld, tmp_path: Path) -> None:
    """What the checks cannot tell from a mistake passes when confirmed, with a warning; `auto` shows its code;
    `--suggest` shows the dictionary's カナ and the address's code next to what is set."""
    confirmed = world.make_office(
        cert={**KANAGAWA, "holder_name": "吉田　一郎"},
        holder_name_kana="ヨシダ　カズオ",
        kana_confirmed=True,
        postal_code="231-8799",
        postal_code_confirmed=True,
    )
    auto = world.make_office(cert=KANAGAWA, postal_code="auto")
    run = _run(world, tmp_path, [confirmed, auto], "check", "--suggest")
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning: ")]
    assert any("'ヨシダ　カズオ'" in w and "kana_confirmed" in w for w in warnings), warnings
    assert any("'231-8799' is not in Japan Post's data" in w and "postal_code_confirmed" in w for w in warnings)
    ok = {line.split(":")[0]: line for line in run.stdout.splitlines() if ": ok — " in line}
    assert ok[f"office {auto.office.id}"].endswith(", 231-0005"), ok
    suggested = [line for line in run.stdout.splitlines() if "suggested" in line]
    assert len(suggested) == 2
    assert (
        "氏名又は代表者名（カナ） set 'ヨシダ　カズオ', suggested 'ヨシダ\u3000イチロウ'" in suggested[0]
        and "郵便番号 set '231-8799', suggested 231-0005" in suggested[0]
    ), suggested


# --- on 代理人組織照会, before any upload --------------------------------------------------------------------


def _active(world: FlowWorld, org_id: str) -> dict[str, Any]:
    return max((c for c in world.certificates(org_id) if c["status"] == "active"), key=lambda c: c["not_after"])


def test_another_offices_newer_certificate_is_refused_then_registered_when_confirmed(
    world: FlowWorld, tmp_path: Path
) -> None:
    """The issue's office 19: another office's newer .p12 (田中 健, 宮城県) in its signing folder."""
    other = {
        "trade_name": "行政書士田中事務所",
        "holder_name": "田中　健",
        "address_street": "宮城県仙台市青葉区一番町四丁目１番２号",
        "address_building": "",
        "valid_days": 1000,
    }
    kit = world.make_office(cert=other)
    assert _run(world, tmp_path, [kit], "check").returncode == 0
    records, uploads = world.certificates(kit.office.id), world.sandbox.upload_posts
    refused = _run(world, tmp_path, [kit], "renew", "--office", kit.office.id)
    assert refused.returncode == 1, refused.stderr
    line = next(line for line in refused.stdout.splitlines() if line.startswith(kit.office.id))
    assert "failed" in line and "identity" in line, refused.stdout
    assert "'行政書士田中事務所'" in line and "'田中　健'" in line and kit.notice.org_name in line
    assert "identity_change_confirmed = true" in line
    assert world.certificates(kit.office.id) == records and world.sandbox.upload_posts == uploads

    confirmed = dataclasses.replace(kit, office=kit.office.model_copy(update={"identity_change_confirmed": True}))
    done = _run(world, tmp_path, [confirmed], "renew", "--office", kit.office.id)
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith(kit.office.id))
    assert "updated" in line and "identity change confirmed" in line, done.stdout
    assert _active(world, kit.office.id)["holder_name_kanji"] == "田中　健"


def test_a_certificate_older_than_the_registered_one_is_refused(world: FlowWorld, tmp_path: Path) -> None:
    today = today_jst()
    notice = next(
        n
        for n in world._free  # a seeded record in force for long enough
        if dt.date.fromisoformat(_active(world, n.org_id)["not_after"]) > today + dt.timedelta(days=120)
    )
    world._free.remove(notice)
    registered = dt.date.fromisoformat(_active(world, notice.org_id)["not_after"])
    kit = world.make_office(
        notice, cert={"not_before": NOW - dt.timedelta(days=1), "valid_days": (registered - today).days - 10 + 1}
    )
    records, uploads = world.certificates(notice.org_id), world.sandbox.upload_posts
    run = _run(world, tmp_path, [kit], "renew", "--office", notice.org_id)
    assert run.returncode == 3, run.stderr  # the certificate is the problem: README "Exit codes"
    line = next(line for line in run.stdout.splitlines() if line.startswith(notice.org_id))
    assert "certificate" in line and "before the registered one" in line and "go backwards" in line, line
    assert f"{registered:%Y/%m/%d}" in line
    assert world.certificates(notice.org_id) == records and world.sandbox.upload_posts == uploads


def test_a_certificate_with_20_days_left_is_registered_with_a_warning_and_reported(
    world: FlowWorld, tmp_path: Path
) -> None:
    today = today_jst()
    notice = next(
        n
        for n in world._free  # an organisation whose record in force ends before 20 days from now
        if dt.date.fromisoformat(_active(world, n.org_id)["not_after"]) < today + dt.timedelta(days=15)
    )
    world._free.remove(notice)
    kit = world.make_office(notice, cert={"not_before": NOW - dt.timedelta(days=700), "valid_days": 720})
    report_dir = tmp_path / "reports"
    run = _run(world, tmp_path, [kit], "renew", "--office", kit.office.id, "--scheduled", report_dir=report_dir)
    assert run.returncode == 0, run.stderr
    assert any("days left, under min_days_left (60)" in line for line in run.stderr.splitlines()), run.stderr
    (report,) = report_dir.glob("report-*.json")
    (office,) = json.loads(report.read_text(encoding="utf-8"))["offices"]
    assert office["status"] == "updated" and "under min_days_left" in office["message"]
