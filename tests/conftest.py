"""Personas: an organisation with one member per role, and an outsider from another organisation."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client

from huddle.accounts.models import Membership, Organization, Role, User
from huddle.accounts.policy import Actor
from huddle.accounts.services import token_create
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory


@dataclass
class Persona:
    user: User
    membership: Membership

    @property
    def actor(self) -> Actor:
        return Actor(self.membership)

    @property
    def org(self) -> Organization:
        return self.membership.organization


@pytest.fixture
def org(db) -> Organization:
    return OrganizationFactory(slug="acme", name="Acme Marketing")


@pytest.fixture
def other_org(db) -> Organization:
    return OrganizationFactory(slug="globex", name="Globex")


def _persona(organization: Organization, role: Role, email: str) -> Persona:
    user = UserFactory(email=email, name=f"{role.label} Person")
    membership = MembershipFactory(organization=organization, user=user, role=role)
    return Persona(user, membership)


@pytest.fixture
def owner(org) -> Persona:
    return _persona(org, Role.OWNER, "owner@acme.test")


@pytest.fixture
def admin(org) -> Persona:
    return _persona(org, Role.ADMIN, "admin@acme.test")


@pytest.fixture
def editor(org) -> Persona:
    return _persona(org, Role.EDITOR, "editor@acme.test")


@pytest.fixture
def member(org) -> Persona:
    return _persona(org, Role.MEMBER, "member@acme.test")


@pytest.fixture
def viewer(org) -> Persona:
    return _persona(org, Role.VIEWER, "viewer@acme.test")


@pytest.fixture
def outsider(other_org) -> Persona:
    """Owner of another organisation: must never see anything of ``org``."""
    return _persona(other_org, Role.OWNER, "outsider@globex.test")


@pytest.fixture
def personas(owner, admin, editor, member, viewer, outsider) -> dict[str, Persona]:
    return {
        "owner": owner,
        "admin": admin,
        "editor": editor,
        "member": member,
        "viewer": viewer,
        "outsider": outsider,
    }


@pytest.fixture
def login():
    """``login(persona)`` → a Django test client signed in as that persona."""

    def _login(persona: Persona | User) -> Client:
        user = persona.user if isinstance(persona, Persona) else persona
        client = Client()
        assert client.login(username=user.email, password=PASSWORD)
        return client

    return _login


@pytest.fixture
def api_client():
    """``api_client(persona)`` → a client sending a fresh bearer token of that persona."""

    def _client(persona: Persona) -> Client:
        _token, raw = token_create(actor=persona.actor, name="test")
        return Client(headers={"authorization": f"Bearer {raw}"})

    return _client


@pytest.fixture
def server_close():
    """``server_close(response)``: what the WSGI server does once it has sent ``response``,
    without Django's end-of-request check of the database connection, which would close the
    test's own (Django's test client leaves it out the same way)."""

    def close(response) -> None:
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)

    return close


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: ids repeat between tests once a test's rows are
    rolled back, so a key built from ids could otherwise find an earlier test's entry."""
    from django.core.cache import cache

    cache.clear()


_STARTED = time.time()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The figures of tests/security (routes covered, requests made …), quoted in
    docs/security.md. Here, not in tests/security/, because under xdist only this conftest is
    loaded by the process that prints the summary."""
    from tests.security.figures import terminal_summary

    terminal_summary(terminalreporter, since=_STARTED)
