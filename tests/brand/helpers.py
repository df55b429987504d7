"""Brand context for tests: a glossary and a brand guide whose lines map to checks."""

from __future__ import annotations

from tests.context.helpers import make_asset

GLOSSARY = {
    "terms": [
        {"term": "synergy", "kind": "banned", "replacement": "working together"},
        {"term": "leverage", "kind": "banned", "replacement": "use"},
        {"term": "Acme Insights", "kind": "product", "replacement": ""},
        {"term": "customers", "kind": "preferred", "replacement": "clients, buyers"},
    ]
}
BRAND = {
    "voice": "Plain and warm.",
    "do": ["Keep sentences under 20 words", "Use British spelling", "Say 'you'"],
    "dont": [
        "Use exclamation marks in headlines",
        "Use emoji",
        "Use buzzwords (best-in-class, game-changer)",
        "Use jargon",
    ],
}


def brand_context(persona, **kwargs):
    """An approved glossary and brand guide made by ``persona`` (an editor or above)."""
    glossary = make_asset(persona, "glossary", "glossary", data=GLOSSARY, **kwargs)
    brand = make_asset(persona, "brand", "brand_voice", data=BRAND, **kwargs)
    return glossary, brand
