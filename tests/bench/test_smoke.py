"""The benchmarks' own pieces at a tiny size (the figures themselves come from `make bench`)."""

from __future__ import annotations

import hashlib
import io
import json

from bench import export, importing, mining
from huddle.capture.importers import chatgpt
from huddle.capture.importers import mining as miner


def test_export_is_a_chatgpt_export_with_its_planted_patterns(tmp_path):
    path = tmp_path / "conversations.json"
    side = export.generate(path, prompts=600, reply_words=3, patterns=5, seed=3)
    raw = json.loads(path.read_text())
    assert side["prompts"] == 600
    assert len(raw) == side["conversations"]
    assert sum(p["count"] for p in side["patterns"]) + side["one_offs"] == 600
    assert export.sidecar_path(path).exists()
    parsed = [chatgpt.parse_conversation(c, file="x", number=i) for i, c in enumerate(raw)]
    assert sum(len(c.prompts) for c in parsed) == 600
    assert not any(c.skipped for c in parsed)
    again = io.StringIO()
    export.write_export(again, prompts=600, reply_words=3, patterns=5, seed=3)
    assert again.getvalue() == path.read_text()  # deterministic by seed
    assert importing.bare_pass(str(path))["conversations"] == len(raw)


def test_mining_recovers_the_planted_patterns_and_scores_them(tmp_path):
    path = tmp_path / "conversations.json"
    side = export.generate(path, prompts=800, reply_words=3, patterns=5, seed=4)
    texts = [
        p.text
        for i, c in enumerate(json.loads(path.read_text()))
        for p in chatgpt.parse_conversation(c, file="x", number=i).prompts
    ]
    found = miner.mine((t, None, hashlib.sha256(t.encode()).hexdigest()) for t in texts)
    mined = [
        {"template": p.template, "size": p.size, "negatives": p.negative_constraints} for p in found
    ]
    score = mining.score(mined, side["patterns"])
    assert score["recall"] == 1.0
    assert score["precision"] == 1.0
    assert mining.score(mined[1:], side["patterns"])["recall"] == 0.8
    split = [dict(mined[0], size=mined[0]["size"] // 2), *mined[1:]]
    assert mining.score(split, side["patterns"])["recall"] == 0.8
