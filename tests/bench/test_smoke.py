"""The benchmarks' own pieces at a tiny size (the figures themselves come from `make bench`)."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.db.models import F

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
    bare = importing.bare_pass(str(path))
    assert bare["conversations"] == len(raw)
    assert importing.bare_pass(str(path), "jsonlist")["messages"] == bare["messages"]


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


@pytest.mark.django_db
@pytest.mark.parametrize("mix", ["realistic", "uniform"])
def test_the_generated_organisation_only_runs_workflows_its_members_may_open(mix):
    from django.db.models import Q

    from bench.generate import generate
    from huddle.accounts.models import Membership
    from huddle.runs.models import Run

    generate("tiny", members=30, workflows=40, runs=600, weeks=4, seed=5, mix=mix)
    generate("tiny", members=30, workflows=40, runs=600, weeks=4, seed=5, mix=mix)  # replaced
    runs = Run.objects.filter(organization__slug="tiny")
    assert runs.count() == 600
    teams = {
        m.user_id: set(m.teams.values_list("pk", flat=True))
        for m in Membership.objects.filter(organization__slug="tiny")
    }
    for user_id, visibility, owner_id, team_id in runs.filter(workflow__isnull=False).values_list(
        "user_id", "workflow__visibility", "workflow__owner_id", "workflow__team_id"
    ):
        assert (
            visibility == "org"
            or owner_id == user_id
            or (visibility == "team" and team_id in teams[user_id])
        )
    assert runs.filter(workflow__isnull=True).exists()  # some prompts typed from scratch
    assert runs.filter(~Q(workflow__owner=F("user")), workflow__isnull=False).exists()  # reuse


@pytest.mark.django_db
def test_the_insights_benchmark_times_unrolled_catch_up_cold_and_warm():
    from bench.generate import generate
    from bench.insights import measure

    generate("tiny-insights", members=20, workflows=10, runs=300, weeks=6, seed=2)
    figures = measure("tiny-insights", weeks=6, cold_repeat=1, warm_repeat=2)
    assert {"unrolled", "catch_up", "cold", "warm"} <= figures.keys()
    assert figures["warm"]["n"] == 2
    assert figures["member_weeks"] > 0
    # Cold is timed with the roll-up caught up: every week the report reads is rolled.
    from huddle.insights.models import RolledWeek

    assert RolledWeek.objects.filter(organization__slug="tiny-insights").count() >= 6


def test_the_usage_report_benchmark_writes_a_report_the_importer_reads_whole(tmp_path, org):
    from bench import usage_import
    from huddle.usage.formats import parse

    path = tmp_path / "usage.csv"
    usage_import.write_report(path, rows=900, members=4)
    assert usage_import.bare_pass(str(path))["rows"] == 900
    with path.open("rb") as stream:
        parsed = parse(stream, "generic")
    assert parsed.rows == 900
    assert len(parsed.people) == 4
    # 225 days a person, one tool: a Monday-to-Sunday week holds at most 7 of them
    assert sum(parsed.present[i].bit_count() for i in range(len(parsed.present))) == 900
