"""Each tool's contract is its arguments model: the engine takes exactly its fields, the MCP schema and the
CLI subcommand are built from it, and the CLI refuses what the model refuses, naming the flag."""

from __future__ import annotations

import importlib
import inspect

import pytest

from alimail_mcp.cli import build_parser, main
from alimail_mcp.server.tools import TOOLS, ToolRow

CLI_COMMAND = {
    "route_query": "route",
    "check_dns": "check-dns",
    "diagnose_send_error": "diagnose",
    "recover_access": "recover",
    "check_client_settings": "check-client",
    "check_webmail": "check-webmail",
    "plan_secure_setup": "secure-plan",
    "diagnose_missing_mail": "missing-mail",
    "analyze_dmarc_reports": "dmarc-reports",
}


def engine_parameters(row: ToolRow) -> dict[str, inspect.Parameter]:
    module, _, name = row.engine.partition(":")
    return dict(inspect.signature(getattr(importlib.import_module(module), name)).parameters)


@pytest.mark.parametrize("row", TOOLS, ids=lambda r: r.name)
def test_the_engine_takes_every_argument_and_settings_when_the_row_says_so(row: ToolRow) -> None:
    params = engine_parameters(row)
    assert set(row.args.model_fields) <= set(params), row.name
    assert ("settings" in params) is row.takes_settings, row.name


@pytest.mark.parametrize("row", TOOLS, ids=lambda r: r.name)
def test_the_tool_description_is_the_model_docstring(row: ToolRow) -> None:
    assert row.args.__doc__ and len(row.args.__doc__.split()) >= 8
    for name, field in row.args.model_fields.items():
        assert field.description, f"{row.name}.{name} has no description"


def test_every_tool_has_a_subcommand() -> None:
    assert set(CLI_COMMAND) == {row.name for row in TOOLS}


@pytest.mark.parametrize("row", TOOLS, ids=lambda r: r.name)
def test_the_subcommand_offers_every_argument(row: ToolRow) -> None:
    command = CLI_COMMAND[row.name]
    parser = build_parser([command])
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    dests = {action.dest for action in sub._actions}
    assert set(row.args.model_fields) <= dests, (command, set(row.args.model_fields) - dests)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["check-client", "--incoming-port", "0"], "--incoming-port"),
        (["check-client", "--outgoing-port", "smtp"], "--outgoing-port"),
        (["route", "x" * 4001], "QUERY"),
        (["recover", "--lock-message", "y" * 1001], "--lock-message"),
        (["check-webmail", "z" * 256], "DOMAIN"),
        (
            ["check-dns", "example.test", *[a for i in range(21) for a in ("--selector", f"s{i}")]],
            "--selector",
        ),
    ],
)
def test_the_cli_refuses_what_the_model_refuses_naming_the_flag(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"invalid {named}:" in err and err.count("\n") == 1, err


def test_only_the_command_being_run_is_configured() -> None:
    parser = build_parser(["route", "hello"])
    subs = next(a for a in parser._actions if a.dest == "command").choices
    assert any(a.dest == "query" for a in subs["route"]._actions)
    assert not any(a.dest == "domain" for a in subs["check-dns"]._actions)
