"""Stored XSS: each payload in every user-text field (organisation, member and team names,
workflow title/summary/template, context Markdown, run inputs and outputs, capture title and
goal, ask text, win story, pattern, provider and token names) and the pages that show them: no
script, no event handler, no ``javascript:`` URL and no evaluated template survives."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.security.figures import record
from tests.security.payloads import XSS_PAYLOADS
from tests.security.routes import PAGES
from tests.security.seed import seed_org

# The pages, and who looks: runs are their author's (the member); the rest the owner sees.
OWNER_PAGES = [
    "organization_home",
    "members",
    "teams",
    "team",
    "tokens",
    "access",
    "library_index",
    "workflow_detail",
    "workflow_edit",
    "workflow_assembly",
    "context_index",
    "context_asset",
    "context_preview",
    "context_pack",
    "capture_detail",
    "asks_index",
    "wins_index",
    "digest_detail",
    "insights_members",
    "activity",
]
MEMBER_PAGES = ["runs_index", "run_detail", "pattern_index", "pattern_detail", "capture_edit"]
FIELDS = 17  # user-text fields the seed fills (see tests/security/seed.py)


class _Scan(HTMLParser):
    """Real tags and attributes as a browser would parse them; escaped text is just text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            cleaned = "".join((value or "").split()).lower()
            if name in URL_ATTRS and cleaned.startswith(("javascript:", "data:text", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in {"iframe", "object", "embed", "base"}:
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.found.append("script running alert()")


URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "srcdoc", "data"}


def _problems(html: str) -> list[str]:
    scan = _Scan()
    scan.feed(html)
    found = list(scan.found)
    if "1787569" in html:
        found.append("template evaluated")
    return found


def test_no_payload_survives_unescaped_on_any_page(db):
    failures: list[str] = []
    requests = 0
    for index, payload in enumerate(XSS_PAYLOADS):
        world = seed_org(f"xss-{index}", text=payload)
        for role, names in (("owner", OWNER_PAGES), ("member", MEMBER_PAGES)):
            client = Client()
            assert client.login(username=world.people[role].user.email, password=PASSWORD)
            for name in names:
                url = reverse(name, kwargs={"org_slug": world.org.slug, **PAGES[name](world.ids)})
                response = client.get(url)
                requests += 1
                assert response.status_code == 200, (name, payload, response.status_code)
                for problem in _problems(response.content.decode()):
                    failures.append(f"{payload!r} on {name}: {problem}")
    assert not failures, "\n".join(failures)
    record(
        "xss",
        payloads=len(XSS_PAYLOADS),
        fields=FIELDS,
        pages=len(OWNER_PAGES) + len(MEMBER_PAGES),
        requests=requests,
    )


def test_the_scan_catches_live_markup_and_ignores_escaped_text():
    assert _problems('<img src=x onerror="alert(1)">')
    assert _problems('<a href=" JavaScript:alert(1)">x</a>')
    assert _problems("<script>alert(1)</script>")
    assert _problems("<p>{{ 1337*1337 }} = 1787569</p>")
    assert not _problems('<input value="&lt;img src=x onerror=alert(1)&gt;">')
    assert not _problems("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
