"""The items of a JSON list read from a stream, with the standard library's decoder.

The list is the whole document (``list_items``) or one key's value in a top-level object
(``object_list_items``). The stream is read ``CHUNK`` bytes at a time and decoded to text; each
item is then decoded by ``json.JSONDecoder.raw_decode`` (C), one after another. Memory stays at
a chunk or two plus the item being read.

Why not ijson, which the importer used before (and the benchmark's yardstick still uses)?

- Speed: yajl builds every value through a callback per token; this is faster on the same file.
- Safety: ijson keeps the path of every open level as a string as long as the depth, so a 200 KB
  file of 100,000 nested brackets took tens of GB and the process was killed. Here the decoder's
  recursion limit (about 1,000 levels) stops it at once (``TooDeep``), and an item may not be
  longer than ``MAX_ITEM`` characters (``TooLarge``).

The values are those of ``ijson.items(stream, "item", use_float=True)``, and what it refuses is
refused, with this module's own ``NotValid`` (the kind, and what and where). Differences, where
yajl is arguably wrong: integers beyond 64 bits and floats beyond the double range, which yajl
refuses, are read as Python reads them (an integer of more than 4,300 digits, which Python won't
read, is ``NotValid``); an escaped lone surrogate (``"\\ud800"``) reads as ``?``,
which yajl does for a lone high one unless another escape follows (it then makes one character of
the two), and refuses for a lone low one; yajl also takes a vertical tab or a form feed for
whitespace, which JSON does not. Lone surrogates are looked for in the raw bytes (one
regular-expression scan a chunk), and only a chunk that holds one has its items' strings checked.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 2 * 1024 * 1024  # bytes read at a time; more are read when under an eighth is left
MAX_ITEM = 64 * 1024 * 1024  # characters in one item
WHITESPACE = frozenset(" \t\n\r")
NOT_WHITESPACE = re.compile(r"[^ \t\n\r]")
SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
HIGH = frozenset(b"89abAB")
TAIL = 11  # bytes kept from the previous chunk: an escape pair cut in two is seen whole


class NotValid(ValueError):
    """The stream is not what was expected. ``kind``: ``utf-8`` (not UTF-8 text), ``truncated``
    (it ends too early), ``json`` (``detail`` says what and where), ``missing`` (the object has no
    such key), ``not a list`` (the key's value is something else)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


class TooDeep(ValueError):
    """An item nests lists and objects deeper than the decoder goes."""


class TooLarge(ValueError):
    """An item is longer than ``MAX_ITEM`` characters."""


class _Constant(Exception):
    pass


def _refuse_constant(name: str) -> Any:
    raise _Constant(name)


def lone_surrogate(window: bytes) -> bool:
    """Whether ``window`` holds a ``\\uD800`` to ``\\uDFFF`` escape that is not half of a pair (an
    escaped backslash followed by ``ud800`` counts too: the chunk's items are then checked)."""
    low_expected_at = -1
    for match in SURROGATE.finditer(window):
        if match.group()[3] in HIGH:
            if low_expected_at != -1:
                return True
            low_expected_at = match.end()
        elif match.start() != low_expected_at:
            return True
        else:
            low_expected_at = -1
    return low_expected_at not in (-1, len(window))  # a high one at the very end may be cut


def _as_yajl(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by ``?``."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, list):
        return [_as_yajl(v) for v in value]
    if isinstance(value, dict):
        return {_as_yajl(k): _as_yajl(v) for k, v in value.items()}
    return value


def _long_number(error: ValueError, where: str) -> str:
    """What the decoder's own ``ValueError`` (not a ``JSONDecodeError``) means, for ``NotValid``."""
    if "digits" in str(error):
        limit = sys.get_int_max_str_digits()
        return f"a number of more than {limit:,} digits, in the item at {where}"
    return f"{error}, in the item at {where}"


def _cut(error: json.JSONDecodeError, length: int, *, ended: bool) -> bool:
    """Whether the error may just be the text ending inside the value: at the end of the text
    (or, while more may come, close to it: ``tru`` of ``true``, ``\\u12`` of an escape)."""
    if error.msg.startswith("Unterminated string"):
        return True
    return error.pos >= (length if ended else length - 16)


class _Reader:
    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.text, self.pos = "", 0
        self.dropped = 0  # characters dropped from the front of ``text`` so far
        self.undecoded = b""  # the start of a UTF-8 sequence cut by the chunk's end
        self.invalid = False  # the stream goes on with bytes that are not UTF-8
        self.tail = b""
        self.eof = False
        self.chunk = CHUNK
        self.low_water = CHUNK // 8  # a value shorter than this is rarely cut by a chunk's end
        self.suspect_until = 0  # the text before this holds an escaped lone surrogate
        self.decode = json.JSONDecoder(parse_constant=_refuse_constant).raw_decode

    def read_more(self) -> None:
        """Append the next chunk's text (dropping what is behind ``pos``); at a byte that is
        not UTF-8, the text stops before it and the stream counts as ended."""
        data = self.stream.read(self.chunk)
        if not data:
            self.eof = True
            self.invalid = bool(self.undecoded)  # a sequence cut by the end of the file
            return
        window = self.tail + data
        self.tail = window[-TAIL:]
        pending = self.undecoded + data if self.undecoded else data
        try:
            text, used = codecs.utf_8_decode(pending, "strict", False)
        except UnicodeDecodeError as error:
            text, used = codecs.utf_8_decode(pending[: error.start], "strict", False)
            self.eof = self.invalid = True
        self.undecoded = pending[used:]
        self.dropped += self.pos
        self.text = self.text[self.pos :] + text
        self.suspect_until = max(self.suspect_until - self.pos, 0)
        if lone_surrogate(window):
            self.suspect_until = len(self.text)
        self.pos = 0

    def where(self, pos: int | None = None) -> str:
        return f"character {self.dropped + (self.pos if pos is None else pos) + 1:,}"

    def ended(self) -> NotValid:
        return NotValid("utf-8") if self.invalid else NotValid("truncated")

    def next_char(self) -> str | None:
        """The next character that is not whitespace (``pos`` at it); None at the end."""
        while True:
            if not self.eof and len(self.text) - self.pos < self.low_water:
                self.read_more()
                continue
            text, pos = self.text, self.pos
            if pos < len(text) and text[pos] in WHITESPACE:
                found = NOT_WHITESPACE.search(text, pos)
                pos = found.start() if found else len(text)
                self.pos = pos
            if pos < len(text):
                return text[pos]
            if self.eof:
                return None
            self.read_more()

    def expect(self, wanted: str, what: str) -> str:
        """The next character that is not whitespace, which must be one of ``wanted``."""
        char = self.next_char()
        if char is None:
            raise self.ended()
        if char not in wanted:
            raise NotValid("json", f"expected {what} at {self.where()}, found {char!r}")
        return char

    def value(self) -> Any:
        """The value at ``pos`` (after ``next_char``)."""
        while True:
            text, pos, length = self.text, self.pos, len(self.text)
            try:
                value, end = self.decode(text, pos)
            except json.JSONDecodeError as error:
                cut = _cut(error, length, ended=self.eof)
                if self.eof and cut:
                    raise self.ended() from None
                if not cut or self.eof:
                    raise NotValid("json", f"{error.msg} at {self.where(error.pos)}") from None
                if length - pos > MAX_ITEM:
                    raise TooLarge(f"longer than {MAX_ITEM:,} characters") from None
                self.read_more()
                continue
            except _Constant as constant:
                raise NotValid("json", f"{constant} is not JSON, at {self.where()}") from None
            except ValueError as error:  # Python won't read an integer of more than 4,300 digits
                raise NotValid("json", _long_number(error, self.where())) from None
            except RecursionError:
                raise TooDeep("nests lists and objects too deeply") from None
            if length - end < 32 and not self.eof:  # a number may go on in the next chunk
                self.read_more()
                continue
            self.pos = end
            return _as_yajl(value) if pos < self.suspect_until else value

    def items(self) -> Iterator[Any]:
        """The items of the list whose ``[`` is at ``pos``, through its ``]``."""
        self.pos += 1
        if self.next_char() == "]":
            self.pos += 1
            return
        while True:
            if self.next_char() is None:
                raise self.ended()
            yield self.value()
            char = self.expect(",]", "',' or ']' after an item")
            self.pos += 1
            if char == "]":
                return

    def end(self) -> None:
        """Only whitespace may follow the document."""
        if self.next_char() is not None:
            raise NotValid("json", f"more after the end of the document, at {self.where()}")
        if self.invalid:
            raise NotValid("utf-8")


def list_items(stream: IO[bytes]) -> Iterator[Any]:
    """The items of the JSON list that ``stream`` holds.

    Raises ``NotValid`` for a stream that is not one, ``TooDeep`` or ``TooLarge`` for an item."""
    reader = _Reader(stream)
    reader.expect("[", "a list")
    yield from reader.items()
    reader.end()


def object_list_items(stream: IO[bytes], key: str) -> Iterator[Any]:
    """The items of the list that the top-level object in ``stream`` holds under ``key`` (every
    such list, if the key is repeated); its other values are read and dropped."""
    reader = _Reader(stream)
    reader.expect("{", "an object")
    reader.pos += 1
    found = False
    if reader.next_char() == "}":
        reader.pos += 1
    else:
        while True:
            reader.expect('"', "a key")
            name = reader.value()
            reader.expect(":", "':' after a key")
            reader.pos += 1
            char = reader.next_char()
            if char is None:
                raise reader.ended()
            if name != key:
                reader.value()
            elif char == "[":
                found = True
                yield from reader.items()
            else:
                raise NotValid("not a list")
            char = reader.expect(",}", "',' or '}' after a value")
            reader.pos += 1
            if char == "}":
                break
    reader.end()
    if not found:
        raise NotValid("missing")
