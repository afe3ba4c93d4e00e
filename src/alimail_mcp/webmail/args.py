"""check_webmail's arguments."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from alimail_mcp.inputs import DOMAIN_TEXT_CHARS
from alimail_mcp.models import ToolArgs


class CheckWebmailArgs(ToolArgs):
    """Check why webmail at mail.<domain> does not open: the CNAME chain, then HTTP and HTTPS
    (status, redirects, certificate name), with the administrator's steps for 5xx errors."""

    domain: Annotated[
        str, Field(description="The mail domain; mail.<domain> is checked.", max_length=DOMAIN_TEXT_CHARS)
    ]
