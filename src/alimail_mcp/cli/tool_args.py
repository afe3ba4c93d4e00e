"""A subcommand's flags built from its tool's arguments model, and the model read back from them.

The model (`<engine>/args.py`) holds each argument's name, help text, limits and default; a subcommand
only says where the command line spells a field differently (`Flag`). Values are checked by the model,
so the command line and the MCP tool refuse the same input, and an error names the flag.
"""

from __future__ import annotations

import argparse
import sys
import types
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from alimail_mcp.errors import InputError
from alimail_mcp.models import ToolArgs

M = TypeVar("M", bound=ToolArgs)
MAX_FILE_BYTES = 1_048_576
"""Largest file a flag of kind `from_file` reads (a header block or a bounce)."""


@dataclass(frozen=True)
class Flag:
    """How one field is spelt on the command line, where it is not `--field-name VALUE`."""

    name: str | None = None
    """The long option without dashes (`selector` for `dkim_selectors`)."""
    positional: bool = False
    optional: bool = False
    """A positional that may be left out (another flag can give the value)."""
    words: bool = False
    """A positional taking every remaining word, joined by spaces (a question typed without quotes)."""
    metavar: str | None = None
    choices: Sequence[str] | None = None
    help: str | None = None
    """Instead of the field's description."""
    on_by_default: bool = False
    """A bool the command line turns on unless `--no-NAME` is given (the model's default is off)."""
    from_file: bool = False
    """The flag names a file ('-' for stdin) whose text is the value."""


def add_arguments(
    parser: argparse.ArgumentParser,
    model: type[ToolArgs],
    flags: Mapping[str, Flag] | None = None,
    skip: Collection[str] = (),
) -> None:
    """Add one argument per field of `model` (in its order), except those in `skip`; the parser keeps how
    each field is spelt (`flag_names`), so an error an engine raises about a field names the flag."""
    names: dict[str, str] = dict(parser.get_default("flag_names") or {})
    for field, info in model.model_fields.items():
        if field not in skip:
            flag = (flags or {}).get(field, Flag())
            _add(parser, field, info, flag)
            names[field] = option(field, flag)
    parser.set_defaults(flag_names=names)


def name_flags(parser: argparse.ArgumentParser, **names: str) -> None:
    """Say how the command line spells fields it adds itself (`today="--today"`), for error messages."""
    parser.set_defaults(flag_names={**(parser.get_default("flag_names") or {}), **names})


def read_arguments(
    model: type[M], args: argparse.Namespace, flags: Mapping[str, Flag] | None = None, **given: Any
) -> M:
    """The model from the parsed flags (`given` fills fields the command sets itself); InputError
    naming the flag when a value breaks the model's rules."""
    flags = flags or {}
    values: dict[str, Any] = {}
    for field in model.model_fields:
        flag = flags.get(field, Flag())
        value = given[field] if field in given else getattr(args, field, None)
        if flag.words and isinstance(value, list):
            value = " ".join(value)
        if flag.from_file and isinstance(value, str):
            value = read_text_file(value, option(field, flag))
        if value is not None:
            values[field] = value
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        where = option(field, flags.get(field, Flag())) if field in model.model_fields else "arguments"
        raise InputError(where, error["msg"][:1].lower() + error["msg"][1:]) from None


def option(field: str, flag: Flag) -> str:
    """How an error names the field: its option (`--selector`), or its positional's name."""
    name = flag.name or field
    return name.upper() if flag.positional else "--" + name.replace("_", "-")


def read_text_file(path: str, flag: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A file's text ('-': stdin); bytes that are not UTF-8 become replacement characters."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            file = Path(path)
            if file.stat().st_size > max_bytes:
                raise InputError(flag, f"{path} is larger than {max_bytes} bytes")
            data = file.read_bytes()
    except OSError as exc:
        raise InputError(flag, f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(flag, f"stdin gave more than {max_bytes} bytes")
    return data.decode("utf-8", "replace")


def _add(parser: argparse.ArgumentParser, field: str, info: FieldInfo, flag: Flag) -> None:
    kind = _kind(info.annotation)
    help_text = flag.help or info.description
    if flag.positional:
        nargs = "+" if flag.words else ("?" if flag.optional else None)
        parser.add_argument(field, nargs=nargs, metavar=(flag.name or field).upper(), help=help_text)
        return
    dashed = "--" + (flag.name or field).replace("_", "-")
    if kind is bool and flag.on_by_default:
        parser.add_argument("--no-" + dashed[2:], dest=field, action="store_false", help=help_text)
    elif kind is bool and info.default is None:
        parser.add_argument(dashed, dest=field, action=argparse.BooleanOptionalAction, help=help_text)
    elif kind is bool:
        parser.add_argument(dashed, dest=field, action="store_true", help=help_text)
    else:
        parser.add_argument(
            dashed,
            dest=field,
            action="append" if kind is list else "store",
            metavar=flag.metavar or ("FILE" if flag.from_file else None),
            choices=flag.choices,
            help=_file_help(help_text) if flag.from_file else help_text,
        )


def _kind(annotation: Any) -> type:
    """bool, list or str: what the field holds, `| None` aside."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation) or annotation
    return origin if origin in (bool, list) else str


def _lower(text: str | None) -> str:
    return (text or "")[:1].lower() + (text or "")[1:]


def _file_help(text: str | None) -> str:
    return f"a file with {_lower(text)} ('-' for stdin)"
