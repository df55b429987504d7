from __future__ import annotations

import factory

from huddle.accounts.models import Membership, Organization, Role, Team, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    slug = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


def make_workflow(persona, *, title="Launch post", kind="prompt", steps=None, inputs=None, **kw):
    """A workflow created through the service, as ``persona`` (a conftest Persona)."""
    from huddle.library import services
    from huddle.library.content import VersionContent

    content = VersionContent.from_data(
        {
            "steps": steps or ["Write a LinkedIn post announcing {{ product }}."],
            "inputs": inputs if inputs is not None else [{"name": "product"}],
            **kw.pop("content", {}),
        }
    )
    return services.workflow_create(
        actor=persona.actor, title=title, kind=kind, content=content, **kw
    )
