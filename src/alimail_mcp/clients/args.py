"""check_client_settings's arguments: what the mail client is set to."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from alimail_mcp.inputs import ADDRESS_CHARS, CHOICE_CHARS, HOST_CHARS
from alimail_mcp.models import ToolArgs


class CheckClientSettingsArgs(ToolArgs):
    """Check a mail client's POP/IMAP/SMTP settings against Alibaba Mail's, with the correct settings
    table for that client; with probe, connect to the servers (never sends a password)."""

    email: Annotated[str | None, Field(description="The mailbox address.", max_length=ADDRESS_CHARS)] = None
    protocol: Annotated[str | None, Field(description="imap or pop3.", max_length=CHOICE_CHARS)] = None
    incoming_server: Annotated[
        str | None, Field(description="Incoming (IMAP/POP3) server.", max_length=HOST_CHARS)
    ] = None
    incoming_port: Annotated[int | None, Field(description="Incoming port.", ge=1, le=65535)] = None
    incoming_security: Annotated[
        str | None, Field(description="ssl, starttls or none.", max_length=CHOICE_CHARS)
    ] = None
    outgoing_server: Annotated[
        str | None, Field(description="Outgoing (SMTP) server.", max_length=HOST_CHARS)
    ] = None
    outgoing_port: Annotated[int | None, Field(description="Outgoing port.", ge=1, le=65535)] = None
    outgoing_security: Annotated[
        str | None, Field(description="ssl, starttls or none.", max_length=CHOICE_CHARS)
    ] = None
    username: Annotated[
        str | None, Field(description="The user name typed in the client.", max_length=ADDRESS_CHARS)
    ] = None
    client: Annotated[
        str | None,
        Field(
            description="Outlook, Foxmail, iPhone Mail, Thunderbird, Android or other.",
            max_length=CHOICE_CHARS,
        ),
    ] = None
    site: Annotated[
        str | None,
        Field(description="China, Singapore, Hong Kong, Germany or US.", max_length=CHOICE_CHARS),
    ] = None
    probe: Annotated[
        bool,
        Field(description="Also connect to the configured servers (greeting, TLS, certificate names)."),
    ] = False
