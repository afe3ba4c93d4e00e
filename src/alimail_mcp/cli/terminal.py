"""Human output for a terminal: text wrapped to its width, colour only on a terminal (never with
NO_COLOR), and the sections every command shares, drawn from the result models alone: findings
grouped by severity with each fix said once, the resolver a live check asked, a list of steps.

A finding of any code renders here without code of its own; a command prints its own tables and
calls these for the rest.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from alimail_mcp.models import Finding, ResolverReport, Severity

FALLBACK_WIDTH = 100
"""Columns when the output is not a terminal (a file, a pipe) and COLUMNS is not set."""
MIN_WIDTH = 40
_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
_SEVERITY_STYLE = {
    Severity.ERROR: "red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
    Severity.OK: "green",
}
_SEVERITY_HEADING = {
    Severity.ERROR: "Errors",
    Severity.WARNING: "Warnings",
    Severity.INFO: "For information",
    Severity.OK: "Checked and fine",
}
_RESOLVER_STATE = {
    "answering": "answered",
    "not-answering": "NOT ANSWERING",
    "no-route": "NOT REACHABLE (no network route)",
    "not-asked": "not asked",
}


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass
class Terminal:
    """Where a command writes its human output, and how wide and colourful it may be."""

    out: TextIO
    width: int = FALLBACK_WIDTH
    colour: bool = False
    _said: set[str] = field(default_factory=set)

    @classmethod
    def for_stdout(cls) -> Terminal:
        out = sys.stdout
        width = shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns  # COLUMNS first, then the tty
        return cls(out, max(MIN_WIDTH, width), colour_wanted(out))

    # -- text ---------------------------------------------------------------------------------------

    def style(self, text: str, *styles: str) -> str:
        if not self.colour or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"

    def wrap(self, text: str, lead: str = "", indent: int | None = None) -> str:
        """`text` filled to the width after `lead`; later lines indented like the text (or `indent`)."""
        rest = " " * (len(lead) if indent is None else indent)
        return textwrap.fill(
            " ".join(text.split()),
            width=self.width,
            initial_indent=lead,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )

    def line(self, text: str = "", lead: str = "", indent: int | None = None, *, step: bool = False) -> None:
        """One wrapped paragraph; `step`: it is advice, which a later list of steps will not repeat."""
        self.out.write((self.wrap(text, lead, indent) if text else lead.rstrip()) + "\n")
        if step:
            self._said.add(text)

    def code(self, text: str, lead: str = "") -> None:
        """A command or record to copy: never wrapped, so that it stays one line."""
        self.out.write(f"{lead}{text}\n")

    def heading(self, title: str) -> None:
        self.out.write(f"\n{self.style(title, 'bold')}\n")

    def steps(self, title: str, items: Sequence[str], *, numbered: bool = False) -> None:
        """A titled list; an item already said in this output is not said again."""
        fresh = [s for s in dict.fromkeys(items) if s not in self._said]
        if not fresh:
            return
        self.heading(title)
        for n, item in enumerate(fresh, 1):
            self.line(item, f"  {n}. " if numbered else "  - ", step=True)

    # -- shared sections ----------------------------------------------------------------------------

    def resolver(self, report: ResolverReport | None) -> None:
        """One line: which resolver a live check asked, and whether it answered."""
        if report is None or report.state == "not-asked":
            return
        kind = "configured" if report.configured else "system"
        servers = ", ".join(report.servers) or "none configured"
        state = _RESOLVER_STATE[report.state]
        styled = self.style(state, "red" if report.state != "answering" else "green")
        self.line(f"DNS resolver: {servers} ({kind}): {styled}")

    def findings(self, findings: Iterable[Finding], *, title: str = "FINDINGS") -> None:
        """Findings grouped by severity (errors first); the same fix steps are said once, after the
        run of findings that share them, and a step said earlier in the output is not repeated."""
        listed = list(findings)
        if not listed:
            return
        self.heading(title)
        for severity in Severity:
            group = [f for f in listed if f.severity is severity]
            if group:
                label = self.style(f"{_SEVERITY_HEADING[severity]} ({len(group)})", _SEVERITY_STYLE[severity])
                self.out.write(f"  {label}\n")
                self._group(group)

    def _group(self, group: list[Finding]) -> None:
        by_fix: dict[tuple[str, ...], list[Finding]] = {}
        for finding in group:
            by_fix.setdefault(tuple(finding.fix), []).append(finding)
        for fix, sharing in by_fix.items():
            for finding in sharing:
                self.line(f"{self.style(finding.code, 'dim')}: {finding.title}", "    - ", 6)
            fresh = [step for step in fix if step not in self._said]
            lead = "fix: " if len(sharing) == 1 else f"fix (all {len(sharing)} above): "
            for n, step in enumerate(fresh):
                self.line(step, " " * 6 + (lead if n == 0 else " " * len(lead)), step=True)
            if fix and not fresh:
                self.line("fix: as above", " " * 6)
