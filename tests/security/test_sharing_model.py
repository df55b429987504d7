"""A stateful property test: random shares, unshares, team changes and role changes, checked after
every step against a reference model of who may see and edit which workflow — through
``policy.can_see``/``can_edit``, the list query ``visible_workflows``, and the workflow page."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from huddle.accounts.models import ROLE_RANK, Membership, Role, Visibility
from huddle.accounts.policy import Actor, can_edit, can_see
from huddle.library.models import Workflow
from huddle.library.queries import visible_workflows
from tests.conftest import Persona
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
    make_workflow,
)

PEOPLE = 3
TEAMS = 2
_orgs = itertools.count()


class Sharing(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        n = next(_orgs)
        self.org = OrganizationFactory(slug=f"share-{n}")
        self.people = [
            Persona(user, MembershipFactory(organization=self.org, user=user, role=Role.MEMBER))
            for user in (UserFactory(email=f"p{i}-{n}@share.test") for i in range(PEOPLE))
        ]
        self.teams = [TeamFactory(organization=self.org) for _ in range(TEAMS)]
        self.workflows = [
            make_workflow(p, title=f"Workflow {i}") for i, p in enumerate(self.people)
        ]
        # The reference model.
        self.roles = [Role.MEMBER] * PEOPLE
        self.in_team = [set() for _ in range(PEOPLE)]
        self.shared = [(Visibility.PRIVATE, None)] * PEOPLE  # (visibility, team index)
        self.http = Client()
        self.http.force_login(self.people[0].user)

    @rule(
        w=st.integers(0, PEOPLE - 1),
        visibility=st.sampled_from(list(Visibility)),
        t=st.integers(0, TEAMS - 1),
    )
    def share(self, w: int, visibility: Visibility, t: int) -> None:
        team = self.teams[t] if visibility == Visibility.TEAM else None
        Workflow.objects.filter(pk=self.workflows[w].pk).update(visibility=visibility, team=team)
        self.shared[w] = (visibility, t if team else None)

    @rule(p=st.integers(0, PEOPLE - 1), t=st.integers(0, TEAMS - 1), joined=st.booleans())
    def team_membership(self, p: int, t: int, joined: bool) -> None:
        membership = self.people[p].membership
        if joined:
            membership.teams.add(self.teams[t])
            self.in_team[p].add(t)
        else:
            membership.teams.remove(self.teams[t])
            self.in_team[p].discard(t)

    @rule(p=st.integers(0, PEOPLE - 1), role=st.sampled_from(list(Role)))
    def role_change(self, p: int, role: Role) -> None:
        Membership.objects.filter(pk=self.people[p].membership.pk).update(role=role)
        self.roles[p] = role

    def _sees(self, p: int, w: int) -> bool:
        visibility, team = self.shared[w]
        return (
            p == w
            or visibility == Visibility.ORG
            or (visibility == Visibility.TEAM and team in self.in_team[p])
        )

    def _edits(self, p: int, w: int) -> bool:
        rank = ROLE_RANK[self.roles[p]]
        if not self._sees(p, w) or rank < ROLE_RANK[Role.MEMBER]:
            return False
        return p == w or (
            rank >= ROLE_RANK[Role.EDITOR] and self.shared[w][0] != Visibility.PRIVATE
        )

    @invariant()
    def everyone_sees_and_edits_what_the_model_says(self) -> None:
        workflows = [Workflow.objects.get(pk=w.pk) for w in self.workflows]
        for p, person in enumerate(self.people):
            actor = Actor(Membership.objects.get(pk=person.membership.pk))
            listed = set(visible_workflows(actor).values_list("pk", flat=True))
            for w, workflow in enumerate(workflows):
                expected = self._sees(p, w)
                assert can_see(actor, workflow) is expected, (p, w)
                assert (workflow.pk in listed) is expected, (p, w)
                assert can_edit(actor, workflow) is self._edits(p, w), (p, w)
        # One actor through HTTP: the page of a workflow they may not see is a 404.
        for w, workflow in enumerate(workflows):
            url = reverse("workflow_detail", args=[self.org.slug, workflow.slug])
            assert self.http.get(url).status_code == (200 if self._sees(0, w) else 404), w


@pytest.mark.django_db
def test_random_shares_and_role_changes_follow_the_reference_model():
    run_state_machine_as_test(
        Sharing,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )
