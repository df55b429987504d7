"""The pure checker, rule by rule, on crafted texts: true positives and false positives."""

from __future__ import annotations

import re

import pytest

from huddle.brand import checker, matcher
from huddle.brand.checker import Finding, Ruleset, Term, check, score
from huddle.brand.masking import mask

GLOSSARY = Ruleset(
    terms=(
        Term("synergy", "banned", "working together", "glossary"),
        Term("leverage", "banned", "use", "glossary"),
        Term("best in class", "banned", "a concrete proof point", "glossary"),
        Term("naïve", "banned", "simple", "glossary"),
        Term("Acme Insights", "product", "Acme Insights", "glossary"),
        Term("Huddle", "product", "Huddle", "glossary"),
        Term("clients", "preferred", "customers", "glossary"),
    )
)


def rules_of(text: str, ruleset: Ruleset = GLOSSARY, **kwargs) -> list[tuple[str, str]]:
    return [(f.rule, f.match) for f in check(text, ruleset, **kwargs).findings]


def test_a_banned_term_at_sentence_start_is_found_with_its_replacement_in_the_same_case():
    report = check("Synergy matters. We hate synergy.", GLOSSARY)
    first, second = report.findings
    assert (first.start, first.end, first.line, first.rule) == (0, 7, 1, "banned")
    assert first.severity == "blocking"
    assert first.suggestion == "Working together"
    assert second.suggestion == "working together"
    assert report.blocking


def test_a_hyphenated_compound_still_says_the_banned_word():
    assert rules_of("A synergy-driven plan.") == [("banned", "synergy")]


def test_hyphens_and_spaces_are_the_same_separator_in_terms():
    assert rules_of("Our best-in-class tool, truly best  in class.") == [
        ("banned", "best-in-class"),
        ("banned", "best  in class"),
    ]


def test_a_banned_word_inside_another_word_is_not_found():
    assert rules_of("Synergystic leveraged unsynergy") == []


def test_banned_words_in_urls_code_and_link_targets_are_not_found():
    text = (
        "See https://acme.test/synergy and www.synergy.test, <https://x.test/leverage>.\n"
        "Run `leverage --all` now.\n"
        "```python\nsynergy = leverage()\n```\n"
        "[read this](https://acme.test/synergy-report) or mail synergy@acme.test\n"
        '<a href="/leverage">here</a>\n'
        "[ref]: https://acme.test/leverage\n"
    )
    assert rules_of(text) == []


def test_a_markdown_link_text_is_prose_and_is_checked():
    assert rules_of("[Synergy wins](https://acme.test/)") == [("banned", "Synergy")]


def test_masking_keeps_offsets_and_line_numbers():
    text = "a `code` b\n```\nx\n```\nsynergy"
    masked = mask(text)
    assert len(masked) == len(text)
    assert masked.count("\n") == text.count("\n")
    finding = check(text, GLOSSARY).findings[0]
    assert (finding.line, text[finding.start : finding.end]) == (5, "synergy")


def test_accents_are_letters_and_case_folds_across_them():
    assert rules_of("NAÏVE plans, naïvely") == [("banned", "NAÏVE")]
    decomposed = "nai\u0308ve"  # the same word with a combining diaeresis
    assert rules_of(f"So {decomposed}.") == [("banned", decomposed)]


def test_emoji_next_to_a_term_is_a_boundary_and_offsets_count_code_points():
    text = "🚀🚀 synergy🔥"
    finding = check(text, GLOSSARY).findings[0]
    assert text[finding.start : finding.end] == "synergy"
    assert finding.start == 3


def test_product_names_must_be_spelled_exactly():
    assert rules_of("Try Huddle and acme insights, or HUDDLE, or Acme  Insights.") == [
        ("product", "acme insights"),
        ("product", "HUDDLE"),
    ]
    finding = check("try huddle", GLOSSARY).findings[0]
    assert (finding.severity, finding.suggestion) == ("warning", "Huddle")


def test_the_word_a_preferred_term_replaces_is_flagged():
    finding = check("Our Clients love it.", GLOSSARY).findings[0]
    assert (finding.rule, finding.suggestion, finding.severity) == (
        "preferred",
        "Customers",
        "warning",
    )


def test_exclamation_marks_are_flagged_per_run_but_not_image_syntax():
    ruleset = Ruleset(exclamation=True)
    assert rules_of("Wow!!! Great! ![logo](logo.png)", ruleset) == [
        ("exclamation", "!!!"),
        ("exclamation", "!"),
    ]
    assert rules_of("Wow!", Ruleset()) == []


def test_emoji_with_modifiers_and_joiners_count_once():
    ruleset = Ruleset(emoji=True)
    text = "Launch 🚀 by 👩🏽‍💻 in 🇬🇧 ❤️ — café → done"
    assert [m for _r, m in rules_of(text, ruleset)] == ["🚀", "👩🏽‍💻", "🇬🇧", "❤️"]


def test_superlatives():
    ruleset = Ruleset(superlatives=True)
    assert rules_of("The world-class, best tool; bestow a leading role.", ruleset) == [
        ("superlative", "world-class"),
        ("superlative", "best"),
    ]


def test_first_and_second_person():
    first = Ruleset(first_person=True)
    assert rules_of("We think our US office and I agree, i.e. yes.", first) == [
        ("first_person", "We"),
        ("first_person", "our"),
        ("first_person", "I"),
    ]
    second = Ruleset(second_person=True)
    assert rules_of("Your team and you.", second) == [
        ("second_person", "Your"),
        ("second_person", "you"),
    ]


def test_british_spelling_suggests_the_uk_form_and_american_the_us_form():
    uk = check("Color and Optimized behavior; colour is fine.", Ruleset(spelling="uk"))
    assert [(f.match, f.suggestion) for f in uk.findings] == [
        ("Color", "Colour"),
        ("Optimized", "Optimised"),
        ("behavior", "behaviour"),
    ]
    us = check("The colour of the centre.", Ruleset(spelling="us"))
    assert [(f.match, f.suggestion) for f in us.findings] == [
        ("colour", "color"),
        ("centre", "center"),
    ]


def test_sentence_length_flags_only_long_sentences():
    ruleset = Ruleset(max_sentence_words=5)
    text = "Short one. This sentence has far too many words in it.\n- A list item is fine"
    assert rules_of(text, ruleset) == [
        ("sentence_length", "This sentence has far too many words in it.")
    ]


def test_reading_level_is_graded_only_for_texts_of_thirty_words_or_more():
    hard = (
        "Organisational transformation necessitates comprehensive stakeholder "
        "communication, institutional accountability and considerable methodological "
        "sophistication. " * 3
    )
    report = check(hard, Ruleset(min_reading_ease=60, max_grade=8))
    assert {f.rule for f in report.findings} == {"reading_level"}
    assert report.reading_ease < 0
    assert check("Too short to grade.", Ruleset(min_reading_ease=60)).findings == ()
    easy = "We make it. You use it. It works well. " * 5
    assert check(easy, Ruleset(min_reading_ease=60, max_grade=8)).findings == ()


def test_max_length_per_channel_marks_the_overflow():
    text = "x" * 300
    finding = check(text, Ruleset(), channel="x").findings[0]
    assert (finding.rule, finding.start, finding.end) == ("max_length", 280, 300)
    assert check(text, Ruleset(channel_limits=(("x", 400),)), channel="x").findings == ()
    with pytest.raises(ValueError, match="Unknown channel"):
        check(text, Ruleset(), channel="fax")


@pytest.mark.parametrize(
    ("element", "missing", "present"),
    [
        ("cta", "We built a thing.", "We built a thing. Book a demo."),
        ("question_end", "Is it good? It is.", "It is good. Is it for you? 🙂"),
        ("question", "No questions here.", "Any questions? We answer."),
        ("link", "No link here.", "Read [this](https://acme.test)."),
        ("hashtag", "# Heading only", "Proud day #launch"),
        ("mention", "mail me@acme.test", "Thanks @maya"),
        ("max_words:3", "one two three four", "one two three"),
        ("min_words:3", "one two", "one two three"),
        ("max_chars:5", "123456", "12345"),
    ],
)
def test_required_elements(element, missing, present):
    assert [f.match for f in check(missing, Ruleset(), required=[element]).findings] == [element]
    assert check(present, Ruleset(), required=[element]).findings == ()


def test_an_unknown_required_element_is_a_hint_not_a_failure():
    (finding,) = check("Hi.", Ruleset(), required=["pun"]).findings
    assert (finding.rule, finding.severity) == ("required_unknown", "info")


def test_a_100_kb_text_is_checked_whole():
    paragraph = "Our synergy-driven team ships fast; see https://acme.test/synergy now.\n"
    text = paragraph * (100_000 // len(paragraph) + 1)
    report = check(text, GLOSSARY)
    assert len(text) > 100_000
    assert len(report.findings) == text.count("\n")
    assert report.findings[-1].line == text.count("\n")


def _finding(rule: str, severity: str, match: str = "") -> Finding:
    return Finding(0, 1, 1, rule, severity, "", "", match)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("findings", "words", "expected"),
    [
        ([], 100, 100),
        ([_finding("banned", "blocking", "synergy")], 40, 80),
        ([_finding("banned", "blocking", "synergy")] + [_finding("exclamation", "warning")] * 3,
         100, 65),
        ([_finding("banned", "blocking", "synergy")] + [_finding("exclamation", "warning")] * 3,
         1000, 76),
        ([_finding("banned", "blocking", "synergy")] * 5, 100, 60),
        ([_finding("banned", "blocking", w) for w in "abcdef"], 100, 0),
        ([_finding("sentence_length", "info")] * 2, 50, 98),
    ],
)  # fmt: skip
def test_score_formula_on_known_examples(findings, words, expected):
    assert score(findings, words) == expected


def test_report_score_uses_the_formula():
    report = check("Synergy! Synergy!", Ruleset(terms=GLOSSARY.terms, exclamation=True))
    assert report.score == 100 - 40 - 10


def test_terms_compile_into_one_regex_once_per_ruleset(monkeypatch):
    calls = []
    original = re.compile

    def counting(pattern, flags=0):
        if isinstance(pattern, str) and pattern.startswith("(?<!\\w)(?:"):
            calls.append(pattern)
        return original(pattern, flags)

    checker._matcher.cache_clear()
    monkeypatch.setattr(matcher.re, "compile", counting)
    ruleset = Ruleset(terms=(Term("pivot", "banned", "change"),))
    check("pivot", ruleset)
    check("pivot again", ruleset)
    check("and pivot", Ruleset(terms=(Term("pivot", "banned", "change"),)))  # an equal ruleset
    assert len(calls) == 1


def test_longest_term_wins_and_shorter_terms_still_match_alone():
    ruleset = Ruleset(
        terms=(Term("best", "banned", "good"), Term("best in class", "banned", "proven"))
    )
    assert rules_of("best in class; best in show", ruleset) == [
        ("banned", "best in class"),
        ("banned", "best"),
    ]


def test_terms_with_regex_characters_are_literal():
    ruleset = Ruleset(terms=(Term("C++", "banned", "C plus plus"), Term("a.b", "banned", "ab")))
    assert rules_of("We use C++ and axb and a.b.", ruleset) == [
        ("banned", "C++"),
        ("banned", "a.b"),
    ]
