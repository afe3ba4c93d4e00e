"""The MCP server: assembles tools, resources and prompts on the SDK's MCPServer. No logic here.

Registrations are deferred (lazy.py) so that `initialize` and `tools/list` never wait for
dnspython, httpx, the knowledge base or the result schemas; each engine module is imported on its
tool's first call (tool_calls.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Literal

from mcp.server.mcpserver import MCPServer
from mcp_types import CompleteRequestParams, SetLevelRequestParams
from pydantic import Field

from alimail_mcp import __version__
from alimail_mcp.config import Settings, load_settings
from alimail_mcp.server.completions import complete
from alimail_mcp.server.lazy import LazyServer
from alimail_mcp.server.notify import set_level

log = logging.getLogger("alimail_mcp")

INSTRUCTIONS = (
    "Call route_query first for any Alibaba Mail (阿里邮箱) question, in English or Chinese, to get the "
    "intent, the troubleshooting path and its steps; read the skill:// resources it names for detail. "
    "Then use the tool that fits the evidence: check_dns for a domain's MX/SPF/DKIM/DMARC/webmail "
    "records, diagnose_send_error for a bounce or SMTP error, diagnose_missing_mail for mail that never "
    "arrives, plan_secure_setup to secure a domain (SPF, DKIM, DMARC, S/MIME), recover_access for login "
    "and lockout problems, check_client_settings and check_webmail for mail clients and webmail that fail."
)


def build_server(settings: Settings | None = None) -> LazyServer:
    """The server with every tool, resource and prompt, registered when first needed."""
    settings = replace(settings or load_settings(), network_thread=True)

    def register_tools(server: MCPServer) -> None:
        from alimail_mcp.server.tool_calls import register

        register(server, settings)

    server = LazyServer(
        tools=register_tools,
        knowledge=register_knowledge,
        name="alimail-mcp",
        title="Alibaba Mail administration",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",
    )
    server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
    server.add_request_handler("completion/complete", CompleteRequestParams, complete)
    return server


def register_knowledge(server: MCPServer) -> None:
    """Skills as resources and one prompt per intent, from the validated knowledge base."""
    from mcp.server.mcpserver.prompts.base import Prompt
    from mcp.server.mcpserver.resources.types import FunctionResource

    from alimail_mcp.knowledge.loader import load_knowledge
    from alimail_mcp.server.prompts import intent_prompt, prompt_specs
    from alimail_mcp.server.resources import PATH_TEMPLATE, render_path, resource_documents

    kb = load_knowledge()

    def path_document(path: str) -> str:
        return render_path(kb, path)

    server.resource(
        PATH_TEMPLATE,
        name="alimail-path",
        title="One troubleshooting path",
        description="One path of the taxonomy on its own: when to use it, its steps and its pitfalls.",
        mime_type="text/markdown",
    )(path_document)
    for doc in resource_documents(kb):
        server.add_resource(
            FunctionResource(
                uri=doc.uri,
                name=doc.name,
                title=doc.title,
                description=doc.description,
                mime_type=doc.mime_type,
                fn=_constant(doc.text),
            )
        )
    for spec in prompt_specs(kb):
        server.add_prompt(
            Prompt.from_function(
                _prompt_fn(spec.intent, intent_prompt),
                name=spec.name,
                title=spec.title,
                description=spec.description,
            )
        )


def _constant(text: str) -> Callable[[], str]:
    def read() -> str:
        return text

    return read


def _prompt_fn(intent: str, render: Callable[..., str]) -> Callable[..., str]:
    def prompt(
        situation: Annotated[
            str, Field(description="The user's situation in their own words.", max_length=8000)
        ],
        path: Annotated[
            str | None, Field(description="One of the intent's paths, when already known.", max_length=40)
        ] = None,
    ) -> str:
        return render(intent, situation, path_id=path)

    return prompt


def serve(
    transport: Literal["stdio", "sse", "http"] = "stdio",
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    workers: int = 1,
) -> int:
    """Run the server until the transport closes (stdio) or the process is stopped (HTTP); with
    `workers` above 1, that many HTTP server processes share the port (server/workers.py)."""
    import anyio

    from alimail_mcp.server.workers import check_workers

    settings = settings or load_settings()
    check_workers(workers, transport)
    if transport == "stdio":
        build_server(settings).run("stdio")
        return 0
    from alimail_mcp.server.http_app import check_bind, run_http

    check_bind(host, settings)  # before building anything: refuse early and clearly
    settings = replace(settings, local_files=False)  # the caller is not this machine's user
    if workers > 1:
        from alimail_mcp.server.workers import run_workers

        return run_workers(build_server, host, port, settings, workers)
    anyio.run(run_http, build_server(settings), transport, host, port, settings)
    return 0
