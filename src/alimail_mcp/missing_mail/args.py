"""diagnose_missing_mail's arguments."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from alimail_mcp.inputs import ADDRESS_CHARS, CHOICE_CHARS, DOMAIN_TEXT_CHARS
from alimail_mcp.models import ToolArgs

Symptom = Literal[
    "uses_pop_client",
    "mailbox_full",
    "has_rules_or_forwarding",
    "sender_got_bounce",
    "bounce_text",
    "found_in_spam",
    "only_some_senders",
    "recently_changed_dns",
]
SYMPTOMS: tuple[Symptom, ...] = get_args(Symptom)
MAX_SYMPTOMS = 16
HEADERS_CHARS = 262_144
"""A pasted header block, or a bounce."""


class DiagnoseMissingMailArgs(ToolArgs):
    """Find why mail sent to a domain did not arrive: live MX/SPF checks (another provider's MX first),
    mailbox causes (POP deletion, rules and forwarding, the storage limit, sync), spam filtering
    (ESO_LOCAL_SPAM, blacklist, Strict mode, .eml appeal), the Received hops with delays,
    SPF/DKIM/DMARC/ARC verdicts and spam scores from headers; ranked causes with evidence and steps,
    and the question to ask next when the evidence cannot decide."""

    domain: Annotated[
        str,
        Field(description="The receiving mail domain, e.g. example.com.", max_length=DOMAIN_TEXT_CHARS),
    ]
    sender: Annotated[
        str | None,
        Field(
            description="Who sent the missing mail: an address or a domain (their SPF and DMARC are "
            "checked live).",
            max_length=ADDRESS_CHARS,
        ),
    ] = None
    symptoms: Annotated[
        list[Annotated[str, Field(max_length=CHOICE_CHARS)]] | None,
        Field(
            description=f"What the user reports, any of: {', '.join(SYMPTOMS)}.",
            max_length=MAX_SYMPTOMS,
        ),
    ] = None
    headers: Annotated[
        str | None,
        Field(
            description="The raw header block of a message that arrived late or in spam, or of the "
            "sender's copy (read as evidence only).",
            max_length=HEADERS_CHARS,
        ),
    ] = None
    bounce_text: Annotated[
        str | None,
        Field(
            description="The bounce the sender received (its text or the whole bounce message).",
            max_length=HEADERS_CHARS,
        ),
    ] = None
