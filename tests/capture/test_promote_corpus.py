"""Issue 19, item 4: inputs inferred from examples, scored on a fixed corpus of captures and
mined patterns (``promote_corpus.CORPUS``). Precision is the share of inferred inputs that a
person would have made: "values" counts the input's text (its boundaries), "names" the name too.
The figures are printed (``pytest -s``) and recorded in docs/performance.md."""

from __future__ import annotations

from huddle.capture.promote import build
from tests.capture.promote_corpus import CORPUS

# Measured when the corpus was written: values 28/28, names 26/28, recall 28/28.
MIN_VALUE_PRECISION = 1.0
MIN_NAME_PRECISION = 0.9
MIN_RECALL = 1.0


def score() -> dict[str, float]:
    inferred = right_values = right_names = expected_total = found_expected = 0
    for text, examples, expected in CORPUS:
        built = build([{"text": text, "examples": examples}], [])
        got = [(i.name, i.default) for i in built.inputs]
        wanted = {default: name for name, default in expected.items()}
        inferred += len(got)
        expected_total += len(wanted)
        for name, default in got:
            if default in wanted:
                right_values += 1
                right_names += wanted[default].startswith("*") or wanted[default] == name
        found_expected += sum(1 for default in wanted if default in dict(map(reversed, got)))
    return {
        "inferred": inferred,
        "value_precision": right_values / inferred,
        "name_precision": right_names / inferred,
        "recall": found_expected / expected_total,
    }


def test_the_corpus_precision_holds():
    figures = score()
    print(
        f"\npromote corpus: {len(CORPUS)} cases, {figures['inferred']} inputs inferred; "
        f"precision (values) {figures['value_precision']:.0%}, "
        f"precision (names) {figures['name_precision']:.0%}, recall {figures['recall']:.0%}"
    )
    assert figures["value_precision"] >= MIN_VALUE_PRECISION
    assert figures["name_precision"] >= MIN_NAME_PRECISION
    assert figures["recall"] >= MIN_RECALL


def test_a_number_with_its_unit_stays_one_input():
    built = build([{"text": "CTR was 2.21% in May", "examples": ["CTR was 3.4% in May"]}], [])
    assert built.templates == ["CTR was {{ ctr }} in May"]


def test_the_issues_capture_gets_no_invented_inputs():
    text, examples, _ = CORPUS[0]
    names = {i.name: i.default for i in build([{"text": text, "examples": examples}], []).inputs}
    assert "gdpr" not in names
    assert names["attendees"] == "140"  # not "140 attendees,"
    assert names["product"] == "Nimbus CRM"  # not "of Nimbus CRM went well"


def test_verbs_are_never_names():
    text, examples, _ = CORPUS[7]
    names = [i.name for i in build([{"text": text, "examples": examples}], []).inputs]
    assert "announcing" not in names
    assert names[0] == "product"
