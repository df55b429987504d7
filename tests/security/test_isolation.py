"""Tenant isolation: every route, aimed at organisation A's objects by people who have no right
to them, is refused with 404 (pages) or 404/401 (API), and the database does not change.

Actors: an outsider (owner of B) on A's URLs and on B's URLs carrying A's ids; anonymous; a
removed member of A; and in the API a token of B, an anonymous call and the removed member's
old token. Then body references (A's ids in B's requests) and role rules inside A.
"""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.security.figures import record
from tests.security.routes import API, PAGES, api_operations, has_object, page_routes
from tests.security.seed import seed_org
from tests.security.snapshot import changes, snapshot

FORM = {
    "title": "pwned",
    "name": "pwned",
    "role": "viewer",
    "visibility": "org",
    "text": "pwned",
    "story": "pwned",
    "markdown": "pwned",
    "rating": "1",
    "steps": "pwned",
    "confirm": "yes",
}
BODIES = {
    "huddle_library_api_patch_workflow": {"title": "pwned"},
    "huddle_library_api_create_version": {"steps": [{"template": "pwned"}]},
    "huddle_library_api_render_workflow": {"inputs": {}},
    "huddle_runs_api_workflow_run": {"inputs": {}},
    "huddle_context_api_version_create": {"data": {"text": "pwned"}},
    "huddle_capture_api_capture_promote": {"spans": [], "title": "pwned"},
    "huddle_rituals_api_asks_answer": {"text": "pwned"},
}


@pytest.fixture
def worlds(db):
    return seed_org("alpha"), seed_org("bravo")


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def _page_url(name: str, org_slug: str, ids: dict) -> str:
    return reverse(name, kwargs={"org_slug": org_slug, **PAGES[name](ids)})


def _api_call(client: Client, op, ids: dict, headers: dict):
    url = op.path.format(**{k: str(v) for k, v in API[op.operation_id](ids).items()})
    if op.method == "GET":
        return client.get(url, headers=headers)
    if op.operation_id.endswith("upload"):
        data = {"file": io.BytesIO(b"pwned"), "changelog": "pwned"}
        return client.post(url, data, headers=headers)
    body = json.dumps(BODIES.get(op.operation_id, {}))
    method = getattr(client, op.method.lower())
    return method(url, body, content_type="application/json", headers=headers)


def test_no_route_lets_anyone_outside_organisation_a_see_or_change_its_objects(worlds):
    a, b = worlds
    outsider = _signed_in(b.people["owner"].user)
    removed = _signed_in(a.removed)
    anonymous = Client()
    page_names = {route.name for route in page_routes()} & PAGES.keys()
    failures: list[str] = []
    requests = 0
    before = snapshot()

    def check(label: str, response, allowed: set[int]) -> None:
        nonlocal requests
        requests += 1
        status = response.status_code
        if (
            status == 302
            and label.startswith("anonymous")
            and "/accounts/login/" in (response.headers.get("location", ""))
        ):
            status = 404  # sent to sign in, told nothing
        if status not in allowed:
            failures.append(f"{label}: {response.status_code}")

    for name in sorted(page_names):
        targets = [("A", _page_url(name, a.org.slug, a.ids))]
        if has_object(PAGES[name]):
            # B's own organisation in the URL, A's object id in the path.
            targets.append(("B+A-id", _page_url(name, b.org.slug, a.ids)))
        for where, url in targets:
            for who, client in (
                ("outsider", outsider),
                ("removed", removed),
                ("anonymous", anonymous),
            ):
                if where == "B+A-id" and who != "outsider":
                    continue
                check(f"{who} GET {where} {name}", client.get(url), {404, 405})
                # 405: the route takes no such method at all, whoever asks: it tells nothing.
                check(f"{who} POST {where} {name}", client.post(url, FORM), {404, 405})

    wrong_org = {"authorization": f"Bearer {b.ids['raw_token']}"}
    old_token = {"authorization": f"Bearer {a.ids['gone_raw_token']}"}
    api_client = Client()
    for op in api_operations():
        if has_object(API[op.operation_id]) and op.operation_id != (
            "huddle_rituals_api_digests_detail"
        ):
            check(
                f"wrong-org {op.method} {op.path}",
                _api_call(api_client, op, a.ids, wrong_org),
                {404},
            )
        check(f"anonymous {op.method} {op.path}", _api_call(api_client, op, a.ids, {}), {401})
        check(f"removed {op.method} {op.path}", _api_call(api_client, op, a.ids, old_token), {401})

    assert not failures, "\n".join(failures)
    assert changes(before, snapshot()) == []
    record("isolation", requests=requests)


def _bearer(raw: str) -> dict[str, str]:
    return {"authorization": f"Bearer {raw}"}


def _body_references(a, b) -> list[tuple[str, str, dict]]:
    """(method, url, JSON body) sent with a token of B, each naming an object of A."""
    ai, bi = a.ids, b.ids
    return [
        ("post", "/api/v1/wins", {"story": "x", "workflow": str(ai["workflow"])}),
        ("post", "/api/v1/wins", {"story": "x", "run": str(ai["run"])}),
        ("post", "/api/v1/wins", {"story": "x", "capture": str(ai["capture"])}),
        ("post", f"/api/v1/asks/{bi['ask']}/answers", {"workflow": str(ai["workflow"])}),
        ("post", f"/api/v1/asks/{bi['ask']}/answers", {"capture": str(ai["capture"])}),
        ("post", "/api/v1/runs", {"workflow": str(ai["workflow"]), "final_text": "x"}),
        ("post", "/api/v1/brand/check", {"text": "x", "workflow": str(ai["workflow"])}),
        ("post", f"/api/v1/workflows/{bi['workflow']}/run", {"provider": str(ai["provider"])}),
        ("post", "/api/v1/workflows", {"title": "x", "team": str(a.team.public_id)}),
        (
            "post",
            "/api/v1/captures",
            {"title": "x", "steps": ["s"], "team": str(a.team.public_id), "visibility": "team"},
        ),
        (
            "patch",
            f"/api/v1/workflows/{bi['workflow']}",
            {"team": str(a.team.public_id), "visibility": "team"},
        ),
    ]


def test_objects_of_a_named_in_the_body_of_b_requests_are_refused(worlds):
    a, b = worlds
    client = Client()
    headers = _bearer(b.ids["raw_token"])
    before = snapshot()
    failures = []
    cases = _body_references(a, b)
    for method, url, body in cases:
        response = getattr(client, method)(
            url, json.dumps(body), content_type="application/json", headers=headers
        )
        if response.status_code not in {400, 404, 422}:
            failures.append(f"{method} {url} {body}: {response.status_code}")
    # The pages: nominate and answer with A's workflow, from B.
    page = _signed_in(b.people["owner"].user)
    for url, data in (
        (reverse("win_nominate", args=[b.org.slug]), {"story": "x", "workflow": ai_(a)}),
        (reverse("ask_answer", args=[b.org.slug, b.ids["ask"]]), {"workflow": ai_(a)}),
    ):
        response = page.post(url, data)
        if response.status_code not in {302, 400, 404, 422, 200}:
            failures.append(f"page {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert changes(before, snapshot()) == []
    record("body_references", cases=len(cases) + 2)


def ai_(world) -> str:
    return str(world.ids["workflow"])


def test_a_context_reference_to_another_tenants_asset_renders_nothing_of_it(worlds):
    a, b = worlds
    client = Client()
    headers = _bearer(b.ids["raw_token"])
    body = {
        "title": "Borrow",
        "steps": [{"template": "Voice: {{ context." + a.ids["asset_slug"] + " }}"}],
        "context_refs": [{"slug": a.ids["asset_slug"]}],
    }
    created = client.post(
        "/api/v1/workflows", json.dumps(body), content_type="application/json", headers=headers
    )
    assert created.status_code in {201, 400, 404, 422}
    if created.status_code == 201:
        rendered = client.post(
            f"/api/v1/workflows/{created.json()['id']}/render",
            json.dumps({"inputs": {}}),
            content_type="application/json",
            headers=headers,
        )
        assert "Our voice is plain." not in rendered.content.decode()


VIEWER_PAGES = [
    "workflow_edit",
    "workflow_publish",
    "workflow_archive",
    "workflow_endorse",
    "workflow_fork",
    "context_edit",
    "context_approve",
    "context_archive",
    "capture_new",
    "member_role",
    "member_remove",
    "team_delete",
    "provider_delete",
    "provider_edit",
    "digest_send",
    "win_choose",
    "organization_settings",
    "token_revoke",
    "invitation_revoke",
]
VIEWER_API = [
    "huddle_library_api_patch_workflow",
    "huddle_library_api_create_version",
    "huddle_library_api_endorse_workflow",
    "huddle_library_api_fork_workflow",
    "huddle_context_api_version_create",
    "huddle_context_api_approve",
    "huddle_context_api_asset_archive",
    "huddle_rituals_api_wins_choose",
    "huddle_capture_api_capture_promote",
]


def _refused(world, role: str, *, posts=(), reads=(), api=(), ids: dict | None = None) -> list[str]:
    """What ``role`` of ``world`` was not refused (403/404) — page POSTs with ``FORM``, page GETs,
    API operations with a token of theirs — and every model whose rows changed meanwhile."""
    from huddle.accounts.services import token_create

    person = world.people[role]
    ids = ids or world.ids
    page = _signed_in(person.user)
    _token, raw = token_create(actor=person.actor, name=role)
    operations = {op.operation_id: op for op in api_operations()}
    calls = [
        (f"POST page {n}", lambda n=n: page.post(_page_url(n, world.org.slug, ids), FORM))
        for n in posts
    ]
    calls += [
        (f"GET page {n}", lambda n=n: page.get(_page_url(n, world.org.slug, ids))) for n in reads
    ]
    calls += [(f"api {o}", lambda o=o: _api_call(Client(), operations[o], ids, _bearer(raw)))
              for o in api]  # fmt: skip
    before = snapshot()
    failures = [
        f"{label}: {status}"
        for label, call in calls
        if (status := call().status_code) not in {403, 404}
    ]
    return failures + [f"changed: {model}" for model in changes(before, snapshot())]


def test_a_viewer_of_a_cannot_change_anything(worlds):
    a, _b = worlds
    failures = _refused(a, "viewer", posts=VIEWER_PAGES, api=VIEWER_API)
    assert not failures, "\n".join(failures)


def test_objects_of_a_named_in_the_query_string_of_b_pages_show_nothing_of_a(worlds):
    a, b = worlds
    client = _signed_in(b.people["owner"].user)
    slug = b.org.slug
    queries = [
        ("activity", {"member": str(a.ids["member"])}),
        ("library_index", {"team": a.team.slug, "owner": a.people["editor"].user.email}),
        ("insights_overview", {"team": a.team.slug}),
        ("insights_members", {"team": a.team.slug, "format": "csv"}),
        ("context_index", {"q": "voice_alpha"}),
        ("digest_current", {"week": a.ids["week"]}),
    ]
    for name, query in queries:
        response = client.get(reverse(name, args=[slug]), query, follow=True)
        assert response.status_code in {200, 404}, name
        text = response.content.decode()
        for words in ("Launch post alpha", "Editor alpha", "Member alpha", "Team alpha"):
            assert words not in text, (name, words)
    record("query_references", cases=len(queries))


# Routes gated by role alone (not by who owns the object), with the lowest role allowed, as
# ``accounts.policy.ACTION_MIN_ROLE`` and docs/ARCHITECTURE.md state them. Every role below it
# is refused and changes nothing; ``test_a_viewer_of_a_cannot_change_anything`` covers viewers.
ROLE_GATED_PAGES = {
    "workflow_endorse": "editor",  # curate
    "context_approve": "editor",
    "member_role": "admin",  # manage members
    "member_remove": "admin",
    "invitation_revoke": "admin",
    "team_delete": "admin",  # manage teams
    "provider_edit": "admin",  # manage providers
    "provider_delete": "admin",
    "win_choose": "admin",  # manage rituals
    "digest_send": "admin",
    "ritual_settings": "admin",
    "organization_settings": "owner",  # manage the organisation
}
ROLE_GATED_READS = {
    "activity": "admin",  # the audit trail
    "access": "admin",  # every member's tokens and connected apps
    "insights_members": "admin",  # others' individual figures
    "insights_member": "admin",  # someone else's profile
    "insights_flow": "admin",  # who uses whose workflows
    "providers": "admin",
}
ROLE_GATED_API = {
    "huddle_library_api_endorse_workflow": "editor",
    "huddle_context_api_approve": "editor",
    "huddle_rituals_api_wins_choose": "admin",
    "huddle_accounts_api_access": "admin",  # every member's tokens and connected apps
}
RANK = {"viewer": 0, "member": 1, "editor": 2, "admin": 3, "owner": 4}


@pytest.mark.parametrize("role", ["member", "editor", "admin"])
def test_no_role_can_do_what_a_higher_role_is_for(worlds, role):
    a, _b = worlds

    def below(table: dict[str, str]) -> list[str]:
        return sorted(name for name, least in table.items() if RANK[role] < RANK[least])

    posts, reads, api = below(ROLE_GATED_PAGES), below(ROLE_GATED_READS), below(ROLE_GATED_API)
    assert posts or reads or api  # every role here is below something
    # Someone else's membership (one's own may be left, and one's own profile seen).
    ids = {**a.ids, "member": a.people["viewer"].membership.public_id}
    failures = _refused(a, role, posts=posts, reads=reads, api=api, ids=ids)
    assert not failures, "\n".join(failures)


# Routes where ownership decides: a member changes only their own (``policy.can_edit``); the
# seeded workflow, asset and pack are the editor's, shared with the organisation.
OTHERS_PAGES = [
    "workflow_edit",
    "workflow_publish",
    "workflow_archive",
    "workflow_rollback",
    "context_edit",
    "context_archive",
    "context_sharing",
    "context_pack_delete",
]
OTHERS_API = [
    "huddle_library_api_patch_workflow",
    "huddle_library_api_create_version",
    "huddle_context_api_version_create",
    "huddle_context_api_asset_archive",
]


def test_a_member_cannot_change_what_someone_else_shared(worlds):
    a, _b = worlds
    failures = _refused(a, "member", posts=OTHERS_PAGES, api=OTHERS_API)
    assert not failures, "\n".join(failures)


# A private workflow is its owner's alone: editors, admins and owners of the organisation get
# the same 404 as anyone (``policy.can_see``); the seeded private workflow is the member's.
PRIVATE_PAGES = [
    "workflow_edit", "workflow_publish", "workflow_archive", "workflow_rollback",
    "workflow_endorse", "workflow_fork", "workflow_star", "workflow_render",
]  # fmt: skip
PRIVATE_READS = ["workflow_detail", "workflow_diff", "workflow_version", "workflow_assembly"]
PRIVATE_API = [
    "huddle_library_api_get_workflow", "huddle_library_api_patch_workflow",
    "huddle_library_api_create_version", "huddle_library_api_list_versions",
    "huddle_library_api_get_version", "huddle_library_api_render_workflow",
    "huddle_library_api_fork_workflow", "huddle_library_api_endorse_workflow",
]  # fmt: skip


@pytest.mark.parametrize("role", ["editor", "admin", "owner"])
def test_no_one_but_its_owner_sees_or_changes_a_private_workflow(worlds, role):
    a, _b = worlds
    private = a.ids["private_slug"]
    ids = {**a.ids, "workflow_slug": private, "workflow": private}
    failures = _refused(a, role, posts=PRIVATE_PAGES, reads=PRIVATE_READS, api=PRIVATE_API, ids=ids)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_curators_may_change_what_someone_else_shared(worlds, role):
    """What a member is refused on the editor's shared workflow and asset
    (``test_a_member_cannot_change_what_someone_else_shared``), those above an editor may do."""
    from huddle.accounts.services import token_create

    a, _b = worlds
    _token, raw = token_create(actor=a.people[role].actor, name=role)
    operations = {op.operation_id: op for op in api_operations()}
    for name in OTHERS_API:
        response = _api_call(Client(), operations[name], a.ids, _bearer(raw))
        assert response.status_code in {200, 201}, (name, response.status_code, response.content)
    workflow, asset = a.objects["workflow"], a.objects["asset"]
    workflow.refresh_from_db()
    asset.refresh_from_db()
    assert (workflow.title, workflow.versions.count()) == ("pwned", 2)
    assert workflow.owner == a.people["editor"].user  # changed, still the editor's
    assert (asset.status, asset.versions.count()) == ("archived", 2)
