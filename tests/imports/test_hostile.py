"""Hostile and broken files: refused whole, exit 2, one line naming the problem, nothing written."""

from __future__ import annotations

import json
import os
import zipfile

import pytest

from huddle.capture.models import Conversation, ImportedItem, ImportSignals, Prompt
from huddle.core.models import Event
from huddle.library.models import Workflow
from tests.imports.builders import chatgpt_zip, claude_chat, rich_chatgpt, simple_chat, write_zip

# Each test runs with the export parsed in the importing process and in a child process.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("parsing")]

GOOD = [simple_chat("c1", "hello"), *rich_chatgpt()]


def _zip_with(path, name, data, compress=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compress) as archive:
        archive.writestr("conversations.json", json.dumps(GOOD))
        archive.writestr(name, data)
    return path


def _cases(tmp):
    good = json.dumps(GOOD).encode()
    cases = {}
    (tmp / "not.zip").write_bytes(b"\x00\x01binary junk")
    cases["binary"] = (tmp / "not.zip", "is not JSON")
    (tmp / "broken.zip").write_bytes(b"PK\x03\x04 definitely not a zip")
    cases["broken zip"] = (tmp / "broken.zip", "not a readable zip archive")
    (tmp / "conversations.json").write_bytes(good[: len(good) // 2])
    cases["truncated"] = (tmp / "conversations.json", "is truncated")
    cases["truncated in zip"] = (
        write_zip(tmp / "t.zip", {"conversations.json": good[:-3]}),
        "conversations.json is truncated",
    )
    bad_utf8 = good.replace(b'"hello"', b'"hel\xff\xfelo"')
    cases["invalid utf-8"] = (
        write_zip(tmp / "u.zip", {"conversations.json": bad_utf8}),
        "conversations.json is not valid UTF-8",
    )
    cases["object without conversations"] = (
        write_zip(tmp / "o.zip", {"conversations.json": {"items": GOOD}}),
        "has no 'conversations' list",
    )
    cases["list of numbers"] = (
        write_zip(tmp / "n.zip", {"conversations.json": [1, 2]}),
        "conversation 1 is not an object",
    )
    cases["claude file given as chatgpt"] = (
        write_zip(tmp / "c.zip", {"conversations.json": [claude_chat("u1", "x", "hi")]}),
        "This looks like a Claude export, not ChatGPT.",
    )
    cases["bad second split file"] = (
        write_zip(
            tmp / "s.zip",
            {"conversations-000.json": GOOD, "conversations-001.json": b"[{"},
        ),
        "conversations-001.json is truncated",
    )
    # ijson, the parser before, kept the path of every open level: this took tens of GB. Bare
    # files: zipped, these inflate more than 100:1 and are refused for that first.
    deep = b"[" * 90_000 + b"]" * 90_000
    (tmp / "deep.json").write_bytes(b"[" + deep + b"]")
    cases["nesting bomb"] = (
        tmp / "deep.json",
        "deep.json: conversation 1 nests lists and objects too deeply",
    )
    (tmp / "deep-object.json").write_bytes(b'{"conversations": [' + deep + b"]}")
    cases["nesting bomb in an object"] = (
        tmp / "deep-object.json",
        "deep-object.json: conversation 1 nests lists and objects too deeply",
    )
    cases["no conversations"] = (
        write_zip(tmp / "e.zip", {"user.json": {}}),
        "The archive has no conversations.json",
    )
    cases["absolute path"] = (
        _zip_with(tmp / "abs.zip", "/etc/passwd", "x"),
        "entry with an absolute path: '/etc/passwd'",
    )
    cases["dot dot"] = (
        _zip_with(tmp / "dd.zip", "../../evil.json", "x"),
        "points outside it ('..'): '../../evil.json'",
    )
    cases["backslash"] = (
        _zip_with(tmp / "bs.zip", "..\\evil.json", "x"),
        "backslash in its name",
    )
    cases["drive letter"] = (
        _zip_with(tmp / "dl.zip", "C:/evil.json", "x"),
        "entry with an absolute path: 'C:/evil.json'",
    )
    cases["ratio"] = (
        _zip_with(tmp / "bomb.zip", "padding.bin", b"\x00" * 300_000),
        "'padding.bin' inflates more than 100:1",
    )
    cases["too big"] = (
        _zip_with(tmp / "big.zip", "big.bin", os.urandom(300_000), zipfile.ZIP_STORED),
        "would inflate to",
    )
    many = tmp / "many.zip"
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("conversations.json", "[]")
        for n in range(10_001):
            archive.writestr(f"f{n}", b"")
    cases["too many entries"] = (many, "10,002 entries; at most 10,000")
    return cases


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return _cases(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize(
    "case",
    [
        "binary", "broken zip", "truncated", "truncated in zip", "invalid utf-8",
        "object without conversations", "list of numbers", "claude file given as chatgpt",
        "bad second split file", "nesting bomb", "nesting bomb in an object", "no conversations",
        "absolute path", "dot dot", "backslash",
        "drive letter", "ratio", "too big", "too many entries",
    ],
)  # fmt: skip
def test_hostile_file_is_refused_whole(cli, member, hostile, case, settings, tmp_path):
    settings.HUDDLE_IMPORT_MAX_BYTES = 200_000
    path, message = hostile[case]
    before = set(os.listdir(path.parent)), set(os.listdir(tmp_path))
    os.chdir(tmp_path)  # anything extracted relative to the working directory would land here
    code, out, err = cli(
        "import", "chatgpt", path, "--org", "acme", "--user", member.user.email, "--json"
    )
    assert code == 2
    assert message in err
    assert err.startswith("Error: ")
    assert out == ""
    for model in (Conversation, Prompt, Workflow, ImportedItem, ImportSignals, Event):
        assert not model.objects.exists(), model
    assert (set(os.listdir(path.parent)), set(os.listdir(tmp_path))) == before


def test_a_good_export_still_imports_under_the_same_limits(cli, member, tmp_path, settings):
    settings.HUDDLE_IMPORT_MAX_BYTES = 200_000
    path = chatgpt_zip(tmp_path / "ok.zip", GOOD)
    code, report, err = cli(
        "import", "chatgpt", path, "--org", "acme", "--user", member.user.email, "--json"
    )
    assert code == 0, err
    assert report["prompts"] == 7
