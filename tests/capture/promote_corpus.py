"""A fixed corpus of captures and mined patterns with the inputs a person would make of them
(issue 19, item 4). Each case: the first text, the other examples, and the expected inputs as
``{name: default}``; a name starting with ``*`` accepts any name (nothing tells what it is).
``test_promote_corpus.py`` scores the inference against it."""

from __future__ import annotations

CORPUS: list[tuple[str, list[str], dict[str, str]]] = [
    # Captures typed by people, with a differing second example.
    (
        "Summarise the webinar: 140 attendees, lots of questions about GDPR, and the demo of "
        "Nimbus CRM went well.",
        [
            "Summarise the webinar: 95 attendees, a few questions about pricing, and the demo of "
            "Orbit CRM ran long."
        ],
        {
            "attendees": "140",
            "*": "lots of",
            "topic": "GDPR",
            "product": "Nimbus CRM",
            "*1": "went well",
        },
    ),
    (
        "Write a LinkedIn post about our new CRM for CFOs",
        ["Write a LinkedIn post about our webinar for marketers"],
        {"topic": "new CRM", "audience": "CFOs"},
    ),
    (
        "Summarise the report for May 2026. Tone: friendly.",
        [
            "Summarise the report for June 2026. Tone: formal.",
            "Summarise the report for July 2026. Tone: friendly and short.",
        ],
        {"month": "May", "tone": "friendly"},
    ),
    (
        "Write a follow-up email to people who attended our webinar 'Rituals that make AI "
        "stick' yesterday. Include the recording link and invite them to book a demo.",
        [
            "Write a follow-up email to people who attended our webinar 'Measuring time saved "
            "with AI' yesterday. Include the recording link and invite them to book a demo."
        ],
        {"webinar": "Rituals that make AI stick"},
    ),
    (
        "Draft 5 subject lines for the Black Friday sale, max 40 characters each.",
        ["Draft 8 subject lines for the spring webinar, max 50 characters each."],
        {"lines": "5", "topic": "Black Friday sale", "characters": "40"},
    ),
    (
        "Turn these notes from the call with Globex into a recap for the sales team.",
        ["Turn these notes from the call with Initech into a recap for the sales team."],
        {"client": "Globex"},
    ),
    (
        "Budget for Q3: $12,500 on LinkedIn ads. Suggest a split by audience.",
        ["Budget for Q4: $8,000 on LinkedIn ads. Suggest a split by audience."],
        {"month": "Q3", "amount": "$12,500"},
    ),
    # Mined patterns: the most used text and others from the same cluster.
    (
        "Write a LinkedIn post announcing Huddle 2.0 to marketing leaders. Our CTR was 2.21% "
        "last month.",
        [
            "Write a LinkedIn post announcing Orbit CRM to sales teams. Our CTR was 3.45% last "
            "month.",
            "Write a LinkedIn post announcing Nimbus Pay to finance teams. Our CTR was 1.9% last "
            "month.",
        ],
        {"product": "Huddle 2.0", "audience": "marketing leaders", "ctr": "2.21%"},
    ),
    (
        "Thank the 320 people who downloaded the ebook 'AI for marketers' and suggest a demo.",
        ["Thank the 85 people who downloaded the checklist 'Prompting basics' and suggest a demo."],
        {"people": "320", "*": "ebook", "ebook": "AI for marketers"},
    ),
    (
        "Rewrite this paragraph in German for our website: keep it under 120 words.",
        ["Rewrite this paragraph in French for our website: keep it under 80 words."],
        {"language": "German", "words": "120"},
    ),
    (
        "Give me 10 blog title ideas about email deliverability for small businesses.",
        [
            "Give me 10 blog title ideas about SEO audits for small businesses.",
            "Give me 10 blog title ideas about webinar funnels for small businesses.",
        ],
        {"topic": "email deliverability"},
    ),
    (
        "Write an ad for Acme Analytics. Budget 3 hours of work, launch on 12 March.",
        ["Write an ad for Acme Insights. Budget 45 minutes of work, launch on 3 April."],
        {"product": "Acme Analytics", "budget": "3 hours", "date": "12 March"},
    ),
]
