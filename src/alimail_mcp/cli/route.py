"""`alimail-mcp route "question"`: route a question to its intent and path (the route_query tool)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from alimail_mcp.cli.tool_args import Flag, add_arguments, read_arguments
from alimail_mcp.errors import KnowledgeError
from alimail_mcp.router.args import RouteQueryArgs

FLAGS = {"query": Flag(positional=True, words=True)}


def configure(p: argparse.ArgumentParser) -> None:
    p.description = RouteQueryArgs.__doc__
    add_arguments(p, RouteQueryArgs, FLAGS)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from alimail_mcp.router.route import route

    query = read_arguments(RouteQueryArgs, args, FLAGS).query
    try:
        result = route(query)
    except KnowledgeError as exc:
        print(f"alimail-mcp route: knowledge base error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print(render(result))
    return 0


def render(result: Any) -> str:
    """The route result as text for a terminal."""
    if not result.matched:
        return _wrap(result.summary)
    out = [
        f"intent:     {result.intent}",
        f"path:       {result.path}",
        f"skill:      {result.skill}",
        f"confidence: {result.confidence:.2f}",
        "",
        _wrap(result.summary),
        "",
        "Steps:",
    ]
    out += [_wrap(step, f"  {n}. ") for n, step in enumerate(result.guidance.steps, 1)]
    out += ["", "Key facts:"] + [_wrap(fact, "  - ") for fact in result.guidance.key_facts]
    out += ["", "Pitfalls (choosing another path):"] + [_wrap(p, "  - ") for p in result.guidance.pitfalls]
    if result.alternatives:
        out += ["", "Alternatives:"]
        out += [f"  - {a.intent}/{a.path} ({a.score:.2f})" for a in result.alternatives]
    out += ["", "Next:"] + [_wrap(step, "  - ") for step in result.next_steps]
    return "\n".join(out)


def _wrap(text: str, lead: str = "") -> str:
    return textwrap.fill(
        text,
        width=100,
        initial_indent=lead,
        subsequent_indent=" " * len(lead),
        break_long_words=False,
        break_on_hyphens=False,
    )
