"""``jsonlist`` reads what ``ijson.items(…, use_float=True)`` reads, the same values, and refuses
what it refuses, whatever the text and wherever the chunks end; and refuses at once what ijson
can't handle."""

from __future__ import annotations

import io
import json

import ijson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle.capture.importers import jsonlist

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
SCALARS = st.none() | st.booleans() | INT64 | st.floats() | st.text(st.characters(codec=None))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)
LAYOUTS = st.sampled_from(
    [
        {"ensure_ascii": True},
        {"ensure_ascii": False},
        {"ensure_ascii": False, "indent": 2},
        {"ensure_ascii": True, "separators": (",", ":")},
    ]
)


def _outcome(read, data: bytes):
    """The values read, or that it failed (the errors differ in kind: see ``_kind``)."""
    try:
        return list(read(io.BytesIO(data)))
    except (ValueError, ijson.JSONError):
        return "refused"


def _ijson(stream):
    return ijson.items(stream, "item", use_float=True)


def _refuse(name):
    raise ValueError(name)


def _lone_as_question_marks(value):
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_lone_as_question_marks(v) for v in value]
    if isinstance(value, dict):
        return {_lone_as_question_marks(k): _lone_as_question_marks(v) for k, v in value.items()}
    return value


def _whole(data: bytes):
    """Python's reading of the whole document at once, lone surrogates as ``?``."""
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse)
    except (ValueError, RecursionError):
        return "refused"
    return _lone_as_question_marks(value) if isinstance(value, list) else "refused"


def _beyond_yajl(value) -> bool:
    """Numbers yajl refuses: beyond 64 bits, or the double range."""
    if isinstance(value, float):
        return value in (float("inf"), float("-inf"))
    if isinstance(value, int) and not isinstance(value, bool):
        return not -(2**63) < value < 2**63 - 1
    children = value.values() if isinstance(value, dict) else value
    return isinstance(value, list | dict) and any(_beyond_yajl(v) for v in children)


def _same(data: bytes) -> None:
    """What the whole document parsed at once says; and ijson's values and refusals, except
    where it reads lone surrogates, numbers or whitespace differently (the module doc)."""
    ours = _outcome(jsonlist.list_items, data)
    assert ours == _whole(data)
    theirs = _outcome(_ijson, data)
    if ours != theirs:
        yajl_whitespace = b"\x0b" in data or b"\x0c" in data  # vertical tab, form feed
        # A document that is not a list: ijson finds no item and may stop before the garbage
        # after it (b'"[{": null}]' gives []); we refuse it, as Python's json does.
        not_a_list = ours == "refused" and theirs == [] and not data.lstrip().startswith(b"[")
        assert (
            jsonlist.lone_surrogate(data) or _beyond_yajl(ours) or yajl_whitespace or not_a_list
        ), (
            ours,
            theirs,
        )


def _encode(items, layout) -> bytes:
    return json.dumps(items, **layout).encode("utf-8", "surrogatepass")


def _kind(data: bytes) -> str:
    with pytest.raises(jsonlist.NotValid) as refused:
        list(jsonlist.list_items(io.BytesIO(data)))
    return refused.value.kind


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch):
    """Chunks of a few bytes: chunk ends fall inside strings, escapes, numbers, UTF-8."""
    monkeypatch.setattr(jsonlist, "CHUNK", 7)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(VALUES, max_size=6), layout=LAYOUTS)
def test_any_list_reads_as_ijson_reads_it(items, layout):
    _same(_encode(items, layout))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(VALUES, min_size=1, max_size=4),
    layout=LAYOUTS,
    cut=st.integers(min_value=0),
    junk=st.binary(max_size=3),
)
def test_a_damaged_list_is_refused_when_ijson_refuses_it(items, layout, cut, junk):
    data = _encode(items, layout)
    cut %= len(data)
    _same(data[:cut] + junk + data[cut:])
    _same(data[:cut])


@pytest.mark.parametrize(
    "data",
    [
        b"[]", b" [ ] ", b"[{}]", b"[1,2,3]", b'[{"a":1},]', b'[{"a":1} {"b":2}]',
        b'[{"a":1}] x', b'[{"a":1}]\n', b'[{"a":"\\ud800"}]', b'[{"a":"\\ud83d\\ude00"}]',
        b'[{"a":"\\ude00\\ud83d"}]', b'[{"a":"\\\\ud800"}]', b'[{"\\udfff":1}]', b'[{"a":NaN}]',
        b"[-Infinity]", b'[{"a":1},', b'[{"a":"x\xff"}]', b'[{"a":"\xc3\xa9t\xc3\xa9"}]',
        b'[{"a":1}', b'[{"a":"tab\there"}]', b"[1.5e-400]", b"[01]", b'[{"a":1}]\xff',
    ],
    ids=[
        "empty", "spaces", "empty object", "numbers", "trailing comma", "missing comma",
        "trailing garbage", "trailing newline", "lone surrogate", "surrogate pair",
        "pair the wrong way round", "escaped backslash", "lone surrogate in a key", "NaN",
        "Infinity", "truncated", "invalid UTF-8", "UTF-8", "unclosed", "control character",
        "underflow", "leading zero", "invalid UTF-8 after the end",
    ],
)  # fmt: skip
def test_edge_cases_read_as_ijson_reads_them(data):
    _same(data)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b'[{"a":1},', "truncated"),
        (b'[{"a":"abc', "truncated"),
        (b"[12", "truncated"),
        (b'[{"a":"x\xff"}]', "utf-8"),
        (b'[{"a":1},\xff]', "utf-8"),
        (b'[{"a":"\xc3', "utf-8"),
        (b'[{"a":NaN}]', "json"),
        (b'[{"a":1} {"b":2}]', "json"),
        (b'[{"a":1}] x', "json"),
    ],
)
def test_refusals_say_what_is_wrong(data, kind):
    assert _kind(data) == kind


def test_a_position_is_given_in_characters_of_the_whole_file():
    data = b"[" + b'{"a": 1}, ' * 10 + b'{"a": tru}]'
    with pytest.raises(jsonlist.NotValid) as refused:
        list(jsonlist.list_items(io.BytesIO(data)))
    assert refused.value.detail == "Expecting value at character 108"
    assert data.decode()[107] == "t"


def test_deep_nesting_is_refused_at_once():
    """ijson takes tens of GB for this 200 KB list (the path of every open level)."""
    data = b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]"
    with pytest.raises(jsonlist.TooDeep):
        list(jsonlist.list_items(io.BytesIO(data)))


def test_an_item_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(jsonlist, "CHUNK", 64)
    monkeypatch.setattr(jsonlist, "MAX_ITEM", 1000)
    items = [{"a": 1}, {"text": "x" * 900}, {"text": "x" * 5_000}]
    read = jsonlist.list_items(io.BytesIO(json.dumps(items).encode()))
    assert [next(read), next(read)] == items[:2]
    with pytest.raises(jsonlist.TooLarge):
        next(read)


def test_numbers_beyond_64_bits_are_read_as_python_reads_them():
    """The one difference in values: yajl refuses them."""
    data = b"[[18446744073709551616]]"
    assert list(jsonlist.list_items(io.BytesIO(data))) == [[18446744073709551616]]


def test_an_objects_list_is_read_and_its_other_values_skipped():
    data = json.dumps(
        {"user": {"deep": [[{"x": "]}"}]]}, "conversations": [{"a": 1}, {"b": 2}], "n": 3}
    ).encode()
    assert list(jsonlist.object_list_items(io.BytesIO(data), "conversations")) == [
        {"a": 1},
        {"b": 2},
    ]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b'{"items": []}', "missing"),
        (b"{}", "missing"),
        (b'{"conversations": {"a": 1}}', "not a list"),
        (b'{"conversations": [{"a": 1}]', "truncated"),
        (b'{"conversations": [] "x": 1}', "json"),
        (b'{"conversations": []} []', "json"),
        (b"{1: []}", "json"),
    ],
)
def test_an_object_without_the_list_is_refused(data, kind):
    with pytest.raises(jsonlist.NotValid) as refused:
        list(jsonlist.object_list_items(io.BytesIO(data), "conversations"))
    assert refused.value.kind == kind


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(VALUES, max_size=4), other=VALUES, layout=LAYOUTS)
def test_an_objects_list_reads_as_the_whole_document_says(items, other, layout):
    data = _encode({"before": other, "conversations": items, "after": other}, layout)
    ours = _outcome(lambda stream: jsonlist.object_list_items(stream, "conversations"), data)
    try:
        whole = json.loads(data.decode("utf-8"), parse_constant=_refuse)
    except ValueError:  # Infinity, NaN; a lone surrogate written raw is not UTF-8
        assert ours == "refused"
    else:
        assert ours == _lone_as_question_marks(whole["conversations"])


def test_lone_surrogate_escapes_are_told_from_pairs():
    assert jsonlist.lone_surrogate(rb'"\ud800"')
    assert jsonlist.lone_surrogate(rb'"\udc00"')
    assert jsonlist.lone_surrogate(rb'"\ud83d\ud83d\ude00"')
    assert not jsonlist.lone_surrogate(rb'"\ud83d\ude00 \uD83D\uDE00"')
    assert not jsonlist.lone_surrogate(rb'"\ud83d')  # cut by the chunk's end: seen whole next
    assert not jsonlist.lone_surrogate(rb'"\u00e9\u2019"')


def test_a_string_with_garbage_after_it_is_refused_though_ijson_finds_no_item():
    # Found by the property test above: ijson answers [] where Python's json refuses.
    _same(b'"[{"": null}]')
    assert _kind(b'"[{"": null}]')
