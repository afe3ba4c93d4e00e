"""`alimail-mcp serve`: run the MCP server over stdio (default), SSE or streamable HTTP."""

from __future__ import annotations

import argparse
from dataclasses import replace

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
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes for --transport http, sharing the port (default 1); implies --stateless",
    )
    p.add_argument(
        "--stateless",
        action="store_true",
        help="streamable HTTP without sessions, so any process or replica answers any request",
    )
    add_dns_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.server.app import serve

    # Ctrl-C: the command line's main says so in one line and exits 130 (over HTTP uvicorn stops cleanly).
    settings = settings_from_args(args)
    if args.stateless or args.workers > 1:
        settings = replace(settings, stateless_http=True)
    return serve(args.transport, args.host, args.port, settings, workers=args.workers)
