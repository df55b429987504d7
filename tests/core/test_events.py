import pytest

from huddle.accounts import services
from huddle.core.models import Event
from huddle.core.services import event_record


@pytest.mark.django_db
def test_event_record_names_actor_object_and_organisation(owner):
    event = event_record(
        organization=owner.org, actor=owner.user, kind="thing.done", target=owner.org
    )
    assert event.organization == owner.org
    assert event.actor == owner.user
    assert event.object_type == "organization"
    assert event.object_id == str(owner.org.public_id)
    assert event.object_label == owner.org.name


@pytest.mark.django_db
def test_every_accounts_service_writes_an_event(owner, member):
    services.team_create(actor=owner.actor, organization=owner.org, name="Social")
    services.membership_set_role(actor=owner.actor, membership=member.membership, role="editor")
    services.token_create(actor=member.actor, name="laptop")
    kinds = list(Event.objects.filter(organization=owner.org).values_list("kind", flat=True))
    assert {"team.created", "member.role_changed", "token.created"} <= set(kinds)
