"""`ainas-bot probe`: first contact, read only, against every markup shape; a relabelled portal named, and
adapted to by `[portal_text]` without a release; snapshots without secrets."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import Page

from ainas_bot.errors import ConfigError
from ainas_bot.portal_text import check_overrides
from ainas_bot.sandbox._markup import SHAPES, parse_markup
from flows import probe
from flows.probe import ProbeReport
from flows.probe_offices import ProbeTarget, probe_offices
from tests.fixtures_async import run_async
from tests.fixtures_browser import in_chromium
from tests.fixtures_cli import BOT, all_bytes, cli_env, write_config
from tests.fixtures_flow import FlowWorld, OfficeKit, prepare, run

pytestmark = pytest.mark.e2e
_LOOKING = {("GET", "*"), ("POST", "login"), ("POST", "org_search")}  # 検索 posts its form: a query


def _probe(world: FlowWorld, kit: OfficeKit, *, snapshots: Path | None = None, **settings: object) -> ProbeReport:
    config = world.settings(**settings)
    target = ProbeTarget(
        kit.office.id,
        kit.office.login_id,
        prepare([kit], config)[0].login_password,
        kit.office.client_cert,
        prepare([kit], config)[0].client_cert_password,
    )
    [report] = run_async(probe_offices(config, [target], snapshots_dir=snapshots, environ=os.environ))
    return report


def _only_looked(world: FlowWorld, before: list[tuple[str, str]], state: object) -> None:
    requests = world.sandbox.requests_log[len(before) :]
    assert {(m, "*") if m == "GET" else (m, r) for m, r in requests} <= _LOOKING, requests
    assert world.sandbox.state() == state
    assert world.sandbox.upload_posts == 0


@pytest.mark.parametrize("shape", ["default", "legacy", *sorted(SHAPES)])
def test_probe_finds_everything_and_changes_nothing(shape: str, sandbox_world: Callable[..., FlowWorld]) -> None:
    world = sandbox_world(markup=parse_markup([] if shape == "default" else [shape]))
    kit = world.make_office()
    state, before = world.sandbox.state(), world.sandbox.requests_log

    report = _probe(world, kit)

    assert report.ok, report.summary() + json.dumps(report.as_json(), ensure_ascii=False)
    screens = [s.screen for s in report.screens]
    assert screens == [
        "ログイン",
        "お知らせ案内検索",
        "代理人組織検索",
        "代理人組織検索",
        "代理人組織照会",
        "代理人証明書照会",
        "代理人証明書登録",
    ]
    assert all(c.found for s in report.screens for c in s.checks if c.required)
    org = report.screens[4]
    assert org.rows and all("証明書有効期限" in row for row in org.rows)  # the certificate table as read
    shapes = parse_markup([] if shape == "default" else [shape])
    handled = [h for s in report.screens for h in s.handled]  # what it met and dealt with, named
    framed = {"frameset", "iframe"} & shapes
    assert any("frame \u201cmain\u201d" in h for h in handled) is bool(framed), handled
    if framed:
        assert all("in frame" in c.how for c in report.screens[2].checks if c.how), report.screens[2].checks
    noticed = "notice-popup" in shapes
    assert any("window of notices" in h and "サービス" in h for h in handled) is noticed, handled
    assert any("overlay of notices" in h and "重要なお知らせ" in h for h in handled) is noticed, handled
    library = shape in ("js-library", "legacy")
    for screen in report.screens:  # what the screen's own scripts did to the page's world, and nothing else
        assert ("prototype.js" in screen.scripts) is library, (screen.screen, screen.scripts)
        assert screen.replaced == (["Array.from", "Array.prototype.toJSON"] if library else []), screen.screen
        if shape == "default":
            assert screen.scripts == []
    _only_looked(world, before, state)


def test_script_names_carry_no_control_character_of_the_portals() -> None:
    found: dict[str, list[str]] = {}

    async def work(page: Page) -> None:
        await page.set_content(
            '<script src="/js/a\x1b[2Jb.js?v=1"></script><script>Array.from = () => [];</script>'
            f'<script src="/js/{"x" * 200}.js"></script>'
        )
        found.update(await page.evaluate(probe._SCRIPTS))

    in_chromium(work)
    assert found["scripts"] == ["a?[2Jb.js", "(inline)", "x" * 80]
    assert found["replaced"] == ["Array.from"]


def test_the_report_names_the_scripts_and_the_built_ins_they_replaced(
    sandbox_world: Callable[..., FlowWorld], tmp_path: Path
) -> None:
    world = sandbox_world(markup=parse_markup(["js-library"]))
    kit = world.make_office()
    config = write_config(tmp_path / "ainas.toml", world, [kit])

    ran = subprocess.run(
        [*BOT, "probe", "--config", str(config)],
        env=cli_env([kit]),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.count("    scripts: prototype.js\n") == 7
    assert ran.stdout.count("    built-ins its scripts replaced: Array.from, Array.prototype.toJSON\n") == 7


def test_a_relabelled_button_is_named_with_what_was_seen_and_an_override_adapts(
    sandbox_world: Callable[..., FlowWorld], tmp_path: Path
) -> None:
    relabelled = {"Label.CERT_REGISTER": "+ 電子証明書の追加"}
    world = sandbox_world(portal_text=relabelled, markup=parse_markup(["icon-buttons", "td-keys"]))
    kit = world.make_office()
    config = write_config(tmp_path / "ainas.toml", world, [kit])
    env = cli_env([kit])

    probe = subprocess.run(
        [*BOT, "probe", "--config", str(config)], env=env, capture_output=True, text=True, timeout=180, check=False
    )

    assert probe.returncode == 1, probe.stdout + probe.stderr
    last = probe.stdout.strip().splitlines()[-1]
    assert "代理人組織照会" in last and "+ 代理人証明書登録" in last
    assert 'set [portal_text] "Label.CERT_REGISTER" = "+ 電子証明書の追加"' in last, last
    assert world.sandbox.upload_posts == 0

    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "timeout_seconds = 15", 'timeout_seconds = 15\n[portal_text]\n"Label.CERT_REGISTER" = "+ 電子証明書の追加"'
        ),
        encoding="utf-8",
    )
    probe = subprocess.run(
        [*BOT, "probe", "--config", str(config), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert json.loads(probe.stdout)[0]["ok"] is True

    renew = subprocess.run(
        [*BOT, "renew", "--config", str(config), "--office", kit.office.id],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert renew.returncode == 0, renew.stdout + renew.stderr
    assert world.sandbox.upload_posts == 1


def test_the_scheduled_canary_is_quiet_when_all_is_found_and_reports_otherwise(
    sandbox_world: Callable[..., FlowWorld], tmp_path: Path
) -> None:
    world = sandbox_world(portal_text={"Label.SEARCH": "検索する"})
    kit = world.make_office()
    marker = tmp_path / "called"
    config = write_config(
        tmp_path / "ainas.toml",
        world,
        [kit],
        report_dir=tmp_path / "reports",
        on_failure=["sh", "-c", f'cp "$0" {marker}'],
    )
    env = cli_env([kit])

    canary = subprocess.run(
        [*BOT, "probe", "--config", str(config), "--scheduled"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert canary.returncode == 1
    report = json.loads(marker.read_text(encoding="utf-8"))
    assert report[0]["ok"] is False and "Label.SEARCH" in report[0]["summary"]
    assert "検索する" in report[0]["summary"]

    with_override = config.read_text(encoding="utf-8") + '\n[portal_text]\n"Label.SEARCH" = "検索する"\n'
    config.write_text(with_override, encoding="utf-8")
    marker.unlink()
    canary = subprocess.run(
        [*BOT, "probe", "--config", str(config), "--scheduled"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert canary.returncode == 0, canary.stdout + canary.stderr
    assert canary.stdout == "" and not marker.exists()


def test_snapshots_keep_every_screen_without_a_secret(sandbox_world: Callable[..., FlowWorld], tmp_path: Path) -> None:
    world = sandbox_world(markup=parse_markup(["jsessionid", "no-labels"]))
    kit = world.make_office()
    folder = tmp_path / "snapshots"

    report = _probe(world, kit, snapshots=folder)

    assert report.ok, report.summary()
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 2 * len(report.screens)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE((folder / f).stat().st_mode) == 0o600 for f in files)
    secrets = [kit.office.login_id, *kit.secrets]
    for path, data in all_bytes(folder):
        for secret in secrets:
            assert secret.encode() not in data, (path, secret)
    html = (folder / files[0]).read_text(encoding="utf-8") if files[0].endswith(".html") else ""
    assert "<html" in html.lower()
    assert all(
        ";jsessionid=[removed]" in (folder / f).read_text(encoding="utf-8")
        or ";jsessionid=" not in (folder / f).read_text(encoding="utf-8")
        for f in files
        if f.endswith(".html")
    )


def test_portal_text_overrides_are_checked_by_name() -> None:
    assert check_overrides({"Label": {"CERT_REGISTER": "x"}}, source="s") == {"Label.CERT_REGISTER": "x"}
    with pytest.raises(ConfigError, match=r"CERT_REGISTR is not a text the bot knows; known: .*Label\.CERT_REGISTER"):
        check_overrides({"Label.CERT_REGISTR": "x"}, source="ainas.toml")
    with pytest.raises(ConfigError, match="must be a non-empty text"):
        check_overrides({"Screen.ORG_DETAIL": ""}, source="ainas.toml")


def test_renew_uses_the_overrides_of_its_settings_only(sandbox_world: Callable[..., FlowWorld]) -> None:
    """The same process runs a relabelled sandbox and the bot: each reads its own texts."""
    world = sandbox_world(portal_text={"Label.CERT_UPDATE": "証明書情報の更新"})
    kit = world.make_office()
    [office] = prepare([kit], world.settings())
    [failed] = run(world.settings(retries=0), [office])
    assert failed.reason == "portal-changed" and "証明書情報の更新" in failed.message
    [outcome] = run(world.settings(portal_text={"Label.CERT_UPDATE": "証明書情報の更新"}), [office])
    assert outcome.status in ("updated", "resumed"), outcome


@pytest.mark.firefox
def test_probe_in_firefox_esr_against_the_legacy_preset(sandbox_world: Callable[..., FlowWorld]) -> None:
    world = sandbox_world(markup=parse_markup(["legacy"]))
    kit = world.make_office()
    state, before = world.sandbox.state(), world.sandbox.requests_log

    report = _probe(world, kit, browser="firefox")

    assert report.ok, report.summary()
    _only_looked(world, before, state)
