"""``/api/v1/workflows``: what each persona sees and may do through the API."""

from __future__ import annotations

import pytest
from django.test import Client

from huddle.library import services
from tests.factories import TeamFactory, make_workflow

pytestmark = pytest.mark.django_db

WHO = ["owner", "admin", "editor", "member", "viewer", "outsider"]


@pytest.fixture
def library(personas, org):
    """Member's private workflow, editor's team one (team: editor, viewer), admin's org one."""
    team = TeamFactory(organization=org, slug="content", name="Content")
    for name in ("editor", "viewer"):
        personas[name].membership.teams.add(team)
    return {
        "private": make_workflow(personas["member"], title="Private notes", slug="private-notes"),
        "team": make_workflow(
            personas["editor"], title="Team brief", slug="team-brief", visibility="team", team=team
        ),
        "org": make_workflow(
            personas["admin"], title="Org launch", slug="org-launch", visibility="org"
        ),
    }


SEES = {
    "owner": {"org"},
    "admin": {"org"},
    "editor": {"team", "org"},
    "member": {"private", "org"},
    "viewer": {"team", "org"},
    "outsider": set(),
}


def _ids(body):
    return {item["slug"] for item in body["items"]}


@pytest.mark.parametrize("who", WHO)
def test_the_list_shows_exactly_what_each_persona_may_see(personas, library, api_client, who):
    response = api_client(personas[who]).get("/api/v1/workflows")
    assert response.status_code == 200
    expected = {library[name].slug for name in SEES[who]}
    assert _ids(response.json()) == expected


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("which", ["private", "team", "org"])
def test_detail_and_render_are_200_when_visible_and_404_otherwise(
    personas, library, api_client, who, which
):
    client = api_client(personas[who])
    workflow = library[which]
    visible = which in SEES[who]
    for key in (workflow.slug, str(workflow.public_id)):
        detail = client.get(f"/api/v1/workflows/{key}")
        render = client.post(
            f"/api/v1/workflows/{key}/render",
            {"inputs": {"product": "Huddle"}},
            content_type="application/json",
        )
        if visible:
            assert detail.status_code == 200
            assert detail.json()["id"] == str(workflow.public_id)
            assert render.status_code == 200
            assert "Huddle" in render.json()["text"]
        else:
            for response in (detail, render):
                assert response.status_code == 404
                assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("which", ["private", "team", "org"])
def test_fork_is_201_for_contributors_403_for_viewers_404_when_invisible(
    personas, library, api_client, who, which
):
    response = api_client(personas[who]).post(f"/api/v1/workflows/{library[which].slug}/fork")
    if which not in SEES[who]:
        assert response.status_code == 404
    elif who == "viewer":
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    else:
        assert response.status_code == 201
        body = response.json()
        assert body["forked_from"] == str(library[which].public_id)
        assert body["owner"]["email"] == personas[who].user.email
        assert body["visibility"] == "private"


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("admin", 200), ("editor", 200), ("member", 403), ("viewer", 403)],
)
def test_only_the_owner_or_editors_change_a_shared_workflow(
    personas, library, api_client, who, status
):
    response = api_client(personas[who]).patch(
        "/api/v1/workflows/org-launch",
        {"title": "Renamed"},
        content_type="application/json",
    )
    assert response.status_code == status


def test_viewers_can_never_write(viewer, library, api_client):
    client = api_client(viewer)
    body = {"title": "Mine", "steps": [{"template": "Hello"}]}
    assert client.post("/api/v1/workflows", body, content_type="application/json").status_code == (
        403
    )
    new_version = client.post(
        "/api/v1/workflows/team-brief/versions",
        {"steps": [{"template": "Hi {{ product }}"}], "inputs": [{"name": "product"}]},
        content_type="application/json",
    )
    assert new_version.status_code == 403


@pytest.mark.parametrize("header", [None, "Bearer hud_wrong"])
def test_a_wrong_or_absent_token_is_401(library, header):
    headers = {"authorization": header} if header else {}
    client = Client(headers=headers)
    assert client.get("/api/v1/workflows").status_code == 401
    assert client.get("/api/v1/workflows/org-launch").status_code == 401
    response = client.post("/api/v1/workflows/org-launch/render", {}, "application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_create_returns_the_workflow_and_its_first_version(member, api_client):
    response = api_client(member).post(
        "/api/v1/workflows",
        {
            "title": "Campaign brief",
            "kind": "chain",
            "summary": "From idea to brief",
            "tags": ["Briefs", "email"],
            "system": "You are a marketer.",
            "steps": [
                {"name": "ideas", "template": "Ideas for {{ product }}"},
                {"name": "brief", "template": "Brief from {{ steps.ideas.output }}"},
            ],
            "inputs": [{"name": "product", "label": "Product"}],
            "negative_constraints": "No jargon",
            "baseline_minutes": 45,
            "changelog": "Imported from my notes",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "campaign-brief"
    assert (body["kind"], body["visibility"], body["status"]) == ("chain", "private", "draft")
    assert body["tags"] == ["briefs", "email"]
    assert body["owner"] == {"email": member.user.email, "name": member.user.name}
    assert body["latest_version"] == 1
    version = body["version"]
    assert version["number"] == 1
    assert [s["name"] for s in version["steps"]] == ["ideas", "brief"]
    assert version["baseline_minutes"] == 45
    assert version["changelog"] == "Imported from my notes"
    assert version["author"] == member.user.email
    assert version["labels"] == ["latest"]


def test_create_problems_are_422_naming_the_field_and_line(member, api_client):
    response = api_client(member).post(
        "/api/v1/workflows",
        {"title": "Post", "steps": [{"template": "Hi\nFor {{ audience }}"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"]["steps.0.template"] == [
        "Line 2: 'audience' is used but not declared as an input."
    ]


def test_a_schema_problem_is_422_naming_the_field(member, api_client):
    response = api_client(member).post(
        "/api/v1/workflows",
        {"title": "Post", "kind": "poem", "steps": [{"template": "x"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "kind" in response.json()["error"]["fields"]


def test_team_visibility_needs_a_team_of_the_organisation(member, other_org, api_client):
    TeamFactory(organization=other_org, slug="sales")
    response = api_client(member).post(
        "/api/v1/workflows",
        {"title": "Post", "visibility": "team", "team": "sales", "steps": [{"template": "x"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"team": ["No team 'sales'."]}


def test_patch_changes_details_sharing_and_status(member, org, api_client):
    team = TeamFactory(organization=org, slug="content")
    make_workflow(member, slug="post")
    client = api_client(member)

    def patch(body):
        response = client.patch("/api/v1/workflows/post", body, content_type="application/json")
        assert response.status_code == 200, response.json()
        return response.json()

    body = patch({"title": "Launch post", "summary": "For launches", "tags": ["social"]})
    assert (body["title"], body["summary"], body["tags"]) == (
        "Launch post",
        "For launches",
        ["social"],
    )
    body = patch({"visibility": "team", "team": "content"})
    assert (body["visibility"], body["team"], body["status"]) == ("team", team.slug, "shared")
    assert patch({"status": "archived"})["status"] == "archived"
    assert patch({"status": "active"})["status"] == "shared"


def test_new_versions_move_latest_and_keep_the_old_ones(member, api_client):
    workflow = make_workflow(member, slug="post")
    client = api_client(member)
    response = client.post(
        "/api/v1/workflows/post/versions",
        {
            "steps": [{"template": "Announce {{ product }} to {{ audience }}"}],
            "inputs": [{"name": "product"}, {"name": "audience", "default": "customers"}],
            "changelog": "Add the audience",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["number"] == 2
    assert response.json()["labels"] == ["latest"]
    versions = client.get(f"/api/v1/workflows/{workflow.public_id}/versions").json()
    assert [(v["number"], v["labels"]) for v in versions["items"]] == [(2, ["latest"]), (1, [])]
    newest = client.get(f"/api/v1/workflows/{workflow.public_id}/versions", {"limit": 1}).json()
    assert [v["number"] for v in newest["items"]] == [2]
    older = client.get(
        f"/api/v1/workflows/{workflow.public_id}/versions",
        {"limit": 1, "cursor": newest["next_cursor"]},
    ).json()
    assert ([v["number"] for v in older["items"]], older["next_cursor"]) == ([1], None)
    assert client.get("/api/v1/workflows/post/versions/1").json()["changelog"] == "First version"
    assert client.get("/api/v1/workflows/post/versions/9").status_code == 404
    rendered = client.post(
        "/api/v1/workflows/post/render",
        {"inputs": {"product": "Huddle"}},
        content_type="application/json",
    ).json()
    assert rendered["text"] == "Announce Huddle to customers"
    old = client.post(
        "/api/v1/workflows/post/render",
        {"inputs": {"product": "Huddle"}, "version": 1},
        content_type="application/json",
    ).json()
    assert old["version"] == 1
    assert old["text"] == "Write a LinkedIn post announcing Huddle."


def test_render_names_missing_and_unknown_inputs(member, api_client):
    make_workflow(member, slug="post")
    response = api_client(member).post(
        "/api/v1/workflows/post/render",
        {"inputs": {"colour": "red"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields["product"] == ["Product is required."]
    assert fields["colour"] == ["'colour' is not an input of this workflow."]


def test_render_of_a_chain_uses_given_step_outputs(member, api_client):
    make_workflow(
        member,
        slug="chain",
        kind="chain",
        steps=[
            {"name": "draft", "template": "Draft about {{ topic }}"},
            {"name": "polish", "template": "Polish: {{ steps.draft.output }}"},
        ],
        inputs=[{"name": "topic"}],
        content={"system": "Be brief."},
    )
    body = api_client(member).post(
        "/api/v1/workflows/chain/render",
        {"inputs": {"topic": "AI"}, "step_outputs": {"draft": "AI is here."}},
        content_type="application/json",
    )
    assert body.status_code == 200
    assert body.json()["system"] == "Be brief."
    assert body.json()["steps"] == [
        {"name": "draft", "text": "Draft about AI"},
        {"name": "polish", "text": "Polish: AI is here."},
    ]


def test_stars_count_once_per_person(member, editor, library, api_client):
    assert api_client(member).post("/api/v1/workflows/org-launch/star").json()["star_count"] == 1
    client = api_client(editor)
    client.post("/api/v1/workflows/org-launch/star")
    assert client.post("/api/v1/workflows/org-launch/star").json()["star_count"] == 2
    assert client.delete("/api/v1/workflows/org-launch/star").json()["star_count"] == 1


def test_editors_endorse_shared_workflows(editor, member, library, api_client):
    response = api_client(editor).post("/api/v1/workflows/org-launch/endorse")
    assert response.status_code == 200
    assert response.json()["status"] == "endorsed"
    assert sorted(response.json()["version"]["labels"]) == ["endorsed", "latest"]
    forbidden = api_client(member).post("/api/v1/workflows/org-launch/endorse")
    assert forbidden.status_code == 403
    services.workflow_save_version(
        actor=editor.actor,
        workflow=library["org"],
        content=services.VersionContent.from_data({"steps": ["v2"]}),
    )
    again = api_client(editor).post("/api/v1/workflows/org-launch/endorse?version=1")
    assert again.json()["version"]["number"] == 2  # the detail shows the latest version
    versions = api_client(editor).get("/api/v1/workflows/org-launch/versions").json()["items"]
    assert [(v["number"], v["labels"]) for v in versions] == [(2, ["latest"]), (1, ["endorsed"])]


def test_pages_follow_the_cursor_to_the_end(member, api_client):
    for i in range(5):
        make_workflow(member, title=f"Post {i}")
    client = api_client(member)
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/workflows", query).json()
        seen += [item["slug"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(f"post-{i}" for i in range(5))


@pytest.mark.parametrize("cursor", ["nonsense", "eyJvIjo1fQ:forged", "%%%"])
def test_a_malformed_cursor_is_a_clear_422(member, api_client, cursor):
    response = api_client(member).get("/api/v1/workflows", {"cursor": cursor})
    assert response.status_code == 422
    assert "cursor is not valid" in response.json()["error"]["message"]
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_is_between_1_and_100(member, api_client, limit):
    response = api_client(member).get("/api/v1/workflows", {"limit": limit})
    assert response.status_code == 422


def test_filters_and_search(member, api_client):
    make_workflow(member, title="Newsletter intro", tags=["email"])
    make_workflow(
        member, title="Weekly chain", kind="chain", steps=["a {{ product }}", "b"], inputs=None
    )
    archived = make_workflow(member, title="Old post")
    services.workflow_archive(actor=member.actor, workflow=archived)
    client = api_client(member)

    def slugs(**query):
        return _ids(client.get("/api/v1/workflows", query).json())

    assert slugs(tag="email") == {"newsletter-intro"}
    assert slugs(kind="chain") == {"weekly-chain"}
    assert slugs(status="archived") == {"old-post"}
    assert slugs(q="newsletter") == {"newsletter-intro"}
    assert "old-post" not in slugs()
    assert client.get("/api/v1/workflows", {"sort": "random"}).status_code == 422


def test_listing_costs_the_same_few_queries_for_many_rows(
    member, api_client, django_assert_max_num_queries
):
    for i in range(15):
        make_workflow(member, title=f"Post {i}", tags=["a", "b"])
    client = api_client(member)
    # Token, membership and teams, the page, tags: not one query per row.
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/workflows", {"limit": 15}).json()
    assert len(body["items"]) == 15
    assert body["items"][0]["tags"] == ["a", "b"]


def test_openapi_lists_the_library_paths(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/workflows",
        "/api/v1/workflows/{id}",
        "/api/v1/workflows/{id}/versions",
        "/api/v1/workflows/{id}/versions/{number}",
        "/api/v1/workflows/{id}/render",
        "/api/v1/workflows/{id}/fork",
        "/api/v1/workflows/{id}/star",
        "/api/v1/workflows/{id}/endorse",
    ):
        assert path in paths
    assert set(paths["/api/v1/workflows/{id}"]) == {"get", "patch"}


def test_a_patch_that_fails_half_way_changes_nothing(member, api_client):
    make_workflow(member, slug="post")
    response = api_client(member).patch(
        "/api/v1/workflows/post",
        {"title": "Renamed", "visibility": "team"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"team": ["Required for team visibility."]}
    assert api_client(member).get("/api/v1/workflows/post").json()["title"] == "Launch post"
