"""The sandbox: a locked-down Jinja2 environment in which every operation is bounded.

Imported by the web process (to parse and analyse templates, and render simple ones) and by the
renderer process (``process.py``), so it imports only Jinja2 and the standard library.

The environment is an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined``, no loader (no
include/import/extends), autoescape off (prompts are plain text), and on top of that:

- **syntax**: macros, call blocks and imports are refused; only the filters in
  ``ALLOWED_FILTERS`` exist; only a few ``str`` and ``dict`` methods may be called;
- **size, before the work**: every operator (``+ - * / // % **`` and ``~``, which a custom code
  generator routes through ``checked_concat``), every allowed filter, ``str.format`` and the
  allowed ``str`` methods compute how big their result would be from their operands *before*
  the C code that makes it runs, and refuse past ``MAX_OUTPUT_CHARS`` with a message naming the
  operation (``sizes.py``); so does every ``{{ value }}`` (``finalize``) and every
  ``{% set %}``/``{% filter %}`` block (a bounded buffer);
- **numbers**: integer results are capped at ``MAX_INT_DIGITS`` digits, powers at
  ``MAX_POWER_RESULT``, and ``range`` at ``MAX_RANGE`` items.

Time, and what a pre-check can't bound (a C routine that takes long or allocates a lot on values
built without any operator, such as hashing a deeply shared tuple in a dict literal), are bounded
by the renderer process that calls ``render_here``: a CPU timer stops the render after
``TIME_LIMIT`` and the kernel kills the process soon after; see ``process.py``. Only templates
that can do neither (``is_simple``) are rendered by the web process itself.

Every refusal is a ``Refused`` with a message for people (the web process turns it into a
``TemplateProblem``).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from functools import lru_cache, update_wrapper
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from huddle.library.templating.sizes import (
    MAX_INT_DIGITS,
    MAX_OUTPUT_CHARS,
    MAX_POWER_RESULT,
    METHOD_BOUNDS,
    Block,
    BoundedBuffer,
    BoundedFormatter,
    LimitExceeded,
    bounded_sum,
    check_args,
    checked,
    fits,
    fits_number,
    guarded_filter,
    percent_size,
    safe_range,
    size_of,
    text_len,
)

MAX_SOURCE_CHARS = 100_000
TIME_LIMIT = 0.4  # seconds of CPU a render may take before it is stopped (then killed at 0.5)

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


class Refused(Exception):
    """A template that can't be saved or rendered, with a message for people."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _CodeGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # `a ~ b` normally compiles to an unchecked join; route it through a size check.
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def buffer(self, frame: Frame) -> None:
        # Blocks that capture output collect it in a list; make it one that counts.
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.bounded_buffer()")


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}``: refuse a value whose text would be too long before making it."""
    if type(value) is not str and size_of(value) > MAX_OUTPUT_CHARS:
        raise LimitExceeded(
            f"The rendered text would be longer than {MAX_OUTPUT_CHARS:,} characters."
        )
    return value


class HuddleSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            loader=None,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_finalize,
        )
        filters = {**FILTERS, "sum": bounded_sum}
        self.filters = {name: guarded_filter(name, filters[name]) for name in ALLOWED_FILTERS}
        self.globals = {"range": safe_range}
        self.tests = dict(self.tests)

    bounded_buffer = BoundedBuffer

    def checked_concat(self, parts: tuple[Any, ...]) -> str:
        fits("'~'", sum(map(text_len, parts)))
        return checked("'~'", "".join([str(part) for part in parts]))

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        what = f"'{operator_}'"
        if operator_ == "**":
            if isinstance(right, int | float) and (right > 64 or abs(left) > 10**6):
                raise LimitExceeded("That power is too large.")
            result = left**right
            if isinstance(result, int) and abs(result) > MAX_POWER_RESULT:
                raise LimitExceeded("That number is too large.")
            return result
        if operator_ == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int):
                    fits(what, size_of(seq) * max(count, 0))
            if isinstance(left, int) and isinstance(right, int):
                fits_number(what, left.bit_length() + right.bit_length() - 1)
        elif operator_ == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                fits(what, size_of(left) + size_of(right))
        elif operator_ == "%" and isinstance(left, str):
            fits(what, percent_size(left, right))
        return checked(what, self.binop_table[operator_](left, right))

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

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # Jinja's own wrapper, with a formatter that sizes each field before formatting it.
        if not isinstance(value, types.BuiltinMethodType | types.MethodType) or (
            value.__name__ not in ("format", "format_map")
        ):
            return None
        owner = value.__self__
        if not isinstance(owner, str) or isinstance(owner, Markup):
            return None
        is_format_map = value.__name__ == "format_map"

        def bounded_format(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                args, kwargs = (), args[0]
            return str(BoundedFormatter(self).vformat(owner, args, kwargs))

        return update_wrapper(bounded_format, value)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        check_args(args)
        check_args(kwargs.values())
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        what = f".{name}()" if isinstance(owner, str) else f"{name or 'the call'}()"
        if isinstance(owner, str) and name in METHOD_BOUNDS:
            bound, loose = METHOD_BOUNDS[name]
            fits(what, bound(owner, *args, **kwargs), loose=loose)
        return checked(what, super().call(__context, __obj, *args, **kwargs))


ENV = HuddleSandbox()


# -- Checking and rendering


def check_source(source: str) -> nodes.Template:
    """Parse ``source`` and refuse what templates may not contain; ``Refused`` with the line."""
    if len(source) > MAX_SOURCE_CHARS:
        raise Refused(
            f"The template is {len(source):,} characters; the limit is {MAX_SOURCE_CHARS:,}."
        )
    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as error:
        raise Refused(_syntax_message(error), line=error.lineno) from None
    except RecursionError:
        raise Refused("The template is nested too deeply.") from None
    try:
        for node_type, label in FORBIDDEN_NODES.items():
            for node in tree.find_all(node_type):
                raise Refused(f"{label} are not allowed in templates.", line=node.lineno)
        for node in tree.find_all(nodes.Filter):
            if node.name not in ENV.filters:
                raise Refused(f"the filter '{node.name}' is not available.", line=node.lineno)
    except RecursionError:
        raise Refused("The template is nested too deeply.") from None
    return tree


SIMPLE_SOURCE_CHARS = 10_000
SIMPLE_OPERATIONS = 16
_SIMPLE_NODES = {
    nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Const,
    nodes.If, nodes.Not, nodes.And, nodes.Or, nodes.CondExpr, nodes.Filter, nodes.Test,
    nodes.Keyword, nodes.Concat, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv,
    nodes.Pow, nodes.Neg, nodes.Pos, nodes.Compare, nodes.Operand,
}  # fmt: skip
# Filters whose work is one pass of C code over text (sized before it runs, like everywhere).
_SIMPLE_FILTERS = {
    "default", "d", "trim", "upper", "lower", "capitalize", "length", "count", "first", "last",
    "string", "replace", "center", "truncate", "abs", "round",
}  # fmt: skip
_SIMPLE_TESTS = {
    "defined", "undefined", "none", "number", "string", "boolean", "integer", "float", "true",
    "false",
}  # fmt: skip
_SIMPLE_COMPARISONS = {"eq", "ne", "lt", "lteq", "gt", "gteq"}
_OPERATIONS = (
    nodes.Filter, nodes.Test, nodes.Concat, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div,
    nodes.FloorDiv, nodes.Pow, nodes.Operand,
)  # fmt: skip


def is_simple(source: str, tree: nodes.Template) -> bool:
    """Whether the template only prints values and does a few operations on them: no loops,
    assignments, literal lists or dicts, calls or ``%``, and at most ``SIMPLE_OPERATIONS`` of the
    filters, tests and operators whose work is one pass of C code over at most
    ``MAX_OUTPUT_CHARS`` (each sized before it runs), in at most ``SIMPLE_SOURCE_CHARS``.

    Such a render costs milliseconds at worst (its source, its output, and 16 passes over
    200,000 characters at most) and can't hold more than a few MB, so the web process renders
    it itself, without the round trip to a renderer process.
    """
    if len(source) > SIMPLE_SOURCE_CHARS:
        return False
    operations = 0
    for node in tree.find_all(nodes.Node):
        if type(node) not in _SIMPLE_NODES:
            return False
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            return False
        if isinstance(node, nodes.Filter | nodes.Test) and (
            node.name not in (_SIMPLE_FILTERS if isinstance(node, nodes.Filter) else _SIMPLE_TESTS)
            or node.dyn_args
            or node.dyn_kwargs
        ):
            return False
        if isinstance(node, nodes.Operand) and node.op not in _SIMPLE_COMPARISONS:
            return False
        operations += isinstance(node, _OPERATIONS)
    return operations <= SIMPLE_OPERATIONS


def _syntax_message(error: TemplateSyntaxError) -> str:
    message = error.message or "syntax error"
    if "unknown tag" in message or "Encountered unknown tag" in message:
        return f"{message}. Only if/for/set are available in templates."
    return message


@lru_cache(maxsize=512)
def _compile(source: str) -> Any:
    tree = check_source(source)
    try:
        return ENV.from_string(tree)
    except TemplateSyntaxError as error:
        raise Refused(_syntax_message(error), line=error.lineno) from None
    except RecursionError:
        raise Refused("The template is nested too deeply.") from None
    except (SecurityError, TemplateError) as error:
        raise Refused(_clean(error)) from None


def render_here(source: str, variables: Mapping[str, Any]) -> str:
    """Render ``source`` in this process under the size checks; ``Refused`` for any problem.

    No time limit of its own: the renderer process (``process.py``) that calls it raises
    ``TimeoutError`` from a CPU timer after ``TIME_LIMIT`` and is killed by the kernel soon after.
    """
    template = _compile(source)
    try:
        size = 0
        chunks: list[str] = []
        for chunk in template.generate(**variables):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise LimitExceeded(
                    f"The rendered text would be longer than {MAX_OUTPUT_CHARS:,} characters."
                )
            chunks.append(chunk)
        return "".join(chunks)
    except UndefinedError as error:
        raise Refused(_undefined_message(error)) from None
    except SecurityError as error:
        raise Refused(_clean(error)) from None
    except RecursionError:
        raise Refused("The template is nested too deeply.") from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise Refused(f"The template failed: {_clean(error)}") from None


def _undefined_message(error: UndefinedError) -> str:
    message = str(error.message or error)
    return f"{message}. Check the names of the inputs and references."


def _clean(error: Exception) -> str:
    text = str(getattr(error, "message", None) or error) or error.__class__.__name__
    return text[:300]


__all__ = [
    "ALLOWED_FILTERS",
    "ENV",
    "MAX_INT_DIGITS",
    "MAX_OUTPUT_CHARS",
    "MAX_SOURCE_CHARS",
    "TIME_LIMIT",
    "Block",
    "Refused",
    "check_source",
    "is_simple",
    "render_here",
]
