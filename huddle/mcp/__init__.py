"""The Model Context Protocol server: the library, context and runs inside AI assistants.

An interface layer like ``api.py`` and ``cli.py``: it reads through ``queries``/``policy`` and
writes only through services. ``server.py`` builds the SDK's server, ``http.py`` answers
``/mcp`` (stateless Streamable HTTP) and ``stdio.py`` serves ``huddle mcp`` (docs/mcp.md).
"""
