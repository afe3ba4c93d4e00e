"""`completion/complete`: the values an argument can take where there is a fixed set to offer.

- an intent prompt's `path`: that intent's paths (`client-config`, `dns-authorization` ...);
- the path resource template's `path` (skill://alimail/path/{path}): every path of the taxonomy.

Values are offered by prefix, case-insensitively; anything else (a free-text situation, a prompt this
server does not have) completes to nothing, which is an answer, not an error.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext

MAX_VALUES = 100
"""The protocol's limit on values in one answer."""


async def complete(
    ctx: ServerRequestContext[Any, Any], params: types.CompleteRequestParams
) -> types.CompleteResult:
    values = [v for v in _candidates(params) if v.lower().startswith(params.argument.value.strip().lower())]
    return types.CompleteResult(
        completion=types.Completion(
            values=values[:MAX_VALUES], total=len(values), has_more=len(values) > MAX_VALUES
        )
    )


def _candidates(params: types.CompleteRequestParams) -> list[str]:
    from alimail_mcp.knowledge.loader import load_knowledge
    from alimail_mcp.server.resources import PATH_TEMPLATE
    from alimail_mcp.server.skill_index import prompt_catalog

    ref, argument = params.ref, params.argument.name
    if argument != "path":
        return []
    kb = load_knowledge()
    if isinstance(ref, types.ResourceTemplateReference) and ref.uri == PATH_TEMPLATE:
        return [path.id for path in kb.paths]
    if isinstance(ref, types.PromptReference):
        intent = next((p.intent for p in prompt_catalog() if p.name == ref.name), None)
        if intent is not None:
            return [path.id for path in kb.intent(intent).paths]
    return []
