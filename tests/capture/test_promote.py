"""From typed prompts to templates: escaping, selected spans, inputs inferred from examples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddle.capture.promote import Span, build, escape
from huddle.library.templating import render


@pytest.mark.parametrize(
    "typed",
    [
        "Use {{ curly }} braces",
        "{% if x %}literal{% endif %}",
        "{# not a comment #}",
        "{{{ triple }}}",
        "{% raw %}{{ x }}{% endraw %}",
        "{{ '{{' }}",
        "}} %} #}",
    ],
)
def test_a_typed_prompt_with_braces_renders_exactly_as_typed(typed):
    assert render(escape(typed), {}) == typed


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="{}%#'\" ab-\n", max_size=40))
def test_any_text_survives_escaping(typed):
    assert render(escape(typed), {}) == typed


def test_a_span_replaces_every_occurrence_in_its_step_only():
    built = build(
        [{"text": "Post about CRM. CRM is great."}, {"text": "Thread about CRM."}],
        [Span(text="CRM", name="product", step=0)],
    )
    assert built.templates == [
        "Post about {{ product }}. {{ product }} is great.",
        "Thread about CRM.",
    ]
    assert [(i.name, i.default, i.origin) for i in built.inputs] == [("product", "CRM", "selected")]


def test_a_span_without_a_step_applies_to_every_step():
    built = build([{"text": "About CRM"}, {"text": "More CRM"}], [Span("CRM", "product")])
    assert built.templates == ["About {{ product }}", "More {{ product }}"]


def test_longer_spans_win_where_spans_overlap():
    built = build(
        [{"text": "new CRM launch"}],
        [Span("CRM", "product", 0), Span("new CRM launch", "news", 0)],
    )
    assert built.templates == ["{{ news }}"]


def test_spans_in_a_prompt_with_braces_keep_the_braces_literal():
    typed = "Fill {{name}} for ACME"
    built = build([{"text": typed}], [Span("ACME", "client", 0)])
    assert render(built.templates[0], {"client": "Globex"}) == "Fill {{name}} for Globex"


def test_bad_spans_are_reported_by_position():
    built = build(
        [{"text": "Hello world"}],
        [
            Span("nowhere", "x", 0),
            Span("world", "Bad Name", 0),
            Span("world", "w", 3),
            Span("", "y"),
        ],
    )
    assert set(built.problems) == {"spans.0", "spans.1", "spans.2", "spans.3"}
    assert "“nowhere” is not in step 1." in built.problems["spans.0"]
    assert "There is no step 4." in built.problems["spans.2"]
    assert built.templates == ["Hello world"]


def test_inputs_are_inferred_from_what_differs_between_examples():
    built = build(
        [
            {
                "text": "Write a LinkedIn post about our new CRM for CFOs",
                "examples": ["Write a LinkedIn post about our webinar for marketers"],
            }
        ],
        [],
    )
    assert built.templates == ["Write a LinkedIn post about our {{ topic }} for {{ audience }}"]
    inputs = {i.name: i for i in built.inputs}
    assert (inputs["topic"].default, inputs["audience"].default) == ("new CRM", "CFOs")
    assert inputs["topic"].origin == "examples"
    assert inputs["topic"].as_data()["help"] == "Other examples: webinar"


def test_three_examples_and_a_selected_span_together():
    built = build(
        [
            {
                "text": "Summarise the report for May 2026. Tone: friendly.",
                "examples": [
                    "Summarise the report for June 2026. Tone: formal.",
                    "Summarise the report for July 2026. Tone: friendly and short.",
                ],
            }
        ],
        [Span("report", "document", 0)],
    )
    assert built.templates == [
        "Summarise the {{ document }} for {{ month }} 2026. Tone: {{ tone }}."
    ]
    assert {i.name: i.default for i in built.inputs} == {
        "document": "report",
        "month": "May",
        "tone": "friendly",
    }


def test_a_difference_the_author_selected_is_left_to_the_author():
    step = {"text": "Post about CRM for CFOs", "examples": ["Post about webinars for CFOs"]}
    built = build([step], [Span("CRM", "product", 0)])
    assert built.templates == ["Post about {{ product }} for CFOs"]
    assert [i.name for i in built.inputs] == ["product"]


def test_examples_that_differ_too_much_are_not_compared():
    built = build([{"text": "one two three", "examples": ["four five six"]}], [])
    assert built.templates == ["one two three"]
    assert built.inputs == []
    assert "differ too much" in built.notes[0]


def test_inferred_names_never_clash():
    built = build(
        [{"text": "for A and for B", "examples": ["for C and for D"]}],
        [Span("A", "audience", 0)],
    )
    assert built.templates == ["for {{ audience }} and for {{ audience_1 }}"]
