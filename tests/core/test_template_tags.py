"""Template helpers shared by every page (``huddle.core.templatetags.huddle_tags``)."""

from __future__ import annotations

from django.template import Context, Template


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_options_mark_the_selected_value_and_escape_labels():
    html = render(
        "{% options choices picked %}",
        choices=[("a", "Alpha"), ("b", "<Beta>")],
        picked="b",
    )
    assert (
        html == '<option value="a">Alpha</option><option value="b" selected>&lt;Beta&gt;</option>'
    )


def test_options_take_plain_strings_and_dict_items():
    assert render("{% options names 'seo' %}", names=["ads", "seo"]) == (
        '<option value="ads">ads</option><option value="seo" selected>seo</option>'
    )
    assert render("{% options sorts.items '' %}", sorts={"recent": "Recently updated"}) == (
        '<option value="recent">Recently updated</option>'
    )


def test_options_with_nothing_selected_or_a_number():
    assert "selected" not in render("{% options names %}", names=["x", "y"])
    assert render("{% options pairs 2 %}", pairs=[(1, "one"), (2, "two")]).endswith(
        '<option value="2" selected>two</option>'
    )
