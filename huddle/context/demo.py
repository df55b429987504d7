"""The demo organisation's context: a brand guide, three personas, a glossary, a messaging
hierarchy, ~500 rows of Q3 campaign results and a "Brand basics" pack. Idempotent; the slugs are
the ones the demo workflows reference."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from huddle.accounts.models import Organization, User
from huddle.context import pack_services, services
from huddle.context.models import ContextAsset, ContextPack

BRAND = {
    "voice": (
        "Acme sounds like a **sharp colleague**, not a vendor: plain words, short sentences, "
        "a point of view. Warm but never cute; confident, never loud.\n\n"
        "Write to one person (“you”), lead with the outcome, then show how."
    ),
    "do": [
        "Lead with the reader's outcome in the first sentence",
        "Use numbers from real customers",
        "Keep sentences under 20 words",
        "Say 'you' and 'we'",
    ],
    "dont": [
        "Use buzzwords (synergy, leverage, best-in-class)",
        "Use exclamation marks in headlines",
        "Promise what the product can't do",
    ],
    "samples": (
        "> Your team already knows what works. Huddle makes sure everyone uses it.\n\n"
        "> Stop rewriting the same prompt. Start from the one that won last quarter."
    ),
}

PERSONAS = {
    "persona_cmo": (
        "The CMO",
        {
            "role": "CMO at a 200 to 1,000 person B2B SaaS company",
            "goals": ["Pipeline the board believes", "A team that ships more with the same heads"],
            "pains": ["AI use is patchy: a few power users, everyone else guessing"],
            "objections": ["We already pay for ChatGPT Enterprise", "Security review takes months"],
            "channels": ["LinkedIn", "Peer dinners", "Analyst reports"],
            "quotes": ["Show me it moves pipeline, not just word count."],
            "notes": "Reads summaries on mobile between meetings; forwards what convinces her.",
        },
    ),
    "persona_ops_manager": (
        "The marketing ops manager",
        {
            "role": "Marketing operations manager",
            "goals": ["One source of truth for prompts and brand rules", "Fewer one-off requests"],
            "pains": ["Prompts live in DMs and personal docs", "No idea what is used or works"],
            "objections": ["Another tool to maintain"],
            "channels": ["Slack communities", "Webinars", "G2"],
            "quotes": ["If it needs babysitting, it will die in a month."],
            "notes": "Owns the stack; will champion anything self-hostable with an API.",
        },
    ),
    "persona_founder": (
        "The founder",
        {
            "role": "Founder-CEO of a seed-to-Series-A startup who still writes copy",
            "goals": ["Consistent voice without hiring a team yet"],
            "pains": ["Every contractor writes in a different voice"],
            "objections": ["Can't I just use a long system prompt?"],
            "channels": ["X / Twitter", "Founder newsletters", "Hacker News"],
            "quotes": ["I want my voice, at scale, without me."],
            "notes": "",
        },
    ),
}

GLOSSARY = {
    "terms": [
        {"term": "customers", "kind": "preferred", "replacement": "clients"},
        {"term": "team", "kind": "preferred", "replacement": "resources"},
        {"term": "synergy", "kind": "banned", "replacement": "working together"},
        {"term": "leverage", "kind": "banned", "replacement": "use"},
        {"term": "best-in-class", "kind": "banned", "replacement": "a concrete proof point"},
        {"term": "Huddle", "kind": "product", "replacement": ""},
        {"term": "Acme Insights", "kind": "product", "replacement": ""},
    ]
}

MESSAGING = {
    "positioning": (
        "Acme turns your power users' AI know-how into the whole team's capability — shared "
        "prompts, shared context, measured results."
    ),
    "pillars": [
        {
            "name": "Share what works",
            "proof_points": ["One library of proven prompts", "Context packs for ChatGPT/Claude"],
        },
        {
            "name": "On-brand by default",
            "proof_points": ["Brand voice and glossary in every prompt", "Approved context only"],
        },
        {
            "name": "Prove the value",
            "proof_points": ["Minutes saved per run", "Which workflows drive pipeline"],
        },
    ],
}

CHANNELS = {
    # channel: (CTR, cost per click, lead rate per click, conversion rate per click)
    "Paid search": (0.045, 2.10, 0.08, 0.020),
    "Paid social": (0.012, 1.40, 0.05, 0.010),
    "LinkedIn": (0.006, 6.50, 0.12, 0.030),
    "Email": (0.030, 0.05, 0.06, 0.015),
    "Display": (0.003, 0.90, 0.02, 0.004),
}
CAMPAIGNS = ["Q3 launch", "Webinar series", "Retargeting", "Free trial push", "Brand awareness"]


def campaign_csv(rows: int = 500, seed: int = 2026) -> bytes:
    """Deterministic Q3 results: the same bytes on every machine."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    start = date(2026, 7, 1)
    out = io.StringIO()
    out.write("date,channel,campaign,impressions,clicks,spend,leads,conversions,revenue\n")
    lines = []
    for _ in range(rows):
        day = start + timedelta(days=rng.randrange(92))
        channel = rng.choice(list(CHANNELS))
        ctr, cpc, lead_rate, conv_rate = CHANNELS[channel]
        impressions = rng.randint(2_000, 60_000)
        clicks = max(1, round(impressions * ctr * rng.uniform(0.6, 1.4)))
        spend = round(clicks * cpc * rng.uniform(0.8, 1.2), 2)
        leads = round(clicks * lead_rate * rng.uniform(0.5, 1.5))
        conversions = round(clicks * conv_rate * rng.uniform(0.3, 1.7))
        revenue = round(conversions * rng.uniform(400, 1_600), 2)
        lines.append(
            (
                day.isoformat(),
                channel,
                rng.choice(CAMPAIGNS),
                impressions,
                clicks,
                spend,
                leads,
                conversions,
                revenue,
            )
        )
    for line in sorted(lines):
        out.write(",".join(str(v) for v in line) + "\n")
    return out.getvalue().encode()


def load_context_demo(organization: Organization, owner: User) -> None:
    """Create the demo assets and pack that are missing; leave existing ones alone."""

    def add(slug: str, kind: str, title: str, **kwargs: object) -> None:
        if not ContextAsset.objects.filter(organization=organization, slug=slug).exists():
            services.asset_create(
                actor=None,
                organization=organization,
                owner=owner,
                kind=kind,
                slug=slug,
                title=title,
                **kwargs,  # type: ignore[arg-type]
            )

    add("brand_voice", "brand", "Acme brand voice", data=BRAND)
    for slug, (title, data) in PERSONAS.items():
        add(slug, "persona", title, data=data)
    add("glossary", "glossary", "Acme glossary", data=GLOSSARY)
    add("messaging", "messaging", "Acme messaging", data=MESSAGING)
    add(
        "q3_results",
        "campaign_data",
        "Q3 campaign results",
        upload=services.Upload("q3_results.csv", campaign_csv()),
        description="Daily results per channel and campaign, July to September.",
    )
    if not ContextPack.objects.filter(organization=organization, name="Brand basics").exists():
        slugs = ["brand_voice", "glossary", "persona_cmo", "persona_ops_manager"]
        assets = {a.slug: a for a in ContextAsset.objects.filter(organization=organization)}
        pack_services.pack_create(
            actor=None,
            organization=organization,
            owner=owner,
            name="Brand basics",
            description="Voice, words and the two people we write for most.",
            assets=[assets[s] for s in slugs],
        )
