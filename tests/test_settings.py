"""Settings: the TOML file, environment overrides, secrets only by reference, paths relative to the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from ainas_bot.config.loading import load_settings
from ainas_bot.config.secrets import SecretRef, read_secret_file
from ainas_bot.config.settings import DEFAULT_PORTAL_URL
from ainas_bot.errors import EXIT_USAGE, ConfigError
from tests.fixtures_settings import without_ainas_variables

SECRET = "S3cr3t-PIN-8472"
REPO = Path(__file__).resolve().parent.parent

OFFICE = """
[[offices]]
id = 1
login_id = "admin01"
login_password = { env = "OFFICE1_LOGIN" }
client_cert = "certs/client.p12"
client_cert_password = { file = "secrets/client.txt" }
signing_cert = "certs/signing/"
pin = { secret = "office-1-pin" }
trade_name_kana = "ギョウセイシヨシカツヨウジムシヨ"
holder_name_kana = "リカツヨウ　タロウ"
postal_code = "123-4567"
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    without_ainas_variables(monkeypatch)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    settings = load_settings(None)
    assert settings.portal_url == DEFAULT_PORTAL_URL
    assert settings.timeout_seconds == 30.0
    assert settings.browser == "chromium"
    assert settings.offices == []
    assert settings.certificate_mapping == {}


def test_toml_file_is_loaded(tmp_path: Path) -> None:
    config = _write(
        tmp_path / "conf" / "ainas.toml",
        f"""
portal_url = "https://ainas.test:8443/oss_agt/"
browser = "firefox"
headless = false
timeout_seconds = 12.5
secrets_dir = "secrets"
artifacts_dir = "/var/tmp/ainas-artifacts"
portal_ca = "ca.pem"

[certificate_mapping]
trade_name_kanji = ["subject:2.5.4.12"]
holder_name_kanji = ["san:2.5.4.3", "subject:2.5.4.3"]
{OFFICE}
start_date = 2026-12-01
""",
    )
    settings = load_settings(config)
    base = config.parent.resolve()
    assert settings.portal_url == "https://ainas.test:8443/oss_agt/"
    assert settings.browser == "firefox"
    assert settings.headless is False
    assert settings.timeout_seconds == 12.5
    assert settings.certificate_mapping == {
        "trade_name_kanji": ["subject:2.5.4.12"],
        "holder_name_kanji": ["san:2.5.4.3", "subject:2.5.4.3"],
    }
    # Relative paths are relative to the settings file, absolute ones are kept.
    assert settings.secrets_dir == base / "secrets"
    assert settings.portal_ca == base / "ca.pem"
    assert settings.artifacts_dir == Path("/var/tmp/ainas-artifacts")
    (office,) = settings.offices
    assert office.id == "1"
    assert office.client_cert == base / "certs" / "client.p12"
    assert office.signing_cert == base / "certs" / "signing"
    assert office.client_cert_password == SecretRef(file=base / "secrets" / "client.txt")
    assert office.login_password == SecretRef(env="OFFICE1_LOGIN")
    assert office.pin == SecretRef(secret="office-1-pin")
    assert office.start_date == dt.date(2026, 12, 1)
    assert settings.office("1") is office


def test_relative_paths_do_not_depend_on_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _write(tmp_path / "conf" / "ainas.toml", OFFICE)
    monkeypatch.chdir(tmp_path)
    settings = load_settings(Path("conf/ainas.toml"))
    expected = tmp_path.resolve() / "conf" / "certs" / "client.p12"
    assert settings.offices[0].client_cert == expected
    monkeypatch.chdir(tmp_path / "conf")  # the same file loaded from elsewhere: the same paths
    assert load_settings(config).offices[0].client_cert == expected


def test_the_shipped_example_settings_load() -> None:
    settings = load_settings(REPO / "config" / "ainas.toml")
    assert (settings.portal_url, settings.concurrency, settings.retries, settings.timeout_seconds) == (
        "https://www.oss-ainas.jp/oss_agt/",
        4,
        3,
        30,
    )
    assert settings.secrets_dir == Path("/etc/ainas-bot/secrets")
    (office,) = settings.offices
    assert (office.id, office.login_id, office.postal_code, office.start_date) == ("1", "sample1", "123-4567", "today")
    assert office.login_password == SecretRef(secret="office-1-password")
    assert office.client_cert_password == SecretRef(secret="office-1-client-cert")
    assert office.pin == SecretRef(env="AINAS_OFFICE_1_PIN")
    assert office.client_cert == Path("/etc/ainas-bot/office-1/client.p12")
    assert office.signing_cert == Path("/etc/ainas-bot/office-1/signing")
    assert office.trade_name_kana == "ギョウセイシヨシカツヨウジムシヨ"
    assert office.holder_name_kana == "リカツヨウ　タロウ"


def test_environment_overrides_the_file_and_flags_override_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _write(tmp_path / "ainas.toml", 'timeout_seconds = 10\nbrowser = "chromium"\n')
    assert load_settings(config).timeout_seconds == 10
    monkeypatch.setenv("AINAS_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("AINAS_BROWSER", "firefox")
    settings = load_settings(config)
    assert settings.timeout_seconds == 5
    assert settings.browser == "firefox"
    assert load_settings(config, timeout_seconds=7, browser=None).timeout_seconds == 7
    assert load_settings(None).timeout_seconds == 5


def test_unrelated_ainas_variables_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """AINAS_PIN and AINAS_CONFIG are read by the CLI; they must not break the settings."""
    monkeypatch.setenv("AINAS_PIN", SECRET)
    monkeypatch.setenv("AINAS_CONFIG", str(tmp_path / "ainas.toml"))
    assert load_settings(_write(tmp_path / "ainas.toml", "")).timeout_seconds == 30


@pytest.mark.parametrize("field", ["login_password", "client_cert_password", "pin"])
@pytest.mark.parametrize("value", [f'"{SECRET}"', "847251"], ids=["string", "number"])
def test_a_plain_text_secret_is_refused_without_echoing_it(tmp_path: Path, field: str, value: str) -> None:
    text = OFFICE.replace(f"{field} = {{", f"{field} = {value}\n_unused_{field} = {{")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("_unused_"))
    config = _write(tmp_path / "ainas.toml", text)
    with pytest.raises(ConfigError) as exc:
        load_settings(config)
    message = str(exc.value)
    assert message.startswith(f"{config}: office 1 (line 2): {field}: ")
    assert "plain-text secret is not allowed" in message
    assert '{ env = "VARIABLE" }' in message and "{ file = " in message and "{ secret = " in message
    assert SECRET not in message
    assert value.strip('"') not in message
    assert exc.value.exit_code == EXIT_USAGE


def test_a_toml_syntax_error_does_not_echo_the_line(tmp_path: Path) -> None:
    config = _write(tmp_path / "ainas.toml", f"[[offices]]\npin = {SECRET}\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(config)
    assert str(exc.value).startswith(f"{config}: ")
    assert SECRET not in str(exc.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timeout_seconds = 0\n", "timeout_seconds: Input should be greater than 0"),
        ('browser = "safari"\n', "browser: "),
        ("no_such_setting = 1\n", "unknown key `no_such_setting`; config/ainas.toml lists the settings"),
        (OFFICE.replace('postal_code = "123-4567"', ""), "office 1 (line 2): required keys are missing: postal_code"),
        (
            OFFICE.replace("pin = { secret", 'pin = { secret = "a", env'),
            "office 1 (line 2): pin: give exactly one of env, file or secret",
        ),
        (OFFICE.replace('pin = { secret = "office-1-pin" }', "pin = {}"), "give exactly one of env, file or secret"),
    ],
    ids=["timeout", "browser", "unknown-key", "missing-field", "two-sources", "no-source"],
)
def test_invalid_settings_name_the_file_and_the_setting(tmp_path: Path, text: str, message: str) -> None:
    config = _write(tmp_path / "ainas.toml", text)
    with pytest.raises(ConfigError) as exc:
        load_settings(config)
    assert str(exc.value).startswith(f"{config}: ")
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_settings_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: settings file not found"):
        load_settings(tmp_path / "nope.toml")


def test_unknown_office(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path / "ainas.toml", OFFICE))
    with pytest.raises(ConfigError, match=r"office 2 is not in the settings \(known: 1\)"):
        settings.office("2")


# ------------------------------------------------------------------------------------------------ secret refs
def test_secret_from_the_environment() -> None:
    ref = SecretRef(env="OFFICE1_PIN")
    assert ref.resolve({"OFFICE1_PIN": SECRET}, None, what="office 1: pin").get_secret_value() == SECRET
    with pytest.raises(ConfigError, match=r"^office 1: pin: environment variable OFFICE1_PIN is not set$"):
        ref.resolve({}, None, what="office 1: pin")


def test_secret_from_a_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "pin.txt", SECRET + "\r\n")
    path.chmod(0o600)
    warnings: list[str] = []
    ref = SecretRef(file=path)
    assert ref.resolve({}, None, what="office 1: pin", warnings=warnings).get_secret_value() == SECRET
    assert warnings == []
    with pytest.raises(ConfigError, match=r"^office 1: pin: secret file .*missing\.txt does not exist$"):
        SecretRef(file=tmp_path / "missing.txt").resolve({}, None, what="office 1: pin")


def test_secret_from_the_secrets_directory(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    _write(secrets / "office-1-pin", SECRET).chmod(0o600)
    ref = SecretRef(secret="office-1-pin")
    assert ref.resolve({}, secrets, what="office 1: pin").get_secret_value() == SECRET
    with pytest.raises(ConfigError, match="no secrets_dir is configured"):
        ref.resolve({}, None, what="office 1: pin")


def test_a_secrets_file_readable_by_others_gives_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path / "pin.txt", SECRET)
    path.chmod(0o644)
    warnings: list[str] = []
    assert read_secret_file(path, what="office 1: pin", warnings=warnings).get_secret_value() == SECRET
    (warning,) = warnings
    assert "readable by others" in warning
    assert f"chmod 600 {path}" in warning
    assert SECRET not in warning
    path.chmod(0o640)
    warnings.clear()
    SecretRef(file=path).resolve({}, None, what="x", warnings=warnings)
    assert len(warnings) == 1


def test_secret_values_are_hidden_in_reprs(tmp_path: Path) -> None:
    path = _write(tmp_path / "pin.txt", SECRET)
    value = SecretRef(file=path).resolve({}, None, what="x")
    assert SECRET not in repr(value)
    assert SECRET not in str(value)


def test_secret_ref_describes_where_it_lives() -> None:
    assert SecretRef(env="X").describe() == "environment variable X"
    assert SecretRef(secret="k").describe() == "secrets-directory key k"
    assert SecretRef(file=Path("/p")).describe() == "file /p"


def test_secret_ref_refuses_a_plain_value_directly() -> None:
    with pytest.raises(ValidationError) as exc:
        SecretRef.model_validate(SECRET)
    assert "plain-text secret is not allowed" in str(exc.value)


def test_the_cli_refuses_a_plain_text_secret_without_echoing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ainas_bot.certificates.factory import write_p12
    from ainas_bot.cli.main import main

    cert = write_p12(tmp_path / "cert.p12", password="1234")
    config = _write(tmp_path / "ainas.toml", OFFICE.replace('pin = { secret = "office-1-pin" }', f'pin = "{SECRET}"'))
    monkeypatch.setenv("AINAS_PIN", "1234")
    assert main(["inspect", "--config", str(config), str(cert)]) == EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert ": office 1 (line 2): pin: a plain-text secret is not allowed here" in err
    assert SECRET not in err
