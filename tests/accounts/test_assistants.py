"""The tokens page's copy-paste settings for AI tools (MCP): filled with this server's address
and the token just made, the same shapes as the README documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

from huddle.accounts.assistants import PLACEHOLDER, assistant_configs
from huddle.accounts.models import ApiToken

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE = "https://huddle.example.com/mcp"


def _readme_blocks() -> list[object]:
    section = README.read_text().split("## AI assistants (MCP)", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]


def test_each_setting_is_the_one_the_readme_documents():
    documented = _readme_blocks()
    for config in assistant_configs(EXAMPLE):
        assert json.loads(config.snippet) in documented, config.name


def test_a_new_token_and_the_address_are_filled_in():
    configs = {c.slug: json.loads(c.snippet) for c in assistant_configs(EXAMPLE, "hud_abc")}
    claude = configs["claude-desktop"]["mcpServers"]["huddle"]
    assert claude["env"] == {"HUDDLE_AUTH": "Bearer hud_abc"}
    assert EXAMPLE in claude["args"]
    assert configs["openai"]["headers"] == {"Authorization": "Bearer hud_abc"}
    assert configs["cursor"]["mcpServers"]["huddle"]["url"] == EXAMPLE
    # VS Code keeps the token in its own secret storage: never written into the file.
    assert "hud_abc" not in json.dumps(configs["vscode"])


def test_the_tokens_page_shows_the_settings_and_fills_in_a_new_token(member, login):
    client = login(member)
    page = client.get("/o/acme/settings/tokens/").content.decode()
    assert "Use the library inside your AI tools" in page
    assert "http://testserver/mcp" in page
    assert PLACEHOLDER in page
    created = client.post("/o/acme/settings/tokens/", {"name": "Claude"}).content.decode()
    raw = re.search(r'value="(hud_[^"]+)" id="new-token"', created)[1]
    assert f"Bearer {raw}" in created
    assert PLACEHOLDER not in created
    assert ApiToken.objects.filter(name="Claude").exists()
