"""Hostile uses of accounts: taking over a passwordless account through an invitation, rotating
``X-Forwarded-For`` past the login limit, and tying an anonymous ask to its author through the
API token's last use, the session or the access log."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from huddle.accounts.models import Invitation, Membership, Role, User
from huddle.accounts.services import token_create
from huddle.cli import run as cli
from huddle.core import ratelimit
from huddle.core.models import Event
from huddle.core.ratelimit import LIMITS
from huddle.rituals.models import Ask
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

VICTIM = "pat@acme.test"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)")


def _imported_member(org, tmp_path) -> User:
    """A member added by ``huddle runs import --create-members``: no password."""
    usage = tmp_path / "usage.jsonl"
    line = {"user": VICTIM, "started_at": "2026-11-04T09:00:00Z", "minutes_spent": 5,
            "output": "Draft"}  # fmt: skip
    usage.write_text(json.dumps(line) + "\n")
    assert cli(["runs", "import", str(usage), "--org", "acme", "--create-members", "--json"]) == 0
    return User.objects.get(email=VICTIM)


def _restored_owner(org, tmp_path) -> User:
    """An owner brought in by ``huddle restore``: no password, owner of the organisation."""
    user = User(email=VICTIM, name="Pat Restored")
    user.set_unusable_password()
    user.save()
    MembershipFactory(organization=org, user=user, role=Role.OWNER)
    return user


@pytest.fixture(params=[_imported_member, _restored_owner], ids=["imported", "restored"])
def victim(request, org, tmp_path, capsys) -> User:
    user = request.param(org, tmp_path)
    capsys.readouterr()
    mail.outbox.clear()
    assert not user.has_usable_password()
    return user


def _invite_from_the_page(client: Client, org_slug: str, email: str) -> tuple[str, str]:
    """The inviter's view: the members page after inviting, and the link's path it shows."""
    page = client.post(f"/o/{org_slug}/members/", {"email": email, "role": "member"})
    assert page.status_code == 200
    html = page.content.decode()
    link = re.search(r'value="https?://[^/"]+(/invite/inv_[\w-]+/)"', html)
    assert link is not None, "the inviter is shown the link"
    return html, link[1]


# --- item 1: account takeover through a passwordless account --------------------------------


def test_an_invitation_from_another_organisation_cannot_set_a_passwordless_password(
    victim, outsider, login, django_capture_on_commit_callbacks
):
    name_before = victim.name
    password_before = victim.password
    with django_capture_on_commit_callbacks(execute=True):
        inviter_page, path = _invite_from_the_page(login(outsider), "globex", VICTIM)
    # The inviter never sees a way to choose the victim's password.
    assert "/accounts/reset/" not in inviter_page

    attacker = Client()
    attacker.get(path)
    refused = attacker.post(path, {"name": "Mallory", "password": "mallory-owns-this-now"})

    victim.refresh_from_db()
    assert victim.password == password_before
    assert not victim.has_usable_password()
    assert victim.name == name_before
    assert not Client().login(username=VICTIM, password="mallory-owns-this-now")
    assert "_auth_user_id" not in attacker.session
    assert attacker.get("/o/acme/").status_code == 302  # sent to log in
    assert refused.status_code == 403
    assert f"sign in as {VICTIM}" in refused.content.decode()
    page = attacker.get(path).content.decode()
    assert f"Sign in as {VICTIM} to accept" in page
    assert 'type="password"' not in page
    assert not Membership.objects.filter(user=victim, organization__slug="globex").exists()
    assert Invitation.objects.get(email=VICTIM, organization__slug="globex").accepted_at is None
    # The set-password link went to the address alone.
    assert [m.to for m in mail.outbox] == [[VICTIM]]
    assert RESET_LINK.search(mail.outbox[0].body)


def test_an_invitation_never_changes_the_password_of_an_account_that_has_one(
    admin, outsider, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        path = _invite_from_the_page(login(admin), "acme", outsider.user.email)[1]
    (message,) = mail.outbox
    assert "You already have a Huddle account" in message.body
    assert not RESET_LINK.search(message.body)
    attacker = Client()
    page = attacker.get(path).content.decode()
    assert f"Sign in as {outsider.user.email} to accept" in page
    assert 'type="password"' not in page
    refused = attacker.post(path, {"name": "Mallory", "password": "mallory-owns-this-now"})
    assert refused.status_code == 403
    outsider.user.refresh_from_db()
    assert outsider.user.check_password(PASSWORD)
    assert not Membership.objects.filter(user=outsider.user, organization__slug="acme").exists()


def test_a_passwordless_person_chooses_a_password_from_the_mail_then_accepts(
    victim, outsider, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        path = _invite_from_the_page(login(outsider), "globex", VICTIM)[1]
    (message,) = mail.outbox
    assert message.to == [VICTIM]
    assert path in message.body
    client = Client()
    form = client.get(RESET_LINK.search(message.body)[1], follow=True)
    assert b"Choose" in form.content
    saved = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "pats-own-passphrase", "new_password2": "pats-own-passphrase"},
    )
    assert saved.status_code == 302
    assert client.login(username=VICTIM, password="pats-own-passphrase")
    joined = client.post(path)
    assert joined.status_code == 302
    assert Membership.objects.filter(user=victim, organization__slug="globex").exists()


def test_the_invitation_page_mails_a_passwordless_person_a_link_to_choose_one(
    victim, outsider, django_capture_on_commit_callbacks
):
    from huddle.accounts import services

    _invitation, url = services.invitation_create(
        actor=outsider.actor, organization=outsider.org, email=VICTIM, role="member"
    )
    path = url.split("8000", 1)[1]
    client = Client()
    assert b"E-mail me a link to choose my password" in client.get(path).content
    sent = client.post(path, {"action": "password_link"}, follow=True)
    assert f"We sent a link to {VICTIM}" in sent.content.decode()
    (message,) = mail.outbox
    assert message.to == [VICTIM]
    assert RESET_LINK.search(message.body)
    assert "/accounts/reset/" not in sent.content.decode()
    victim.refresh_from_db()
    assert not victim.has_usable_password()


def test_an_unknown_invitation_action_is_named_and_mails_nothing(victim, outsider):
    from huddle.accounts import services

    _invitation, url = services.invitation_create(
        actor=outsider.actor, organization=outsider.org, email=VICTIM, role="member"
    )
    path = url.split("8000", 1)[1]
    response = Client().post(path, {"action": "make_me_owner"}, follow=True)
    assert (
        "Choose what to do. Action: Select a valid choice. make_me_owner is not one of the "
        "available choices."
    ) in response.content.decode()
    assert mail.outbox == []
    assert not Membership.objects.filter(user=victim, organization__slug="globex").exists()


def test_forgot_password_works_for_a_passwordless_account(victim):
    response = Client().post("/accounts/password_reset/", {"email": VICTIM.upper()}, follow=True)
    assert b"If an account uses that address" in response.content
    (message,) = mail.outbox
    assert message.to == [VICTIM]
    assert RESET_LINK.search(message.body)


def test_forgot_password_mails_nobody_for_a_deactivated_passwordless_account(victim):
    User.objects.filter(pk=victim.pk).update(is_active=False)
    Client().post("/accounts/password_reset/", {"email": VICTIM})
    assert mail.outbox == []


def test_password_links_to_one_address_stop_after_the_hourly_limit(victim):
    limit = LIMITS["password_link"].limit
    for _ in range(limit + 3):
        response = Client().post("/accounts/password_reset/", {"email": VICTIM}, follow=True)
        # Past the limit the page says the same: it must not tell whether the address exists.
        assert b"If an account uses that address" in response.content
    assert len(mail.outbox) == limit


# --- item 8: the login limit behind a proxy --------------------------------------------------


@pytest.fixture
def behind_proxy(settings, monkeypatch):
    settings.HUDDLE_BEHIND_PROXY = True
    settings.HUDDLE_TRUSTED_PROXIES = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setitem(LIMITS, "login_ip", ratelimit.Limit(3, 900))
    return settings


def _login_via_proxy(forwarded_for: str, proxy: str = "10.0.0.2"):
    return Client(REMOTE_ADDR=proxy).post(
        "/accounts/login/",
        {"username": "nobody@example.test", "password": "guess"},
        headers={"x-forwarded-for": forwarded_for},
    )


def test_rotating_x_forwarded_for_does_not_get_past_the_login_limit(db, behind_proxy):
    # The client writes what it likes on the left; the proxy appends the address it saw.
    for n in range(3):
        assert _login_via_proxy(f"198.51.100.{n}, 203.0.113.7").status_code == 200
    locked = _login_via_proxy("198.51.100.99, 203.0.113.7")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0


def test_people_behind_the_same_proxy_are_counted_apart(db, behind_proxy):
    for _ in range(3):
        _login_via_proxy("203.0.113.7")
    assert _login_via_proxy("203.0.113.7").status_code == 429
    assert _login_via_proxy("203.0.113.8").status_code == 200


def test_with_two_trusted_proxies_the_address_is_the_second_from_the_right(db, behind_proxy):
    behind_proxy.HUDDLE_TRUSTED_PROXIES = 2
    for n in range(3):
        assert _login_via_proxy(f"198.51.100.{n}, 203.0.113.7, 10.0.0.1").status_code == 200
    assert _login_via_proxy("198.51.100.99, 203.0.113.7, 10.0.0.1").status_code == 429


def test_without_a_proxy_x_forwarded_for_is_ignored(db, settings, monkeypatch):
    settings.HUDDLE_BEHIND_PROXY = False
    monkeypatch.setitem(LIMITS, "login_ip", ratelimit.Limit(3, 900))
    for n in range(3):
        assert _login_via_proxy(f"198.51.100.{n}", proxy="192.0.2.5").status_code == 200
    assert _login_via_proxy("198.51.100.99", proxy="192.0.2.5").status_code == 429


# --- item 8: an anonymous ask leaves nothing that ties it to its author -----------------------

QUESTION = "Is there a workflow for webinar transcripts?"


def test_an_anonymous_ask_through_the_api_does_not_mark_the_token_used(member):
    token, raw = token_create(actor=member.actor, name="laptop")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    posted = client.post(
        "/api/v1/asks", {"text": QUESTION, "anonymous": True}, content_type="application/json"
    )
    assert posted.status_code == 201
    solved = client.post(
        f"/api/v1/asks/{posted.json()['id']}/solve",
        {"token": posted.json()["solve_token"]},
        content_type="application/json",
    )
    assert solved.json()["status"] == "solved"
    token.refresh_from_db()
    assert token.last_used_at is None
    assert not Event.objects.filter(actor=member.user, kind__startswith="ask.").exists()
    # Any other use is still recorded.
    assert client.get("/api/v1/asks").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_anonymous_ask_on_the_page_does_not_save_the_session(member, other_org, login):
    MembershipFactory(organization=other_org, user=member.user)
    client = login(member)
    client.get("/o/globex/")  # the session now remembers the other organisation
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(days=3))
    before = Session.objects.get(pk=key).expire_date
    assert client.post("/o/acme/asks/", {"text": QUESTION, "anonymous": "on"}).status_code == 200
    # A session saved now would carry the ask's time (its expiry) beside the asker's id.
    assert Session.objects.get(pk=key).expire_date == before
    assert Ask.objects.get().author is None


class _Sent:
    """What gunicorn hands its logger about a response."""

    def __init__(self, status: int) -> None:
        self.status = f"{status} X"
        self.headers: list[tuple[str, str]] = []
        self.sent = 123


def _access_line(tmp_path, response, *, referer: str = "") -> str:
    """The line ``huddle serve``'s access logger writes for a request made by the test client."""
    from gunicorn.config import Config

    from huddle.core.accesslog import AccessLogger

    log = tmp_path / "access.log"
    log.unlink(missing_ok=True)
    config = Config()
    config.set("accesslog", str(log))
    environ = response.wsgi_request.META
    query = environ.get("QUERY_STRING", "")
    environ.setdefault("RAW_URI", environ["PATH_INFO"] + (f"?{query}" if query else ""))
    if referer:
        environ["HTTP_REFERER"] = referer
    request = SimpleNamespace(headers=[("REFERER", referer)] if referer else [])
    AccessLogger(config).access(
        _Sent(response.status_code), request, environ, timedelta(milliseconds=5)
    )
    return log.read_text() if log.exists() else ""


def test_anonymous_asks_and_solve_links_stay_out_of_the_access_log(member, login, tmp_path):
    client = login(member)
    named = client.post("/o/acme/asks/", {"text": "Any prompt for press releases?"})
    assert "POST /o/acme/asks/" in _access_line(tmp_path, named)  # the log works

    anonymous = client.post("/o/acme/asks/", {"text": QUESTION, "anonymous": "on"})
    token = re.search(r"/asks/solve/(ask_[\w-]+)/", anonymous.content.decode())[1]
    opened = client.get(f"/o/acme/asks/solve/{token}/")
    solved = client.post(f"/o/acme/asks/solve/{token}/")
    assert solved.status_code == 302
    for response in (anonymous, opened, solved):
        assert _access_line(tmp_path, response) == ""


def test_anonymous_asks_through_the_api_stay_out_of_the_access_log(member, api_client, tmp_path):
    client = api_client(member)
    named = client.post("/api/v1/asks", {"text": "Named?"}, content_type="application/json")
    assert "POST /api/v1/asks " in _access_line(tmp_path, named)
    posted = client.post(
        "/api/v1/asks", {"text": QUESTION, "anonymous": True}, content_type="application/json"
    )
    solved = client.post(
        f"/api/v1/asks/{posted.json()['id']}/solve",
        {"token": posted.json()["solve_token"]},
        content_type="application/json",
    )
    assert solved.status_code == 200
    assert _access_line(tmp_path, posted) == ""
    assert _access_line(tmp_path, solved) == ""


def test_secret_tokens_in_paths_and_referers_are_not_written_in_the_access_log(admin, tmp_path):
    from huddle.accounts import services

    _invitation, url = services.invitation_create(
        actor=admin.actor, organization=admin.org, email="new@example.test", role="member"
    )
    invite = url.split("8000", 1)[1]
    secret = invite.split("/")[2]
    client = Client()
    pages = {
        "invitation": client.get(invite),
        "sign in to accept": client.get(f"/accounts/login/?next={invite}"),
        "reset link": client.get("/accounts/reset/MQ/cz8j3b-4f1e2d3c4b5a69788796a5b4c3d2e1f0/"),
        "solve link": client.get("/o/acme/asks/solve/ask_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/"),
    }
    for name, response in pages.items():
        line = _access_line(tmp_path, response, referer=f"http://testserver{invite}")
        assert line, name
        for leaked in (secret, "cz8j3b", "4f1e2d3c4b5a", "AbCdEfGhIjKlMnOp"):
            assert leaked not in line, f"{name}: {line}"
    assert "GET /invite/[secret] HTTP/1.1" in _access_line(tmp_path, pages["invitation"])


def test_secret_tokens_are_not_written_in_the_servers_own_log_lines():
    from huddle.core.accesslog import RedactSecrets

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s",
        ("Forbidden", "/invite/inv_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/"), None,
    )  # fmt: skip
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "Forbidden: /invite/[secret]"
    production = __import__("huddle.settings", fromlist=["LOGGING"]).LOGGING
    assert "redact_secrets" in production["handlers"]["console"]["filters"]
