"""From a row of the tool table to a registered tool: the function the SDK calls, and the engine call
inside it with its time budget and error mapping."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import operator
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.context import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from alimail_mcp import progress
from alimail_mcp.config import ENV_TOOL_TIMEOUT, Settings, load_settings
from alimail_mcp.deadline import OutOfTime, deadline
from alimail_mcp.dns.network_loop import on_network_loop
from alimail_mcp.errors import InputError
from alimail_mcp.models import ToolArgs
from alimail_mcp.server.notify import Notifier
from alimail_mcp.server.tools import TOOLS, ToolRow

T = TypeVar("T")
log = logging.getLogger(__name__)


def register(server: MCPServer, settings: Settings) -> None:
    """Add every tool of the table, in its order."""
    for row in TOOLS:
        server.add_tool(
            tool_function(row, settings),
            name=row.name,
            title=row.title,
            description=description(row.args),
            annotations=tool_annotations(row),
        )


def description(args: type[ToolArgs]) -> str:
    """The tool's description: its arguments model's docstring, as one paragraph."""
    return " ".join((args.__doc__ or "").split())


def tool_annotations(row: ToolRow) -> ToolAnnotations:
    return ToolAnnotations(
        read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=row.online
    )


def tool_function(row: ToolRow, settings: Settings) -> Callable[..., Awaitable[Any]]:
    """An async function whose signature is the arguments model's fields (flat, as clients send them),
    so that the SDK derives the input schema from the model, plus the request context (which the SDK
    leaves out of the schema); it calls the engine, telling the client what it does (notify.py)."""

    async def call(ctx: Context | None = None, **arguments: Any) -> Any:
        engine = _engine_function(row.engine)
        extra = {"settings": settings} if row.takes_settings else {}
        if ctx is None:  # called outside a request: nobody to tell
            return await run_engine(engine(**arguments, **extra), settings, network=row.network_loop)
        notifier = Notifier(ctx.request_context)
        await notifier.log("debug", {"tool": row.name, "event": "started"})
        started = time.monotonic()
        try:
            with progress.listening(notifier.progress):
                result = await run_engine(engine(**arguments, **extra), settings, network=row.network_loop)
        except ToolError as exc:
            await notifier.drain()
            await notifier.log("warning", {"tool": row.name, "event": "failed", "error": str(exc)})
            raise
        finally:
            await notifier.drain()  # no progress may follow the result or the error
        await _log_result(notifier, row.name, result, started)
        return result

    params = [_parameter(name, row.args) for name in row.args.model_fields]
    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Context)
    call.__name__ = call.__qualname__ = row.name
    call.__signature__ = inspect.Signature([*params, context], return_annotation=row.result)  # type: ignore[attr-defined]
    call.__annotations__ = {p.name: p.annotation for p in params} | {"ctx": Context, "return": row.result}
    return call


async def _log_result(notifier: Notifier, tool: str, result: Any, started: float) -> None:
    """One log message per call: how long it took and its verdict, never the caller's data; a warning
    when the DNS resolver did not answer (the client's user may be able to fix that)."""
    data: dict[str, Any] = {
        "tool": tool,
        "event": "finished",
        "elapsed_ms": round((time.monotonic() - started) * 1000),
    }
    for field in ("overall", "dns_overall", "kind", "path"):
        value = getattr(result, field, None)
        if isinstance(value, str):
            data[field] = value
    resolver = getattr(result, "resolver", None)
    if resolver is not None and resolver.state in ("not-answering", "no-route"):
        servers = ", ".join(resolver.servers)
        await notifier.log(
            "warning", {"tool": tool, "event": "resolver-down", "resolver": servers, "state": resolver.state}
        )
    await notifier.log("info", data)


def _parameter(name: str, args: type[ToolArgs]) -> inspect.Parameter:
    field = args.model_fields[name]
    meta = (*field.metadata, Field(description=field.description))
    annotation = operator.getitem(Annotated, (field.annotation, *meta))
    default = inspect.Parameter.empty if field.is_required() else field.default
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _engine_function(path: str) -> Callable[..., Coroutine[Any, Any, Any]]:
    """Imported on first use, so that listing or calling one tool does not load every engine."""
    module, _, name = path.partition(":")
    fn: Callable[..., Coroutine[Any, Any, Any]] = getattr(importlib.import_module(module), name)
    return fn


async def run_engine(
    call: Coroutine[Any, Any, T], settings: Settings | None = None, *, network: bool = False
) -> T:
    """Await an engine call within the per-call time budget (`settings.tool_timeout`, default: the
    environment's). Bad input becomes a tool error naming the field, running out of time one that says
    so, and any other failure one without the exception's text: that text may quote outside data (a
    record, a bounce), which reaches the client only as evidence in a result."""
    budget = (settings or load_settings()).tool_timeout
    timer = asyncio.timeout(budget)
    try:
        # `deadline` also stops work the call left running in a thread (see alimail_mcp.deadline).
        with deadline(budget):
            async with timer:
                return await (on_network_loop(call) if network else call)
    except InputError as exc:
        raise ToolError(str(exc)) from None
    except ToolError:
        raise
    except Exception as exc:
        if isinstance(exc, OutOfTime) or (isinstance(exc, TimeoutError) and timer.expired()):
            raise ToolError(
                f"the call did not finish within its time budget of {budget:g} s ({ENV_TOOL_TIMEOUT}); "
                "try again, or ask the administrator to raise the budget"
            ) from None
        log.exception("tool call failed")
        raise ToolError(f"internal error ({type(exc).__name__}); the server log has the details") from None
