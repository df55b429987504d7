from django.apps import AppConfig


class McpConfig(AppConfig):
    name = "huddle.mcp"
    label = "huddle_mcp"  # "mcp" would read as the SDK of the same name
    verbose_name = "MCP server"
