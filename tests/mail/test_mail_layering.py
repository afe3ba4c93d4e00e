"""mail/ is the lower layer: it imports the standard library and itself, nothing else of the project."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import alimail_mcp.mail

MAIL = Path(alimail_mcp.mail.__file__).parent


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_mail_imports_only_the_standard_library_and_itself() -> None:
    for path in sorted(MAIL.glob("*.py")):
        for name in imported(path):
            top = name.split(".")[0]
            assert name.startswith("alimail_mcp.mail") or (
                top != "alimail_mcp" and top in sys.stdlib_module_names
            ), f"{path.name} imports {name}"
