"""The optional LLM tone judge: an interface only, **off by default**.

The deterministic checker cannot judge tone ("warm but never cute"). A judge would send the
brand guide's voice and the text to the organisation's configured provider and return a labelled
opinion ("LLM judge, <model>: …") shown apart from the deterministic findings and never counted
in the score. Providers (``runs/providers``) are not in this branch yet, so no judge is
registered and ``judge_tone`` returns None; nothing calls out of the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ToneOpinion:
    label: str  # "LLM judge (provider/model)": always shown with the opinion
    verdict: str  # "on-brand" | "off-brand" | "unsure"
    notes: str


class ToneJudge(Protocol):
    def __call__(self, *, voice: str, text: str) -> ToneOpinion: ...


_judge: ToneJudge | None = None


def register_judge(judge: ToneJudge | None) -> None:
    """Install (or remove, with None) the judge; the providers app will call this when enabled."""
    # Set once at start-up in every process (like library panels), so nothing is shared state.
    global _judge
    _judge = judge


def judge_tone(*, voice: str, text: str) -> ToneOpinion | None:
    """The judge's opinion, or None when no judge is enabled (the default)."""
    if _judge is None or not voice.strip():
        return None
    return _judge(voice=voice, text=text)
