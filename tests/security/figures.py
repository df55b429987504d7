"""Figures the security tests produce (routes covered, requests made …), printed at the end of
the run and quoted in docs/security.md. Each test writes its own file, so xdist workers can."""

from __future__ import annotations

import json
from pathlib import Path

FIGURES_DIR = Path(__file__).resolve().parents[2] / "var" / "security-figures"


def record(name: str, **values: object) -> None:
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    (FIGURES_DIR / f"{name}.json").write_text(json.dumps(values, sort_keys=True))


def read_all(since: float = 0.0) -> dict[str, dict]:
    """The figures written since ``since`` (a timestamp): this run's, not a stale earlier one's."""
    if not FIGURES_DIR.is_dir():
        return {}
    return {
        p.stem: json.loads(p.read_text())
        for p in sorted(FIGURES_DIR.glob("*.json"))
        if p.stat().st_mtime >= since
    }


def terminal_summary(terminalreporter: object, since: float) -> None:
    figures = read_all(since)
    if not figures:
        return
    terminalreporter.section("security figures")  # type: ignore[attr-defined]
    for name, values in figures.items():
        line = ", ".join(f"{key}={value}" for key, value in values.items())
        terminalreporter.write_line(f"{name}: {line}")  # type: ignore[attr-defined]
