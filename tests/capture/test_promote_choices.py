"""Issue 19, item 4: every inferred input can be renamed or removed in the preview before the
workflow is made, for captures (page, API, CLI) and mined patterns (page; no one-click create)."""

from __future__ import annotations

import pytest

from huddle.capture.importers.patterns import suggested_title
from huddle.capture.models import Pattern
from huddle.capture.promote import apply_choices, build, choices_from
from huddle.cli import run as cli
from huddle.library.models import Workflow
from huddle.library.templating import render
from tests.capture.helpers import TWO_EXAMPLES, make_capture

STEP = {
    "text": "Write a LinkedIn post about our new CRM for CFOs",
    "examples": ["Write a LinkedIn post about our webinar for marketers"],
}


def _built(choices):
    return apply_choices(build([STEP], []), choices)


def test_rename_and_remove_inferred_inputs():
    built = _built({"topic": "product", "audience": None})
    assert built.templates == ["Write a LinkedIn post about our {{ product }} for CFOs"]
    assert [(i.name, i.inferred_as) for i in built.inputs] == [("product", "topic")]
    assert [(d.inferred_as, d.default) for d in built.dropped] == [("audience", "CFOs")]
    assert render(built.templates[0], {"product": "Huddle"}) == (
        "Write a LinkedIn post about our Huddle for CFOs"
    )


def test_two_names_can_be_swapped():
    built = _built({"topic": "audience", "audience": "topic"})
    assert built.templates == ["Write a LinkedIn post about our {{ audience }} for {{ topic }}"]


@pytest.mark.parametrize(
    ("choices", "where"),
    [
        ({"topic": "Bad Name"}, "inputs.topic"),
        ({"topic": "audience"}, "inputs.audience"),
        ({"topic": "context"}, "inputs.topic"),  # reserved
    ],
)
def test_bad_or_clashing_names_are_problems_and_rename_nothing(choices, where):
    built = _built(choices)
    assert where in built.problems
    assert built.templates == ["Write a LinkedIn post about our {{ topic }} for {{ audience }}"]


def test_a_removed_input_with_braces_goes_back_literally():
    step = {"text": "Fill {{x}} for ACME now", "examples": ["Fill {{x}} for Globex now"]}
    built = apply_choices(build([step], []), {"audience": None})
    assert render(built.templates[0], {}) == "Fill {{x}} for ACME now"


def test_choices_are_read_from_a_form():
    assert choices_from({"rename.topic": " product ", "drop.audience": "on", "title": "x"}) == {
        "topic": "product",
        "audience": None,
    }
    assert choices_from({"rename.topic": ""}) == {"topic": "topic"}


# --- captures ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_promote_preview_and_the_workflow_use_the_renames(member, login):
    capture = make_capture(member, steps=[TWO_EXAMPLES])
    client = login(member)
    url = f"/o/acme/captures/{capture.public_id}/promote/"
    fragment = client.post(
        f"{url}preview/", {"rename.topic": "product", "drop.audience": "on"}
    ).content.decode()
    assert "about our {{ product }} for CFOs" in fragment
    assert 'name="rename.topic" value="product"' in fragment
    assert 'name="drop.audience" checked' in fragment  # kept, so the next preview knows

    bad = client.post(url, {"rename.topic": "Not OK"})
    assert bad.status_code == 200
    assert "can&#x27;t be an input name" in bad.content.decode()
    assert not Workflow.objects.exists()

    response = client.post(url, {"title": "Post", "rename.topic": "product", "drop.audience": "1"})
    assert response.status_code == 302
    version = Workflow.objects.get().versions.get()
    assert [i["name"] for i in version.inputs] == ["product"]
    assert version.steps[0]["template"].endswith("about our {{ product }} for CFOs")


@pytest.mark.django_db
def test_the_api_previews_and_promotes_with_renames(member, api_client):
    capture = make_capture(member, steps=[TWO_EXAMPLES])
    client = api_client(member)
    url = f"/api/v1/captures/{capture.public_id}/promote"
    body = {"rename": {"topic": "product"}, "drop": ["audience"]}
    preview = client.post(f"{url}?dry_run=true", body, content_type="application/json").json()
    assert [i["name"] for i in preview["inputs"]] == ["product"]
    assert preview["dropped"] == [{"name": "audience", "default": "CFOs"}]
    bad = client.post(url, {"rename": {"topic": "X Y"}}, content_type="application/json")
    assert bad.status_code == 422
    assert "inputs.topic" in bad.json()["error"]["fields"]
    assert client.post(url, body, content_type="application/json").status_code == 201


@pytest.mark.django_db
def test_the_cli_renames_and_drops(member, capsys):
    capture = make_capture(member, steps=[TWO_EXAMPLES])
    args = ["capture", "promote", str(capture.public_id), "--org", "acme", "--user",
            member.user.email]  # fmt: skip
    assert cli([*args, "--dry-run", "--rename", "topic=product", "--drop", "audience"]) == 0
    out = capsys.readouterr().out
    assert "input product (default: 'new CRM')" in out
    assert "input audience" not in out
    assert cli([*args, "--rename", "topic"]) == 2
    assert "--rename takes OLD=NEW" in capsys.readouterr().err


# --- mined patterns ----------------------------------------------------------------------------


@pytest.fixture
def pattern(member):
    return Pattern.objects.create(
        organization=member.org,
        owner=member.user,
        signature="s1",
        title="Write a LinkedIn post announcing Huddle 2.0 to marketing leaders. Our CTR wa…",
        template="Write a LinkedIn post announcing {{ product }} to {{ audience }}. "
        "Our CTR was {{ ctr }} last month.",
        variables=[
            {"name": "product", "default": "Huddle 2.0", "examples": ["Orbit CRM"]},
            {"name": "audience", "default": "marketing leaders", "examples": ["sales teams"]},
            {"name": "ctr", "default": "2.21%", "examples": ["3.45%"]},
        ],
        examples=[],
        size=4,
    )


def test_a_suggested_title_is_cut_on_a_word_without_an_ellipsis(pattern):
    assert suggested_title(pattern) == (
        "Write a LinkedIn post announcing Huddle 2.0 to marketing leaders. Our CTR"
    )


@pytest.mark.django_db
def test_the_patterns_list_links_to_the_preview_and_never_creates(pattern, member, login):
    client = login(member)
    page = client.get("/o/acme/captures/patterns/").content.decode()
    assert f"/o/acme/captures/patterns/{pattern.public_id}/" in page
    assert "Preview and promote" in page
    assert f'action="/o/acme/captures/patterns/{pattern.public_id}/promote/"' not in page


@pytest.mark.django_db
def test_the_pattern_preview_renames_removes_then_creates(pattern, member, login):
    client = login(member)
    url = f"/o/acme/captures/patterns/{pattern.public_id}/"
    preview = client.get(url, {"rename.ctr": "click_rate", "drop.audience": "on"}).content
    html = preview.decode()
    assert "announcing {{ product }} to marketing leaders. Our CTR was {{ click_rate }}" in html
    bad = client.post(f"{url}promote/", {"rename.ctr": "product"})
    assert bad.status_code == 200
    assert "Two inputs are called" in bad.content.decode()
    assert not Workflow.objects.exists()
    done = client.post(f"{url}promote/", {"rename.ctr": "click_rate", "drop.audience": "on"})
    assert done.status_code == 302
    workflow = Workflow.objects.get()
    assert workflow.title == suggested_title(pattern)
    assert [i["name"] for i in workflow.versions.get().inputs] == ["product", "click_rate"]
