"""The ritual's settings per organisation: schedule, recipients, Slack/Teams webhooks.

Incoming-webhook URLs are secrets (whoever has one can post to the channel), so they are
encrypted at rest with ``core.crypto`` and shown only as a hint (``…ab12``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Organization
from huddle.accounts.policy import Action, Actor
from huddle.core import crypto
from huddle.core.errors import ValidationFailed
from huddle.core.http import OutboundBlocked, check_url
from huddle.core.services import event_record
from huddle.rituals import weeks
from huddle.rituals.models import Channel, Recipients, RitualSettings

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def settings_for(organization: Organization) -> RitualSettings:
    """The organisation's settings, created with the defaults on first use."""
    found = RitualSettings.objects.filter(organization=organization).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return RitualSettings.objects.create(organization=organization)
    except IntegrityError:
        return RitualSettings.objects.get(organization=organization)


@dataclass(frozen=True)
class ScheduleFields:
    enabled: bool
    timezone: str
    draft_weekday: int
    draft_time: time
    send_weekday: int
    send_time: time
    recipients: str
    email_enabled: bool
    allowed_private_host: str = ""


def _hint(url: str) -> str:
    return f"…{url[-4:]}"


def webhook_url(config: RitualSettings, channel: str) -> str:
    """The decrypted webhook URL of ``channel`` ("" when none); raises ``SecretUnreadable``."""
    stored = config.slack_url_encrypted if channel == Channel.SLACK else config.teams_url_encrypted
    return crypto.decrypt(stored) if stored else ""


def allowed_hosts(config: RitualSettings) -> list[str]:
    return [config.allowed_private_host] if config.allowed_private_host else []


@transaction.atomic
def settings_update(
    *,
    actor: Actor,
    fields: ScheduleFields,
    slack_url: str = "",
    teams_url: str = "",
    clear_slack: bool = False,
    clear_teams: bool = False,
) -> RitualSettings:
    """Save the schedule; a blank webhook URL keeps the stored one. Private or malformed URLs are
    refused before anything is stored (``ValidationFailed`` naming the field)."""
    policy.require(actor, Action.MANAGE_RITUALS)
    config = settings_for(actor.organization)
    weeks.zone(fields.timezone)
    problems: dict[str, list[str]] = {}
    if not (0 <= fields.draft_weekday <= 6 and 0 <= fields.send_weekday <= 6):
        problems["weekday"] = ["Choose a day of the week."]
    if fields.recipients not in Recipients.values:
        problems["recipients"] = ["Choose who gets the digest."]
    host = fields.allowed_private_host.strip().lower()
    if host and (":" not in host or not host.rsplit(":", 1)[1].isdigit()):
        problems["allowed_private_host"] = ["Write it as host:port, e.g. chat.internal:8065."]
    urls = {"slack_url": slack_url.strip(), "teams_url": teams_url.strip()}
    for name, url in urls.items():
        if url:
            try:
                check_url(url, [host] if host else [])
            except OutboundBlocked as error:
                problems[name] = [error.message]
            else:
                if not url.lower().startswith("https://") and not host:
                    problems[name] = ["Webhook addresses must start with https://."]
    if problems:
        raise ValidationFailed("Check the highlighted fields.", fields=problems)
    if fields.enabled and not config.enabled:
        config.enabled_at = timezone.now()  # only slots after this are due: no surprise sends
    config.enabled = fields.enabled
    config.timezone = fields.timezone
    config.draft_weekday = fields.draft_weekday
    config.draft_time = fields.draft_time
    config.send_weekday = fields.send_weekday
    config.send_time = fields.send_time
    config.recipients = fields.recipients
    config.email_enabled = fields.email_enabled
    config.allowed_private_host = host
    changed = []
    if clear_slack:
        config.slack_url_encrypted = config.slack_url_hint = ""
        changed.append("slack")
    elif urls["slack_url"]:
        config.slack_url_encrypted = crypto.encrypt(urls["slack_url"])
        config.slack_url_hint = _hint(urls["slack_url"])
        changed.append("slack")
    if clear_teams:
        config.teams_url_encrypted = config.teams_url_hint = ""
        changed.append("teams")
    elif urls["teams_url"]:
        config.teams_url_encrypted = crypto.encrypt(urls["teams_url"])
        config.teams_url_hint = _hint(urls["teams_url"])
        changed.append("teams")
    config.save()
    event_record(
        actor,
        "rituals.settings_changed",
        label="Ritual settings",
        enabled=config.enabled,
        webhooks_changed=changed,
    )
    return config
