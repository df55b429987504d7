"""``POST /api/v1/brand/check``: check a text against the brand rules the token's member sees."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from huddle.brand import services
from huddle.brand.judge import judge_tone
from huddle.core.jsontypes import Body, Flag

router = Router(tags=["brand"])


class CheckIn(Body):
    text: str = Field(..., description="The text to check (Markdown is fine).")
    workflow: str | None = Field(
        None,
        description="Workflow slug or id: adds its required elements and its "
        "negative constraints as rules",
    )
    channel: str | None = Field(
        None, description="x, linkedin, sms, email_subject …: checks length"
    )
    judge: Flag = Field(
        False, description="Also ask the default AI provider about tone (off by default)"
    )


class FindingOut(Schema):
    start: int | None = Field(..., description="Offset in the text (code points); null: whole text")
    end: int | None
    line: int | None
    rule: str
    severity: str = Field(..., description="blocking | warning | info")
    message: str
    suggestion: str
    match: str
    source: str = Field(
        ..., description="Which rule this comes from: a glossary, a guide line, the workflow's …"
    )


class OpinionOut(Schema):
    label: str = Field(..., description="Who gave the opinion: always shown with it")
    verdict: str = Field(..., description="on-brand | off-brand | unsure")
    notes: str


class CheckOut(Schema):
    score: int = Field(..., description="0 to 100 on-brand score (formula in the docs)")
    blocking: bool = Field(..., description="True when a blocking finding (a banned term) exists")
    words: int
    reading_ease: float | None
    grade: float | None
    findings: list[FindingOut]
    sources: list[str] = Field(..., description="The glossaries and brand guides checked against")
    judge: OpinionOut | None = Field(None, description="The LLM judge's opinion, when asked")


@router.post("/check", response=CheckOut, summary="Check a text against the brand")
def brand_check(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    result = services.brand_check(
        actor=request.actor,  # type: ignore[attr-defined]
        text=payload.text,
        workflow=payload.workflow,
        channel=payload.channel,
    )
    opinion = (
        judge_tone(actor=request.actor, text=payload.text)  # type: ignore[attr-defined]
        if payload.judge
        else None
    )
    return {
        **result.report.as_dict(),
        "sources": list(result.ruleset.sources),
        "judge": asdict(opinion) if opinion else None,
    }
