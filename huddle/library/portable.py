"""The library as YAML files, so a team can keep its workflows in git.

One YAML document per workflow: its metadata and its latest version's content, optionally with
the older versions under ``history`` (oldest first). ``huddle workflows add --file`` reads the same
shape. Import is two-phase: ``plan_import`` reads and checks every document of every file and
raises one ``ValidationFailed`` naming file and field if anything is wrong; only then does
``apply_import`` write, in one transaction. So one bad file means nothing is imported.

What an imported file can't decide: the owner (given on the command line), the status
(``endorsed`` is a curator's judgement, never a file's), stars and use counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from huddle.accounts import policy
from huddle.accounts import queries as accounts_queries
from huddle.accounts.models import Team, Visibility
from huddle.accounts.policy import Actor
from huddle.core.errors import HuddleError, ValidationFailed
from huddle.library import contextrefs, queries, services
from huddle.library.content import VersionContent, validate
from huddle.library.models import Kind, Status, Workflow, WorkflowVersion, workflow_slug_validator
from huddle.library.rendering import content_of
from huddle.library.serialize import CONTENT_FIELDS, content_data

FORMAT = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS_PER_FILE = 1_000
SUFFIXES = (".yaml", ".yml")
META_KEYS = {"huddle", "slug", "title", "kind", "summary", "tags", "visibility", "team"}
VERSION_KEYS = {*CONTENT_FIELDS, "required_elements", "changelog"}
INFO_KEYS = {"version", "history"}


# --- export ----------------------------------------------------------------------------------


INPUT_DEFAULTS: dict[str, Any] = {
    "label": "",
    "help": "",
    "type": "text",
    "choices": [],
    "default": "",
    "required": True,
}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop what equals the default, so files stay short and diffs small."""
    data = dict(data)
    data["inputs"] = [
        {k: v for k, v in spec.items() if k not in INPUT_DEFAULTS or INPUT_DEFAULTS[k] != v}
        for spec in data.get("inputs", [])
    ]
    data["context_refs"] = [
        {k: v for k, v in ref.items() if v is not None} for ref in data.get("context_refs", [])
    ]
    return {k: v for k, v in data.items() if v not in ("", [], None)}


def export_document(workflow: Workflow, *, all_versions: bool = False) -> dict[str, Any]:
    """One workflow as a YAML-ready document; older versions too with ``all_versions``."""
    latest = services.latest_version(workflow)
    doc: dict[str, Any] = {
        "huddle": FORMAT,
        "slug": workflow.slug,
        "title": workflow.title,
        "kind": str(workflow.kind),  # str(): a fresh object holds the TextChoices member
        "summary": workflow.summary,
        "tags": sorted(tag.name for tag in workflow.tags.all()),
        "visibility": str(workflow.visibility),
        "team": workflow.team.slug if workflow.team else None,
        "version": latest.number,
        "changelog": latest.changelog,
        **content_data(latest),
    }
    if all_versions:
        older = workflow.versions.filter(number__lt=latest.number).order_by("number")
        doc["history"] = [_history_entry(v) for v in older]
    return _compact(doc)


def _history_entry(version: WorkflowVersion) -> dict[str, Any]:
    return _compact(
        {"version": version.number, "changelog": version.changelog, **content_data(version)}
    )


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing multi-line text as ``|`` blocks people can read and diff."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(documents: Iterable[Mapping[str, Any]]) -> str:
    return yaml.dump_all(
        list(documents), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )


def write_export(workflows: Iterable[Workflow], out: Path, *, all_versions: bool = False) -> int:
    """Write one ``<slug>.yaml`` per workflow into the folder ``out``, or all into one file when
    ``out`` ends in ``.yaml``/``.yml``. Returns how many workflows were written."""
    documents = [export_document(w, all_versions=all_versions) for w in workflows]
    if out.suffix in SUFFIXES:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(dump(documents), encoding="utf-8")
    else:
        out.mkdir(parents=True, exist_ok=True)
        for doc in documents:
            (out / f"{doc['slug']}.yaml").write_text(dump([doc]), encoding="utf-8")
    return len(documents)


# --- reading ---------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader, minus anchors and aliases: a few lines of ``*a`` references
    can otherwise expand into gigabytes ("billion laughs") however small the file is."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (*name) are not allowed", mark
            )
        return super().compose_node(parent, index)


@dataclass
class Problems:
    """Every problem found, keyed ``"<file>: <field>"``; raised at once as ``ValidationFailed``."""

    fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, source: str, where: str, message: str) -> None:
        key = f"{source}: {where}" if where else source
        self.fields.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if not self.fields:
            return
        count = sum(len(m) for m in self.fields.values())
        raise ValidationFailed(
            f"Nothing imported: {count} problem{'s' if count > 1 else ''}.", fields=self.fields
        )


def yaml_files(path: Path) -> list[Path]:
    """``path`` itself, or the YAML files below the folder ``path`` in name order."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    if not path.is_file():
        raise HuddleError("not_found", f"{path} does not exist.", status=404)
    return [path]


def read_documents(path: Path, source: str, problems: Problems) -> list[tuple[str, Any]]:
    """The documents of one file as ``(source, data)``; problems are recorded, not raised."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        problems.add(
            source, "", f"The file is {size / 1024 / 1024:.1f} MB; the limit is {limit} MB."
        )
        return []
    try:
        text = path.read_bytes().decode("utf-8")
        # Same safety as yaml.safe_load (a SafeLoader), without aliases; see _Loader.
        loaded = list(yaml.load_all(text, Loader=_Loader))
    except UnicodeDecodeError:
        problems.add(source, "", "The file is not UTF-8 text.")
        return []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        problems.add(source, where, f"Not valid YAML: {getattr(error, 'problem', None) or error}.")
        return []
    documents = [doc for doc in loaded if doc is not None]
    if len(documents) > MAX_DOCUMENTS_PER_FILE:
        problems.add(source, "", f"At most {MAX_DOCUMENTS_PER_FILE} workflows per file.")
        return []
    if len(documents) == 1:
        return [(source, documents[0])]
    return [(f"{source}#{i}", doc) for i, doc in enumerate(documents, start=1)]


# --- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowDoc:
    """One checked document, ready to be written."""

    source: str
    slug: str
    title: str
    kind: str
    summary: str
    tags: tuple[str, ...]
    visibility: str
    team: Team | None
    content: VersionContent
    changelog: str
    history: tuple[tuple[VersionContent, str], ...] = ()


def check_document(
    actor: Actor, source: str, data: Any, problems: Problems, known_context: set[str]
) -> WorkflowDoc | None:
    """Check one document's shape and content for ``actor``; record problems, return the doc."""
    if not isinstance(data, Mapping):
        problems.add(source, "", "Each document must be a mapping of keys (title, kind, steps …).")
        return None
    before = sum(len(m) for m in problems.fields.values())
    for key in data:
        if key not in META_KEYS | VERSION_KEYS | INFO_KEYS:
            problems.add(source, str(key), f"Unknown key '{key}'.")
    if data.get("huddle", FORMAT) != FORMAT:
        problems.add(source, "huddle", f"Unknown format {data.get('huddle')!r}; expected {FORMAT}.")
    title = _text(data, "title", source, problems).strip()
    if not title:
        problems.add(source, "title", "Give the workflow a title.")
    kind = _text(data, "kind", source, problems, default=Kind.PROMPT)
    if kind not in Kind.values:
        problems.add(source, "kind", f"'{kind}' is not a kind; use {', '.join(Kind.values)}.")
    slug = _text(data, "slug", source, problems).strip().lower() or slugify(title)[:80]
    try:
        workflow_slug_validator(slug)
    except ValidationError as error:
        problems.add(source, "slug", error.messages[0])
    visibility = _text(data, "visibility", source, problems, default=Visibility.PRIVATE)
    if visibility not in Visibility.values:
        problems.add(source, "visibility", f"Use one of {', '.join(Visibility.values)}.")
    team = None
    team_slug = _text(data, "team", source, problems)
    if team_slug:
        team = accounts_queries.team_by_slug(actor.organization, team_slug)
        if team is None:
            problems.add(source, "team", f"No team '{team_slug}' in {actor.organization.slug}.")
    elif visibility == Visibility.TEAM:
        problems.add(source, "team", "Team visibility needs the team's slug.")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str | int) for t in tags):
        problems.add(source, "tags", "Tags are a list of words.")
        tags = []
    content = _content(data, source, "", kind, problems, known_context)
    history = []
    raw_history = data.get("history") or []
    if not isinstance(raw_history, list):
        problems.add(source, "history", "Expected a list of older versions.")
        raw_history = []
    for i, entry in enumerate(raw_history):
        if not isinstance(entry, Mapping):
            problems.add(source, f"history.{i}", "Expected a version (steps, inputs …).")
            continue
        old = _content(entry, source, f"history.{i}.", kind, problems, known_context)
        if old is not None:
            history.append((old, str(entry.get("changelog") or "")))
    if content is None or sum(len(m) for m in problems.fields.values()) > before:
        return None
    return WorkflowDoc(
        source=source,
        slug=slug,
        title=title,
        kind=kind,
        summary=_text(data, "summary", source, problems),
        tags=tuple(str(t) for t in tags),
        visibility=visibility,
        team=team,
        content=content,
        changelog=_text(data, "changelog", source, problems),
        history=tuple(history),
    )


def _text(
    data: Mapping[str, Any], key: str, source: str, problems: Problems, default: str = ""
) -> str:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str | int | float):
        problems.add(source, key, "Expected text.")
        return default
    return str(value)


def _content(
    data: Mapping[str, Any],
    source: str,
    prefix: str,
    kind: str,
    problems: Problems,
    known_context: set[str],
) -> VersionContent | None:
    try:
        content = VersionContent.from_data(data)
        if kind in Kind.values:
            validate(kind, content, known_context=known_context)
    except ValidationFailed as error:
        for where, messages in error.fields.items():
            for message in messages:
                problems.add(source, f"{prefix}{where}", message)
        return None
    return content


# --- planning and writing --------------------------------------------------------------------


@dataclass
class ImportPlan:
    create: list[WorkflowDoc] = field(default_factory=list)
    update: list[tuple[WorkflowDoc, Workflow]] = field(default_factory=list)
    unchanged: list[WorkflowDoc] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.create) + len(self.update) + len(self.unchanged)


def load_docs(actor: Actor, path: Path) -> list[WorkflowDoc]:
    """Read and check every document under ``path``; ``ValidationFailed`` lists every problem."""
    problems = Problems()
    known_context = contextrefs.known_slugs(actor)
    base = path if path.is_dir() else path.parent
    docs: list[WorkflowDoc] = []
    for file in yaml_files(path):
        source = str(file.relative_to(base))
        for where, data in read_documents(file, source, problems):
            doc = check_document(actor, where, data, problems, known_context)
            if doc is not None:
                docs.append(doc)
    problems.raise_if_any()
    return docs


def plan_import(actor: Actor, path: Path) -> ImportPlan:
    """Check everything under ``path`` and decide, per workflow, create / new version / nothing.

    Raises ``ValidationFailed`` (nothing to write) when any document has a problem, including a
    slug that exists in the library but belongs to a workflow ``actor`` may not change.
    """
    policy.require(actor, policy.Action.CREATE_CONTENT)
    docs = load_docs(actor, path)
    problems = Problems()
    plan = ImportPlan()
    seen: dict[str, str] = {}
    existing = {
        w.slug: w
        for w in queries.organization_workflows(actor.organization)
        .filter(slug__in=[d.slug for d in docs])
        .select_related("owner", "team")
    }
    for doc in docs:
        if doc.slug in seen:
            problems.add(doc.source, "slug", f"'{doc.slug}' is also in {seen[doc.slug]}.")
            continue
        seen[doc.slug] = doc.source
        workflow = existing.get(doc.slug)
        if workflow is None:
            plan.create.append(doc)
        elif not policy.can_edit(actor, workflow):
            problems.add(
                doc.source, "slug", f"'{doc.slug}' exists and {actor.user.email} may not change it."
            )
        elif workflow.kind != doc.kind:
            problems.add(doc.source, "kind", f"'{doc.slug}' exists as a {workflow.kind}.")
        elif not _differs(workflow, doc):
            plan.unchanged.append(doc)
        elif workflow.status == Status.ARCHIVED:
            problems.add(doc.source, "slug", f"'{doc.slug}' is archived; restore it first.")
        else:
            plan.update.append((doc, workflow))
    problems.raise_if_any()
    return plan


def _differs(workflow: Workflow, doc: WorkflowDoc) -> bool:
    tags = sorted(workflow.tags.values_list("name", flat=True))
    return (
        content_of(services.latest_version(workflow)) != doc.content
        or workflow.title != doc.title
        or workflow.summary != doc.summary.strip()
        or tags != sorted(doc.tags)
    )


@transaction.atomic
def create_from_doc(actor: Actor, doc: WorkflowDoc) -> Workflow:
    """Create the workflow of a checked document, replaying its ``history`` as versions."""
    versions = [*doc.history, (doc.content, doc.changelog)]
    first, first_log = versions[0]
    workflow = services.workflow_create(
        actor=actor,
        title=doc.title,
        kind=doc.kind,
        content=first,
        slug=doc.slug,
        summary=doc.summary,
        tags=doc.tags,
        visibility=doc.visibility,
        team=doc.team,
        changelog=first_log or "Imported",
    )
    for content, changelog in versions[1:]:
        services.workflow_save_version(
            actor=actor, workflow=workflow, content=content, changelog=changelog or "Imported"
        )
    return workflow


@transaction.atomic
def apply_import(
    actor: Actor, plan: ImportPlan, *, advance: Callable[[], None] | None = None
) -> dict[str, int]:
    """Write a plan made by ``plan_import``, all or nothing; returns the counts."""
    for doc in plan.create:
        create_from_doc(actor, doc)
        if advance:
            advance()
    for doc, workflow in plan.update:
        services.workflow_update_details(
            actor=actor, workflow=workflow, title=doc.title, summary=doc.summary, tags=doc.tags
        )
        if content_of(services.latest_version(workflow)) != doc.content:
            services.workflow_save_version(
                actor=actor,
                workflow=workflow,
                content=doc.content,
                changelog=doc.changelog or "Imported",
            )
        if advance:
            advance()
    return {
        "created": len(plan.create),
        "updated": len(plan.update),
        "unchanged": len(plan.unchanged),
    }
