"""Report the figures of the security tests in pytest's terminal summary."""

from __future__ import annotations

from typing import Any

FUZZ_CALLS: dict[str, int] = {}  # API calls the fuzz test made, per operation


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FUZZ_CALLS:
        terminalreporter.write_line(
            f"API fuzzing: {sum(FUZZ_CALLS.values())} calls over {len(FUZZ_CALLS)} operations."
        )
