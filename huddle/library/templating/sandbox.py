"""The sandbox: a locked-down Jinja2 environment in which every operation is bounded.

Imported by the web process (to parse and analyse templates) and by the renderer process
(``process.py``, which renders them), so it imports only Jinja2 and the standard library.

The environment is an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined``, no loader (no
include/import/extends), autoescape off (prompts are plain text), and on top of that:

- **syntax**: macros, call blocks and imports are refused; only the filters in
  ``ALLOWED_FILTERS`` exist; only a few ``str`` and ``dict`` methods may be called;
- **size, before the work**: every operator (``+ - * / // % **`` and ``~``), every allowed
  filter, ``str.format`` and the allowed ``str`` methods compute how big their result would be
  from their operands *before* the C code that makes it runs, and refuse past
  ``MAX_OUTPUT_CHARS`` with a message naming the operation. Sizes count characters, not
  elements: ``size_of`` measures a value by the text it would print as, counting a shared item
  each time it appears, so ``[big] * 1000`` is as big as the 1000 copies it would print.
  Where a bound is loose (``wordwrap``, ``indent``) the work may go up to four times the limit
  and the result is then checked; every result is checked after the work as well;
- **numbers**: integer results are capped at ``MAX_INT_DIGITS`` digits, powers at
  ``MAX_POWER_RESULT``, and ``range`` at ``MAX_RANGE`` items;

Time, and what a pre-check can't bound (a C routine that takes long or allocates a lot on values
built without any operator, such as hashing a deeply shared tuple in a dict literal), are bounded
by the renderer process that calls ``render_here``: a CPU timer stops the render after
``TIME_LIMIT`` and the kernel kills the process soon after; see ``process.py``.

Every refusal is a ``Refused`` with a message for people (the web process turns it into a
``TemplateProblem``).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, ItemsView, Iterable, KeysView, Mapping, ValuesView
from dataclasses import dataclass, field
from functools import lru_cache, update_wrapper
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes, pass_environment
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.filters import FILTERS, make_attrgetter
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from markupsafe import Markup

MAX_SOURCE_CHARS = 100_000
MAX_OUTPUT_CHARS = 200_000
MAX_RANGE = 1_000
MAX_POWER_RESULT = 10**18
MAX_INT_DIGITS = 4_300  # Python's own limit for turning an int into text
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219)  # 2 ** _MAX_INT_BITS is about 10 ** MAX_INT_DIGITS
TIME_LIMIT = 0.4  # seconds of CPU a render may take before it is stopped (then killed at 0.5)
LOOSE_FACTOR = 4  # how far past the limit a loose estimate may go before the result is checked

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


@dataclass(frozen=True)
class Block:
    """A context block as templates see it: ``{{ context.x }}`` prints ``text``, and
    ``context.x["table"]`` one of its ``parts``. Plain data, so it can cross to the renderer."""

    slug: str
    kind: str
    title: str
    version: int
    text: str
    parts: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text

    def __getitem__(self, key: str) -> str:
        return self.parts[key]


class _LimitExceeded(SecurityError):
    pass


# -- How big a value is


def _digits(number: int) -> int:
    """An upper bound of the digits of ``number`` in base 8, 10 or 16, with its sign."""
    return number.bit_length() // 3 + 2


class _Sizer:
    """Sizes of nested values. Each container is measured once, so a structure that shares its
    items (``[[big] * 10] * 10``) takes time in proportion to its distinct parts, not to the
    text it would print as."""

    def __init__(self) -> None:
        self.known: dict[int, int] = {}

    def size(self, value: Any) -> int:
        kind = type(value)
        if kind is str:
            return len(value)
        if kind is int:
            return value.bit_length() // 3 + 2
        if kind is float:
            return len(repr(value))
        if value is None or kind is bool:
            return 5
        key = id(value)
        known = self.known.get(key)
        if known is not None:
            return known
        if isinstance(value, str):
            total = len(value)
        elif isinstance(value, int):
            total = _digits(value)
        elif isinstance(value, list | tuple | set | frozenset | KeysView | ValuesView):
            total = self.items(value)
        elif isinstance(value, dict):
            total = self.items(value) + self.items(value.values())
        elif isinstance(value, Block):
            total = len(value.text) + self.size(value.parts) + 50
        elif isinstance(value, ItemsView):  # its pairs are made afresh: size their halves
            total = 2 * len(value) + self.items(value.mapping) + self.items(value.mapping.values())
        else:  # generators, ranges, loop objects: a short description when printed
            total = 50
        self.known[key] = total
        return total

    def items(self, items: Iterable[Any]) -> int:
        """The sizes of ``items`` plus one for each (a separator)."""
        total = 0
        size = self.size
        for item in items:  # a loop, not sum(): the common items cost no call at all
            kind = type(item)
            if kind is str:
                total += len(item) + 1
            elif kind is int:
                total += item.bit_length() // 3 + 3
            else:
                total += size(item) + 1
        return total


def size_of(value: Any) -> int:
    """About how many characters ``str(value)`` would be: text by its length, a number by its
    digits, a container by its items (each time they appear) plus one per item."""
    if type(value) is str:
        return len(value)
    return _Sizer().size(value)


def _too_big(what: str, size: int, *, at_least: bool = False) -> _LimitExceeded:
    amount = f"more than {MAX_OUTPUT_CHARS:,}" if at_least else f"{size:,}"
    return _LimitExceeded(
        f"The result of {what} would be {amount} characters long; "
        f"the limit is {MAX_OUTPUT_CHARS:,}."
    )


def _fits(what: str, size: int, *, loose: bool = False) -> None:
    """Refuse ``what`` before it runs if its result would be ``size`` characters, too many."""
    if size > MAX_OUTPUT_CHARS * (LOOSE_FACTOR if loose else 1):
        raise _too_big(what, size)


def _fits_number(what: str, bits: int) -> None:
    if bits > _MAX_INT_BITS:
        raise _LimitExceeded(
            f"The result of {what} would be a number of more than {MAX_INT_DIGITS:,} digits."
        )


def _checked(what: str, value: Any) -> Any:
    """The result of ``what``, once made, if it is within the limits."""
    if isinstance(value, str):
        if len(value) > MAX_OUTPUT_CHARS:
            raise _too_big(what, len(value))
    elif type(value) is int:
        _fits_number(what, value.bit_length())
    elif isinstance(value, list | tuple | dict | set | frozenset):
        size = size_of(value)
        if size > MAX_OUTPUT_CHARS:
            raise _too_big(what, size)
    return value


def _materialize(what: str, value: Any) -> Any:
    """``value`` itself if it is a container already, else its items in a list, refused as soon
    as they add up past the limit (a generator is consumed only that far)."""
    if isinstance(value, str | list | tuple | dict):
        return value
    items = []
    total = 0
    sizer = _Sizer()
    for item in value:
        total += sizer.size(item) + 1
        if total > MAX_OUTPUT_CHARS:
            raise _too_big(what, total, at_least=True)
        items.append(item)
    return items


def _check_args(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_OUTPUT_CHARS:
            raise _LimitExceeded(f"The number {arg} is too large here.")


def _text_len(value: Any) -> int:
    """How long ``str(value)`` would be, without making it."""
    return len(value) if isinstance(value, str) else size_of(value)


_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on


def _lines(text: str) -> int:
    """An upper bound of ``len(text.splitlines()) + 1``."""
    return sum(text.count(mark) for mark in _LINE_BREAKS) + 2


# -- % formatting

_PERCENT = re.compile(
    r"%(?:\((?P<key>[^()]*)\))?[-+ #0]*(?P<width>\*|[0-9]+)?"
    r"(?:\.(?P<precision>\*|[0-9]*))?[hlL]?(?P<type>.)",
    re.DOTALL,
)
_FLOAT_DIGITS = 330  # "%f" % 1e308: 309 digits, a sign, a point


def _percent_size(text: str, values: Any) -> int:
    """An upper bound of the length of ``text % values``, read from the conversions as Python's
    own ``%`` reads them: widths and precisions included, ``*`` taken from the values."""
    args = values if isinstance(values, tuple) else (values,)
    index = 0
    total = len(text)
    position = text.find("%")
    while position != -1:
        match = _PERCENT.match(text, position)
        if match is None or (match["key"] is None and text.startswith("%(", position)):
            if position == len(text) - 1:
                break  # an incomplete format: Python refuses it before any output
            # A key with parentheses in it, which Python reads and this doesn't.
            raise _LimitExceeded("That '%' format can't be used in templates; use ~ instead.")
        position = text.find("%", match.end())
        total -= len(match[0])
        if match["type"] == "%":
            total += 1
            continue
        numbers: list[int | None] = []
        for spec in (match["width"], match["precision"]):
            if spec == "*":
                if index >= len(args) or not isinstance(args[index], int):
                    return total  # Python refuses this itself, before any output
                numbers.append(abs(args[index]))
                index += 1
            else:
                numbers.append(None if spec is None else int(spec or 0))
        width, precision = numbers
        if match["key"] is not None:
            try:
                value = values[match["key"]]
            except (TypeError, LookupError):
                return total
        elif index < len(args):
            value = args[index]
            index += 1
        else:
            return total
        total += max(width or 0, _conversion_size(match["type"], value, precision))
    return total


def _conversion_size(kind: str, value: Any, precision: int | None) -> int:
    if kind == "s":
        body = size_of(value)
        return body if precision is None else min(body, precision)
    if kind in "ra":
        body = 6 * size_of(value) + 2  # escapes such as \u2028
        return body if precision is None else min(body, precision)
    if kind in "diuoxX":
        digits = _FLOAT_DIGITS if isinstance(value, float) else size_of(value)
        return max(digits, precision or 0) + 4
    if kind in "eEfFgG":
        return _FLOAT_DIGITS + (6 if precision is None else precision)
    return 1  # "c", or a character Python refuses


# -- str.format

_FORMAT_SPEC = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>[0-9]*)[_,]?(?:\.(?P<precision>[0-9]+))?"
    r"(?P<type>[a-zA-Z%]?)",
    re.DOTALL,
)


class _BoundedFormatter(SandboxedFormatter):
    """``str.format`` with each field's width and precision read before it is formatted, and
    the fields' total kept within the limit."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.size = 0

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        # "{0!r}" and "{0!a}" make the repr first: size it before it is made.
        if conversion in ("r", "a"):
            _fits(".format()", self.size + 6 * size_of(value) + 2)
        elif conversion == "s":
            _fits(".format()", self.size + size_of(value))
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        what = ".format()"
        match = _FORMAT_SPEC.fullmatch(format_spec)
        if match is None:
            raise _LimitExceeded(
                f"The format specification {format_spec[:40]!r} can't be used in templates."
            )
        width = int(match["width"] or 0)
        precision = int(match["precision"]) if match["precision"] else None
        if isinstance(value, str):
            body = len(value) if precision is None else min(len(value), precision)
        elif isinstance(value, int | float):
            body = 2 * value.bit_length() if isinstance(value, int) else _FLOAT_DIGITS
            body += precision or 6
        else:
            body = size_of(value)
        _fits(what, self.size + max(width, body))
        result = super().format_field(value, format_spec)
        self.size += len(result)
        _fits(what, self.size)
        return result


# -- Filters


def _join_bound(value: Any, d: Any = "", attribute: Any = None) -> int:
    items = value if isinstance(value, str | list | tuple | dict) else list(value)
    sizer = _Sizer()
    return sum(sizer.size(item) for item in items) + max(len(items) - 1, 0) * sizer.size(d)


def _indent_bound(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> int:
    step = len(width) if isinstance(width, str) else width
    text_len = _text_len(s)
    lines = _lines(s) if isinstance(s, str) else text_len + 2
    return text_len + lines * max(step, 0)


def _wordwrap_bound(
    s: Any,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> int:
    text_len = _text_len(s)
    if not isinstance(s, str) or text_len > MAX_OUTPUT_CHARS * LOOSE_FACTOR:
        return text_len * 2
    # A line ends at a space, a tab, a hyphen, a line break, or where a long word is cut.
    ends = s.count(" ") + s.count("\t") + s.count("-") + _lines(s)
    lines = ends + text_len // max(width, 1)
    return text_len + lines * len(wrapstring if wrapstring is not None else "\n")


def _replace_bound(s: Any, old: Any, new: Any, count: int | None = None) -> int:
    if not isinstance(s, str):
        size = size_of(s)
        if size > MAX_OUTPUT_CHARS:
            return size  # refused before it is turned into text
        s = str(s)
    old, new = str(old), str(new)
    occurrences = s.count(old) if old else len(s) + 1
    if count is not None and count >= 0:
        occurrences = min(occurrences, count)
    return len(s) + occurrences * max(0, len(new) - len(old))


def _truncate_bound(
    s: Any, length: int = 255, killwords: bool = False, end: str = "...", leeway: Any = None
) -> int:
    return min(_text_len(s), length + 5 + (leeway or 0)) + len(str(end))


def _list_bound(value: Any) -> int:
    return 2 * len(value) if isinstance(value, str) else size_of(list(value))


def _text_bound(value: Any, *args: Any, **kwargs: Any) -> int:
    return _text_len(value)


def _items_bound(value: Any, *args: Any, **kwargs: Any) -> int:
    return size_of(value)


def _answer_bound(value: Any, *args: Any, **kwargs: Any) -> int:
    # A number or one item comes back: only a value that isn't text yet needs sizing.
    return 0 if isinstance(value, str) else size_of(value)


# An upper bound of each filter's result from the filter's own arguments, and whether it is loose.
_FILTER_BOUNDS: dict[str, tuple[Callable[..., int], bool]] = {
    "center": (lambda value, width=80: max(_text_len(value), width), False),
    "indent": (_indent_bound, True),
    "wordwrap": (_wordwrap_bound, True),
    "replace": (_replace_bound, False),
    "truncate": (_truncate_bound, False),
    "join": (_join_bound, False),
    "list": (_list_bound, False),
    **dict.fromkeys(
        ["capitalize", "lower", "upper", "title", "trim", "striptags", "string"],
        (_text_bound, False),
    ),
    **dict.fromkeys(["sort", "unique", "reverse", "dictsort"], (_items_bound, False)),
    **dict.fromkeys(["wordcount", "min", "max"], (_answer_bound, False)),
}
# Filters that go through or hold their input: a generator (whose items may each be long) is
# made a list first, refused as soon as its items add up past the limit.
_CONSUMING = {
    "join", "list", "sort", "unique", "reverse", "dictsort", "min", "max", "batch", "slice",
}  # fmt: skip


@pass_environment
def _sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    """Jinja's ``sum``, except that adding up lists is sized first and done in linear time
    (``sum`` of lists copies the growing total for every item)."""
    items = _materialize("|sum", iterable)
    if attribute is not None:
        items = list(map(make_attrgetter(environment, attribute), items))
    if not isinstance(start, list | tuple):
        return sum(items, start)
    kind = type(start)
    for item in items:
        if type(item) is not kind:
            raise TypeError(
                f'can only concatenate {kind.__name__} (not "{type(item).__name__}") '
                f"to {kind.__name__}"
            )
    sizer = _Sizer()
    _fits("|sum", sizer.size(start) + sum(sizer.size(item) for item in items))
    total = list(start)
    for item in items:
        total.extend(item)
    return total if kind is list else tuple(total)


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    what = f"|{name}"
    bound, loose = _FILTER_BOUNDS.get(name, (None, False))
    passes_arg = hasattr(func, "jinja_pass_arg")
    first = 1 if passes_arg else 0  # the context or environment Jinja passes comes first

    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_args(args[first + 1 :])
        _check_args(kwargs.values())
        if name in _CONSUMING and len(args) > first:
            args = (*args[:first], _materialize(what, args[first]), *args[first + 1 :])
        if bound is not None:
            _fits(what, bound(*args[first:], **kwargs), loose=loose)
        return _checked(what, func(*args, **kwargs))

    # Keep Jinja's pass_context / pass_eval_context / pass_environment marker.
    if passes_arg:
        guarded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


def _length_bound(text: str, *args: Any, **kwargs: Any) -> int:
    return len(text)


def _pieces_bound(text: str, *args: Any, **kwargs: Any) -> int:
    return 2 * len(text) + 1  # at most a piece per character, each counted with its separator


# str methods that make text: an upper bound of the result from the string and the arguments,
# and whether it is loose (the others answer a number or a bool).
_METHOD_BOUNDS: dict[str, tuple[Callable[..., int], bool]] = {
    "replace": (lambda text, old, new, count=-1: _replace_bound(text, old, new, count), False),
    **dict.fromkeys(["split", "splitlines"], (_pieces_bound, True)),
    # Case mappings never shorten a text, and may lengthen it ("ß".upper() is "SS").
    **dict.fromkeys(["upper", "lower", "title", "capitalize", "casefold"], (_length_bound, False)),
    **dict.fromkeys(["strip", "lstrip", "rstrip"], (_length_bound, True)),
}


def _safe_range(*args: int) -> range:
    _check_args(args)
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise _LimitExceeded(f"range() may produce at most {MAX_RANGE} numbers.")
    return result


class _BoundedBuffer(list):
    """The text a ``{% set %}`` or ``{% filter %}`` block collects, within the limit."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def append(self, text: str) -> None:
        self.size += len(text)
        if self.size > MAX_OUTPUT_CHARS:
            raise _too_big("a {% set %} or {% filter %} block", self.size)
        super().append(text)

    def extend(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.append(text)


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
        raise _LimitExceeded(
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
        filters = {**FILTERS, "sum": _sum}
        self.filters = {name: _guarded_filter(name, filters[name]) for name in ALLOWED_FILTERS}
        self.globals = {"range": _safe_range}
        self.tests = dict(self.tests)

    bounded_buffer = _BoundedBuffer

    def checked_concat(self, parts: tuple[Any, ...]) -> str:
        _fits("'~'", sum(map(_text_len, parts)))
        return _checked("'~'", "".join([str(part) for part in parts]))

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        what = f"'{operator_}'"
        if operator_ == "**":
            if isinstance(right, int | float) and (right > 64 or abs(left) > 10**6):
                raise _LimitExceeded("That power is too large.")
            result = left**right
            if isinstance(result, int) and abs(result) > MAX_POWER_RESULT:
                raise _LimitExceeded("That number is too large.")
            return result
        if operator_ == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int):
                    _fits(what, size_of(seq) * max(count, 0))
            if isinstance(left, int) and isinstance(right, int):
                _fits_number(what, left.bit_length() + right.bit_length() - 1)
        elif operator_ == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                _fits(what, size_of(left) + size_of(right))
        elif operator_ == "%" and isinstance(left, str):
            _fits(what, _percent_size(left, right))
        return _checked(what, self.binop_table[operator_](left, right))

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
            return str(_BoundedFormatter(self).vformat(owner, args, kwargs))

        return update_wrapper(bounded_format, value)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_args(args)
        _check_args(kwargs.values())
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        what = f".{name}()" if isinstance(owner, str) else f"{name or 'the call'}()"
        if isinstance(owner, str) and name in _METHOD_BOUNDS:
            bound, loose = _METHOD_BOUNDS[name]
            _fits(what, bound(owner, *args, **kwargs), loose=loose)
        return _checked(what, super().call(__context, __obj, *args, **kwargs))


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
                raise _LimitExceeded(
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
    "MAX_OUTPUT_CHARS",
    "MAX_SOURCE_CHARS",
    "Block",
    "Refused",
    "check_source",
    "render_here",
    "size_of",
]
