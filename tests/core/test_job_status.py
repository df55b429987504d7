"""One vocabulary of job states (``core.jobs.JobStatus``), worded per kind of job on its pages."""

from __future__ import annotations

import pytest

from huddle.capture.models import ImportJob, MiningJob
from huddle.context.models import UploadJob
from huddle.core.jobs import JobStatus
from huddle.usage.models import UsageImport


def test_imports_and_uploads_share_the_states_and_say_what_running_is_their_own_way():
    running = JobStatus.RUNNING
    assert ImportJob(status=running).get_status_display() == "Importing"
    assert UploadJob(status=running).get_status_display() == "Reading the file"
    assert UploadJob(status=JobStatus.QUEUED).get_status_display() == "Waiting to start"


def test_jobs_whose_stored_states_differ_name_them_for_the_lease_and_the_sweep():
    assert (MiningJob.QUEUED, MiningJob.RUNNING) == ("waiting", "running")
    assert (UsageImport.QUEUED, UsageImport.RUNNING) == ("queued", "writing")
    assert UsageImport(status="refused").finished
    assert not MiningJob(status="waiting").finished


def test_a_state_name_that_is_no_state_is_refused():
    with pytest.raises(ValueError, match="No such job state: runing"):
        JobStatus.worded(runing="Importing")
