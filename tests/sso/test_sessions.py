"""Deactivation ends every session of the person, also one started before sign-ins were
recorded (no ``SignedInSession`` row): it is signed out at its next request."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client

from huddle.accounts.models import User
from huddle.sso.models import SignedInSession
from huddle.sso.sessions import TRACKED
from tests.sso.test_scim_sequences import okta_user

pytestmark = pytest.mark.django_db


def _old_session(user: User) -> Client:
    """A browser holding a session made the way Django did before Huddle recorded sign-ins."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return browser


@pytest.fixture
def provisioned(scim, org):
    user_id = scim.post("/Users", okta_user("jo@okta-customer.com")).json()["id"]
    return user_id, User.objects.get(email="jo@okta-customer.com")


def _deactivate(scim, user_id: str) -> None:
    response = scim.patch(f"/Users/{user_id}", {"op": "replace", "value": {"active": False}})
    assert response.status_code == 200


def test_an_unrecorded_session_is_signed_out_at_its_next_request(scim, org, provisioned):
    user_id, user = provisioned
    browser = _old_session(user)
    other_person = _old_session(User.objects.get(email__startswith="owner"))
    assert not SignedInSession.objects.exists()
    # Signed in, the person may create an organisation: what must stop.
    assert browser.session[SESSION_KEY] == str(user.pk)

    _deactivate(scim, user_id)

    page = browser.get("/orgs/new/")
    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]
    assert SESSION_KEY not in browser.session
    # Someone whose sessions were never ended stays signed in.
    assert other_person.get(f"/o/{org.slug}/").status_code == 200


def test_an_unrecorded_session_seen_before_is_recorded_and_then_ended(scim, org, provisioned):
    user_id, user = provisioned
    browser = _old_session(user)
    assert browser.get(f"/o/{org.slug}/").status_code == 200
    assert SignedInSession.objects.filter(user=user).count() == 1
    assert browser.session[TRACKED] is True

    _deactivate(scim, user_id)

    assert not SignedInSession.objects.filter(user=user).exists()
    assert "/accounts/login/" in browser.get("/orgs/new/")["Location"]


def test_signing_in_again_after_reactivation_works(scim, org, provisioned):
    user_id, user = provisioned
    _deactivate(scim, user_id)
    scim.patch(f"/Users/{user_id}", {"op": "replace", "value": {"active": True}})
    browser = Client()
    browser.force_login(user)
    assert browser.get(f"/o/{org.slug}/").status_code == 200
    assert browser.get(f"/o/{org.slug}/").status_code == 200
