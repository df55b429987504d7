"""Provider keys at rest: Fernet with HUDDLE_ENCRYPTION_KEY, separate from SECRET_KEY."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from huddle.core.crypto import (
    EncryptionStatus,
    EncryptionUnavailable,
    SecretUnreadable,
    decrypt,
    encrypt,
    encryption_status,
)
from huddle.core.env import env_fernet_keys
from tests.core.test_env import _start

CANARY = "sk-canary-0123456789abcdefZZZZ"


def test_a_secret_round_trips_and_is_not_stored_in_clear():
    token = encrypt(CANARY)
    assert CANARY not in token
    assert decrypt(token) == CANARY
    assert encryption_status() == EncryptionStatus.CONFIGURED


def test_the_encryption_key_is_not_the_secret_key(settings):
    token = encrypt(CANARY)
    settings.SECRET_KEY = "another-secret-key-" + "y" * 50
    assert decrypt(token) == CANARY
    settings.HUDDLE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SecretUnreadable) as caught:
        decrypt(token)
    assert CANARY not in caught.value.message
    assert token not in caught.value.message


def test_an_older_key_still_decrypts_after_rotation(settings):
    old = settings.HUDDLE_ENCRYPTION_KEYS[0]
    token = encrypt(CANARY)
    settings.HUDDLE_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert decrypt(token) == CANARY
    assert encrypt(CANARY) != token


def test_debug_without_a_key_uses_a_development_key_and_says_so(settings):
    settings.HUDDLE_ENCRYPTION_KEYS = []
    settings.DEBUG = True
    assert encryption_status() == EncryptionStatus.DEVELOPMENT
    assert decrypt(encrypt(CANARY)) == CANARY


def test_production_without_a_key_refuses_to_store_secrets_and_says_how(settings):
    settings.HUDDLE_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    assert encryption_status() == EncryptionStatus.MISSING
    with pytest.raises(EncryptionUnavailable, match="HUDDLE_ENCRYPTION_KEY") as caught:
        encrypt(CANARY)
    assert "Fernet.generate_key()" in caught.value.message


def test_garbage_is_unreadable_not_a_crash():
    with pytest.raises(SecretUnreadable):
        decrypt("not-a-token")


def test_env_reads_several_keys_and_refuses_a_bad_one_without_echoing_it(monkeypatch):
    good = Fernet.generate_key().decode()
    monkeypatch.setenv("HUDDLE_ENCRYPTION_KEY", f"{good}, {good}")
    assert env_fernet_keys("HUDDLE_ENCRYPTION_KEY") == [good, good]
    monkeypatch.setenv("HUDDLE_ENCRYPTION_KEY", f"{good},hunter2-not-a-key")
    with pytest.raises(ImproperlyConfigured, match="HUDDLE_ENCRYPTION_KEY key #2") as caught:
        env_fernet_keys("HUDDLE_ENCRYPTION_KEY")
    assert "hunter2" not in str(caught.value)
    monkeypatch.delenv("HUDDLE_ENCRYPTION_KEY")
    assert env_fernet_keys("HUDDLE_ENCRYPTION_KEY") == []


def test_start_up_stops_on_a_malformed_encryption_key(tmp_path):
    result = _start(
        {
            "HUDDLE_DEBUG": "true",
            "HUDDLE_ENCRYPTION_KEY": "too-short",
            "HUDDLE_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "HUDDLE_ENCRYPTION_KEY key #1 is not a valid Fernet key" in result.stderr
    assert "too-short" not in result.stderr
