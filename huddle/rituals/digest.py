"""The weekly digest: drafted from data for an ISO week, editable as Markdown, then sent.

``digest_content`` gathers the figures (``content`` is kept as JSON on the ``Digest``);
``to_markdown`` writes the text people read; ``digest_draft`` stores both; ``digest_edit``
changes the Markdown while it is a draft. The minutes saved are ``runs.queries.time_saved`` over
the week's runs, so they agree with every other figure of time saved.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Organization, Visibility
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.core.models import Event
from huddle.core.numbers import hours_text, plural
from huddle.core.services import event_record
from huddle.library.models import Kind, Status, Workflow
from huddle.rituals import weeks
from huddle.rituals.config import settings_for
from huddle.rituals.models import Ask, AskStatus, Digest, DigestStatus, Win
from huddle.rituals.services import wins_suggest
from huddle.rituals.spotlight import spotlight_for
from huddle.runs.models import Run
from huddle.runs.queries import time_saved, workflow_time_saved

MAX_MARKDOWN = 20_000
TREND_WEEKS = 4
AGENDA = [
    (3, "The Win of the Week: what they did, and what it saved"),
    (5, "Live demo: run it together, step by step"),
    (5, "Asks: open questions, and who can help"),
    (2, "Next week: one thing each of us will try"),
]


def _url(organization: Organization, name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=[organization.slug, *args])


def _workflow(organization: Organization, workflow: Workflow) -> dict[str, Any]:
    return {
        "title": workflow.title,
        "owner": workflow.owner.display_name,
        "url": _url(organization, "workflow_detail", workflow.slug),
    }


def win_data(win: Win) -> dict[str, Any]:
    """A candidate as plain data, safe for everyone in the organisation."""
    data: dict[str, Any] = {
        "id": str(win.public_id),
        "week": win.iso_week,
        "kind": win.kind,
        "title": win.subject_title,
        "story": win.story,
        "reason": win.reason,
        "suggested": win.suggested,
        "nominated_by": win.nominated_by.display_name if win.nominated_by else None,
        "votes": win.vote_count,
        "chosen": win.chosen,
        "by": None,
        "minutes_saved": None,
    }
    if win.run_id:
        data["by"] = win.run.user.display_name
        data["minutes_saved"] = win.run.minutes_saved
    elif win.workflow_id:
        data["by"] = win.workflow.owner.display_name
    else:
        data["by"] = win.capture.owner.display_name
        data["minutes_saved"] = win.capture.minutes_saved
    featured = win.featured_workflow
    data["url"] = (
        _url(win.organization, "workflow_detail", featured.slug) if featured is not None else None
    )
    return data


def week_wins(organization: Organization, week: str):  # type: ignore[no-untyped-def]
    return Win.objects.filter(organization=organization, iso_week=week).select_related(
        "organization",
        "nominated_by",
        "run__user",
        "run__workflow",
        "workflow__owner",
        "capture__owner",
        "capture__promoted_to",
    )


def _try_this(organization: Organization) -> dict[str, Any] | None:
    """An endorsed one-step prompt shared with everyone, with the best median speed-up."""
    best: tuple[float, Workflow] | None = None
    candidates = Workflow.objects.filter(
        organization=organization,
        status=Status.ENDORSED,
        visibility=Visibility.ORG,
        kind=Kind.PROMPT,
    ).select_related("owner")
    for workflow in candidates[:50]:
        speedup = workflow_time_saved(workflow).median_speedup or 0.0
        if best is None or speedup > best[0]:
            best = (speedup, workflow)
    if best is None:
        return None
    return {**_workflow(organization, best[1]), "speedup": best[0] or None}


def _announced(organization: Organization, kind: str, start, end) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    ids = Event.objects.filter(
        organization=organization, kind=kind, created_at__gte=start, created_at__lt=end
    ).values_list("object_id", flat=True)
    workflows = (
        Workflow.objects.filter(organization=organization, public_id__in=list(ids))
        .filter(visibility=Visibility.ORG)
        .exclude(status=Status.ARCHIVED)
        .select_related("owner")
        .order_by("title")
    )
    return [_workflow(organization, w) for w in workflows[:10]]


def digest_content(organization: Organization, week: str) -> dict[str, Any]:
    """Everything the digest of ``week`` says, as JSON-ready data."""
    week = weeks.parse_week(week)
    tz = settings_for(organization).timezone
    start, end = weeks.bounds(week, tz)
    runs = Run.objects.filter(organization=organization)
    saved = time_saved(runs.filter(started_at__gte=start, started_at__lt=end))
    # A week that has not ended yet: its figures are "so far", never a drop to explain.
    in_progress = start <= timezone.now() < end
    trend = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        other = weeks.shift(week, -back)
        other_start, other_end = weeks.bounds(other, tz)
        figures = time_saved(runs.filter(started_at__gte=other_start, started_at__lt=other_end))
        trend.append(
            {
                "week": other,
                "minutes_saved": figures.minutes_saved,
                "runs": figures.runs,
                "partial": in_progress and other == week,
            }
        )
    candidates = list(week_wins(organization, week).order_by("-chosen", *Win._meta.ordering))
    chosen = next((w for w in candidates if w.chosen), None)
    spotlight = spotlight_for(organization, week, start, end)
    asks = Ask.objects.filter(organization=organization, status=AskStatus.OPEN).order_by(
        "-created_at", "-id"
    )
    return {
        "organization": organization.name,
        "week": week,
        "label": weeks.label(week),
        "url": _url(organization, "digest_detail", week),
        "in_progress": in_progress,
        "ends": (end - timedelta(days=1)).date().isoformat(),
        "win": win_data(chosen) if chosen else None,
        "candidates": [win_data(w) for w in candidates if not w.chosen][:3],
        "minutes_saved": saved.minutes_saved,
        "timed_runs": saved.runs,
        "median_speedup": saved.median_speedup,
        "trend": trend,
        "shared": _announced(organization, "workflow.published", start, end),
        "endorsed": _announced(organization, "workflow.endorsed", start, end),
        "spotlight": spotlight.as_data() if spotlight else None,
        "try_this": _try_this(organization),
        "open_asks": [
            {"text": a.text, "answers": a.answers.count(), "url": _url(organization, "asks_index")}
            for a in asks[:5]
        ],
        "open_asks_total": asks.count(),
        "agenda": [{"minutes": m, "item": item} for m, item in AGENDA],
    }


def _hours(minutes: float) -> str:
    return hours_text(minutes)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!#|~])")


def _text(value: object) -> str:
    """People's words (titles, names, stories, asks) as literal text in the Markdown, on one line.

    Without this, a title such as ``![x](https://evil.example/pixel)`` becomes an image or a
    disguised link in the email sent to the whole organisation, where no CSP protects it.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value or "").split()))


def _line(item: dict[str, Any]) -> str:
    return f"[{_text(item['title'])}]({item['url']}) by {_text(item['owner'])}"


def _win_line(win: dict[str, Any]) -> str:
    title = _text(win["title"])
    title = f"[{title}]({win['url']})" if win.get("url") else title
    parts = [f"**{title}**", f"by {_text(win['by'])}"]
    if win.get("minutes_saved"):
        parts.append(f"saved {_hours(win['minutes_saved'])}")
    line = " — ".join([parts[0], ", ".join(parts[1:])])
    if win.get("story"):
        line += f": “{_text(win['story'])}”"
    return line


def to_markdown(content: dict[str, Any]) -> str:
    """The digest as Markdown: what the page, the email and the chat messages are made from."""
    out = [f"# AI Win of the Week — {content['label']}", ""]
    if content["win"]:
        win = content["win"]
        out += [f"## 🏆 The Win of the Week: {_text(win['title'])}", "", _win_line(win)]
        out += ["", f"Chosen with {plural(win['votes'], 'vote')}.", ""]
    elif content["candidates"]:
        out += ["## This week's candidates", ""]
        out += [f"- {_win_line(w)} ({plural(w['votes'], 'vote')})" for w in content["candidates"]]
        out.append("")
    else:
        out += ["## This week's candidates", "", "No wins yet: nominate one!", ""]
    out += ["## Time saved", ""]
    runs = plural(content["timed_runs"], "timed run")
    if content.get("in_progress"):
        ends = date.fromisoformat(content["ends"])
        out.append(
            f"**{_hours(content['minutes_saved'])}** saved so far this week over {runs} "
            f"(the week is still in progress: it ends on {ends:%A} {ends.day} {ends:%B})."
        )
    else:
        out.append(f"**{_hours(content['minutes_saved'])}** saved this week over {runs}.")
    trend = " → ".join(
        _hours(t["minutes_saved"]) + (" (so far)" if t.get("partial") else "")
        for t in content["trend"]
    )
    out += ["", f"Last {len(content['trend'])} weeks: {trend}", ""]
    if content["shared"] or content["endorsed"]:
        out += ["## New in the library", ""]
        out += [f"- Shared: {_line(w)}" for w in content["shared"]]
        out += [f"- Endorsed: {_line(w)}" for w in content["endorsed"]]
        out.append("")
    if content["spotlight"]:
        spot = content["spotlight"]
        out += ["## Power-user spotlight", "", f"**{_text(spot['name'])}** {spot['why']}.", ""]
    if content["try_this"]:
        item = content["try_this"]
        speed = f" ({item['speedup']}x faster)" if item.get("speedup") else ""
        out += ["## Getting started? Try this", "", f"{_line(item)}{speed}", ""]
    out += ["## Open asks", ""]
    if content["open_asks"]:
        out += [
            f"- {_text(a['text'])} ({plural(a['answers'], 'answer')})" for a in content["open_asks"]
        ]
        out += ["", f"Can you help? [Open the asks board]({content['open_asks'][0]['url']})"]
    else:
        out.append("No open asks. Stuck on something? Ask — anonymously if you like.")
    out += ["", "## The 15-minute agenda", ""]
    out += [f"{i}. {a['item']} ({a['minutes']} min)" for i, a in enumerate(content["agenda"], 1)]
    out += ["", f"[Read it in Huddle]({content['url']})", ""]
    return "\n".join(out)


def digest_draft(organization: Organization, week: str, *, actor: Actor | None = None) -> Digest:
    """The draft of ``week``, its figures computed now: created on first asking, refreshed on
    every later one, so that nobody reads (or sends) last Tuesday's numbers. A sent digest is
    returned unchanged. A draft someone edited keeps their Markdown *and* the figures they saw
    (``digest_stale`` says when the data moved on; ``digest_redraft`` takes it in)."""
    if actor is not None:
        policy.require(actor, Action.MANAGE_RITUALS)
    week = weeks.parse_week(week)
    wins_suggest(organization, week)
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update()
            .filter(organization=organization, iso_week=week)
            .first()
        )
        if digest is not None and (digest.status == DigestStatus.SENT or digest.edited_by_id):
            return digest
        content = digest_content(organization, week)
        if digest is None:
            try:
                with transaction.atomic():
                    digest = Digest.objects.create(
                        organization=organization,
                        iso_week=week,
                        content=content,
                        markdown=to_markdown(content),
                    )
            except IntegrityError:
                return Digest.objects.get(organization=organization, iso_week=week)
        elif content != digest.content:
            digest.content = content
            digest.markdown = to_markdown(content)
            digest.save(update_fields=["content", "markdown", "updated_at"])
    return digest


def digest_stale(digest: Digest) -> bool:
    """True when an edited draft's figures (wins, runs, minutes, asks…) are no longer this
    week's: the page then offers to draft again before sending."""
    if digest.status == DigestStatus.SENT or digest.edited_by_id is None:
        return False
    return digest_content(digest.organization, digest.iso_week) != digest.content


def figures_update(seen: dict[str, Any], now: dict[str, Any]) -> str:
    """One Markdown line saying how the headline figures moved since a person edited the digest
    (``seen``: the figures they saw; ``now``: this week's), or "" when none did. Sent under an
    edited digest, so its readers never get last Tuesday's numbers as this week's."""
    changes = []
    win = now.get("win")
    if (seen.get("win") or {}).get("title") != (win or {}).get("title"):
        changes.append(f"the pick is now “{_text(win['title'])}”" if win else "no win is picked")
    if (seen.get("timed_runs"), seen.get("minutes_saved")) != (
        now.get("timed_runs"),
        now.get("minutes_saved"),
    ):
        changes.append(
            f"{plural(now.get('timed_runs') or 0, 'timed run')} saved "
            f"{_hours(now.get('minutes_saved') or 0)} "
            f"(was {seen.get('timed_runs') or 0} and {_hours(seen.get('minutes_saved') or 0)})"
        )
    if seen.get("open_asks_total") != now.get("open_asks_total"):
        changes.append(
            f"{plural(now.get('open_asks_total') or 0, 'ask')} open "
            f"(was {seen.get('open_asks_total') or 0})"
        )
    if not changes:
        return ""
    return f"_Updated when sent: {'; '.join(changes)}._"


@transaction.atomic
def digest_redraft(*, actor: Actor, digest: Digest) -> Digest:
    """Throw away the hand edits of a draft and write it again from this week's data."""
    policy.require(actor, Action.MANAGE_RITUALS)
    if digest.organization_id != actor.organization.pk:
        raise NotFound()
    digest = Digest.objects.select_for_update().get(pk=digest.pk)
    if digest.status == DigestStatus.SENT:
        raise HuddleError("already_sent", "This digest has been sent; it can't change now.")
    digest.edited_by = None
    digest.save(update_fields=["edited_by", "updated_at"])
    event_record(actor, "digest.redrafted", digest, week=digest.iso_week)
    return digest_draft(digest.organization, digest.iso_week, actor=actor)


@transaction.atomic
def digest_edit(*, actor: Actor, digest: Digest, markdown: str) -> Digest:
    policy.require(actor, Action.MANAGE_RITUALS)
    if digest.organization_id != actor.organization.pk:
        raise NotFound()
    digest = Digest.objects.select_for_update().get(pk=digest.pk)  # it may have just been sent
    if digest.status == DigestStatus.SENT:
        raise HuddleError("already_sent", "This digest has been sent; it can't change now.")
    if len(markdown) > MAX_MARKDOWN:
        raise ValidationFailed(
            f"Keep the digest under {MAX_MARKDOWN:,} characters.",
            fields={"markdown": ["Too long."]},
        )
    digest.markdown = markdown.replace("\r\n", "\n")
    digest.edited_by = actor.user
    digest.save(update_fields=["markdown", "edited_by", "updated_at"])
    return digest


def digests_q(actor: Actor) -> Q:
    """Members read sent digests; admins also drafts."""
    mine = Q(organization=actor.organization)
    if actor.can(Action.MANAGE_RITUALS):
        return mine
    return mine & Q(status=DigestStatus.SENT)
