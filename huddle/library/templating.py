"""User templates: a locked-down Jinja2 sandbox with limits on time, size and syntax.

Workflow steps and system text are Jinja2 templates written by team members, so they are hostile
input. The environment here is an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined``, no
loader (no include/import/extends), autoescape off (prompts are plain text), and on top of that:

- **syntax**: macros, call blocks and imports are refused when the template is saved;
  only the filters in ``ALLOWED_FILTERS`` exist; only a few ``str`` methods may be called;
- **size**: the output, every intermediate string (``*``, ``~``, filters, ``replace``) and
  ``range`` are capped, so nothing can allocate gigabytes before a check runs;
- **time**: rendering runs under a line tracer that stops template code after ``TIME_LIMIT``
  seconds, so a loop that prints nothing still can't spin forever.

Every failure is a ``TemplateProblem`` (a ``ValidationFailed``) with a message for people.
"""

from __future__ import annotations

import operator
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.filters import FILTERS
from jinja2.meta import find_undeclared_variables
from jinja2.sandbox import ImmutableSandboxedEnvironment

from huddle.core.errors import ValidationFailed

MAX_SOURCE_CHARS = 100_000
MAX_OUTPUT_CHARS = 200_000
MAX_RANGE = 1_000
MAX_POWER_RESULT = 10**18
TIME_LIMIT = 0.5  # seconds of template code per render

ALLOWED_FILTERS = {
    "abs", "capitalize", "default", "d", "first", "float", "int", "join", "last", "length",
    "count", "list", "lower", "upper", "title", "trim", "replace", "round", "sort", "unique",
    "truncate", "wordcount", "wordwrap", "indent", "center", "striptags", "string", "sum",
    "min", "max", "reverse", "batch", "slice", "dictsort", "selectattr", "rejectattr", "select",
    "reject", "map", "items",
}  # fmt: skip
ALLOWED_STR_METHODS = {
    "upper", "lower", "title", "capitalize", "strip", "lstrip", "rstrip", "split", "splitlines",
    "startswith", "endswith", "replace", "count", "find", "isdigit", "isalpha", "casefold",
}  # fmt: skip
ALLOWED_DICT_METHODS = {"items", "keys", "values", "get"}
FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.Macro: "macros",
    nodes.CallBlock: "call blocks",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.Extends: "extends",
    nodes.Block: "blocks",
}


class TemplateProblem(ValidationFailed):
    """A template that can't be saved or rendered, with the line when known."""

    def __init__(self, message: str, *, line: int | None = None, field: str = "template") -> None:
        text = f"Line {line}: {message}" if line else message
        super().__init__(text, fields={field: [text]})
        self.line = line


class _LimitExceeded(SecurityError):
    pass


def _check_size(value: Any, what: str = "A value") -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT_CHARS:
        raise _LimitExceeded(f"{what} would be longer than {MAX_OUTPUT_CHARS:,} characters.")
    return value


def _check_args(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_OUTPUT_CHARS:
            raise _LimitExceeded(f"The number {arg} is too large here.")


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_args(args[1:])
        _check_args(kwargs.values())
        if name == "replace" and len(args) >= 3 and isinstance(args[0], str):
            _check_replace(str(args[0]), str(args[1]), str(args[2]))
        return _check_size(func(*args, **kwargs), f"The result of |{name}")

    # Keep Jinja's pass_context / pass_eval_context / pass_environment markers.
    for marker in ("jinja_pass_arg",):
        if hasattr(func, marker):
            setattr(guarded, marker, getattr(func, marker))
    return guarded


def _check_replace(text: str, old: str, new: str) -> None:
    occurrences = text.count(old) if old else len(text) + 1
    if len(text) + occurrences * max(0, len(new) - len(old)) > MAX_OUTPUT_CHARS:
        raise _LimitExceeded("replace() would make the text too long.")


def _safe_range(*args: int) -> range:
    _check_args(args)
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise _LimitExceeded(f"range() may produce at most {MAX_RANGE} numbers.")
    return result


class _CodeGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # `a ~ b` normally compiles to an unchecked join; route it through a size check.
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class HuddleSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            loader=None,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.filters = {
            name: _guarded_filter(name, FILTERS[name])
            for name in ALLOWED_FILTERS
            if name in FILTERS
        }
        self.globals = {"range": _safe_range}
        self.tests = dict(self.tests)

    def checked_concat(self, parts: Iterable[Any]) -> str:
        return _check_size("".join(str(part) for part in parts), "Joined text")

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, int | float) and (right > 64 or abs(left) > 10**6):
                raise _LimitExceeded("That power is too large.")
            result = left**right
            if isinstance(result, int) and abs(result) > MAX_POWER_RESULT:
                raise _LimitExceeded("That number is too large.")
            return result
        if operator_ == "*":
            for seq, count in ((left, right), (right, left)):
                repeats = isinstance(seq, str | list | tuple) and isinstance(count, int)
                if repeats and len(seq) * max(count, 0) > MAX_OUTPUT_CHARS:
                    raise _LimitExceeded("Repeating that would make the text too long.")
        result = {"*": operator.mul, "+": operator.add}[operator_](left, right)
        return _check_size(result)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if callable(value):
            if isinstance(obj, str):
                return attr in ALLOWED_STR_METHODS
            if isinstance(obj, dict):
                return attr in ALLOWED_DICT_METHODS
            return False
        return True

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_args(args)
        _check_args(kwargs.values())
        owner = getattr(__obj, "__self__", None)
        if (
            isinstance(owner, str)
            and getattr(__obj, "__name__", "") == "replace"
            and len(args) >= 2
        ):
            _check_replace(owner, str(args[0]), str(args[1]))
        return _check_size(super().call(__context, __obj, *args, **kwargs))


ENV = HuddleSandbox()


@dataclass(frozen=True)
class TemplateInfo:
    """What a template uses: the top-level names, and attributes of ``steps``/``context``."""

    names: dict[str, int]  # name -> first line it is used on
    step_refs: dict[str, int]  # steps.<name> -> line
    context_refs: dict[str, int]  # context.<slug> -> line


def analyse(source: str, *, field: str = "template") -> TemplateInfo:
    """Parse a template and report what it uses; ``TemplateProblem`` for anything refused.

    Cached by source: rendering the same version again doesn't parse its templates again.
    """
    return _analyse(source, field)


@lru_cache(maxsize=2048)
def _analyse(source: str, field: str) -> TemplateInfo:
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateProblem(
            f"The template is {len(source):,} characters; the limit is {MAX_SOURCE_CHARS:,}.",
            field=field,
        )
    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(_syntax_message(error), line=error.lineno, field=field) from None
    except RecursionError:
        raise TemplateProblem("The template is nested too deeply.", field=field) from None
    try:
        for node_type, label in FORBIDDEN_NODES.items():
            for node in tree.find_all(node_type):
                raise TemplateProblem(
                    f"{label} are not allowed in templates.", line=node.lineno, field=field
                )
        for node in tree.find_all(nodes.Filter):
            if node.name not in ENV.filters:
                raise TemplateProblem(
                    f"the filter '{node.name}' is not available.", line=node.lineno, field=field
                )
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
    return TemplateInfo(names=names, step_refs=step_refs, context_refs=context_refs)


def _syntax_message(error: TemplateSyntaxError) -> str:
    message = error.message or "syntax error"
    if "unknown tag" in message or "Encountered unknown tag" in message:
        return f"{message}. Only if/for/set are available in templates."
    return message


@lru_cache(maxsize=1024)
def _compile(source: str) -> Any:
    try:
        return ENV.from_string(source)
    except RecursionError:
        raise TemplateProblem("The template is nested too deeply.") from None


def render(source: str, variables: Mapping[str, Any], *, field: str = "template") -> str:
    """Render ``source`` with ``variables`` under the sandbox's time and size limits."""
    analyse(source, field=field)
    try:
        template = _compile(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(_syntax_message(error), line=error.lineno, field=field) from None
    except (SecurityError, TemplateError) as error:
        raise TemplateProblem(_clean(error), field=field) from None
    try:
        return _render_limited(template, variables)
    except UndefinedError as error:
        raise TemplateProblem(_undefined_message(error), field=field) from None
    except TimeoutError:
        raise TemplateProblem(
            f"The template took longer than {TIME_LIMIT:g} s to render; simplify its loops.",
            field=field,
        ) from None
    except SecurityError as error:
        raise TemplateProblem(_clean(error), field=field) from None
    except RecursionError:
        raise TemplateProblem("The template is nested too deeply.", field=field) from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise TemplateProblem(f"The template failed: {_clean(error)}", field=field) from None


def _render_limited(template: Any, variables: Mapping[str, Any]) -> str:
    deadline = time.perf_counter() + TIME_LIMIT

    def line_tracer(frame: Any, event: str, arg: Any) -> Callable[..., Any]:
        if time.perf_counter() > deadline:
            raise TimeoutError
        return line_tracer

    def call_tracer(frame: Any, event: str, arg: Any) -> Callable[..., Any] | None:
        # Only the template's own compiled code is traced, so filters run at full speed.
        return line_tracer if frame.f_code.co_filename == "<template>" else None

    previous = sys.gettrace()
    sys.settrace(call_tracer)
    try:
        size = 0
        chunks: list[str] = []
        for chunk in template.generate(**variables):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise _LimitExceeded(
                    f"The rendered text would be longer than {MAX_OUTPUT_CHARS:,} characters."
                )
            chunks.append(chunk)
        return "".join(chunks)
    finally:
        sys.settrace(previous)


def _undefined_message(error: UndefinedError) -> str:
    message = str(error.message or error)
    return f"{message}. Check the names of the inputs and references."


def _clean(error: Exception) -> str:
    text = str(getattr(error, "message", None) or error) or error.__class__.__name__
    return text[:300]
