"""Copy-paste configuration for the AI tools that reach Huddle's MCP server (issue 21): Claude
Desktop, VS Code / GitHub Copilot, Cursor and OpenAI's Responses API, filled in with this
server's address and, right after a token is made, that token. The same shapes as the README's
(``tests/accounts/test_assistants.py`` checks both), so the page and the docs cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

PLACEHOLDER = "hud_your_token"


@dataclass(frozen=True)
class AssistantConfig:
    slug: str
    name: str
    where: str  # where the snippet goes, in the tool's own words
    snippet: str  # JSON, indented


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def assistant_configs(mcp_url: str, token: str | None = None) -> list[AssistantConfig]:
    """One configuration per tool for the server at ``mcp_url``. With ``token`` the snippets
    hold it (shown once, like the token itself); without, a placeholder to replace."""
    token = token or PLACEHOLDER
    return [
        AssistantConfig(
            "claude-desktop",
            "Claude Desktop",
            "claude_desktop_config.json (Settings → Developer → Edit Config); it runs the "
            "mcp-remote bridge, which needs Node.js",
            _json(
                {
                    "mcpServers": {
                        "huddle": {
                            "command": "npx",
                            "args": [
                                "-y",
                                "mcp-remote",
                                mcp_url,
                                "--header",
                                "Authorization:${HUDDLE_AUTH}",
                            ],
                            "env": {"HUDDLE_AUTH": f"Bearer {token}"},
                        }
                    }
                }
            ),
        ),
        AssistantConfig(
            "vscode",
            "VS Code / GitHub Copilot",
            ".vscode/mcp.json (or MCP: Add Server…); VS Code asks for the token once and keeps "
            "it in its secret storage",
            _json(
                {
                    "inputs": [
                        {
                            "type": "promptString",
                            "id": "huddle-token",
                            "description": "Huddle API token",
                            "password": True,
                        }
                    ],
                    "servers": {
                        "huddle": {
                            "type": "http",
                            "url": mcp_url,
                            "headers": {"Authorization": "Bearer ${input:huddle-token}"},
                        }
                    },
                }
            ),
        ),
        AssistantConfig(
            "cursor",
            "Cursor",
            "~/.cursor/mcp.json (or .cursor/mcp.json in a project), with HUDDLE_TOKEN set in "
            "the environment",
            _json(
                {
                    "mcpServers": {
                        "huddle": {
                            "url": mcp_url,
                            "headers": {"Authorization": "Bearer ${env:HUDDLE_TOKEN}"},
                        }
                    }
                }
            ),
        ),
        AssistantConfig(
            "openai",
            "OpenAI Responses API / Agents SDK",
            "the tools list of a response or an agent",
            _json(
                {
                    "type": "mcp",
                    "server_label": "huddle",
                    "server_url": mcp_url,
                    "headers": {"Authorization": f"Bearer {token}"},
                    "require_approval": "never",
                }
            ),
        ),
    ]
