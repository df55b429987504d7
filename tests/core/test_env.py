from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from huddle.core.env import env_bool, env_database, env_email, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("true", True), ("FALSE", False), ("1", True), ("off", False)]:
        monkeypatch.setenv("HUDDLE_X", raw)
        assert env_bool("HUDDLE_X", default=not expected) is expected


def test_env_bool_refuses_maybe_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("HUDDLE_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"HUDDLE_DEBUG must be true or false.*maybe"):
        env_bool("HUDDLE_DEBUG", default=False)


def test_env_bool_uses_default_when_unset(monkeypatch):
    monkeypatch.delenv("HUDDLE_X", raising=False)
    assert env_bool("HUDDLE_X", default=True) is True


def test_env_int_refuses_words_and_small_numbers(monkeypatch):
    monkeypatch.setenv("HUDDLE_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="HUDDLE_N must be a whole number"):
        env_int("HUDDLE_N", 1)
    monkeypatch.setenv("HUDDLE_N", "-3")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("HUDDLE_N", 1, minimum=0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HUDDLE_HOSTS", "a.example, b.example,,")
    assert env_list("HUDDLE_HOSTS", []) == ["a.example", "b.example"]


def test_sqlite_url_is_relative_to_the_project_and_uses_wal(monkeypatch, tmp_path):
    monkeypatch.setenv("HUDDLE_DATABASE_URL", "sqlite:///var/x.sqlite3")
    config = env_database("HUDDLE_DATABASE_URL", "sqlite:///unused", base_dir=tmp_path)
    assert config["NAME"] == str(tmp_path / "var" / "x.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_sqlite_connections_get_wal_and_a_32_mib_page_cache(tmp_path):
    import sqlite3

    config = env_database("UNSET_FOR_THIS_TEST", "sqlite:///db.sqlite3", base_dir=tmp_path)
    connection = sqlite3.connect(config["NAME"])
    try:
        connection.executescript(config["OPTIONS"]["init_command"])
        pragma = {
            name: connection.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "cache_size")
        }
    finally:
        connection.close()
    assert pragma == {"journal_mode": "wal", "synchronous": 1, "cache_size": -32768}


def test_sqlite_connections_outlive_a_request(tmp_path):
    # A fresh connection per request re-reads the schema and starts with an empty page cache:
    # the MCP prompts/get over HTTP went from 12.8 to 8.4 ms p50 at 100k workflows when kept
    # (docs/performance.md). Django closes it after CONN_MAX_AGE seconds, as PostgreSQL's.
    config = env_database("UNSET_FOR_THIS_TEST", "sqlite:///db.sqlite3", base_dir=tmp_path)
    assert config["CONN_MAX_AGE"] == 60


def test_sqlite_url_with_four_slashes_is_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("HUDDLE_DATABASE_URL", "sqlite:////srv/huddle/db.sqlite3")
    config = env_database("HUDDLE_DATABASE_URL", "", base_dir=tmp_path)
    assert config["NAME"] == "/srv/huddle/db.sqlite3"


def test_postgres_url_is_split_into_parts(monkeypatch, tmp_path):
    monkeypatch.setenv("HUDDLE_DATABASE_URL", "postgres://hud:s%40cret@db.internal:5433/huddle")
    config = env_database("HUDDLE_DATABASE_URL", "", base_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "hud",
        "s@cret",
        "db.internal",
        "5433",
        "huddle",
    )


def test_postgres_prepares_repeated_statements_unless_the_url_says_not(monkeypatch, tmp_path):
    def options(url: str) -> dict:
        monkeypatch.setenv("HUDDLE_DATABASE_URL", url)
        return env_database("HUDDLE_DATABASE_URL", "", base_dir=tmp_path)["OPTIONS"]

    default = options("postgres://u@db/huddle?sslmode=require")
    assert default == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 5}
    pooled = options("postgres://u@db/huddle?prepare_threshold=none")
    assert (pooled["server_side_binding"], pooled["prepare_threshold"]) == (True, None)
    client = options("postgres://u@db/huddle?server_side_binding=false&prepare_threshold=0")
    assert (client["server_side_binding"], client["prepare_threshold"]) == (False, 0)


@pytest.mark.parametrize(
    ("query", "message"),
    [("server_side_binding=yes", "server_side_binding"), ("prepare_threshold=-1", "a number")],
)
def test_bad_statement_options_are_refused_by_name(monkeypatch, tmp_path, query, message):
    monkeypatch.setenv("HUDDLE_DATABASE_URL", f"postgres://u@db/huddle?{query}")
    with pytest.raises(ImproperlyConfigured, match=message):
        env_database("HUDDLE_DATABASE_URL", "", base_dir=tmp_path)


@pytest.mark.parametrize(
    "url",
    ["mysql://x@y/z", "not a url", "postgres://host-only", "sqlite://", "postgres://h:notaport/db"],
)
def test_malformed_database_urls_are_refused_by_name(monkeypatch, tmp_path, url):
    monkeypatch.setenv("HUDDLE_DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="HUDDLE_DATABASE_URL"):
        env_database("HUDDLE_DATABASE_URL", "", base_dir=tmp_path)


def test_database_error_never_shows_the_password(monkeypatch, tmp_path):
    monkeypatch.setenv("HUDDLE_DATABASE_URL", "mysql://root:hunter2@db/x")
    with pytest.raises(ImproperlyConfigured) as error:
        env_database("HUDDLE_DATABASE_URL", "", base_dir=tmp_path)
    assert "hunter2" not in str(error.value)


def test_email_url_smtp_with_tls(monkeypatch):
    monkeypatch.setenv("HUDDLE_EMAIL_URL", "smtp://me:pw@mail.example:587?tls=true")
    config = env_email("HUDDLE_EMAIL_URL", "console://")
    options = config["OPTIONS"]
    assert config["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (options["host"], options["port"], options["use_tls"]) == ("mail.example", 587, True)
    assert options["password"] == "pw"


def test_email_url_with_unknown_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("HUDDLE_EMAIL_URL", "carrier-pigeon://loft")
    with pytest.raises(ImproperlyConfigured, match="HUDDLE_EMAIL_URL must be"):
        env_email("HUDDLE_EMAIL_URL", "console://")


def _start(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "DJANGO_"))}
    env.update({"HUDDLE_VAR_DIR": env_overrides.pop("HUDDLE_VAR_DIR", ""), **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_stops_on_debug_maybe_with_a_clear_message(tmp_path):
    result = _start({"HUDDLE_DEBUG": "maybe", "HUDDLE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "HUDDLE_DEBUG must be true or false, got 'maybe'" in result.stderr


def test_start_up_stops_on_a_number_of_trusted_proxies_below_one(tmp_path):
    result = _start(
        {"HUDDLE_DEBUG": "true", "HUDDLE_TRUSTED_PROXIES": "0", "HUDDLE_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "HUDDLE_TRUSTED_PROXIES must be at least 1, got 0" in result.stderr


def test_start_up_stops_on_a_malformed_database_url(tmp_path):
    result = _start(
        {
            "HUDDLE_DEBUG": "true",
            "HUDDLE_DATABASE_URL": "oracle://x",
            "HUDDLE_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "HUDDLE_DATABASE_URL must start with sqlite:/// or postgres://" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _start({"HUDDLE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "HUDDLE_SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check_with_no_warnings(tmp_path):
    result = _start(
        {
            "HUDDLE_SECRET_KEY": "k" * 20 + "Zq9!xR4#tW2@vL7$mN3%pB8^cD5&fG1*hJ6(",
            "HUDDLE_DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3",
            "HUDDLE_VAR_DIR": str(tmp_path),
            "HUDDLE_EMAIL_URL": "smtp://huddle:pw@mail.example.test:587?tls=true",
            "HUDDLE_ALLOWED_HOSTS": "huddle.example.test",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
