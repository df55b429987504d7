"""The demo captures of ``acme``: three messy workflows as members really did them."""

from __future__ import annotations

from typing import Any

from huddle.accounts.models import Membership, Organization
from huddle.accounts.policy import Actor
from huddle.capture import services
from huddle.capture.models import Capture

# (author email, visibility, data)
DEMO_CAPTURES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "maya@acme.test", "private",
        {
            "title": "Monthly performance report",
            "goal": "Turn the monthly numbers export into a one-page summary for the leadership "
                    "team.",
            "tool": "chatgpt",
            "steps": [
                {
                    "text": "here's the export for May 2026 (pasted below). summarise the 5 things "
                            "that matter for the leadership team, compare with April, plain "
                            "english, no jargon pls\n\n[pasted table]",
                    "examples": [
                        "here's the export for June 2026 (pasted below). summarise the 5 things "
                        "that matter for the leadership team, compare with May, plain english, "
                        "no jargon pls\n\n[pasted table]",
                    ],
                },
                {
                    "text": "ok now turn that into a slide: a headline, 3 bullets, one chart "
                            "suggestion. keep it under 60 words",
                    "examples": [],
                },
            ],
            "context_text": "Last month's report so it keeps the same structure.",
            "context_slugs": ["brand_voice", "kpi_glossary"],
            "negative_constraints": "Don't invent numbers\nNo 'synergy', no 'leverage'",
            "manual_edits": "I check every number against the export and fix the chart title.",
            "minutes_before": 180,
            "minutes_after": 35,
            "failures": "When the export has empty rows it makes up the missing weeks.",
        },
    ),
    (
        "adam@acme.test", "team",
        {
            "title": "Search ad copy variants",
            "goal": "Ten Google Ads headlines and descriptions per ad group, within the limits.",
            "tool": "claude",
            "steps": [
                "Write 10 Google Ads headlines (max 30 characters) and 4 descriptions (max 90 "
                "characters) for the ad group 'CRM for small teams'. Keyword: small business "
                "crm. Tone: direct, benefit first. Count the characters and show the count.",
            ],
            "negative_constraints": "No superlatives we can't prove ('best', '#1')\n"
                                    "No exclamation marks",
            "manual_edits": "Half the headlines are still too long; I trim them in the sheet.",
            "minutes_before": 90,
            "minutes_after": 25,
            "failures": "The character counts it shows are often wrong.",
        },
    ),
    (
        "erin@acme.test", "org",
        {
            "title": "Webinar follow-up emails",
            "goal": "Send attendees and no-shows a follow-up the day after a webinar.",
            "tool": "copilot",
            "steps": [
                {
                    "text": "Write a follow-up email to people who attended our webinar "
                            "'Rituals that make AI stick' yesterday. Include the recording link "
                            "{{RECORDING_LINK}} and invite them to book a demo.",
                    "examples": [
                        "Write a follow-up email to people who attended our webinar 'Measuring "
                        "time saved with AI' yesterday. Include the recording link "
                        "{{RECORDING_LINK}} and invite them to book a demo.",
                    ],
                },
                "Now write a shorter version for the people who registered but didn't come.",
            ],
            "context_slugs": ["brand_voice"],
            "negative_constraints": "No guilt-tripping the no-shows",
            "manual_edits": "I add the speaker's personal sign-off.",
            "minutes_before": 60,
            "minutes_after": 15,
        },
    ),
]  # fmt: skip


def load(organization: Organization) -> int:
    """Create the demo captures that don't exist yet (by author and title); return how many."""
    created = 0
    for email, visibility, data in DEMO_CAPTURES:
        membership = Membership.objects.select_related("user", "organization").get(
            organization=organization, user__email=email
        )
        if Capture.objects.filter(
            organization=organization, owner=membership.user, title=data["title"]
        ).exists():
            continue
        services.capture_create(
            actor=Actor(membership),
            data=services.CaptureData.from_data(data),
            visibility=visibility,
            team=membership.teams.first() if visibility == "team" else None,
        )
        created += 1
    return created
