"""recover_access's arguments: the situation, as far as the user knows it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from alimail_mcp.inputs import LINE_CHARS, QUESTION_CHARS, STAMP_CHARS
from alimail_mcp.models import ToolArgs

DESCRIPTION_CHARS = QUESTION_CHARS
LOCK_MESSAGE_CHARS = LINE_CHARS


class RecoverAccessArgs(ToolArgs):
    """Plan how a user gets back into a mailbox: self-service reset, waiting out or lifting a lock,
    QR login, or what to ask the administrator; with unlock time and fallbacks. Offline."""

    description: Annotated[
        str | None,
        Field(description="What the user says, in English or Chinese.", max_length=DESCRIPTION_CHARS),
    ] = None
    forgot_password: Annotated[bool | None, Field(description="The user forgot the password.")] = None
    has_secure_phone: Annotated[
        bool | None, Field(description="A secure phone number is bound and still in use.")
    ] = None
    has_security_questions: Annotated[
        bool | None, Field(description="Security questions are set and the user knows the answers.")
    ] = None
    lock_message: Annotated[
        str | None,
        Field(description="The message the login page shows, verbatim.", max_length=LOCK_MESSAGE_CHARS),
    ] = None
    locked_at: Annotated[
        str | None,
        Field(description="When the lock began, ISO 8601 with offset.", max_length=STAMP_CHARS),
    ] = None
    has_app: Annotated[bool | None, Field(description="The Alibaba Mail app is installed.")] = None
    app_logged_in: Annotated[bool | None, Field(description="The user is signed in to the app.")] = None
    is_admin: Annotated[bool | None, Field(description="The person asking is a postmaster/admin.")] = None
    now: Annotated[
        str | None,
        Field(description="The current time, ISO 8601 with offset (default: now).", max_length=STAMP_CHARS),
    ] = None
