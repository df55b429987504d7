"""How big a result would be, before it is made: the sizes and bounds the sandbox checks.

``size_of`` measures a value by the text it would print as: text by its length, a number by its
digits, a container by its items (each time they appear: ``[big] * 1000`` is as big as the 1000
copies it would print) plus one per item. Each operation the sandbox allows has a bound here,
computed from its operands before the C code that makes the result runs: ``percent_size`` for
``%`` (widths and precisions read as Python reads them), ``BoundedFormatter`` for
``str.format``, ``FILTER_BOUNDS`` and ``METHOD_BOUNDS`` for filters and ``str`` methods.
``fits`` refuses past ``MAX_OUTPUT_CHARS`` (a loose bound may go up to ``LOOSE_FACTOR`` times
that, and the result is then checked), and ``checked`` checks every result once made.

Standard library and Jinja2 only: the renderer process imports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, ItemsView, Iterable, KeysView, ValuesView
from dataclasses import dataclass, field
from typing import Any

from jinja2 import pass_environment
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.sandbox import SandboxedFormatter

MAX_OUTPUT_CHARS = 200_000
MAX_RANGE = 1_000
MAX_POWER_RESULT = 10**18
MAX_INT_DIGITS = 4_300  # Python's own limit for turning an int into text
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219)  # 2 ** _MAX_INT_BITS is about 10 ** MAX_INT_DIGITS
LOOSE_FACTOR = 4  # how far past the limit a loose estimate may go before the result is checked


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


class LimitExceeded(SecurityError):
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


def _too_big(what: str, size: int, *, at_least: bool = False) -> LimitExceeded:
    amount = f"more than {MAX_OUTPUT_CHARS:,}" if at_least else f"{size:,}"
    return LimitExceeded(
        f"The result of {what} would be {amount} characters long; "
        f"the limit is {MAX_OUTPUT_CHARS:,}."
    )


def fits(what: str, size: int, *, loose: bool = False) -> None:
    """Refuse ``what`` before it runs if its result would be ``size`` characters, too many."""
    if size > MAX_OUTPUT_CHARS * (LOOSE_FACTOR if loose else 1):
        raise _too_big(what, size)


def fits_number(what: str, bits: int) -> None:
    if bits > _MAX_INT_BITS:
        raise LimitExceeded(
            f"The result of {what} would be a number of more than {MAX_INT_DIGITS:,} digits."
        )


def checked(what: str, value: Any) -> Any:
    """The result of ``what``, once made, if it is within the limits."""
    if isinstance(value, str):
        if len(value) > MAX_OUTPUT_CHARS:
            raise _too_big(what, len(value))
    elif type(value) is int:
        fits_number(what, value.bit_length())
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


def check_args(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_OUTPUT_CHARS:
            raise LimitExceeded(f"The number {arg} is too large here.")


def text_len(value: Any) -> int:
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


def percent_size(text: str, values: Any) -> int:
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
            raise LimitExceeded("That '%' format can't be used in templates; use ~ instead.")
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


class BoundedFormatter(SandboxedFormatter):
    """``str.format`` with each field's width and precision read before it is formatted, and
    the fields' total kept within the limit."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.size = 0

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        # "{0!r}" and "{0!a}" make the repr first: size it before it is made.
        if conversion in ("r", "a"):
            fits(".format()", self.size + 6 * size_of(value) + 2)
        elif conversion == "s":
            fits(".format()", self.size + size_of(value))
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        what = ".format()"
        match = _FORMAT_SPEC.fullmatch(format_spec)
        if match is None:
            raise LimitExceeded(
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
        fits(what, self.size + max(width, body))
        result = super().format_field(value, format_spec)
        self.size += len(result)
        fits(what, self.size)
        return result


# -- Filters


def _join_bound(value: Any, d: Any = "", attribute: Any = None) -> int:
    items = value if isinstance(value, str | list | tuple | dict) else list(value)
    sizer = _Sizer()
    return sum(sizer.size(item) for item in items) + max(len(items) - 1, 0) * sizer.size(d)


def _indent_bound(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> int:
    step = len(width) if isinstance(width, str) else width
    length = text_len(s)
    lines = _lines(s) if isinstance(s, str) else length + 2
    return length + lines * max(step, 0)


def _wordwrap_bound(
    s: Any,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> int:
    length = text_len(s)
    if not isinstance(s, str) or length > MAX_OUTPUT_CHARS * LOOSE_FACTOR:
        return length * 2
    # A line ends at a space, a tab, a hyphen, a line break, or where a long word is cut.
    ends = s.count(" ") + s.count("\t") + s.count("-") + _lines(s)
    lines = ends + length // max(width, 1)
    return length + lines * len(wrapstring if wrapstring is not None else "\n")


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
    return min(text_len(s), length + 5 + (leeway or 0)) + len(str(end))


def _list_bound(value: Any) -> int:
    return 2 * len(value) if isinstance(value, str) else size_of(list(value))


def _text_bound(value: Any, *args: Any, **kwargs: Any) -> int:
    return text_len(value)


def _items_bound(value: Any, *args: Any, **kwargs: Any) -> int:
    return size_of(value)


def _answer_bound(value: Any, *args: Any, **kwargs: Any) -> int:
    # A number or one item comes back: only a value that isn't text yet needs sizing.
    return 0 if isinstance(value, str) else size_of(value)


# An upper bound of each filter's result from the filter's own arguments, and whether it is loose.
_FILTER_BOUNDS: dict[str, tuple[Callable[..., int], bool]] = {
    "center": (lambda value, width=80: max(text_len(value), width), False),
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
def bounded_sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
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
    fits("|sum", sizer.size(start) + sum(sizer.size(item) for item in items))
    total = list(start)
    for item in items:
        total.extend(item)
    return total if kind is list else tuple(total)


def guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    what = f"|{name}"
    bound, loose = _FILTER_BOUNDS.get(name, (None, False))
    passes_arg = hasattr(func, "jinja_pass_arg")
    first = 1 if passes_arg else 0  # the context or environment Jinja passes comes first

    def guarded(*args: Any, **kwargs: Any) -> Any:
        check_args(args[first + 1 :])
        check_args(kwargs.values())
        if name in _CONSUMING and len(args) > first:
            args = (*args[:first], _materialize(what, args[first]), *args[first + 1 :])
        if bound is not None:
            fits(what, bound(*args[first:], **kwargs), loose=loose)
        return checked(what, func(*args, **kwargs))

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
METHOD_BOUNDS: dict[str, tuple[Callable[..., int], bool]] = {
    "replace": (lambda text, old, new, count=-1: _replace_bound(text, old, new, count), False),
    **dict.fromkeys(["split", "splitlines"], (_pieces_bound, True)),
    # Case mappings never shorten a text, and may lengthen it ("ß".upper() is "SS").
    **dict.fromkeys(["upper", "lower", "title", "capitalize", "casefold"], (_length_bound, False)),
    **dict.fromkeys(["strip", "lstrip", "rstrip"], (_length_bound, True)),
}


def safe_range(*args: int) -> range:
    check_args(args)
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise LimitExceeded(f"range() may produce at most {MAX_RANGE} numbers.")
    return result


class BoundedBuffer(list):
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
