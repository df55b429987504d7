"""The LLM tone judge is an interface, off by default."""

from __future__ import annotations

from huddle.brand.judge import ToneOpinion, judge_tone, register_judge


def test_no_judge_by_default():
    assert judge_tone(voice="Plain and warm.", text="Hi!") is None


def test_a_registered_judge_is_asked_and_labelled():
    def fake(*, voice: str, text: str) -> ToneOpinion:
        return ToneOpinion("LLM judge (fake)", "on-brand", f"{len(text)} characters")

    register_judge(fake)
    try:
        opinion = judge_tone(voice="Plain.", text="Hi!")
    finally:
        register_judge(None)
    assert opinion == ToneOpinion("LLM judge (fake)", "on-brand", "3 characters")
