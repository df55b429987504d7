"""Workflows and versions as plain data: one shape for the API, ``huddle workflows list --json``
and the YAML export, so the three never drift apart."""

from __future__ import annotations

from typing import Any

from huddle.library.models import Workflow, WorkflowVersion
from huddle.library.services import latest_version

CONTENT_FIELDS = (
    "system",
    "steps",
    "inputs",
    "context_refs",
    "negative_constraints",
    "manual_edits",
    "baseline_minutes",
)


def workflow_data(workflow: Workflow) -> dict[str, Any]:
    """A workflow's metadata; use ``queries.with_listing_data`` on lists (no query per row)."""
    latest = getattr(workflow, "latest_number", None)
    if latest is None:
        latest = latest_version(workflow).number
    return {
        "id": workflow.public_id,
        "slug": workflow.slug,
        "title": workflow.title,
        "summary": workflow.summary,
        "kind": workflow.kind,
        "status": workflow.status,
        "visibility": workflow.visibility,
        "team": workflow.team.slug if workflow.team else None,
        "owner": {"email": workflow.owner.email, "name": workflow.owner.name},
        "tags": sorted(tag.name for tag in workflow.tags.all()),
        "star_count": workflow.star_count,
        "use_count": workflow.use_count,
        "forked_from": workflow.forked_from.public_id if workflow.forked_from else None,
        "created_at": workflow.created_at,
        "updated_at": workflow.updated_at,
        "latest_version": latest,
    }


def content_data(version: WorkflowVersion) -> dict[str, Any]:
    """The content of a version, in the shape ``VersionContent.from_data`` reads back."""
    data = {name: getattr(version, name) for name in CONTENT_FIELDS}
    if version.required_elements:
        data["required_elements"] = list(version.required_elements)
    return data


def version_data(version: WorkflowVersion, labels: list[str] | None = None) -> dict[str, Any]:
    return {
        "number": version.number,
        **content_data(version),
        "changelog": version.changelog,
        "author": version.author.email if version.author else None,
        "created_at": version.created_at,
        "labels": sorted(labels or []),
    }
