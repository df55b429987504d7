import pytest

from huddle.accounts import services
from huddle.core.models import Event
from huddle.core.services import System, event_record


@pytest.mark.django_db
def test_event_record_names_actor_object_and_organisation(owner):
    event = event_record(owner.actor, "thing.done", owner.org)
    assert event.organization == owner.org
    assert event.actor == owner.user
    assert event.object_type == "organization"
    assert event.object_id == str(owner.org.public_id)
    assert event.object_label == owner.org.name
    assert event.data == {}


@pytest.mark.django_db
def test_a_system_event_belongs_to_the_organisation_and_names_no_one(owner):
    event = event_record(System(owner.org), "scim.user_deleted", label="ann@example.com")
    assert (event.organization, event.actor) == (owner.org, None)
    assert (event.object_type, event.object_id, event.object_label) == ("", "", "ann@example.com")


@pytest.mark.django_db
def test_keywords_are_the_data_and_a_trailing_underscore_is_dropped(owner):
    event = event_record(
        owner.actor, "workflow.label_moved", owner.org, label_="production", from_=2, kind="x"
    )
    assert event.object_label == owner.org.name
    assert event.data == {"label": "production", "from": 2, "kind": "x"}


@pytest.mark.django_db
def test_every_accounts_service_writes_an_event(owner, member):
    services.team_create(actor=owner.actor, organization=owner.org, name="Social")
    services.membership_set_role(actor=owner.actor, membership=member.membership, role="editor")
    services.token_create(actor=member.actor, name="laptop")
    kinds = list(Event.objects.filter(organization=owner.org).values_list("kind", flat=True))
    assert {"team.created", "member.role_changed", "token.created"} <= set(kinds)
