"""Result model of route_query. Imports only pydantic: the server builds its output schema at start-up."""

from __future__ import annotations

from pydantic import BaseModel, Field

from alimail_mcp.models import IntentId, PathId, ToolResult


class Alternative(BaseModel):
    """A path that also fits the question, with its score on the same 0..1 scale as `confidence`."""

    intent: IntentId
    path: PathId
    score: float = Field(ge=0, le=1)


class Guidance(BaseModel):
    """What the chosen path says to do, from the knowledge base."""

    steps: list[str] = Field(default_factory=list, description="The path's steps, in order.")
    key_facts: list[str] = Field(default_factory=list, description="The key fact and known limitations.")
    pitfalls: list[str] = Field(
        default_factory=list, description="What goes wrong when this situation is handled by another path."
    )


class RouteResult(ToolResult):
    """A question routed to an intent and path of the knowledge base, or refused as off-topic."""

    matched: bool = Field(description="False when the question is not about Alibaba Mail administration.")
    confidence: float = Field(ge=0, le=1, description="How clearly the question points at this path (0..1).")
    alternatives: list[Alternative] = Field(default_factory=list, description="Next best paths, best first.")
    guidance: Guidance = Field(default_factory=Guidance, description="Empty when not matched.")
