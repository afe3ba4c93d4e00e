"""Local delivery agents (procmail, maildrop, dovecot, vpopmail ...): their first error line names
the agent, the phrase table in skills/reasons.yaml (`mda`) gives the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alimail_mcp.diagnosis.delivery import Mail
from alimail_mcp.diagnosis.reason.tables import tables

_SENDER = re.compile(r"^(?:mail delivery subsystem|mailer-daemon|postmaster)")


@dataclass(slots=True, frozen=True)
class LocalError:
    agent: str
    reason: str
    message: str


def read(mail: Mail) -> LocalError | None:
    if not _SENDER.match(mail.header("from").lower()) or not mail.body:
        return None
    agents = tables().mda
    agent = ""
    lines: list[str] = []
    for line in mail.body.split("\n"):
        if not agent:
            if not line:
                continue
            lowered = line.lower()
            agent = next((name for name, (marker, _) in agents.items() if marker.search(lowered)), "")
            if not agent:
                continue
        lines.append(line)
        if not line:
            break
    if not agent:
        return None
    for reason, phrases in agents[agent][1].items():
        for line in lines:
            lowered = line.lower()
            if any(p in lowered for p in phrases):
                return LocalError(agent, reason, line)
    return LocalError(agent, "", "")
