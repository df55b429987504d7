"""Abuse limits: login lockout, and 429 with Retry-After on expensive actions."""

from __future__ import annotations

import pytest
from django.test import Client

from huddle.core import ratelimit
from huddle.core.ratelimit import LIMITS, RateLimited
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_hits_over_the_limit_are_refused_with_a_wait(monkeypatch):
    monkeypatch.setitem(LIMITS, "direct_run", ratelimit.Limit(3, 60))
    for _ in range(3):
        ratelimit.hit("direct_run", "k")
    with pytest.raises(RateLimited) as error:
        ratelimit.hit("direct_run", "k")
    assert error.value.status == 429
    assert 1 <= error.value.retry_after <= 60
    ratelimit.hit("direct_run", "other key")  # keys are separate


def _try(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(member):
    client = Client()
    for _ in range(5):
        assert _try(client, member.user.email, "wrong").status_code == 200
    locked = _try(client, member.user.email, PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert b"Too many failed attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_clears_the_count(member):
    client = Client()
    for _ in range(4):
        _try(client, member.user.email, "wrong")
    assert _try(client, member.user.email, PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        assert _try(other, member.user.email, "wrong").status_code == 200


def test_one_address_trying_many_accounts_is_slowed_down(db, monkeypatch):
    monkeypatch.setitem(LIMITS, "login_ip", ratelimit.Limit(3, 900))
    client = Client()
    for i in range(3):
        assert _try(client, f"nobody{i}@example.test", "x").status_code == 200
    assert _try(client, "another@example.test", "x").status_code == 429


def test_api_rate_limit_is_a_json_429_with_retry_after(admin, member, api_client, monkeypatch):
    from huddle.runs.providers.services import ProviderFields, provider_create
    from tests.factories import make_workflow

    monkeypatch.setitem(LIMITS, "direct_run", ratelimit.Limit(1, 60))
    provider_create(
        actor=admin.actor,
        fields=ProviderFields(
            name="P", kind="openai_compatible", base_url="https://api.example.test/v1", model="m"
        ),
    )
    workflow = make_workflow(member, visibility="org")
    client = api_client(member)
    from huddle.runs.providers.fake import FakeProvider
    from huddle.runs.providers.registry import override_provider

    with override_provider(lambda c, t: FakeProvider().enqueue("ok")):
        first = client.post(
            f"/api/v1/workflows/{workflow.slug}/run",
            {"inputs": {"product": "x"}},
            content_type="application/json",
        )
        second = client.post(
            f"/api/v1/workflows/{workflow.slug}/run",
            {"inputs": {"product": "x"}},
            content_type="application/json",
        )
    assert first.status_code == 201
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "rate_limited"
    assert int(second["Retry-After"]) > 0


def test_imports_are_limited_per_member(member, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huddle.capture.importers.jobs import import_job_create

    monkeypatch.setitem(LIMITS, "import", ratelimit.Limit(1, 3600))
    upload = SimpleUploadedFile("conversations.json", b"[]")
    import_job_create(actor=member.actor, source="chatgpt", upload=upload)
    with pytest.raises(RateLimited, match="many imports"):
        import_job_create(
            actor=member.actor,
            source="chatgpt",
            upload=SimpleUploadedFile("conversations.json", b"[]"),
        )


def test_the_worker_prunes_buckets_of_windows_long_past(db):
    """The bucket table grew for ever: nothing called ``prune``. The worker's hourly task does."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from huddle.core.models import RateBucket
    from huddle.core.tasks import PRUNE_EVERY, prune_task

    ratelimit.hit("login_ip", "1.2.3.4")
    old = RateBucket.objects.create(
        key="login_ip:5.6.7.8", window_start=timezone.now() - timedelta(days=2), hits=3
    )
    assert prune_task.call() == 1
    assert not RateBucket.objects.filter(pk=old.pk).exists()
    assert RateBucket.objects.filter(key="login_ip:1.2.3.4").exists()  # the current window stays
    following = DBTaskResult.objects.get(task_path=prune_task.module_path, status="READY")
    assert following.run_after > timezone.now() + PRUNE_EVERY - timedelta(minutes=1)
