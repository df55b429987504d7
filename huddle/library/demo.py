"""The demo library of ``acme``: a dozen real marketing workflows from several owners."""

from __future__ import annotations

from typing import Any

from huddle.accounts.models import Membership, Organization, Team
from huddle.accounts.policy import Actor
from huddle.library import services
from huddle.library.content import VersionContent
from huddle.library.models import Workflow

# (owner email, slug, title, kind, visibility, team, tags, summary, content)
DEMO_WORKFLOWS: list[tuple[str, str, str, str, str, str, list[str], str, dict[str, Any]]] = [
    (
        "erin@acme.test", "linkedin-launch-post", "LinkedIn launch post", "prompt", "org", "",
        ["social", "launch"],
        "A launch announcement that sounds like us, not like a press release.",
        {
            "system": "You are Acme's senior social copywriter. Plain words, short sentences.\n\n"
                      "Our brand voice:\n{{ context.brand_voice }}",
            "steps": ["Write a LinkedIn post announcing {{ product }} to {{ audience }}.\n"
                      "Lead with the problem it solves, then one concrete proof point: "
                      "{{ proof_point }}.\nEnd with a question that invites comments. "
                      "Max {{ words }} words."],
            "inputs": [
                {"name": "product", "label": "Product or feature"},
                {"name": "audience", "label": "Who it's for", "default": "marketing leaders"},
                {"name": "proof_point", "label": "Proof point", "type": "long_text",
                 "help": "A number, a customer quote or a before/after."},
                {"name": "words", "type": "number", "default": "120"},
            ],
            "negative_constraints": "No emojis\nNo hashtags in the body\nNever say 'game-changer' "
                                    "or 'revolutionary'",
            "manual_edits": "I always rewrite the first line myself so it sounds like me.",
            "baseline_minutes": 45,
        },
    ),
    (
        "erin@acme.test", "nurture-email-sequence", "Nurture email sequence", "chain", "org", "",
        ["email", "nurture"], "Three emails that warm up leads after a download, in three steps.",
        {
            "steps": [
                {"name": "insights", "template": "List the 5 most useful insights from this "
                 "asset for {{ persona }}:\n\n{{ asset_summary }}\n\n"
                 "Who they are:\n{{ context.persona_ops_manager }}"},
                {"name": "outline", "template": "Using these insights:\n"
                 "{{ steps.insights.output }}\n\nOutline a 3-email nurture sequence (day 1, 4, 9) "
                 "for {{ persona }} that leads to {{ offer }}."},
                {"name": "emails", "template": "Write the three emails from this outline:\n"
                 "{{ steps.outline.output }}\n\nEach under 150 words, one CTA each, subject line "
                 "and preview text included."},
            ],
            "inputs": [
                {"name": "persona", "default": "operations managers at mid-size firms"},
                {"name": "asset_summary", "label": "What they downloaded", "type": "long_text"},
                {"name": "offer", "type": "choice", "choices": ["a demo", "a free trial",
                 "a webinar"], "default": "a demo"},
            ],
            "negative_constraints": "No fake urgency ('last chance')\nNo 'just checking in'",
            "manual_edits": "Subject lines: I test two variants and pick by gut.",
            "baseline_minutes": 180,
        },
    ),
    (
        "adam@acme.test", "campaign-brief", "Campaign brief", "prompt", "org", "Performance",
        ["planning"], "A one-page brief anyone can fill in before a kickoff.",
        {
            "steps": ["Write a one-page campaign brief for {{ campaign }}.\nObjective: {{ goal }}."
                      "\nBudget: {{ budget }}.\nSections: objective, audience, key message, "
                      "channels, timeline, KPIs, risks.\n\nDecision maker:\n"
                      "{{ context.persona_cmo }}\n\nOur messaging:\n{{ context.messaging }}"],
            "inputs": ["campaign", {"name": "goal", "label": "Business goal"},
                       {"name": "budget", "default": "to be confirmed"}],
            "baseline_minutes": 90,
        },
    ),
    (
        "eli@acme.test", "seo-blog-outline", "SEO blog outline", "prompt", "org", "",
        ["seo", "blog"], "An outline with search intent, H2s and questions to answer.",
        {
            "steps": ["Create an SEO outline for an article targeting '{{ keyword }}'.\n"
                      "Search intent first, then H1, 6-8 H2s with bullet points, FAQs from "
                      "'People also ask', and internal link ideas for {{ site }}."],
            "inputs": ["keyword", {"name": "site", "default": "acme.example"}],
            "negative_constraints": "Don't stuff the keyword\nNo invented statistics",
            "baseline_minutes": 60,
        },
    ),
    (
        "mia@acme.test", "search-ad-variants", "Google ad variants", "prompt", "team",
        "Performance", ["ads", "ppc"], "Responsive search ad headlines and descriptions.",
        {
            "steps": ["Write 15 headlines (max 30 characters) and 4 descriptions (max 90 "
                      "characters) for a Google responsive search ad for {{ product }}, aimed at "
                      "people searching '{{ query }}'. Mark the 3 you'd pin."],
            "inputs": ["product", "query"],
            "manual_edits": "I count characters again: the model miscounts.",
            "baseline_minutes": 40,
        },
    ),
    (
        "maya@acme.test", "persona-interview-summary", "Persona interview summary", "prompt",
        "org", "", ["research", "persona"], "Turn raw interview notes into pains, jobs and quotes.",
        {
            "steps": ["Here are notes from a customer interview:\n\n{{ notes }}\n\n"
                      "Summarise: role and context, jobs to be done, top 3 pains (with the "
                      "customer's words), objections to buying, and 2 quotes we could use."],
            "inputs": [{"name": "notes", "type": "long_text"}],
            "negative_constraints": "Don't smooth over contradictions: list them",
            "baseline_minutes": 50,
        },
    ),
    (
        "adam@acme.test", "monthly-performance-report", "Monthly performance report", "prompt",
        "org", "Performance", ["reporting"], "The monthly numbers explained for executives.",
        {
            "steps": ["Explain this month's marketing results to executives in 5 bullets and "
                      "one recommendation.\nNumbers:\n{{ numbers }}\nCompared with: "
                      "{{ comparison }}\n\nLast quarter for reference:\n"
                      "{{ context.q3_results.summary }}"],
            "inputs": [{"name": "numbers", "type": "long_text"},
                       {"name": "comparison", "type": "choice",
                        "choices": ["last month", "same month last year", "target"]}],
            "manual_edits": "I check every number against the dashboard before sending.",
            "baseline_minutes": 360,
        },
    ),
    (
        "olivia@acme.test", "press-release", "Press release", "prompt", "org", "",
        ["pr", "launch"], "AP-style launch press release with a quote.",
        {
            "steps": ["Write a press release in AP style announcing {{ news }}. Include a "
                      "headline, dateline {{ city }}, a quote from {{ spokesperson }}, and a "
                      "boilerplate."],
            "inputs": ["news", {"name": "city", "default": "LONDON"}, "spokesperson"],
            "baseline_minutes": 120,
        },
    ),
    (
        "max@acme.test", "tweet-thread", "Tweet thread", "prompt", "private", "",
        ["social"], "My own thread formula (not shared yet).",
        {
            "steps": ["Turn this into a thread of {{ count }} posts for X. Hook in post 1, "
                      "one idea per post, a recap at the end:\n\n{{ source }}"],
            "inputs": [{"name": "count", "type": "number", "default": "6"},
                       {"name": "source", "type": "long_text"}],
            "baseline_minutes": 30,
        },
    ),
    (
        "erin@acme.test", "brand-voice-instructions", "Acme brand voice (custom GPT)",
        "instructions", "org", "Content", ["brand", "instructions"],
        "Paste into a Custom GPT or a Claude Project so every chat starts on-brand.",
        {
            "system": "You write for Acme. Voice: clear, warm, confident, never smug. "
                      "Use British spelling. Prefer short sentences and concrete examples. "
                      "Avoid jargon, exclamation marks and superlatives. When unsure of a fact, "
                      "say so and ask.\n\n{{ context.brand_voice }}\n\n{{ context.glossary }}"
                      "\n\n{{ context.messaging }}",
            "negative_constraints": "Never invent customer names or numbers",
            "baseline_minutes": 0,
        },
    ),
    (
        "eli@acme.test", "webinar-invitation", "Webinar invitation email", "prompt", "team",
        "Social", ["email", "events"], "Invite prospects to a webinar.",
        {
            "steps": ["Write an invitation email for our webinar '{{ title }}' on {{ date }}. "
                      "Three reasons to attend, one line about the speaker, a clear CTA."],
            "inputs": ["title", "date"],
            "baseline_minutes": 35,
        },
    ),
    (
        "maya@acme.test", "landing-page-copy", "Landing page copy", "prompt", "private", "",
        ["web", "conversion"], "Hero, three benefits, social proof and a CTA.",
        {
            "steps": ["Write landing page copy for {{ offer }}: a hero headline and subhead, "
                      "three benefits with one-line explanations, a social-proof line and a "
                      "CTA button label."],
            "inputs": ["offer"],
            "baseline_minutes": 75,
        },
    ),
]  # fmt: skip


def load(organization: Organization) -> int:
    """Create the demo workflows that don't exist yet; return how many were created."""
    created = 0
    for email, slug, title, kind, visibility, team_name, tags, summary, data in DEMO_WORKFLOWS:
        if Workflow.objects.filter(organization=organization, slug=slug).exists():
            continue
        membership = Membership.objects.select_related("user", "organization").get(
            organization=organization, user__email=email
        )
        team = Team.objects.filter(organization=organization, name=team_name).first()
        services.workflow_create(
            actor=Actor(membership),
            title=title,
            kind=kind,
            slug=slug,
            summary=summary,
            tags=tags,
            visibility=visibility,
            team=team if visibility == "team" or team_name else None,
            content=VersionContent.from_data(data),
        )
        created += 1
    return created
