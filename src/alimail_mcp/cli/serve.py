"""`alimail-mcp serve`: run the MCP server over stdio (default), SSE or streamable HTTP."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("serve", help="run the MCP server")
    p.add_argument("--transport", choices=("stdio", "sse", "http"), default="stdio")
    p.add_argument("--host", default="127.0.0.1", help="address to bind for sse/http (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port for sse/http (default 8000)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.server import serve

    serve(transport=args.transport, host=args.host, port=args.port)
    return 0
