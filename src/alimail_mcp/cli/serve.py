"""`alimail-mcp serve`: run the MCP server over stdio (default), SSE or streamable HTTP."""

from __future__ import annotations

import argparse

from alimail_mcp.cli.options import add_dns_options, settings_from_args


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Run the MCP server. stdio by default; 'http' serves streamable HTTP at /mcp, "
        "'sse' serves SSE at /sse. HTTP binds 127.0.0.1 unless --host says otherwise, which needs "
        "ALIMAIL_MCP_AUTH_TOKEN."
    )
    p.add_argument("--transport", choices=("stdio", "sse", "http"), default="stdio")
    p.add_argument("--host", default="127.0.0.1", help="address to bind for sse/http (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port for sse/http (default 8000)")
    add_dns_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.server.app import serve

    # Ctrl-C: the command line's main says so in one line and exits 130 (over HTTP uvicorn stops cleanly).
    settings = settings_from_args(args)
    serve(transport=args.transport, host=args.host, port=args.port, settings=settings)
    return 0
