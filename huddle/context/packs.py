"""Exporting a context pack as paste-ready text for ChatGPT and Claude.

The text is resolved with the exporter's rights (``context_blocks_for``): an asset of the pack
they can't see is an error naming its slug, as in a template.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from huddle.accounts.policy import Actor
from huddle.context.models import ContextPack, ContextVersion, Kind
from huddle.context.parsing.tables import table_rows
from huddle.context.resolve import ContextBlock, ContextRef, context_blocks_for
from huddle.core.errors import ValidationFailed


@dataclass(frozen=True)
class ExportTarget:
    key: str
    label: str
    limit: int | None  # characters the instructions field takes
    where: str


TARGETS: dict[str, ExportTarget] = {
    t.key: t
    for t in (
        ExportTarget(
            "chatgpt",
            "ChatGPT custom instructions",
            1_500,
            "ChatGPT → Settings → Personalization → Custom instructions, in “Anything else "
            "ChatGPT should know about you?” (1,500 characters).",
        ),
        ExportTarget(
            "custom_gpt",
            "Custom GPT instructions",
            8_000,
            "The GPT builder → Configure → Instructions (8,000 characters); add the files of "
            "the .zip as Knowledge.",
        ),
        ExportTarget(
            "claude_project",
            "Claude Project",
            None,
            "Claude → Projects → your project → Set project instructions; add the files of the "
            ".zip to the project knowledge.",
        ),
    )
}
DEFAULT_TARGET = "custom_gpt"


@dataclass(frozen=True)
class PackExport:
    pack: ContextPack
    target: ExportTarget
    text: str
    blocks: list[ContextBlock]
    sizes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def fits(self) -> bool:
        return self.target.limit is None or self.chars <= self.target.limit

    @property
    def advice(self) -> list[str]:
        """When the text is too long for the target: what to shorten, largest first."""
        if self.fits or self.target.limit is None:
            return []
        excess = self.chars - self.target.limit
        lines = [f"{self.chars:,} characters: {excess:,} over the {self.target.limit:,} limit."]
        for slug, size in sorted(self.sizes, key=lambda s: -s[1]):
            lines.append(f"Shorten or leave out {slug} ({size:,} characters).")
            excess -= size
            if excess <= 0:
                break
        if self.target.key == "chatgpt":
            lines.append("Or export for a Custom GPT or a Claude Project, which take more.")
        return lines


def get_target(key: str) -> ExportTarget:
    try:
        return TARGETS[key]
    except KeyError:
        raise ValidationFailed(
            f"Unknown export target {key!r}; use one of {', '.join(TARGETS)}.",
            fields={"target": ["Unknown target."]},
        ) from None


def pack_export(actor: Actor, pack: ContextPack, target: str = DEFAULT_TARGET) -> PackExport:
    """The pack as one Markdown text for ``target``."""
    chosen = get_target(target)
    slugs = [item.asset.slug for item in pack.items.select_related("asset")]
    resolved = context_blocks_for(actor, [ContextRef(slug) for slug in slugs])
    blocks = [resolved[slug] for slug in slugs]
    intro = (
        f"# {pack.name}\n\n"
        + (f"{pack.description}\n\n" if pack.description else "")
        + "Use the context below in every answer: follow the brand voice and the glossary, "
        "write for the personas, and rely on the figures given."
    )
    text = "\n\n".join([intro, *(block.text for block in blocks)]) + "\n"
    return PackExport(pack, chosen, text, blocks, [(b.slug, len(b.text)) for b in blocks])


def pack_zip(actor: Actor, pack: ContextPack, target: str = DEFAULT_TARGET) -> bytes:
    """A .zip with ``instructions.md`` (the paste-ready text, or a short pointer when the full
    text is too long for the target), one knowledge file per asset and a README."""
    export = pack_export(actor, pack, target)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if export.fits:
            instructions = export.text
        else:
            files = "\n".join(f"- knowledge/{b.slug}.md — {b.title}" for b in export.blocks)
            instructions = (
                f"# {pack.name}\n\nUse the attached knowledge files in every answer: follow the "
                f"brand voice and glossary, write for the personas, rely on the figures.\n\n"
                f"{files}\n"
            )
        archive.writestr("instructions.md", instructions)
        for block in export.blocks:
            archive.writestr(f"knowledge/{block.slug}.md", block.text + "\n")
            if block.kind == Kind.CAMPAIGN_DATA:
                archive.writestr(f"knowledge/{block.slug}.csv", _table_csv(pack, block))
        archive.writestr(
            "README.txt",
            f"{pack.name} — exported for {export.target.label}.\n\n{export.target.where}\n",
        )
    return buffer.getvalue()


def _table_csv(pack: ContextPack, block: ContextBlock) -> str:
    """The block's stored table as CSV, formulas written as text (``core.csvsafe``)."""
    from huddle.core import csvsafe

    version = ContextVersion.objects.only("table_gz").get(
        asset__organization=pack.organization, asset__slug=block.slug, number=block.version
    )
    out = io.StringIO()
    csvsafe.writer(out).writerows(table_rows(bytes(version.table_gz)))
    return out.getvalue()
