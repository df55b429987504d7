"""The admins' providers page: list, add, edit (blank key = unchanged), test, delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huddle.core.crypto import decrypt
from huddle.runs.providers.models import ProviderConfig
from huddle.runs.providers.services import ProviderFields, provider_create
from tests.runs.servers import openai_completion, openai_error

CANARY = "sk-canary-PAGE-13579-abcdWXYZ"


@pytest.fixture
def config(admin):
    return provider_create(
        actor=admin.actor,
        fields=ProviderFields(
            name="OpenAI",
            kind="openai_compatible",
            base_url="https://api.openai.com/v1",
            model="gpt-4o-mini",
        ),
        api_key=CANARY,
    )


def form_data(**overrides):
    data = {
        "name": "OpenAI",
        "kind": "openai_compatible",
        "base_url": "https://api.openai.com/v1",
        "model": "gpt-4o-mini",
        "api_key": "",
        "enabled": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_sees_providers_with_only_the_last_four_characters(login, admin, config):
    response = login(admin).get(reverse("providers", args=["acme"]))
    assert response.status_code == 200
    assert "…WXYZ" in response.text
    assert CANARY not in response.text
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("persona", ["editor", "member", "viewer"])
def test_members_below_admin_get_403(login, personas, persona, config):
    client = login(personas[persona])
    assert client.get(reverse("providers", args=["acme"])).status_code == 403
    edit = reverse("provider_edit", args=["acme", config.public_id])
    assert client.get(edit).status_code == 403
    assert (
        client.post(reverse("provider_delete", args=["acme", config.public_id])).status_code == 403
    )
    assert ProviderConfig.objects.count() == 1


def test_outsiders_get_404(login, outsider, config):
    client = login(outsider)
    assert client.get(reverse("providers", args=["acme"])).status_code == 404
    assert client.get(reverse("provider_edit", args=["acme", config.public_id])).status_code == 404
    # their own organisation doesn't reveal ours either
    assert (
        client.get(reverse("provider_edit", args=["globex", config.public_id])).status_code == 404
    )


def test_anonymous_visitors_are_sent_to_log_in(client, config):
    response = client.get(reverse("providers", args=["acme"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_admin_adds_a_provider(login, admin):
    client = login(admin)
    response = client.post(
        reverse("providers", args=["acme"]),
        form_data(
            name="Claude", kind="anthropic", base_url="", model="claude-sonnet-4-5", api_key=CANARY
        ),
        follow=True,
    )
    assert "Provider Claude added" in response.text
    config = ProviderConfig.objects.get()
    assert config.base_url == "https://api.anthropic.com"
    assert decrypt(config.encrypted_key) == CANARY
    assert CANARY not in response.text


def test_a_private_base_url_is_shown_as_a_form_error(login, admin):
    response = login(admin).post(
        reverse("providers", args=["acme"]), form_data(base_url="http://169.254.169.254/")
    )
    assert response.status_code == 200
    assert "link-local addresses" in response.text
    assert not ProviderConfig.objects.exists()


def test_the_edit_form_never_shows_the_key_and_blank_keeps_it(login, admin, config):
    client = login(admin)
    url = reverse("provider_edit", args=["acme", config.public_id])
    page = client.get(url)
    assert CANARY not in page.text
    assert 'type="password"' in page.text
    assert "…WXYZ" in page.text
    client.post(url, form_data(model="gpt-4o"))
    config.refresh_from_db()
    assert config.model == "gpt-4o"
    assert decrypt(config.encrypted_key) == CANARY


def test_changing_the_base_url_on_the_page_says_the_key_was_removed(login, admin, config):
    url = reverse("provider_edit", args=["acme", config.public_id])
    response = login(admin).post(url, form_data(base_url="https://proxy.example/v1"), follow=True)
    assert "the stored key was removed: enter it again" in response.text
    config.refresh_from_db()
    assert not config.has_key


def test_the_test_button_shows_a_readable_result(login, admin, fake_server):
    config = provider_create(
        actor=admin.actor,
        fields=ProviderFields(
            name="Local",
            kind="openai_compatible",
            base_url=fake_server.url + "/v1",
            model="llama3",
            allowed_private_host=True,
        ),
        api_key=CANARY,
    )
    client = login(admin)
    url = reverse("provider_test", args=["acme", config.public_id])
    fake_server.queue(openai_completion("ready", model="llama3"))
    assert "It works: llama3 answered" in client.post(url, follow=True).text
    fake_server.queue(openai_error(429))
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "try again in a minute" in response.text
    assert CANARY not in response.text


def test_admin_deletes_a_provider(login, admin, config):
    response = login(admin).post(
        reverse("provider_delete", args=["acme", config.public_id]), follow=True
    )
    assert "deleted" in response.text
    assert not ProviderConfig.objects.exists()


def test_settings_page_links_providers_for_admins_only(login, admin, member):
    settings_url = reverse("organization_settings", args=["acme"])
    providers_url = reverse("providers", args=["acme"])
    assert providers_url in login(admin).get(settings_url).text
    assert providers_url not in login(member).get(settings_url).text


def test_the_page_says_how_to_set_the_encryption_key_when_it_is_missing(login, admin, settings):
    settings.HUDDLE_ENCRYPTION_KEYS = []
    settings.DEBUG = False
    response = login(admin).get(reverse("providers", args=["acme"]))
    assert "API keys can't be saved yet" in response.text
    assert "HUDDLE_ENCRYPTION_KEY" in response.text
