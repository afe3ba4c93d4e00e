"""An MCPServer that defers its costly registrations until a request needs them.

Building the tools' argument and result schemas and reading the knowledge base cost more than the
whole budget for a cold start (10% over a bare SDK server). So `tools/list` is answered from the
tool catalog (tool_catalog.py: the same definitions, generated from the real registrations and checked
by a test), and the real tools, resources and prompts are registered on the first request that
uses them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import Prompt, Resource, ResourceTemplate, Tool

from alimail_mcp.server.tool_catalog import read as read_catalog

log = logging.getLogger(__name__)

Registrar = Callable[[MCPServer], None]


class LazyServer(MCPServer):
    def __init__(self, *, tools: Registrar, knowledge: Registrar, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pending: dict[str, Registrar] = {"tools": tools, "knowledge": knowledge}

    def add_request_handler(self, method: str, params_type: type[Any], handler: Any) -> None:
        """Serve a protocol method MCPServer has no registration for (`logging/setLevel`,
        `completion/complete`); the capability is declared because the method is served."""
        self._lowlevel_server.add_request_handler(method, params_type, handler)

    def register_now(self, part: str | None = None) -> None:
        """Run the pending registrations (`tools`, `knowledge`, or both); later calls are free."""
        for name in [part] if part else list(self._pending):
            registrar = self._pending.get(name)
            if registrar is not None:
                registrar(self)  # a KnowledgeError propagates, and the next request tries again
                del self._pending[name]

    async def list_tools(self) -> list[Tool]:
        if "tools" in self._pending and (listed := read_catalog()) is not None:
            return listed
        self.register_now("tools")
        return await super().list_tools()

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        self.register_now("tools")
        return await super().call_tool(name, arguments, context)

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        self.register_now("tools")
        return super()._tool_input_schema(name)

    async def list_resources(self) -> list[Resource]:
        self.register_now("knowledge")
        return await super().list_resources()

    async def list_resource_templates(self) -> list[ResourceTemplate]:
        self.register_now("knowledge")
        return await super().list_resource_templates()

    async def read_resource(self, uri: Any, context: Any = None) -> Iterable[Any] | Any:
        self.register_now("knowledge")
        return await super().read_resource(uri, context)

    async def list_prompts(self) -> list[Prompt]:
        self.register_now("knowledge")
        return await super().list_prompts()

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Any = None
    ) -> Any:
        self.register_now("knowledge")
        return await super().get_prompt(name, arguments, context)
