"""diagnose_send_error's arguments."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from alimail_mcp.inputs import DOMAIN_TEXT_CHARS
from alimail_mcp.models import ToolArgs

ERROR_TEXT_CHARS = 10_000_000
"""A whole bounce email; the parser also refuses more than 10 MB of bytes (classify.MAX_INPUT_BYTES)."""


class DiagnoseSendErrorArgs(ToolArgs):
    """Explain a bounce or an SMTP/webmail error: per recipient the reason (Sisimai 5's vocabulary),
    whether it is permanent, the receiver-specific cause and the fix, and whether retrying helps;
    checks live what the bounce blames (the sender domain's SPF/DKIM/DMARC, the sending IP's
    reverse DNS, blocklists) and says whether the problem is still there."""

    error_text: Annotated[
        str,
        Field(
            description="What the user got: an SMTP reply line, a webmail or client error message, "
            "an Alibaba Mail notice (English or Chinese), or a whole bounce email (.eml text), "
            "up to 10 MB.",
            min_length=1,
            max_length=ERROR_TEXT_CHARS,
        ),
    ]
    domain: Annotated[
        str | None,
        Field(
            description="The sender's domain; when the failure is about authentication its DNS is "
            "checked live (default: read from the bounce).",
            max_length=DOMAIN_TEXT_CHARS,
        ),
    ] = None
