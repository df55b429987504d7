"""Resources: the team's context assets and packs, and templates for parts and rendered prompts.

URIs name the member's organisation: ``huddle://<org>/context/<slug>`` is what a template gets
from ``{{ context.<slug> }}`` (for campaign data its summary; ``…/<slug>/table`` the table),
``huddle://<org>/packs/<id>`` a pack as paste-ready Markdown, and
``huddle://<org>/workflows/<slug>/prompt?<input>=<value>…`` a workflow rendered with those inputs
(a preview: it records no run). Everything resolves with the member's rights, through the same
functions templates and pack exports use; anything else is "not found", whoever's it is.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import mcp_types as types

from huddle.accounts.policy import Actor
from huddle.context import queries as context_queries
from huddle.context.models import Kind
from huddle.context.packs import pack_export
from huddle.context.resolve import ContextRef, context_blocks_for
from huddle.core.errors import NotFound, ValidationFailed
from huddle.library import queries as library_queries
from huddle.library import services as library_services
from huddle.library.rendering import render_version

SCHEME = "huddle"
MARKDOWN = "text/markdown"


def _base(actor: Actor) -> str:
    return f"{SCHEME}://{actor.organization.slug}"


def list_resources(actor: Actor) -> types.ListResourcesResult:
    """Every context asset the member can use in a template, then every pack they can see."""
    base = _base(actor)
    resources: list[types.Resource] = []
    assets = context_queries.assets(actor).filter(approved_version__isnull=False)
    for asset in assets.select_related(None).only("slug", "title", "kind", "description"):
        kind = Kind(asset.kind).label
        resources.append(
            types.Resource(
                uri=f"{base}/context/{asset.slug}",
                name=asset.slug,
                title=asset.title,
                description=f"{kind}. {asset.description}".strip()
                + (
                    " The summary; the table is …/table."
                    if asset.kind == Kind.CAMPAIGN_DATA
                    else ""
                ),
                mime_type=MARKDOWN,
            )
        )
        if asset.kind == Kind.CAMPAIGN_DATA:
            resources.append(
                types.Resource(
                    uri=f"{base}/context/{asset.slug}/table",
                    name=f"{asset.slug}/table",
                    title=f"{asset.title} (table)",
                    description=f"{kind}: the table as Markdown.",
                    mime_type=MARKDOWN,
                )
            )
    for pack in context_queries.packs(actor).prefetch_related(None):
        resources.append(
            types.Resource(
                uri=f"{base}/packs/{pack.public_id}",
                name=f"pack:{pack.name}",
                title=pack.name,
                description=f"Context pack. {pack.description}".strip(),
                mime_type=MARKDOWN,
            )
        )
    return types.ListResourcesResult(resources=resources)


def list_templates(actor: Actor) -> types.ListResourceTemplatesResult:
    base = _base(actor)
    return types.ListResourceTemplatesResult(
        resource_templates=[
            types.ResourceTemplate(
                name="context-part",
                title="A part of a context asset",
                uri_template=f"{base}/context/{{slug}}/{{part}}",
                description="One part a template can use, e.g. a campaign's table or summary, "
                "a persona's goals.",
                mime_type=MARKDOWN,
            ),
            types.ResourceTemplate(
                name="workflow-prompt",
                title="A workflow's rendered prompt",
                uri_template=f"{base}/workflows/{{slug}}/prompt{{?inputs*}}",
                description="The workflow's prompt(s) with the inputs given as query "
                "parameters (?product=Widget&audience=CMOs), context included. A preview: it "
                "records no run.",
                mime_type=MARKDOWN,
            ),
        ]
    )


def read_resource(actor: Actor, uri: str) -> types.ReadResourceResult:
    """The text behind ``uri``; ``NotFound`` for anything the member can't see or that isn't."""
    parts = urlsplit(uri)
    if parts.scheme != SCHEME or parts.netloc != actor.organization.slug:
        raise NotFound(f"No resource {uri}.")
    path = [segment for segment in parts.path.split("/") if segment]
    match path:
        case ["context", slug]:
            text = _context(actor, slug, None)
        case ["context", slug, part]:
            text = _context(actor, slug, part)
        case ["packs", pack_id]:
            text = pack_export(actor, context_queries.get_pack(actor, pack_id)).text
        case ["workflows", slug, "prompt"]:
            text = _prompt(actor, slug, dict(parse_qsl(parts.query, keep_blank_values=True)))
        case _:
            raise NotFound(f"No resource {uri}.")
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=uri, mime_type=MARKDOWN, text=text)]
    )


def _context(actor: Actor, slug: str, part: str | None) -> str:
    block = context_blocks_for(actor, [ContextRef(slug)])[slug]
    if part is None:
        return block.text
    if part not in block.parts:
        names = ", ".join(sorted(block.parts))
        raise ValidationFailed(
            f"{slug} has no part {part!r}; it has {names}.", fields={"part": ["Unknown part."]}
        )
    return block.parts[part]


def _prompt(actor: Actor, slug: str, inputs: dict[str, str]) -> str:
    workflow = library_queries.get_workflow(actor, slug)
    version = library_services.latest_version(workflow)
    return render_version(actor, version, inputs).as_text()
