"""A canary string in every user-text field of organisation B never reaches anyone of A: no page,
no API answer, no export (insights CSV and JSON, context pack, table CSV), no digest (page,
Markdown, HTML email, Slack and Teams payloads)."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from huddle.accounts.services import token_create
from huddle.rituals import delivery
from huddle.rituals.models import Digest
from tests.factories import PASSWORD
from tests.security.figures import record
from tests.security.routes import API, PAGES, api_operations
from tests.security.seed import seed_org

CANARY = "CANARY-B-7f3a9c"

# Extra GETs: exports behind a query string.
EXPORTS = [
    ("insights_members", {"format": "csv"}),
    ("insights_overview", {"format": "csv"}),
    ("insights_workflows", {"format": "csv"}),
    ("context_pack_download", {}),
]


def test_nothing_of_b_reaches_any_member_of_a(db):
    a = seed_org("alpha")
    b = seed_org("bravo", text=CANARY)
    leaks: list[str] = []
    requests = 0
    # The control: B's own people do see the canary, so its absence below means something.
    control = Client()
    assert control.login(username=b.people["owner"].user.email, password=PASSWORD)
    for name in ("library_index", "context_index", "capture_index", "asks_index", "teams"):
        assert CANARY in control.get(reverse(name, args=[b.org.slug])).content.decode()

    def look(label: str, content: bytes | str) -> None:
        nonlocal requests
        requests += 1
        text = content.decode(errors="replace") if isinstance(content, bytes) else content
        if CANARY in text:
            leaks.append(label)

    for role, persona in a.people.items():
        client = Client()
        assert client.login(username=persona.user.email, password=PASSWORD)
        for name, builder in PAGES.items():
            url = reverse(name, kwargs={"org_slug": a.org.slug, **builder(a.ids)})
            look(f"{role} GET {name}", client.get(url).content)
        for name, query in EXPORTS:
            url = reverse(name, kwargs={"org_slug": a.org.slug, **PAGES[name](a.ids)})
            look(f"{role} GET {name} {query}", client.get(url, query).content)
        for fmt in ("json", "yaml", "zip"):
            url = reverse(
                "context_pack_download",
                kwargs={"org_slug": a.org.slug, "pack_id": a.ids["pack"], "fmt": fmt},
            )
            look(f"{role} GET pack.{fmt}", client.get(url).content)
        _token, raw = token_create(actor=persona.actor, name="canary")
        headers = {"authorization": f"Bearer {raw}"}
        for op in api_operations():
            if op.method != "GET":
                continue
            url = op.path.format(**{k: str(v) for k, v in API[op.operation_id](a.ids).items()})
            look(f"{role} API {op.path}", client.get(url, headers=headers).content)

    digest = Digest.objects.get(organization=a.org)
    look("digest markdown", digest.markdown)
    look("digest email subject", delivery.subject_of(digest))
    look("digest email html", delivery.html_of(digest))
    look("digest slack", json.dumps(delivery.slack_payload(digest)))
    look("digest teams", json.dumps(delivery.teams_payload(digest)))

    assert not leaks, leaks
    record("canary", requests=requests)
