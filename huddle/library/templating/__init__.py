"""User templates: hostile input, checked when saved and rendered in a locked-down sandbox.

Workflow steps and system text are Jinja2 templates written by team members. Two layers keep a
render within bounds (no render costs more than 0.5 s of CPU or 64 MB of memory):

- ``sandbox.py``: the Jinja2 environment. Refuses macros, imports and unknown filters when a
  template is saved; sizes the result of every operator, filter and ``str`` method *before* it
  runs and refuses past 200,000 characters with a message naming the operation; stops the
  template's own loops after 0.4 s.
- ``process.py``: the web process doesn't render templates that compute. Each such render
  happens in a renderer process under a CPU timer and a memory limit enforced by the kernel,
  which bound what no Python-level check can see (a single C call that runs long or allocates
  a lot). Simple templates (text, values printed, ``{% if %}``, and at most 16 filters such as
  ``|trim`` or ``|default`` and operators such as ``~``; see ``sandbox.is_simple``) can do
  neither, and render in the web process without the round trip.

Every failure is a ``TemplateProblem`` (a ``ValidationFailed``) with a message for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import nodes
from jinja2.meta import find_undeclared_variables

from huddle.core.errors import ValidationFailed
from huddle.library.templating import process
from huddle.library.templating.sandbox import (
    ENV,
    MAX_OUTPUT_CHARS,
    MAX_SOURCE_CHARS,
    TIME_LIMIT,
    Block,
    Refused,
    check_source,
    is_simple,
    render_here,
)

__all__ = [
    "MAX_OUTPUT_CHARS",
    "MAX_SOURCE_CHARS",
    "TIME_LIMIT",
    "Block",
    "TemplateInfo",
    "TemplateProblem",
    "analyse",
    "render",
]


class TemplateProblem(ValidationFailed):
    """A template that can't be saved or rendered, with the line when known."""

    def __init__(self, message: str, *, line: int | None = None, field: str = "template") -> None:
        text = f"Line {line}: {message}" if line else message
        super().__init__(text, fields={field: [text]})
        self.line = line


@dataclass(frozen=True)
class TemplateInfo:
    """What a template uses: the top-level names, and attributes of ``steps``/``context``."""

    names: dict[str, int]  # name -> first line it is used on
    step_refs: dict[str, int]  # steps.<name> -> line
    context_refs: dict[str, int]  # context.<slug> -> line
    simple: bool = False  # rendered in this process: sandbox.is_simple


def analyse(source: str, *, field: str = "template") -> TemplateInfo:
    """Parse a template and report what it uses; ``TemplateProblem`` for anything refused.

    Cached by source: rendering the same version again doesn't parse its templates again.
    """
    return _analyse(source, field)


@lru_cache(maxsize=2048)
def _analyse(source: str, field: str) -> TemplateInfo:
    try:
        tree = check_source(source)
    except Refused as problem:
        raise TemplateProblem(problem.message, line=problem.line, field=field) from None
    try:
        undeclared = find_undeclared_variables(tree)
        names: dict[str, int] = {}
        for node in tree.find_all(nodes.Name):
            if node.ctx == "load" and node.name in undeclared and node.name not in ENV.globals:
                names.setdefault(node.name, node.lineno)
        step_refs: dict[str, int] = {}
        context_refs: dict[str, int] = {}
        for node in tree.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name in undeclared:
                if node.node.name == "steps":
                    step_refs.setdefault(node.attr, node.lineno)
                elif node.node.name == "context":
                    context_refs.setdefault(node.attr, node.lineno)
    except RecursionError:
        raise TemplateProblem("The template is nested too deeply.", field=field) from None
    return TemplateInfo(
        names=names,
        step_refs=step_refs,
        context_refs=context_refs,
        simple=is_simple(source, tree),
    )


def render(source: str, variables: Mapping[str, Any], *, field: str = "template") -> str:
    """Render ``source`` with ``variables`` (text, numbers, lists, dicts and ``Block``s) in a
    renderer process, under the sandbox's checks and the process's hard limits.

    Raises ``TemplateProblem`` for anything refused, naming ``field``; ``TypeError`` for a value
    of another type (a bug: the renderer process gets plain data only).
    """
    simple = analyse(source, field=field).simple
    _check_values(dict(variables))
    try:
        if simple:  # nothing in it can run long or grow: no round trip needed
            return render_here(source, variables)
        return process.render(source, variables)
    except Refused as problem:
        raise TemplateProblem(problem.message, line=problem.line, field=field) from None


_VALUE_TYPES = {str, int, float, bool, type(None), Block}


def _check_values(value: Any) -> None:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            _check_values(key)
            _check_values(item)
    elif kind is list or kind is tuple:
        for item in value:
            _check_values(item)
    elif kind not in _VALUE_TYPES:
        raise TypeError(f"A {kind.__module__}.{kind.__qualname__} can't be passed to a template.")
