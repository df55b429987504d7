from __future__ import annotations

from tests.security.figures import read_all


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    figures = read_all()
    if not figures:
        return
    terminalreporter.section("security figures")
    for name, values in figures.items():
        line = ", ".join(f"{key}={value}" for key, value in values.items())
        terminalreporter.write_line(f"{name}: {line}")
