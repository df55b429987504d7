"""The optional LLM tone judge: **off by default**, asked only when a person ticks the box.

The deterministic checker cannot judge tone ("warm but never cute"). The judge sends the brand
guides' voice and the text to the organisation's default provider and returns a labelled opinion
("LLM judge · <provider> · <model>") shown apart from the deterministic findings and never
counted in the score. No provider, no brand voice: no judge. A provider failure is an opinion
that says so, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from huddle.accounts.policy import Actor
from huddle.context import queries as context_queries
from huddle.context.models import Kind
from huddle.runs.providers.base import ProviderError, ProviderPrompt
from huddle.runs.providers.queries import default_provider
from huddle.runs.providers.registry import provider_for

SYSTEM = (
    "You review marketing copy against a brand voice. Answer with a first line that is exactly "
    "'VERDICT: on-brand', 'VERDICT: off-brand' or 'VERDICT: unsure', then at most three short "
    "notes, one per line, starting with '- '."
)
VERDICTS = ("on-brand", "off-brand", "unsure")


@dataclass(frozen=True)
class ToneOpinion:
    label: str  # "LLM judge · Team GPT · gpt-4o-mini": always shown with the opinion
    verdict: str  # "on-brand" | "off-brand" | "unsure"
    notes: str


def brand_voice(actor: Actor) -> str:
    """The voice and do/don't lines of the brand guides the actor can see."""
    parts = []
    assets = (
        context_queries.assets(actor)
        .filter(kind=Kind.BRAND, approved_version__isnull=False)
        .select_related("approved_version")
        .order_by("slug")
    )
    for asset in assets:
        data = asset.approved_version.data
        lines = [str(data.get("voice") or "").strip()]
        lines += [f"Do: {line}" for line in data.get("do") or []]
        lines += [f"Don't: {line}" for line in data.get("dont") or []]
        parts.append("\n".join(line for line in lines if line))
    return "\n\n".join(part for part in parts if part)


def judge_available(actor: Actor) -> bool:
    return default_provider(actor.organization) is not None


def judge_tone(*, actor: Actor, text: str) -> ToneOpinion | None:
    """Ask the default provider for a tone opinion; None without a provider or a brand voice."""
    config = default_provider(actor.organization)
    voice = brand_voice(actor)
    if config is None or not voice or not text.strip():
        return None
    label = f"LLM judge · {config.name}" + (f" · {config.model}" if config.model else "")
    prompt = ProviderPrompt.single(f"Brand voice:\n{voice}\n\nText:\n{text}", system=SYSTEM)
    try:
        answer = provider_for(config, timeout=30).complete(prompt).text.strip()
    except ProviderError as error:
        return ToneOpinion(label, "unsure", f"The judge could not answer: {error.message}")
    first, _, rest = answer.partition("\n")
    verdict = first.lower().removeprefix("verdict:").strip()
    if verdict not in VERDICTS:
        verdict, rest = "unsure", answer
    return ToneOpinion(label, verdict, rest.strip()[:2000])
