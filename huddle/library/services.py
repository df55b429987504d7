"""Every write to the library: create, save a version, publish, endorse, archive, fork, star.

Each function is keyword-only and transactional, checks rights through ``accounts.policy`` and
records an ``Event``. ``actor`` is the member acting; the CLI's operator commands pass the
member they act for.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from huddle.accounts import policy
from huddle.accounts.models import Team, Visibility
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import HuddleError, NotFound, PermissionDenied, ValidationFailed
from huddle.core.services import event_record
from huddle.library import contextrefs, search
from huddle.library.content import ContextRef, VersionContent, validate
from huddle.library.models import (
    Kind,
    Label,
    Star,
    Status,
    Workflow,
    WorkflowLabel,
    WorkflowTag,
    WorkflowVersion,
    workflow_slug_validator,
)

MAX_TAGS = 12
RESERVED_SLUGS = {"new", "validate"}  # page addresses under /library/


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        name = slugify(str(tag))[:40]
        if name and name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(f"At most {MAX_TAGS} tags.", fields={"tags": ["Too many tags."]})
    return cleaned


def _unique_slug(actor: Actor, wanted: str) -> str:
    base = slugify(wanted)[:70].strip("-") or "workflow"
    slug, n = base, 2
    while (
        slug in RESERVED_SLUGS
        or Workflow.objects.filter(organization=actor.organization, slug=slug).exists()
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_content(actor: Actor, kind: str, content: VersionContent) -> VersionContent:
    uses = validate(kind, content, known_context=contextrefs.known_slugs(actor))
    # Inline {{ context.x }} references are recorded too, so "where is this asset used" works.
    pinned = {ref.slug for ref in content.context_refs}
    extra = tuple(ContextRef(slug=s) for s in uses["context"] if s not in pinned)
    if extra:
        content = replace(content, context_refs=content.context_refs + extra)
    return content


def _new_version(
    *, actor: Actor, workflow: Workflow, content: VersionContent, changelog: str
) -> WorkflowVersion:
    last = workflow.versions.order_by("-number").values_list("number", flat=True).first() or 0
    data = content.as_data()
    version = WorkflowVersion.objects.create(
        workflow=workflow,
        number=last + 1,
        system=data["system"],
        steps=data["steps"],
        inputs=data["inputs"],
        context_refs=data["context_refs"],
        negative_constraints=data["negative_constraints"],
        manual_edits=data["manual_edits"],
        baseline_minutes=data["baseline_minutes"],
        required_elements=data["required_elements"],
        changelog=changelog.strip()[:300],
        author=actor.user,
    )
    _move_label(workflow, Label.LATEST, version)
    search.index(workflow, version)
    return version


def _move_label(workflow: Workflow, name: str, version: WorkflowVersion) -> None:
    WorkflowLabel.objects.update_or_create(
        workflow=workflow, name=name, defaults={"version": version}
    )


@transaction.atomic
def workflow_create(
    *,
    actor: Actor,
    title: str,
    kind: str,
    content: VersionContent,
    slug: str = "",
    summary: str = "",
    tags: Iterable[str] = (),
    visibility: str = Visibility.PRIVATE,
    team: Team | None = None,
    changelog: str = "First version",
    forked_from: Workflow | None = None,
) -> Workflow:
    """Create a workflow with its first version. New workflows are private drafts by default."""
    policy.require(actor, Action.CREATE_CONTENT)
    title = title.strip()
    problems: dict[str, list[str]] = {}
    if not title:
        problems["title"] = ["Give the workflow a title."]
    if kind not in Kind.values:
        problems["kind"] = [f"Use one of {', '.join(Kind.values)}."]
    if visibility not in Visibility.values:
        problems["visibility"] = [f"Use one of {', '.join(Visibility.values)}."]
    slug = slug.strip().lower()
    if slug:
        try:
            workflow_slug_validator(slug)
        except Exception as error:  # noqa: BLE001 - Django's ValidationError; message reused
            problems["slug"] = list(getattr(error, "messages", [str(error)]))
        else:
            if (
                slug in RESERVED_SLUGS
                or Workflow.objects.filter(organization=actor.organization, slug=slug).exists()
            ):
                problems["slug"] = [f"'{slug}' is already used in this library."]
    if problems:
        raise ValidationFailed("The workflow has problems; see the fields.", fields=problems)
    content = _check_content(actor, kind, content)
    team = policy.sharing_team(actor.organization, visibility, team)
    workflow = Workflow.objects.create(
        organization=actor.organization,
        slug=slug or _unique_slug(actor, title),
        title=title[:200],
        summary=summary.strip()[:2000],
        kind=kind,
        owner=actor.user,
        team=team,
        visibility=visibility,
        status=Status.DRAFT if visibility == Visibility.PRIVATE else Status.SHARED,
        forked_from=forked_from,
    )
    _set_tags(workflow, _clean_tags(tags))
    version = _new_version(actor=actor, workflow=workflow, content=content, changelog=changelog)
    event_record(
        actor,
        "workflow.forked" if forked_from else "workflow.created",
        workflow,
        version=version.number,
        kind=kind,
        visibility=visibility,
    )
    return workflow


def _set_tags(workflow: Workflow, names: list[str]) -> None:
    workflow.tags.exclude(name__in=names).delete()
    existing = set(workflow.tags.values_list("name", flat=True))
    WorkflowTag.objects.bulk_create(
        [
            WorkflowTag(workflow=workflow, organization_id=workflow.organization_id, name=name)
            for name in names
            if name not in existing
        ]
    )


@transaction.atomic
def workflow_save_version(
    *, actor: Actor, workflow: Workflow, content: VersionContent, changelog: str = ""
) -> WorkflowVersion:
    """Save new content as the next version; ``latest`` moves to it. Old versions never change."""
    policy.require_edit(actor, workflow)
    if workflow.status == Status.ARCHIVED:
        raise HuddleError("archived", "This workflow is archived; restore it before editing.")
    content = _check_content(actor, workflow.kind, content)
    version = _new_version(
        actor=actor, workflow=workflow, content=content, changelog=changelog or "Updated"
    )
    Workflow.objects.filter(pk=workflow.pk).update(updated_at=version.created_at)
    event_record(
        actor,
        "workflow.version_saved",
        workflow,
        version=version.number,
        changelog=version.changelog,
    )
    return version


@transaction.atomic
def workflow_update_details(
    *,
    actor: Actor,
    workflow: Workflow,
    title: str | None = None,
    summary: str | None = None,
    tags: Iterable[str] | None = None,
) -> Workflow:
    """Change the title, summary or tags (not versioned: they describe, they don't instruct)."""
    policy.require_edit(actor, workflow)
    changed = []
    if title is not None:
        if not title.strip():
            raise ValidationFailed("Give the workflow a title.", fields={"title": ["Required."]})
        workflow.title = title.strip()[:200]
        changed.append("title")
    if summary is not None:
        workflow.summary = summary.strip()[:2000]
        changed.append("summary")
    workflow.save()
    if tags is not None:
        _set_tags(workflow, _clean_tags(tags))
        changed.append("tags")
    latest = latest_version(workflow)
    search.index(workflow, latest)
    event_record(actor, "workflow.details_changed", workflow, fields=changed)
    return workflow


@transaction.atomic
def workflow_edit(
    *,
    actor: Actor,
    workflow: Workflow,
    title: str,
    summary: str,
    tags: Iterable[str],
    content: VersionContent,
    changelog: str = "",
) -> WorkflowVersion:
    """The editor's save: new details and a new version together, or neither."""
    workflow_update_details(actor=actor, workflow=workflow, title=title, summary=summary, tags=tags)
    return workflow_save_version(
        actor=actor, workflow=workflow, content=content, changelog=changelog
    )


@transaction.atomic
def workflow_publish(
    *, actor: Actor, workflow: Workflow, visibility: str, team: Team | None = None
) -> Workflow:
    """Share with a team or the organisation (or make private again): the owner or an editor."""
    policy.require_edit(actor, workflow)
    if workflow.owner_id != actor.user.pk:
        policy.require(actor, Action.CURATE_CONTENT)
    if visibility not in Visibility.values:
        raise ValidationFailed(
            f"Use one of {', '.join(Visibility.values)}.", fields={"visibility": ["Unknown."]}
        )
    team = policy.sharing_team(
        actor.organization, visibility, team if visibility == Visibility.TEAM else workflow.team
    )
    old = workflow.visibility
    workflow.visibility = visibility
    workflow.team = team
    if workflow.status == Status.DRAFT and visibility != Visibility.PRIVATE:
        workflow.status = Status.SHARED
    elif workflow.status == Status.SHARED and visibility == Visibility.PRIVATE:
        workflow.status = Status.DRAFT
    workflow.save()
    event_record(
        actor,
        "workflow.published" if visibility != Visibility.PRIVATE else "workflow.unpublished",
        workflow,
        from_=old,
        to=visibility,
        team=team.name if team else None,
    )
    return workflow


@transaction.atomic
def workflow_update(
    *,
    actor: Actor,
    workflow: Workflow,
    title: str | None = None,
    summary: str | None = None,
    tags: Iterable[str] | None = None,
    visibility: str | None = None,
    team: Team | None = None,
    archived: bool | None = None,
) -> Workflow:
    """Change details, sharing and status together (the API's PATCH), or nothing: a change
    that fails half-way (say, sharing with a team the actor may not use) leaves the workflow as
    it was. ``None`` leaves that part as it is; ``team`` alone shares with that team at the
    current visibility. Restoring comes first and archiving last, so the other changes apply to
    an active workflow. Each part records its own event, as its own service does."""
    if archived is False:
        workflow = workflow_archive(actor=actor, workflow=workflow, archived=False)
    if title is not None or summary is not None or tags is not None:
        workflow = workflow_update_details(
            actor=actor, workflow=workflow, title=title, summary=summary, tags=tags
        )
    if visibility or team is not None:
        workflow = workflow_publish(
            actor=actor, workflow=workflow, visibility=visibility or workflow.visibility, team=team
        )
    if archived:
        workflow = workflow_archive(actor=actor, workflow=workflow, archived=True)
    return workflow


@transaction.atomic
def workflow_endorse(
    *, actor: Actor, workflow: Workflow, version: WorkflowVersion | None = None
) -> Workflow:
    """Mark a version as the team's recommended one (editors and up); moves ``endorsed``."""
    policy.require(actor, Action.CURATE_CONTENT)
    if not policy.can_see(actor, workflow):
        raise NotFound()
    if workflow.visibility == Visibility.PRIVATE:
        raise HuddleError("private", "Share the workflow before endorsing it.")
    version = version or latest_version(workflow)
    if version.workflow_id != workflow.pk:
        raise NotFound("No such version.")
    _move_label(workflow, Label.ENDORSED, version)
    workflow.status = Status.ENDORSED
    workflow.save()
    event_record(actor, "workflow.endorsed", workflow, version=version.number)
    return workflow


@transaction.atomic
def workflow_move_label(
    *, actor: Actor, workflow: Workflow, label: str, version: WorkflowVersion
) -> None:
    """Point a label at another version: rolling back is moving ``latest`` to an older one."""
    if label not in Label.values:
        raise ValidationFailed(f"Unknown label '{label}'.", fields={"label": ["Unknown."]})
    if label == Label.ENDORSED:
        workflow_endorse(actor=actor, workflow=workflow, version=version)
        return
    policy.require_edit(actor, workflow)
    if version.workflow_id != workflow.pk:
        raise NotFound("No such version.")
    _move_label(workflow, label, version)
    search.index(workflow, version)
    event_record(actor, "workflow.label_moved", workflow, label_=label, version=version.number)


@transaction.atomic
def workflow_archive(*, actor: Actor, workflow: Workflow, archived: bool = True) -> Workflow:
    policy.require_edit(actor, workflow)
    if archived:
        workflow.status = Status.ARCHIVED
    else:
        endorsed = workflow.labels.filter(name=Label.ENDORSED).exists()
        shared = workflow.visibility != Visibility.PRIVATE
        workflow.status = (
            Status.ENDORSED if endorsed and shared else Status.SHARED if shared else Status.DRAFT
        )
    workflow.save()
    event_record(actor, "workflow.archived" if archived else "workflow.restored", workflow)
    return workflow


@transaction.atomic
def workflow_fork(*, actor: Actor, workflow: Workflow) -> Workflow:
    """Make the actor's own private copy of a workflow they can see."""
    if not policy.can_see(actor, workflow):
        raise NotFound()
    policy.require(actor, Action.CREATE_CONTENT)
    from huddle.library.rendering import content_of

    version = latest_version(workflow)
    return workflow_create(
        actor=actor,
        title=f"{workflow.title} (my copy)",
        kind=workflow.kind,
        content=content_of(version),
        slug=_unique_slug(actor, f"{workflow.slug}-copy"),
        summary=workflow.summary,
        tags=workflow.tags.values_list("name", flat=True),
        changelog=f"Forked from {workflow.title} v{version.number}",
        forked_from=workflow,
    )


@transaction.atomic
def workflow_star(*, actor: Actor, workflow: Workflow, starred: bool = True) -> Workflow:
    if not policy.can_see(actor, workflow):
        raise NotFound()
    if starred:
        _star, created = Star.objects.get_or_create(workflow=workflow, user=actor.user)
        if created:
            Workflow.objects.filter(pk=workflow.pk).update(star_count=F("star_count") + 1)
    else:
        deleted, _ = Star.objects.filter(workflow=workflow, user=actor.user).delete()
        if deleted:
            Workflow.objects.filter(pk=workflow.pk).update(star_count=F("star_count") - 1)
    workflow.refresh_from_db(fields=["star_count"])
    event_record(actor, "workflow.starred" if starred else "workflow.unstarred", workflow)
    return workflow


def latest_version(workflow: Workflow) -> WorkflowVersion:
    label = workflow.labels.select_related("version").filter(name=Label.LATEST).first()
    if label is None:
        raise HuddleError("no_version", "This workflow has no version.", status=409)
    return label.version


def version_text(version: WorkflowVersion) -> str:
    """A readable serialisation of a version, the basis of diffs."""
    lines = [f"# System\n{version.system}".rstrip()]
    for i, step in enumerate(version.steps, start=1):
        lines.append(f"# Step {i}: {step.get('name')}\n{step.get('template', '')}".rstrip())
    for spec in version.inputs:
        extra = f" choices={','.join(spec.get('choices') or [])}" if spec.get("choices") else ""
        lines.append(
            f"# Input {spec.get('name')} ({spec.get('type')}, "
            f"{'required' if spec.get('required') else 'optional'}){extra}"
        )
    if version.context_refs:
        refs = ", ".join(f"{r['slug']}@{r['version'] or 'latest'}" for r in version.context_refs)
        lines.append(f"# Context\n{refs}")
    lines.append(f"# Avoid\n{version.negative_constraints}".rstrip())
    lines.append(f"# Still edited by hand\n{version.manual_edits}".rstrip())
    lines.append(f"# Minutes without AI\n{version.baseline_minutes or ''}".rstrip())
    return "\n\n".join(lines) + "\n"


def version_diff(old: WorkflowVersion, new: WorkflowVersion) -> list[tuple[str, str]]:
    """A unified diff of two versions as ``(kind, line)`` pairs; kind is ``+ - @`` or a space."""
    if old.workflow_id != new.workflow_id:
        raise PermissionDenied("Versions of different workflows can't be compared.")
    diff = difflib.unified_diff(
        version_text(old).splitlines(),
        version_text(new).splitlines(),
        fromfile=f"v{old.number}",
        tofile=f"v{new.number}",
        lineterm="",
        n=2,
    )
    result = []
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        kind = line[:1] if line[:1] in "+-@" else " "
        result.append((kind, line[1:] if kind in "+- " else line))
    return result
