"""`alimail-mcp route "question"`: route a question to its intent and path (the route_query tool)."""

from __future__ import annotations

import argparse
from typing import Any

from alimail_mcp.cli.terminal import Terminal
from alimail_mcp.cli.tool_args import Flag, add_arguments, read_arguments
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
    result = route(query)  # a broken knowledge base is reported by the command line's main (exit 3)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        term = Terminal.for_stdout()
        term.out.write(render(result, term) + "\n")
    return 0


def render(result: Any, term: Terminal) -> str:
    """The route result as text for a terminal."""
    _wrap = term.wrap
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
