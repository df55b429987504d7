"""Work left for after the answer: it runs when the server closes the response it was tied to,
at once where no answer is being built, and a failure of it is logged, not raised."""

from __future__ import annotations

import logging

from django.http import HttpResponse

from huddle.core.afterwards import after_answer, collecting, run_after


def test_without_an_answer_being_built_the_work_runs_at_once():
    done = []
    after_answer(lambda: done.append("now"))
    assert done == ["now"]


def test_collected_work_waits_for_the_response_to_be_closed_and_runs_in_order(server_close):
    done: list[str] = []
    with collecting() as later:
        after_answer(lambda: done.append("first"))
        after_answer(lambda: done.append("second"))
        response = run_after(HttpResponse("the answer"), later)
    assert done == []  # the answer is built and not yet sent
    server_close(response)  # what the WSGI server does once it has sent it
    assert done == ["first", "second"]


def test_outside_the_collection_work_runs_at_once_again():
    done: list[str] = []
    with collecting():
        pass
    after_answer(lambda: done.append("now"))
    assert done == ["now"]


def test_a_failing_piece_is_logged_and_the_rest_still_runs(server_close, caplog):
    done: list[str] = []

    def broken() -> None:
        raise RuntimeError("the database went away")

    with collecting() as later:
        after_answer(broken)
        after_answer(lambda: done.append("after"))
        response = run_after(HttpResponse("the answer"), later)
    with caplog.at_level(logging.ERROR, logger="huddle.core.afterwards"):
        server_close(response)
    assert done == ["after"]
    [record] = caplog.records
    assert "Work after the answer failed" in record.getMessage()
    assert "the database went away" in record.exc_text
