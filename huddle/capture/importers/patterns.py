"""Mined patterns: finding them in a member's prompts, reading them, promoting one.

Patterns, like the prompts they come from, are private to their member: every read filters on
the actor's own rows, so another member (an admin too) gets ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet

from huddle.accounts import policy
from huddle.accounts.models import Visibility
from huddle.accounts.policy import Action, Actor
from huddle.capture.importers import mining
from huddle.capture.importers.models import Pattern, Prompt
from huddle.capture.promote import InputDraft
from huddle.core.errors import NotFound
from huddle.core.services import event_record
from huddle.library import services as library_services
from huddle.library.content import InputSpec, Step, VersionContent
from huddle.library.models import Kind, Workflow


def my_patterns(actor: Actor) -> QuerySet[Pattern]:
    """The actor's own patterns, largest first."""
    return Pattern.objects.filter(organization=actor.organization, owner=actor.user).select_related(
        "promoted_to"
    )


def get_pattern(actor: Actor, public_id: str | UUID) -> Pattern:
    """One of the actor's patterns; ``NotFound`` for anyone else's, a missing one or a bad id."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    pattern = my_patterns(actor).filter(public_id=key).first()
    if pattern is None:
        raise NotFound()
    return pattern


def patterns_mine(*, actor: Actor, on_step: Callable[[], None] = mining.nothing) -> list[Pattern]:
    """Mine the actor's imported prompts again; returns their patterns, largest first.

    Only prompts of finished imports count (an import still writing is not mined). A pattern
    found again (same template) keeps its id; ones no longer found are deleted unless they were
    promoted. ``on_step`` is called now and then while mining (``mining.mine``).
    """
    policy.require(actor, Action.CREATE_CONTENT)
    rows = (
        Prompt.objects.committed(actor.organization)
        .filter(owner=actor.user)
        .order_by("id")
        .values_list("text", "sent_at", "text_hash")
    )
    found = mining.mine(rows.iterator(chunk_size=5000), on_step)
    with transaction.atomic():
        existing = {p.signature: p for p in my_patterns(actor)}
        fresh, keep = [], set()
        for mined in found:
            keep.add(mined.signature)
            fields = {
                "title": mined.title[:200],
                "template": mined.template,
                "variables": mined.variables,
                "examples": mined.examples,
                "size": mined.size,
                "last_used": mined.last_used,
                "negative_constraints": mined.negative_constraints,
            }
            pattern = existing.get(mined.signature)
            if pattern is None:
                fresh.append(
                    Pattern(
                        organization=actor.organization,
                        owner=actor.user,
                        signature=mined.signature,
                        **fields,
                    )
                )
                continue
            for name, value in fields.items():
                setattr(pattern, name, value)
            pattern.save()
        Pattern.objects.bulk_create(fresh)
        gone = [p.pk for s, p in existing.items() if s not in keep and p.promoted_to_id is None]
        Pattern.objects.filter(pk__in=gone).delete()
        event_record(
            organization=actor.organization,
            actor=actor.user,
            kind="capture.patterns_mined",
            data={"patterns": len(found), "new": len(fresh), "removed": len(gone)},
        )
    return list(my_patterns(actor))


def pattern_content(pattern: Pattern) -> VersionContent:
    """The one-step prompt a pattern suggests: its template, variables as inputs, constraints."""
    inputs = []
    for variable in pattern.variables:
        draft = InputDraft(
            str(variable["name"]),
            str(variable.get("default") or ""),
            "examples",
            [str(e) for e in variable.get("examples") or []],
        )
        inputs.append(InputSpec(**draft.as_data()))
    return VersionContent(
        steps=(Step(name="step_1", template=pattern.template),),
        inputs=tuple(inputs),
        negative_constraints="\n".join(pattern.negative_constraints),
    )


@transaction.atomic
def pattern_promote(*, actor: Actor, pattern: Pattern, title: str = "") -> Workflow:
    """A new private draft prompt workflow owned by the actor, from one of their patterns."""
    policy.require(actor, Action.CREATE_CONTENT)
    if pattern.owner_id != actor.user.pk or pattern.organization_id != actor.organization.pk:
        raise NotFound()
    workflow = library_services.workflow_create(
        actor=actor,
        title=title.strip() or pattern.title,
        kind=Kind.PROMPT,
        content=pattern_content(pattern),
        summary=f"Found in {pattern.size} prompts you typed in your chat history.",
        visibility=Visibility.PRIVATE,
        changelog="Promoted from a mined pattern",
    )
    pattern.promoted_to = workflow
    pattern.save(update_fields=["promoted_to", "updated_at"])
    event_record(
        organization=actor.organization,
        actor=actor.user,
        kind="capture.pattern_promoted",
        target=pattern,
        data={"workflow": str(workflow.public_id), "size": pattern.size},
    )
    return workflow
