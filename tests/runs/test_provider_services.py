"""Provider configurations: admin only, key rules, events without keys, readable test results."""

from __future__ import annotations

import logging

import pytest

from huddle.core.crypto import decrypt
from huddle.core.errors import NotFound, PermissionDenied, ValidationFailed
from huddle.core.models import Event
from huddle.runs.providers import queries
from huddle.runs.providers.base import ProviderError, ProviderPrompt
from huddle.runs.providers.models import ProviderConfig
from huddle.runs.providers.registry import provider_for
from huddle.runs.providers.services import (
    ProviderFields,
    provider_create,
    provider_delete,
    provider_record_use,
    provider_test,
    provider_update,
)
from tests.runs.servers import openai_completion, openai_error

CANARY = "sk-canary-SERVICE-9876543210-qrstWXYZ"


def fields(**overrides):
    values = {
        "name": "OpenAI",
        "kind": "openai_compatible",
        "base_url": "https://api.openai.com/v1",
        "model": "gpt-4o-mini",
    }
    return ProviderFields(**{**values, **overrides})


def local(server, **overrides):
    return fields(base_url=server.url + "/v1", allowed_private_host=True, **overrides)


def test_admin_adds_a_provider_and_the_key_is_encrypted_and_hinted(admin):
    config = provider_create(actor=admin.actor, fields=fields(), api_key=CANARY)
    config.refresh_from_db()
    assert CANARY not in config.encrypted_key
    assert decrypt(config.encrypted_key) == CANARY
    assert config.key_hint == "…WXYZ"
    assert config.is_default  # the first one
    event = Event.objects.get(kind="provider.created")
    assert CANARY not in str(event.data)
    assert event.data["key_set"] is True


@pytest.mark.parametrize("persona", ["editor", "member", "viewer"])
def test_only_admins_manage_providers(personas, persona, admin):
    actor = personas[persona].actor
    with pytest.raises(PermissionDenied):
        provider_create(actor=actor, fields=fields(), api_key=CANARY)
    config = provider_create(actor=admin.actor, fields=fields())
    with pytest.raises(PermissionDenied):
        provider_update(actor=actor, config=config, fields=fields(name="x"))
    with pytest.raises(PermissionDenied):
        provider_test(actor=actor, config=config)
    with pytest.raises(PermissionDenied):
        provider_delete(actor=actor, config=config)


def test_another_organisations_provider_is_not_found(admin, outsider):
    config = provider_create(actor=admin.actor, fields=fields())
    with pytest.raises(NotFound):
        queries.get_provider(outsider.actor, config.public_id, manage=True)
    with pytest.raises(NotFound):
        provider_update(actor=outsider.actor, config=config, fields=fields())
    with pytest.raises(NotFound):
        provider_delete(actor=outsider.actor, config=config)


def test_a_blank_key_on_update_keeps_the_stored_one(admin):
    config = provider_create(actor=admin.actor, fields=fields(), api_key=CANARY)
    removed = provider_update(actor=admin.actor, config=config, fields=fields(model="gpt-4o"))
    config.refresh_from_db()
    assert removed is False
    assert decrypt(config.encrypted_key) == CANARY
    assert config.model == "gpt-4o"


def test_changing_the_base_url_clears_the_key_and_says_so(admin):
    config = provider_create(actor=admin.actor, fields=fields(), api_key=CANARY)
    removed = provider_update(
        actor=admin.actor, config=config, fields=fields(base_url="https://evil.example/v1")
    )
    config.refresh_from_db()
    assert removed is True
    assert (config.encrypted_key, config.key_last4, config.key_hint) == ("", "", "")
    event = Event.objects.get(kind="provider.updated")
    assert event.data["key_removed"] is True
    assert CANARY not in str(event.data)


def test_changing_the_base_url_with_a_new_key_keeps_the_new_key(admin):
    config = provider_create(actor=admin.actor, fields=fields(), api_key=CANARY)
    removed = provider_update(
        actor=admin.actor,
        config=config,
        fields=fields(base_url="https://other.example/v1"),
        api_key="sk-new-key-1234",
    )
    config.refresh_from_db()
    assert removed is False
    assert decrypt(config.encrypted_key) == "sk-new-key-1234"


def test_the_key_can_be_removed_explicitly(admin):
    config = provider_create(actor=admin.actor, fields=fields(), api_key=CANARY)
    assert provider_update(actor=admin.actor, config=config, fields=fields(), clear_key=True)
    config.refresh_from_db()
    assert not config.has_key


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:11434/v1",
        "http://[::ffff:7f00:1]/v1",
        "http://169.254.169.254/",
        "http://0177.0.0.1/",
        "http://10.0.0.1/v1",
        "ftp://example.com/",
        "https://user:pw@example.com/v1",
    ],
)
def test_private_or_odd_base_urls_are_refused_when_saving(admin, base_url):
    with pytest.raises(ValidationFailed) as caught:
        provider_create(actor=admin.actor, fields=fields(base_url=base_url), api_key=CANARY)
    assert "base_url" in caught.value.fields
    assert not ProviderConfig.objects.exists()


def test_a_private_base_url_is_accepted_when_the_admin_allows_its_host(admin):
    config = provider_create(
        actor=admin.actor,
        fields=fields(
            name="Ollama", base_url="http://127.0.0.1:11434/v1", allowed_private_host=True
        ),
    )
    assert config.base_url == "http://127.0.0.1:11434/v1"


def test_a_blank_base_url_means_the_official_api(admin):
    config = provider_create(actor=admin.actor, fields=fields(kind="anthropic", base_url=""))
    assert config.base_url == "https://api.anthropic.com"


def test_names_are_unique_and_required_fields_are_named(admin):
    provider_create(actor=admin.actor, fields=fields())
    with pytest.raises(ValidationFailed) as caught:
        provider_create(actor=admin.actor, fields=fields(name="openai", model="", kind="x"))
    assert set(caught.value.fields) >= {"name", "model", "kind"}


def test_one_default_per_organisation(admin):
    first = provider_create(actor=admin.actor, fields=fields())
    second = provider_create(
        actor=admin.actor, fields=fields(name="Claude", kind="anthropic", is_default=True)
    )
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    assert queries.default_provider(admin.org) == second


def test_production_without_an_encryption_key_refuses_keys_and_says_how(admin, settings):
    settings.HUDDLE_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    with pytest.raises(ValidationFailed) as caught:
        provider_create(actor=admin.actor, fields=fields(), api_key=CANARY)
    assert "HUDDLE_ENCRYPTION_KEY" in caught.value.fields["api_key"][0]
    provider_create(actor=admin.actor, fields=fields(name="Ollama keyless"))  # no key: fine


def test_provider_test_reports_success_and_stores_it(admin, fake_server):
    fake_server.queue(openai_completion("ready"))
    config = provider_create(actor=admin.actor, fields=local(fake_server), api_key=CANARY)
    check = provider_test(actor=admin.actor, config=config)
    config.refresh_from_db()
    assert check.ok
    assert "It works" in check.message
    assert config.last_error == ""
    assert config.last_tested_at is not None


def test_a_local_server_without_the_allowed_flag_is_refused(admin, fake_server, connections):
    fake_server.queue(openai_completion("ready"))
    config = provider_create(
        actor=admin.actor, fields=local(fake_server, name="Local"), api_key=CANARY
    )
    ProviderConfig.objects.filter(pk=config.pk).update(allowed_private_host=False)
    config.refresh_from_db()
    check = provider_test(actor=admin.actor, config=config)
    assert not check.ok
    assert "an admin can allow this host" in check.message
    assert connections == []


def test_the_canary_key_never_leaks_through_any_failure_path(admin, fake_server, caplog):
    caplog.set_level(logging.DEBUG)
    config = provider_create(actor=admin.actor, fields=local(fake_server), api_key=CANARY)
    for reply in [
        openai_error(401, f"Incorrect API key provided: {CANARY}"),
        openai_error(400, f"bad request, key was {CANARY}"),
        openai_error(429),
        openai_error(500, CANARY),
    ]:
        fake_server.queue(reply)
        check = provider_test(actor=admin.actor, config=config)
        assert not check.ok
        config.refresh_from_db()
        assert CANARY not in config.last_error
        assert CANARY[-8:] not in check.message
    provider_update(actor=admin.actor, config=config, fields=local(fake_server, name="Renamed"))
    provider_delete(actor=admin.actor, config=config)
    for event in Event.objects.all():
        assert CANARY not in str(event.data)
        assert CANARY not in event.object_label
    assert CANARY not in caplog.text


def test_an_unreadable_stored_key_is_a_readable_provider_error(admin, settings):
    from cryptography.fernet import Fernet

    config = provider_create(actor=admin.actor, fields=fields(), api_key=CANARY)
    settings.HUDDLE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ProviderError) as caught:
        provider_for(config)
    assert caught.value.code == "provider_not_configured"
    assert "Enter the key again" in caught.value.message


def test_a_switched_off_provider_is_not_called(admin):
    config = provider_create(actor=admin.actor, fields=fields(enabled=False))
    with pytest.raises(ProviderError, match="switched off"):
        provider_for(config)
    assert queries.default_provider(admin.org) is None


def test_the_registry_is_the_one_place_to_swap_providers(admin, fake_provider):
    config = provider_create(actor=admin.actor, fields=fields())
    fake_provider.enqueue("Hello there")
    result = provider_for(config).complete(ProviderPrompt.single("hi"))
    assert result.text == "Hello there"


def test_recording_a_use_keeps_the_readable_error(admin):
    config = provider_create(actor=admin.actor, fields=fields())
    provider_record_use(config=config, error="The provider is limiting requests right now (429)")
    config.refresh_from_db()
    assert config.last_used_at is not None
    assert "429" in config.last_error
