"""Built-in word lists the checker uses: superlatives, pronouns, US/UK spellings, calls to
action, and the default length limits per channel. Data only; ``checker`` decides what to flag.
"""

from __future__ import annotations

SUPERLATIVES: tuple[str, ...] = (
    "best", "best-in-class", "best-of-breed", "greatest", "ultimate", "unrivalled", "unrivaled",
    "unparalleled", "unmatched", "unbeatable", "world-class", "world-leading", "industry-leading",
    "market-leading", "cutting-edge", "state-of-the-art", "revolutionary",
    "game-changing", "game-changer", "groundbreaking", "ground-breaking", "perfect", "flawless",
    "number one", "#1", "most powerful", "most advanced", "fastest", "easiest", "smartest",
    "incredible", "amazing", "awesome", "phenomenal", "second to none",
)  # fmt: skip

FIRST_PERSON: tuple[str, ...] = ("i", "me", "my", "mine", "we", "us", "our", "ours", "ourselves")
SECOND_PERSON: tuple[str, ...] = ("you", "your", "yours", "yourself", "yourselves")

# American → British. Verbs in -ize/-yze and nouns in -or/-er get their inflections generated.
_IZE_STEMS = (
    "organiz", "optimiz", "customiz", "realiz", "recogniz", "prioritiz", "personaliz",
    "maximiz", "minimiz", "summariz", "standardiz", "visualiz", "monetiz", "finaliz",
    "authoriz", "categoriz", "emphasiz", "apologiz", "utiliz", "centraliz", "capitaliz",
    "digitaliz", "energiz", "memoriz", "specializ", "synchroniz", "normaliz", "localiz",
)  # fmt: skip
_YZE_STEMS = ("analyz", "paralyz", "catalyz")
_OR_STEMS = ("color", "favor", "behavior", "honor", "labor", "humor", "neighbor", "flavor", "rumor")
_ER_STEMS = ("cent", "theat", "fib", "calib", "lit")  # center → centre …
_DOUBLED_L = ("travel", "model", "label", "cancel", "fuel", "signal", "level", "channel")
_SINGLE_WORDS = {
    "favorite": "favourite", "favorites": "favourites", "gray": "grey", "catalog": "catalogue",
    "catalogs": "catalogues", "dialog": "dialogue", "defense": "defence", "offense": "offence",
    "jewelry": "jewellery", "aluminum": "aluminium", "fulfill": "fulfil", "fulfills": "fulfils",
    "fulfillment": "fulfilment", "enrollment": "enrolment", "skeptical": "sceptical",
    "mold": "mould", "plow": "plough", "cozy": "cosy", "pajamas": "pyjamas", "tire": "tyre",
    "tires": "tyres", "aging": "ageing", "judgment": "judgement", "licorice": "liquorice",
    "mom": "mum", "artifact": "artefact", "artifacts": "artefacts", "percent": "per cent",
}  # fmt: skip


def _us_to_uk() -> dict[str, str]:
    words: dict[str, str] = dict(_SINGLE_WORDS)
    for stem in _IZE_STEMS:
        uk = stem[:-1] + "s"
        for suffix in ("e", "es", "ed", "ing", "ation", "ations", "er", "ers"):
            words[stem + suffix] = uk + suffix
    for stem in _YZE_STEMS:
        uk = stem[:-1] + "s"
        for suffix in ("e", "es", "ed", "ing", "er", "ers"):
            words[stem + suffix] = uk + suffix
    for stem in _OR_STEMS:
        uk = stem[:-2] + "our"
        for suffix in ("", "s", "ed", "ing", "ful", "al", "able"):
            words[stem + suffix] = uk + suffix
    for stem in _ER_STEMS:
        for suffix in ("", "s"):
            words[stem + "er" + suffix] = stem + "re" + suffix
    for stem in _DOUBLED_L:
        for suffix in ("ed", "ing", "er", "ers"):
            words[stem + suffix] = stem + "l" + suffix
    return words


US_TO_UK: dict[str, str] = _us_to_uk()
UK_TO_US: dict[str, str] = {uk: us for us, uk in US_TO_UK.items() if " " not in uk}

# What a call to action looks like (required element ``cta``): an imperative verb phrase.
CTA_PHRASES: tuple[str, ...] = (
    "sign up", "signup", "register", "subscribe", "join", "book a demo", "book a call",
    "book your", "request a demo", "get a demo", "get started", "start your", "start now",
    "try it", "try for free", "try huddle", "free trial", "learn more", "find out more",
    "read more", "read the", "download", "get the", "get your", "grab your", "claim your",
    "contact us", "talk to us", "get in touch", "reply", "shop now", "buy now", "order now",
    "see how", "watch the", "watch now", "save your seat", "rsvp", "apply now", "click",
    "visit", "discover", "explore", "let's talk", "dm us", "comment below",
)  # fmt: skip

# Default maximum length in characters per channel (a brand guide can override them).
CHANNEL_LIMITS: dict[str, int] = {
    "x": 280,
    "linkedin": 3000,
    "linkedin_headline": 150,
    "instagram": 2200,
    "facebook": 63206,
    "sms": 160,
    "email_subject": 60,
    "email_preheader": 100,
    "meta_description": 155,
    "google_ads_headline": 30,
    "google_ads_description": 90,
}
CHANNEL_ALIASES: dict[str, str] = {
    "twitter": "x",
    "tweet": "x",
    "tweets": "x",
    "linkedin post": "linkedin",
    "linkedin posts": "linkedin",
    "subject line": "email_subject",
    "subject lines": "email_subject",
    "meta description": "meta_description",
    "meta descriptions": "meta_description",
    "text message": "sms",
    "instagram caption": "instagram",
    "instagram captions": "instagram",
}
