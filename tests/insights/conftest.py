from __future__ import annotations

import pytest

from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.report import build
from huddle.insights.metrics.window import Window
from tests.insights.simulate import AS_OF


@pytest.fixture
def report_for():
    """``report_for(org, actor=None, weeks=8, as_of=AS_OF, team=None)`` → a Report."""

    def _report(org, actor=None, *, weeks=8, as_of=AS_OF, team=None):
        return build(actor, Scope(org, team), Window(as_of, weeks))

    return _report
