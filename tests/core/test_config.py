"""Configuration: file, environment overrides, validation with the key named."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from portal.kernel import config
from portal.kernel.config import ConfigError, load

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_no_file_runs_the_embedded_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load(None, environ={})
    assert settings["app"]["demo"] is True
    assert settings["database"]["url"] == "sqlite:///instance/portal.db"
    assert settings["auth"]["backends"] == ["local"]
    assert settings["redis"]["url"] == ""
    assert len(settings["app"]["secret_key"]) >= 32


def test_file_values_and_environment_overrides(tmp_path):
    path = write(tmp_path, '[app]\nsecret_key = "s3cret"\nlocale = "en"\n[reminders]\nwarn_working_days = 5\n')
    settings = load(path, environ={
        "PORTAL_REMINDERS_WARN_WORKING_DAYS": "7",
        "PORTAL_AUTH_LDAP_BIND_PASSWORD": "from-env",
        "PORTAL_AUTH_HEADER_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2",
        "PORTAL_WORKFLOW_CLOSURE_REQUIRES_ATTACHMENT": "false",
    })
    assert settings["app"]["demo"] is False
    assert settings["app"]["locale"] == "en"
    assert settings["reminders"]["warn_working_days"] == 7
    assert settings["auth"]["ldap"]["bind_password"] == "from-env"
    assert settings["auth"]["header"]["trusted_proxies"] == ["10.0.0.1", "10.0.0.2"]
    assert settings["workflow"]["closure_requires_attachment"] is False


def test_config_file_named_by_environment(tmp_path):
    path = write(tmp_path, '[app]\nsecret_key = "x"\n[redis]\nurl = "redis://127.0.0.1:1/0"\n')
    assert load(None, environ={"PORTAL_CONFIG": path})["redis"]["url"] == "redis://127.0.0.1:1/0"


@pytest.mark.parametrize("text, environ, key", [
    ("[app]\nlocale = 'fr'\nsecret_key='x'\n", {}, "app.locale"),
    ("[app]\ndemo = false\n", {}, "app.secret_key"),
    ("[app]\nsecret_key='x'\n[reminders]\nwarn_working_days = 'three'\n", {}, "reminders.warn_working_days"),
    ("[app]\nsecret_key='x'\n", {"PORTAL_REMINDERS_WARN_WORKING_DAYS": "many"}, "PORTAL_REMINDERS_WARN_WORKING_DAYS"),
    ("[app]\nsecret_key='x'\n[database]\nurl = 'mysql://x'\n", {}, "database.url"),
    ("[app]\nsecret_key='x'\n[auth]\nbackends = ['ldap']\n", {}, "auth.ldap.uri"),
    ("[app]\nsecret_key='x'\n[auth]\nbackends = ['kerberos']\n", {}, "auth.backends"),
    ("[app]\nsecret_key='x'\ntimezone = 'Mars/Olympus'\n", {}, "app.timezone"),
    ("[app]\nsecret_key='x'\n[mail]\nsmtp_host = 'mail'\n", {}, "mail.sender"),
    ("[app\nsecret_key='x'\n", {}, "not valid TOML"),
])
def test_wrong_values_name_the_key(tmp_path, text, environ, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load(write(tmp_path, text), environ=environ)


def test_unknown_key_warns_and_is_ignored(tmp_path, caplog):
    settings = load(write(tmp_path, "[app]\nsecret_key='x'\ncolour='red'\n"), environ={})
    assert "colour" not in settings["app"]
    assert "app.colour" in caplog.text


def test_bad_config_stops_start_up_with_one_line_not_a_traceback(tmp_path):
    path = write(tmp_path, "[app]\nlocale = 'fr'\nsecret_key = 'x'\n")
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, capture_output=True, text=True,
        env={"PORTAL_CONFIG": path, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "app.locale" in result.stderr
    assert "Traceback" not in result.stderr


def test_example_file_documents_every_key():
    """config.example.toml holds every key of DEFAULTS, and loads as it is (with a secret)."""
    with open(ROOT / "config.example.toml", "rb") as fh:
        example = tomllib.load(fh)

    def keys(tree, prefix=""):
        for key, value in tree.items():
            if isinstance(value, dict):
                yield from keys(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    assert set(keys(config.DEFAULTS)) <= set(keys(example))
    settings = load(str(ROOT / "config.example.toml"), environ={"PORTAL_APP_SECRET_KEY": "x"})
    assert settings["app"]["secret_key"] == "x"
