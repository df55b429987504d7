"""Sending the digest: HTML email through Django's test backend, Slack and Teams webhooks to a
local fake server (retry after a failure, never twice), and private webhook addresses refused
without a connection attempt."""

from __future__ import annotations

from datetime import time

import pytest
from django.core import mail

from huddle.core.errors import PermissionDenied, ValidationFailed
from huddle.rituals import config, delivery
from huddle.rituals.config import ScheduleFields, settings_update
from huddle.rituals.digest import digest_draft
from huddle.rituals.models import Delivery, DeliveryStatus, RitualSettings
from tests.rituals.conftest import WEEK
from tests.runs.servers import Reply

pytestmark = pytest.mark.django_db(transaction=True)  # deliveries go out after the commit


def fields(**overrides) -> ScheduleFields:
    values = {
        "enabled": False, "timezone": "Europe/Paris", "draft_weekday": 3,
        "draft_time": time(16), "send_weekday": 4, "send_time": time(9),
        "recipients": "members", "email_enabled": True, "allowed_private_host": "",
    }  # fmt: skip
    return ScheduleFields(**{**values, **overrides})


@pytest.fixture
def draft(org, owner, admin, member):
    return digest_draft(org, WEEK)


def test_email_goes_to_every_member_as_html_and_text(
    draft, admin, django_capture_on_commit_callbacks
):
    delivery.digest_send(actor=admin.actor, digest=draft, inline=True)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@acme.test", "member@acme.test", "owner@acme.test",
    ]  # fmt: skip
    message = mail.outbox[0]
    assert message.subject.startswith("AI Win of the Week — Week 10")
    assert "## The 15-minute agenda" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "<h2>The 15-minute agenda</h2>" in html
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_sending_again_sends_nothing_twice(draft, admin):
    delivery.digest_send(actor=admin.actor, digest=draft, inline=True)
    delivery.digest_send(actor=admin.actor, digest=draft, inline=True)
    for item in Delivery.objects.all():
        assert delivery.deliver(item.pk) is None  # already sent: not claimed again
    assert len(mail.outbox) == 3


def test_only_admins_send(draft, member):
    with pytest.raises(PermissionDenied):
        delivery.digest_send(actor=member.actor, digest=draft)


def test_digest_send_queues_one_task_per_delivery(draft, admin):
    from django_tasks_db.models import DBTaskResult

    delivery.digest_send(actor=admin.actor, digest=draft)
    assert len(mail.outbox) == 0
    queued = DBTaskResult.objects.filter(task_path="huddle.rituals.tasks.deliver_task")
    assert queued.count() == 3
    from django.core.management import call_command

    call_command("db_worker", batch=True, verbosity=0)
    assert len(mail.outbox) == 3


def _webhooks(admin, fake_server, **overrides):
    return settings_update(
        actor=admin.actor,
        fields=fields(email_enabled=False, allowed_private_host=fake_server.host_key, **overrides),
        slack_url=f"{fake_server.url}/services/T000/B000/slack-secret",
        teams_url=f"{fake_server.url}/webhookb2/teams-secret",
    )


def test_webhook_urls_are_encrypted_and_shown_as_a_hint(admin, fake_server, login):
    saved = _webhooks(admin, fake_server)
    assert "slack-secret" not in saved.slack_url_encrypted
    assert saved.slack_url_hint == "…cret"
    assert config.webhook_url(saved, "slack").endswith("/slack-secret")
    page = login(admin).get("/o/acme/wins/settings/").content.decode()
    assert "slack-secret" not in page
    assert "teams-secret" not in page
    assert "…cret" in page


def test_webhooks_post_slack_and_teams_payloads(draft, admin, fake_server, connections):
    _webhooks(admin, fake_server)
    fake_server.queue(Reply(body=b"ok"))
    delivery.digest_send(actor=admin.actor, digest=draft, inline=True)
    by_path = {seen.path: seen.json() for seen in fake_server.requests}
    slack = by_path["/services/T000/B000/slack-secret"]
    assert slack["text"].startswith("AI Win of the Week")
    assert slack["blocks"][1]["text"]["text"].startswith("# AI Win of the Week")
    teams = by_path["/webhookb2/teams-secret"]
    assert teams["@type"] == "MessageCard"
    assert "15-minute agenda" in teams["text"]
    assert all(host == "127.0.0.1" for host, _port in connections)


def test_a_failed_webhook_shows_why_and_a_retry_sends_it_once(draft, admin, fake_server, login):
    _webhooks(admin, fake_server)
    fake_server.queue(Reply(status=500, body=b"channel_is_archived"))
    delivery.digest_send(actor=admin.actor, digest=draft, inline=True)
    slack = Delivery.objects.get(channel="slack")
    assert slack.status == DeliveryStatus.FAILED
    assert slack.last_error == "Slack answered 500: channel_is_archived"
    page = login(admin).get(f"/o/acme/wins/digest/{WEEK}/").content.decode()
    assert "Slack answered 500: channel_is_archived" in page
    assert "Retry" in page

    fake_server.queue(Reply(body=b"ok"))
    fake_server.requests.clear()
    delivery.delivery_retry(actor=admin.actor, delivery=slack, inline=True)
    slack.refresh_from_db()
    assert slack.status == DeliveryStatus.SENT
    assert slack.attempts == 2
    assert [seen.path for seen in fake_server.requests] == ["/services/T000/B000/slack-secret"]
    # Sent: neither a retry nor a stray task sends it again.
    with pytest.raises(Exception, match="Only a failed delivery"):
        delivery.delivery_retry(actor=admin.actor, delivery=slack, inline=True)
    assert delivery.deliver(slack.pk) is None
    assert len(fake_server.requests) == 1


def test_the_retry_button_queues_the_delivery(draft, admin, fake_server, login):
    _webhooks(admin, fake_server)
    fake_server.queue(Reply(status=404, body=b"no_service"))
    delivery.digest_send(actor=admin.actor, digest=draft, inline=True)
    slack = Delivery.objects.get(channel="slack")
    fake_server.queue(Reply(body=b"ok"))
    response = login(admin).post(f"/o/acme/wins/digest/{WEEK}/deliveries/{slack.pk}/retry/")
    assert response.status_code == 302
    from django.core.management import call_command

    call_command("db_worker", batch=True, verbosity=0)
    slack.refresh_from_db()
    assert slack.status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://10.0.0.5/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://2130706433/hook",
        "ftp://hooks.slack.com/x",
        "https://user:pass@hooks.slack.com/x",
    ],
)
def test_private_webhook_urls_are_refused_when_saved(admin, url, connections):
    with pytest.raises(ValidationFailed) as error:
        settings_update(actor=admin.actor, fields=fields(), slack_url=url)
    assert "slack_url" in error.value.fields
    assert connections == []
    assert not RitualSettings.objects.filter(slack_url_hint__gt="").exists()


def test_a_name_resolving_to_a_private_address_is_refused_at_send_time(
    draft, admin, fake_dns, connections
):
    fake_dns["hooks.evil.test"] = "10.1.2.3"
    settings_update(actor=admin.actor, fields=fields(email_enabled=False),
                    slack_url="https://hooks.evil.test/services/x")  # fmt: skip
    delivery.digest_send(actor=admin.actor, digest=draft, inline=True)
    slack = Delivery.objects.get(channel="slack")
    assert slack.status == DeliveryStatus.FAILED
    assert "10.1.2.3" in slack.last_error
    assert connections == []  # refused before any connection attempt


def test_unreachable_webhooks_fail_with_a_readable_reason(draft, admin, connections):
    settings_update(
        actor=admin.actor,
        fields=fields(email_enabled=False, allowed_private_host="127.0.0.1:9"),
        slack_url="http://127.0.0.1:9/hook",
    )
    delivery.digest_send(actor=admin.actor, digest=draft, inline=True)
    slack = Delivery.objects.get(channel="slack")
    assert slack.status == DeliveryStatus.FAILED
    assert "could not be reached" in slack.last_error or "127.0.0.1" in slack.last_error
