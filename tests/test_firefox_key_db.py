"""The Firefox profile's key database: the client key under a random password that Firefox alone is
given, so a profile read while it exists yields no key (`pk12util -o` with an empty password, the attack)."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from pydantic import SecretStr

import flows.browser.nss_profile
from ainas_bot.checks.prepare import PreparedOffice
from ainas_bot.config.settings import Settings
from ainas_bot.errors import ConfigError
from flows.browser.firefox_app import install_folder
from flows.browser.launch import office_context
from flows.browser.options import BrowserOptions
from flows.pages import LoginPage
from tests.fixtures_async import run_async
from tests.fixtures_flow import FlowWorld, prepare

pytestmark = [pytest.mark.e2e, pytest.mark.firefox]


def _export(profile: Path, nickname: str, out: Path, db_password: str | None) -> subprocess.CompletedProcess[str]:
    """`pk12util -o`: with `db_password` None, what anyone who reads the folder can try (an empty one)."""
    args = ["pk12util", "-o", str(out), "-n", nickname, "-d", f"sql:{profile}", "-W", "export-pw"]
    read, write = os.pipe()
    os.write(write, (db_password or "").encode())
    os.close(write)
    args += ["-k", f"/dev/fd/{read}"] if db_password is not None else ["-K", ""]
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False, pass_fds=[read], timeout=60)
    finally:
        os.close(read)


def _client_nickname(profile: Path) -> str:
    listing = subprocess.run(["certutil", "-L", "-d", f"sql:{profile}"], capture_output=True, text=True, check=True)
    [line] = [x for x in listing.stdout.splitlines() if x.rstrip().endswith("u,u,u")]
    return line.rsplit(None, 1)[0].strip()


def _files_holding(root: Path, secret: bytes) -> list[Path]:
    found = []
    for folder, _dirs, names in os.walk(root):  # symlinks (the system's Firefox install) not followed
        for name in names:
            path = Path(folder, name)
            if path.is_symlink() or not path.is_file():
                continue
            try:
                if secret in path.read_bytes():
                    found.append(path)
            except OSError:
                continue  # a file Firefox removed meanwhile
    return found


def _processes_holding(secret: bytes, what: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if secret in (entry / what).read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class _Spy:
    """The real `firefox_profile`, its password noted for the test (or replaced by a wrong one)."""

    def __init__(self, wrong: str | None = None) -> None:
        self.real = flows.browser.nss_profile.firefox_profile
        self.wrong = wrong
        self.password = ""

    def __call__(self, *args: object) -> SecretStr:
        self.password = self.real(*args).get_secret_value()  # type: ignore[arg-type]
        return SecretStr(self.wrong) if self.wrong is not None else SecretStr(self.password)


def _setup(
    world: FlowWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, spy: _Spy
) -> tuple[Settings, PreparedOffice, Path]:
    kit = world.make_office()
    settings = world.settings(browser="firefox")
    [office] = prepare([kit], settings)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the private folder under this test's own
    monkeypatch.setattr("flows.browser.firefox.firefox_profile", spy)
    return settings, office, tmp_path / f"ainas-bot-{os.getuid()}"


def test_a_live_profile_gives_its_key_to_nobody_without_the_password(
    sandbox_world: Callable[..., FlowWorld],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    spy = _Spy()
    settings, office, private = _setup(sandbox_world(orgs=2), monkeypatch, tmp_path, spy)
    seen: dict[str, object] = {}

    async def session() -> None:
        async with (
            async_playwright() as pw,
            office_context(
                pw,
                None,
                BrowserOptions.from_settings(settings, os.environ),
                client_cert=office.office.client_cert,
                client_cert_password=office.client_cert_password,
            ) as context,
        ):
            page = await context.new_page()
            login = await LoginPage.open(page, settings.portal_url, 15000)  # the client certificate presented
            await login.log_in(office.office.login_id, office.login_password)
            [folder] = private.glob("firefox-*")
            profile = folder / "profile"
            secret = spy.password.encode()
            nickname = _client_nickname(profile)
            seen["attack"] = _export(profile, nickname, folder / "stolen.p12", None)
            seen["stolen"] = (folder / "stolen.p12").exists() and (folder / "stolen.p12").stat().st_size > 0
            seen["control"] = _export(profile, nickname, tmp_path / "control.p12", spy.password)
            seen["files"] = _files_holding(folder, secret)
            seen["cmdlines"] = _processes_holding(secret, "cmdline")
            seen["environs"] = _processes_holding(secret, "environ")
            seen["firefox"] = _processes_holding(str(folder).encode(), "cmdline")
            seen["folder"] = folder

    run_async(session())

    assert len(spy.password) >= 32
    attack = seen["attack"]
    assert isinstance(attack, subprocess.CompletedProcess)
    assert attack.returncode != 0 and "SEC_ERROR_BAD_PASSWORD" in attack.stderr, attack
    assert not seen["stolen"], "the client key was exported from the live profile without its password"
    control = seen["control"]
    assert isinstance(control, subprocess.CompletedProcess)
    assert control.returncode == 0 and (tmp_path / "control.p12").stat().st_size > 0, control  # the attack can work
    assert seen["files"] == [], "the key database password is in a file of the profile's folder"
    assert seen["cmdlines"] == [], "the key database password is on a command line"
    # In the starting environment of the leash, Firefox and the crash helper Firefox starts before its start-up
    # script runs (readable by this user and root, who can read Firefox's memory as well); not in the content,
    # socket and other processes Firefox starts afterwards.
    firefox = seen["firefox"]
    environs = seen["environs"]
    assert isinstance(firefox, list) and isinstance(environs, list)
    assert set(environs) <= set(firefox), "a process other than the leash or Firefox holds the password"
    assert len(firefox) > len(environs), "Firefox's own processes inherited the password"
    out, err = capfd.readouterr()
    assert spy.password not in caplog.text + out + err
    assert not Path(str(seen["folder"])).exists()
    install = install_folder(Path(settings.executable_path or "/usr/bin/firefox-esr"))
    assert not (install / "ainas-bot.cfg").exists() and not (install / "defaults/pref/autoconfig.js").exists()


def test_a_refused_key_db_password_ends_firefox_at_launch(
    sandbox_world: Callable[..., FlowWorld], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Firefox runs the AutoConfig script of its private copy, or it would start and wait on a prompt instead.
    settings, office, private = _setup(sandbox_world(orgs=2), monkeypatch, tmp_path, _Spy(wrong="not-the-password"))

    async def session() -> None:
        async with (
            async_playwright() as pw,
            office_context(
                pw,
                None,
                BrowserOptions.from_settings(settings, os.environ),
                client_cert=office.office.client_cert,
                client_cert_password=office.client_cert_password,
            ),
        ):
            pytest.fail("Firefox started with a key database it could not log in")

    with pytest.raises(ConfigError, match=r"^Firefox .*: the profile's key database could not be logged in$"):
        run_async(session())
    assert not list(private.iterdir())
