"""Sending a digest: email (Django's mailer), Slack and Microsoft Teams incoming webhooks.

Each place a digest goes is one ``Delivery`` row, unique per (digest, channel, target), so a
digest is never sent to the same place twice. ``deliver`` claims a row inside a transaction
(``select_for_update`` and a status check: only ``pending`` or ``failed`` rows, or a ``sending``
claim older than ``STALE_CLAIM``), sends outside it, and records ``sent`` or ``failed`` with a
readable ``last_error``. Failed deliveries are retried by an admin (``delivery_retry``).

Webhooks go through ``core.http.outbound_client`` (SSRF-safe); URLs are decrypted only here.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx2
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Membership, Role
from huddle.accounts.policy import Action, Actor
from huddle.context.markup import render_markdown
from huddle.core import ratelimit
from huddle.core.errors import HuddleError, NotFound
from huddle.core.http import OutboundError, outbound_client
from huddle.core.services import System, event_record
from huddle.rituals.config import allowed_hosts, settings_for, webhook_url
from huddle.rituals.digest import digest_content, digest_draft, figures_update
from huddle.rituals.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    DigestStatus,
    Recipients,
)

log = logging.getLogger(__name__)

WEBHOOK = "webhook"
STALE_CLAIM = timedelta(minutes=10)  # a worker that died mid-send; its row may be claimed again
WEBHOOK_TIMEOUT = 15.0


def subject_of(digest: Digest) -> str:
    label = digest.content.get("label", digest.iso_week)
    win = digest.content.get("win") or {}
    named = f": {' '.join(str(win['title']).split())}" if win.get("title") else ""
    return f"AI Win of the Week — {label}{named} ({digest.organization.name})"


def html_of(digest: Digest) -> str:
    return render_to_string(
        "rituals/email/digest.html",
        {"digest": digest, "body": render_markdown(digest.markdown), "subject": subject_of(digest)},
    )


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(digest: Digest) -> dict[str, Any]:
    """Slack's incoming-webhook message: ``text`` is the fallback, one section block the body.
    Slack's mrkdwn uses *bold* and <url|text>; the Markdown is close enough to read. ``&``, ``<``
    and ``>`` are escaped as Slack asks, so no one's words become a ``<url|disguised link>``."""
    text = _slack_escape(digest.markdown[:2900])
    return {
        "text": _slack_escape(subject_of(digest)),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": subject_of(digest)[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        ],
    }


def teams_payload(digest: Digest) -> dict[str, Any]:
    """A Microsoft Teams incoming-webhook MessageCard (its ``text`` understands Markdown)."""
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": subject_of(digest),
        "title": subject_of(digest),
        "text": digest.markdown[:20_000],
    }


def recipients(digest: Digest) -> list[str]:
    config = settings_for(digest.organization)
    members = Membership.objects.filter(organization=digest.organization, user__is_active=True)
    if config.recipients == Recipients.ADMINS:
        members = members.filter(role__in=[Role.OWNER, Role.ADMIN])
    return sorted(members.values_list("user__email", flat=True))


def _targets(digest: Digest) -> list[tuple[str, str]]:
    config = settings_for(digest.organization)
    targets = []
    if config.email_enabled:
        targets += [(Channel.EMAIL.value, email) for email in recipients(digest)]
    if config.slack_url_encrypted:
        targets.append((Channel.SLACK.value, WEBHOOK))
    if config.teams_url_encrypted:
        targets.append((Channel.TEAMS.value, WEBHOOK))
    return targets


def digest_send(*, actor: Actor | None, digest: Digest, inline: bool = False) -> list[Delivery]:
    """Mark the digest sent and create its deliveries; they go out after the commit, through the
    task worker (or right here when ``inline``: the CLI). Sending twice adds nothing. An edited
    draft is sent as edited, with one line giving the figures that moved since the edit."""
    if actor is not None:
        policy.require(actor, Action.MANAGE_RITUALS)
        if digest.organization_id != actor.organization.pk:
            raise NotFound()
    # What goes out is computed now: the runs, votes and pick made since the page was opened.
    digest_draft(digest.organization, digest.iso_week)
    with transaction.atomic():
        digest = Digest.objects.select_for_update().get(pk=digest.pk)
        if digest.status != DigestStatus.SENT:
            fields = ["status", "sent_at", "updated_at"]
            if digest.edited_by_id:
                # The edited words go out as written; figures that moved since are said below them.
                now = digest_content(digest.organization, digest.iso_week)
                update = figures_update(digest.content, now)
                if update:
                    digest.markdown = f"{digest.markdown.rstrip()}\n\n{update}\n"
                    digest.content = now
                    fields += ["markdown", "content"]
            digest.status = DigestStatus.SENT
            digest.sent_at = timezone.now()
            digest.save(update_fields=fields)
            for channel, target in _targets(digest):
                Delivery.objects.get_or_create(digest=digest, channel=channel, target=target)
            event_record(
                actor or System(digest.organization), "digest.sent", digest, week=digest.iso_week
            )
        pending = list(digest.deliveries.filter(status=DeliveryStatus.PENDING))
        ids = [d.pk for d in pending]
        if not inline:
            transaction.on_commit(lambda: _enqueue(ids))
    if inline:
        for pk in ids:
            deliver(pk)
    return list(digest.deliveries.all())


def _enqueue(ids: list[int]) -> None:
    from huddle.rituals.tasks import deliver_task

    for pk in ids:
        deliver_task.enqueue(pk)


def _claim(delivery_id: int) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("digest__organization")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status == DeliveryStatus.SENT:
            return None
        stale = timezone.now() - STALE_CLAIM
        if delivery.status == DeliveryStatus.SENDING and (
            delivery.claimed_at is not None and delivery.claimed_at > stale
        ):
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.claimed_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "claimed_at"])
        return delivery


def deliver(delivery_id: int) -> Delivery | None:
    """Send one delivery unless it is sent or being sent; failures are recorded, not raised."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    try:
        _send(delivery)
    except HuddleError as error:
        _finish(delivery, error=error.message)
    except OSError as error:  # SMTP and socket failures
        _finish(delivery, error=f"The mail server could not be reached ({type(error).__name__}).")
    else:
        _finish(delivery)
    return delivery


def _finish(delivery: Delivery, error: str = "") -> None:
    delivery.status = DeliveryStatus.FAILED if error else DeliveryStatus.SENT
    delivery.last_error = error[:500]
    delivery.sent_at = None if error else timezone.now()
    delivery.save(update_fields=["status", "last_error", "sent_at"])
    if error:
        log.warning("digest delivery %s (%s) failed: %s", delivery.pk, delivery.channel, error)


def _send(delivery: Delivery) -> None:
    digest = delivery.digest
    if delivery.channel == Channel.EMAIL:
        message = EmailMultiAlternatives(
            subject=subject_of(digest), body=digest.markdown, to=[delivery.target]
        )
        message.attach_alternative(html_of(digest), "text/html")
        message.send()
        return
    config = settings_for(digest.organization)
    url = webhook_url(config, delivery.channel)
    name = Channel(delivery.channel).label
    if not url:
        raise HuddleError("no_webhook", f"No {name} webhook is configured any more.")
    payload = slack_payload(digest) if delivery.channel == Channel.SLACK else teams_payload(digest)
    try:
        with outbound_client(allowed_hosts=allowed_hosts(config), timeout=WEBHOOK_TIMEOUT) as http:
            response = http.post(url, json=payload)
            body = response.text[:200]
    except httpx2.HTTPError as error:  # timeouts, refused connections: a failed delivery is data
        raise OutboundError(
            f"{name} could not be reached ({type(error).__name__}); try again later."
        ) from None
    if not 200 <= response.status_code < 300:
        raise OutboundError(f"{name} answered {response.status_code}: {body or 'no details'}")


def delivery_summary(digest: Digest) -> list[dict[str, Any]]:
    """Where the digest went, for people: one line per webhook, one for all emails (a count per
    status), and each failed email on its own line so it can be retried. Email addresses that
    went through fine are not listed: a list of everyone in the organisation helps nobody."""
    rows: list[dict[str, Any]] = []
    emails: dict[str, int] = {}
    for item in digest.deliveries.all():
        if item.channel == Channel.EMAIL and item.status != DeliveryStatus.FAILED:
            emails[item.status] = emails.get(item.status, 0) + 1
            continue
        rows.append(
            {
                "id": item.pk,
                "channel": item.channel,
                "label": Channel(item.channel).label,
                "target": "the channel's webhook" if item.target == WEBHOOK else item.target,
                "status": item.status,
                "status_label": DeliveryStatus(item.status).label,
                "attempts": item.attempts,
                "last_error": item.last_error,
                "count": 1,
            }
        )
    for status, count in sorted(emails.items()):
        rows.insert(
            0,
            {
                "id": None,
                "channel": Channel.EMAIL.value,
                "label": Channel.EMAIL.label,
                "target": f"{count} recipient{'s' if count != 1 else ''}",
                "status": status,
                "status_label": DeliveryStatus(status).label,
                "attempts": None,
                "last_error": "",
                "count": count,
            },
        )
    return rows


def delivery_retry(*, actor: Actor, delivery: Delivery, inline: bool = False) -> Delivery:
    """Put a failed delivery back in the queue."""
    policy.require(actor, Action.MANAGE_RITUALS)
    if delivery.digest.organization_id != actor.organization.pk:
        raise NotFound()
    ratelimit.hit(
        "webhook_retry",
        f"{actor.organization.pk}:{actor.user.pk}",
        message="You retried deliveries many times in the last minute.",
    )
    with transaction.atomic():
        updated = Delivery.objects.filter(Q(status=DeliveryStatus.FAILED), pk=delivery.pk).update(
            status=DeliveryStatus.PENDING
        )
        if not updated:
            raise HuddleError("not_failed", "Only a failed delivery can be retried.")
        event_record(actor, "digest.delivery_retried", delivery.digest, channel=delivery.channel)
        if not inline:
            transaction.on_commit(lambda: _enqueue([delivery.pk]))
    if inline:
        deliver(delivery.pk)
    delivery.refresh_from_db()
    return delivery
