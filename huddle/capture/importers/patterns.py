"""Mined patterns: finding them in a member's prompts, reading them, promoting one.

Patterns, like the prompts they come from, are private to their member: every read filters on
the actor's own rows, so another member (an admin too) gets ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet

from huddle.accounts import policy
from huddle.accounts.models import Visibility
from huddle.accounts.policy import Action, Actor
from huddle.capture.importers import mining
from huddle.capture.importers.models import Pattern, Prompt
from huddle.capture.promote import Built, InputDraft, apply_choices
from huddle.core.errors import NotFound, ValidationFailed
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
            actor, "capture.patterns_mined", patterns=len(found), new=len(fresh), removed=len(gone)
        )
    return list(my_patterns(actor))


def pattern_preview(pattern: Pattern, choices: Mapping[str, str | None] | None = None) -> Built:
    """The pattern's template and inputs with the member's renames and removals applied
    (``promote.apply_choices``); problems are in ``problems``, nothing is raised."""
    drafts = [
        InputDraft(
            str(variable["name"]),
            str(variable.get("default") or ""),
            "examples",
            [str(e) for e in variable.get("examples") or []],
            inferred_as=str(variable["name"]),
        )
        for variable in pattern.variables
    ]
    return apply_choices(Built([pattern.template], drafts, {}, []), choices or {})


def pattern_content(
    pattern: Pattern, choices: Mapping[str, str | None] | None = None
) -> VersionContent:
    """The one-step prompt a pattern suggests: its template, variables as inputs, constraints."""
    built = pattern_preview(pattern, choices)
    return VersionContent(
        steps=(Step(name="step_1", template=built.templates[0]),),
        inputs=tuple(InputSpec(**draft.as_data()) for draft in built.inputs),
        negative_constraints="\n".join(pattern.negative_constraints),
    )


def suggested_title(pattern: Pattern) -> str:
    """A title to start from: the pattern's first words, cut on a word, without an ellipsis."""
    title = pattern.title
    if title.endswith("…"):
        title = title[:-1].rsplit(" ", 1)[0] if " " in title else title[:-1]
    return title.rstrip(" ,;:-")


@transaction.atomic
def pattern_promote(
    *,
    actor: Actor,
    pattern: Pattern,
    title: str = "",
    choices: Mapping[str, str | None] | None = None,
) -> Workflow:
    """A new private draft prompt workflow owned by the actor, from one of their patterns, with
    the inputs renamed or removed as ``choices`` says (``ValidationFailed`` for a bad name)."""
    policy.require(actor, Action.CREATE_CONTENT)
    if pattern.owner_id != actor.user.pk or pattern.organization_id != actor.organization.pk:
        raise NotFound()
    problems = pattern_preview(pattern, choices).problems
    if problems:
        raise ValidationFailed("Some input names can't be used; see the fields.", fields=problems)
    workflow = library_services.workflow_create(
        actor=actor,
        title=title.strip() or suggested_title(pattern),
        kind=Kind.PROMPT,
        content=pattern_content(pattern, choices),
        summary=f"Found in {pattern.size} prompts you typed in your chat history.",
        visibility=Visibility.PRIVATE,
        changelog="Promoted from a mined pattern",
    )
    pattern.promoted_to = workflow
    pattern.save(update_fields=["promoted_to", "updated_at"])
    event_record(
        actor,
        "capture.pattern_promoted",
        pattern,
        workflow=str(workflow.public_id),
        size=pattern.size,
    )
    return workflow
