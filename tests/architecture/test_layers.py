"""The layers contract (``[tool.importlinter]`` in pyproject.toml, checked by ``make lint``) names
every app: an app left out of it would be free to import anything."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return contract["layers"]


def test_every_app_has_a_place_in_the_layers():
    apps = {
        f"huddle.{path.parent.name}"
        for path in (ROOT / "huddle").glob("*/__init__.py")
        if path.parent.name not in {"static", "templates"}
    }
    placed = {name.strip() for layer in _layers() for name in layer.replace("|", ":").split(":")}
    assert apps - placed == set(), "add the new app to [tool.importlinter] in pyproject.toml"


def test_core_is_at_the_bottom_and_the_doors_on_top():
    layers = _layers()
    assert layers[-1] == "huddle.core"
    assert "huddle.api" in layers[0]
    assert "huddle.cli" in layers[0]
