"""route_query's arguments."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from alimail_mcp.inputs import QUESTION_CHARS
from alimail_mcp.models import ToolArgs

QUERY_CHARS = QUESTION_CHARS


class RouteQueryArgs(ToolArgs):
    """Route an Alibaba Mail question to its intent and troubleshooting path, with the path's steps,
    key facts and the pitfalls of choosing the wrong path. Offline and deterministic."""

    query: Annotated[
        str,
        Field(
            description="The user's question or pasted error, English or Chinese.",
            min_length=1,
            max_length=QUERY_CHARS,
        ),
    ]
