"""The MCP tools: each one a thin adapter that validates nothing itself and makes one engine call.

Imported only when a request needs the tools (see lazy.py): the result models it imports
are what makes the output schemas, and building them is the costly part of start-up.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from alimail_mcp.clients.models import ClientSettingsResult
from alimail_mcp.config import ENV_TOOL_TIMEOUT, Settings, load_settings
from alimail_mcp.diagnosis.models import DiagnosisResult
from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.errors import InputError
from alimail_mcp.missing_mail.models import MissingMailDiagnosis
from alimail_mcp.recovery.models import RecoveryPlan
from alimail_mcp.router.models import RouteResult
from alimail_mcp.secure_setup.models import SecureSetupPlan
from alimail_mcp.webmail.models import WebmailResult
from alimail_mcp.worker import on_network_loop

T = TypeVar("T")
log = logging.getLogger(__name__)

# Argument limits the schemas show clients; the engines check the same rules (tests/test_bounds.py).
QUESTION_CHARS = 4000
"""A question or a description in the user's words (router, recovery planner)."""
LINE_CHARS = 1000
"""One message as shown on a screen (a lock message)."""
DOMAIN_CHARS = 255
"""A domain as typed: 253 characters, a trailing dot and a space (a Unicode name is checked converted)."""
ADDRESS_CHARS = 320
HOST_CHARS = 255
STAMP_CHARS = 64
"""A timestamp or an IP address."""
CHOICE_CHARS = 40
"""A name picked from a short list (client, site, protocol, security)."""
MAX_SELECTORS = 20
BOUNCE_CHARS = 10_000_000
"""A whole bounce email; the diagnosis engine refuses more than 10 MB with the same rule."""
MAX_GOALS = 8
CERTIFICATE_CHARS = 65_536
"""A certificate as PEM or base64 text (a chain fits); secure_setup.certificate refuses more."""
MAX_SYMPTOMS = 16
HEADERS_CHARS = 262_144
"""A pasted header block or bounce for diagnose_missing_mail; the engine refuses more."""

OFFLINE = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
ONLINE = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)


async def _engine(
    call: Coroutine[Any, Any, T], settings: Settings | None = None, *, network: bool = False
) -> T:
    """Await an engine call within the per-call time budget (`settings.tool_timeout`, default: the
    environment's). Bad input becomes a tool error naming the field, running out of time one that says
    so, and any other failure one without the exception's text: that text may quote outside data (a
    record, a bounce), which reaches the client only as evidence in a result."""
    budget = (settings or load_settings()).tool_timeout
    deadline = asyncio.timeout(budget)
    try:
        async with deadline:
            return await (on_network_loop(call) if network else call)
    except InputError as exc:
        raise ToolError(str(exc)) from None
    except ToolError:
        raise
    except Exception as exc:
        if isinstance(exc, TimeoutError) and deadline.expired():
            raise ToolError(
                f"the call did not finish within its time budget of {budget:g} s ({ENV_TOOL_TIMEOUT}); "
                "try again, or ask the administrator to raise the budget"
            ) from None
        log.exception("tool call failed")
        raise ToolError(f"internal error ({type(exc).__name__}); the server log has the details") from None


def _add(server: MCPServer, fn: Callable[..., Any], title: str, hints: ToolAnnotations) -> None:
    server.add_tool(fn, title=title, description=inspect.cleandoc(fn.__doc__ or ""), annotations=hints)


def register(server: MCPServer, settings: Settings) -> None:
    """Add every tool, in the order clients list them."""

    async def route_query(
        query: Annotated[
            str,
            Field(
                description="The user's question or pasted error, English or Chinese.",
                min_length=1,
                max_length=QUESTION_CHARS,
            ),
        ],
    ) -> RouteResult:
        """Route an Alibaba Mail question to its intent and troubleshooting path, with the path's steps,
        key facts and the pitfalls of choosing the wrong path. Offline and deterministic."""
        from alimail_mcp.router.route import route_async

        return await _engine(route_async(query), settings)

    _add(server, route_query, "Route a mail question", OFFLINE)

    async def check_dns(
        domain: Annotated[
            str,
            Field(description="The mail domain, e.g. example.com (IDN allowed).", max_length=DOMAIN_CHARS),
        ],
        dkim_selectors: Annotated[
            list[Annotated[str, Field(max_length=DOMAIN_CHARS)]] | None,
            Field(
                description="DKIM selectors to check (shown in the Alibaba Mail admin console); "
                "default: a short list of common ones.",
                max_length=MAX_SELECTORS,
            ),
        ] = None,
        sending_ip: Annotated[
            str | None,
            Field(
                description="An IP the domain sends from (e.g. from a bounce): evaluates SPF for it.",
                max_length=STAMP_CHARS,
            ),
        ] = None,
        compare_authoritative: Annotated[
            bool,
            Field(
                description="Also ask the domain's own nameservers and report records that resolvers do "
                "not show yet, with how long caches may keep the old ones (use after a recent change)."
            ),
        ] = False,
    ) -> DnsAuditResult:
        """Audit a domain's live DNS against the Alibaba Mail profile (MX, SPF with RFC 7208 evaluation,
        DKIM, DMARC, webmail CNAME) and return findings with fixes and the exact DNS change plan."""
        from alimail_mcp.dns.audit import audit_domain

        return await _engine(
            audit_domain(
                domain,
                dkim_selectors=dkim_selectors,
                sending_ip=sending_ip,
                compare_authoritative=compare_authoritative,
                settings=settings,
                authoritative_port=settings.authoritative_port,
            ),
            settings,
            network=True,
        )

    _add(server, check_dns, "Audit a mail domain's DNS", ONLINE)

    async def diagnose_send_error(
        error_text: Annotated[
            str,
            Field(
                description="What the user got: an SMTP reply line, a webmail or client error message, "
                "an Alibaba Mail notice (English or Chinese), or a whole bounce email (.eml text), "
                "up to 10 MB.",
                min_length=1,
                max_length=BOUNCE_CHARS,
            ),
        ],
        domain: Annotated[
            str | None,
            Field(
                description="The sender's domain; when the failure is about authentication its DNS is "
                "checked live (default: read from the bounce).",
                max_length=DOMAIN_CHARS,
            ),
        ] = None,
    ) -> DiagnosisResult:
        """Explain a bounce or an SMTP/webmail error: per recipient the reason (Sisimai's vocabulary),
        whether it is permanent, the receiver-specific cause and the fix, and whether retrying helps;
        checks the sender domain's DNS live when the failure is about authentication."""
        from alimail_mcp.diagnosis.engine import diagnose

        return await _engine(diagnose(error_text, domain=domain, settings=settings), settings)

    _add(server, diagnose_send_error, "Diagnose a bounce or send error", ONLINE)

    async def recover_access(
        description: Annotated[
            str | None,
            Field(description="What the user says, in English or Chinese.", max_length=QUESTION_CHARS),
        ] = None,
        forgot_password: Annotated[bool | None, Field(description="The user forgot the password.")] = None,
        has_secure_phone: Annotated[
            bool | None, Field(description="A secure phone number is bound and still in use.")
        ] = None,
        has_security_questions: Annotated[
            bool | None, Field(description="Security questions are set and the user knows the answers.")
        ] = None,
        lock_message: Annotated[
            str | None,
            Field(description="The message the login page shows, verbatim.", max_length=LINE_CHARS),
        ] = None,
        locked_at: Annotated[
            str | None,
            Field(description="When the lock began, ISO 8601 with offset.", max_length=STAMP_CHARS),
        ] = None,
        has_app: Annotated[bool | None, Field(description="The Alibaba Mail app is installed.")] = None,
        app_logged_in: Annotated[bool | None, Field(description="The user is signed in to the app.")] = None,
        is_admin: Annotated[
            bool | None, Field(description="The person asking is a postmaster/admin.")
        ] = None,
        now: Annotated[
            str | None,
            Field(
                description="The current time, ISO 8601 with offset (default: now).", max_length=STAMP_CHARS
            ),
        ] = None,
    ) -> RecoveryPlan:
        """Plan how a user gets back into a mailbox: self-service reset, waiting out or lifting a lock,
        QR login, or what to ask the administrator; with unlock time and fallbacks. Offline."""
        from alimail_mcp.recovery.plan import recover_access as plan

        return await _engine(
            plan(
                description=description,
                forgot_password=forgot_password,
                has_secure_phone=has_secure_phone,
                has_security_questions=has_security_questions,
                lock_message=lock_message,
                locked_at=locked_at,
                has_app=has_app,
                app_logged_in=app_logged_in,
                is_admin=is_admin,
                now=now,
            ),
            settings,
        )

    _add(server, recover_access, "Plan access recovery", OFFLINE)

    async def check_client_settings(
        email: Annotated[
            str | None, Field(description="The mailbox address.", max_length=ADDRESS_CHARS)
        ] = None,
        protocol: Annotated[str | None, Field(description="imap or pop3.", max_length=CHOICE_CHARS)] = None,
        incoming_server: Annotated[
            str | None, Field(description="Incoming (IMAP/POP3) server.", max_length=HOST_CHARS)
        ] = None,
        incoming_port: Annotated[int | None, Field(description="Incoming port.", ge=1, le=65535)] = None,
        incoming_security: Annotated[
            str | None, Field(description="ssl, starttls or none.", max_length=CHOICE_CHARS)
        ] = None,
        outgoing_server: Annotated[
            str | None, Field(description="Outgoing (SMTP) server.", max_length=HOST_CHARS)
        ] = None,
        outgoing_port: Annotated[int | None, Field(description="Outgoing port.", ge=1, le=65535)] = None,
        outgoing_security: Annotated[
            str | None, Field(description="ssl, starttls or none.", max_length=CHOICE_CHARS)
        ] = None,
        username: Annotated[
            str | None, Field(description="The user name typed in the client.", max_length=ADDRESS_CHARS)
        ] = None,
        client: Annotated[
            str | None,
            Field(
                description="Outlook, Foxmail, iPhone Mail, Thunderbird, Android or other.",
                max_length=CHOICE_CHARS,
            ),
        ] = None,
        site: Annotated[
            str | None,
            Field(description="China, Singapore, Hong Kong, Germany or US.", max_length=CHOICE_CHARS),
        ] = None,
        probe: Annotated[
            bool,
            Field(description="Also connect to the configured servers (greeting, TLS, certificate names)."),
        ] = False,
    ) -> ClientSettingsResult:
        """Check a mail client's POP/IMAP/SMTP settings against Alibaba Mail's, with the correct settings
        table for that client; with probe, connect to the servers (never sends a password)."""
        from alimail_mcp.clients.check import check_client_settings as check

        return await _engine(
            check(
                email=email,
                protocol=protocol,
                incoming_server=incoming_server,
                incoming_port=incoming_port,
                incoming_security=incoming_security,
                outgoing_server=outgoing_server,
                outgoing_port=outgoing_port,
                outgoing_security=outgoing_security,
                username=username,
                client=client,
                site=site,
                probe=probe,
                settings=settings,
            ),
            settings,
        )

    _add(server, check_client_settings, "Check mail client settings", ONLINE)

    async def check_webmail(
        domain: Annotated[
            str, Field(description="The mail domain; mail.<domain> is checked.", max_length=DOMAIN_CHARS)
        ],
    ) -> WebmailResult:
        """Check why webmail at mail.<domain> does not open: the CNAME chain, then HTTP and HTTPS
        (status, redirects, certificate name), with the administrator's steps for 5xx errors."""
        from alimail_mcp.webmail.check import check_webmail as check

        return await _engine(check(domain, settings=settings), settings)

    _add(server, check_webmail, "Check webmail access", ONLINE)

    async def plan_secure_setup(
        domain: Annotated[
            str,
            Field(description="The mail domain, e.g. example.com (IDN allowed).", max_length=DOMAIN_CHARS),
        ],
        edition: Annotated[
            str | None,
            Field(
                description="The Alibaba Mail edition: standard, premium, enterprise or 'AI Premium' "
                "(S/MIME exists only on AI Premium).",
                max_length=CHOICE_CHARS,
            ),
        ] = None,
        goals: Annotated[
            list[Annotated[str, Field(max_length=CHOICE_CHARS)]] | None,
            Field(
                description="Any of: anti-spoofing (SPF, DKIM, DMARC), signing, encryption (S/MIME), "
                "spam-control (blacklist, whitelist, anti-spam level). Default: all.",
                max_length=MAX_GOALS,
            ),
        ] = None,
        certificate: Annotated[
            str | None,
            Field(
                description="An S/MIME certificate to check: PEM text, base64 DER, or the path of a "
                ".cer/.crt/.pem/.der file on the server's machine. A .p12/.pfx file needs its password: "
                "check it with `alimail-mcp smime-check FILE` instead; never send a password here.",
                max_length=CERTIFICATE_CHARS,
            ),
        ] = None,
        mailbox: Annotated[
            str | None,
            Field(
                description="The mailbox the certificate is for (its address must be in it).",
                max_length=ADDRESS_CHARS,
            ),
        ] = None,
    ) -> SecureSetupPlan:
        """Plan how to secure a domain's mail from its live DNS: SPF first, then DKIM (created in the admin
        console), then DMARC at p=none with reports and the dates to move to quarantine and reject, each
        with its record and propagation time; S/MIME eligibility and certificate checks; what Strict
        anti-spam mode and permanent spam deletion cost, and the whitelist to build first."""
        from alimail_mcp.secure_setup.plan import plan_secure_setup as plan

        return await _engine(
            plan(
                domain,
                edition=edition,
                goals=goals,
                certificate=certificate,
                mailbox=mailbox,
                settings=settings,
                authoritative_port=settings.authoritative_port,
            ),
            settings,
        )

    _add(server, plan_secure_setup, "Plan secure mail setup", ONLINE)

    async def diagnose_missing_mail(
        domain: Annotated[
            str,
            Field(description="The receiving mail domain, e.g. example.com.", max_length=DOMAIN_CHARS),
        ],
        sender: Annotated[
            str | None,
            Field(
                description="Who sent the missing mail: an address or a domain (their SPF and DMARC are "
                "checked live).",
                max_length=ADDRESS_CHARS,
            ),
        ] = None,
        symptoms: Annotated[
            list[Annotated[str, Field(max_length=CHOICE_CHARS)]] | None,
            Field(
                description="What the user reports, any of: uses_pop_client, mailbox_full, "
                "has_rules_or_forwarding, sender_got_bounce, bounce_text, found_in_spam, only_some_senders, "
                "recently_changed_dns.",
                max_length=MAX_SYMPTOMS,
            ),
        ] = None,
        headers: Annotated[
            str | None,
            Field(
                description="The raw header block of a message that arrived late or in spam, or of the "
                "sender's copy (read as evidence only).",
                max_length=HEADERS_CHARS,
            ),
        ] = None,
        bounce_text: Annotated[
            str | None,
            Field(
                description="The bounce the sender received (its text or the whole bounce message).",
                max_length=HEADERS_CHARS,
            ),
        ] = None,
    ) -> MissingMailDiagnosis:
        """Find why mail sent to a domain did not arrive: live MX/SPF checks (another provider's MX first),
        mailbox causes (POP deletion, rules and forwarding, the storage limit, sync), spam filtering
        (ESO_LOCAL_SPAM, blacklist, Strict mode, .eml appeal), the Received hops with delays,
        SPF/DKIM/DMARC/ARC verdicts and spam scores from headers; ranked causes with evidence and steps,
        and the question to ask next when the evidence cannot decide."""
        from alimail_mcp.missing_mail.diagnose import diagnose_missing_mail as diagnose

        return await _engine(
            diagnose(
                domain,
                sender=sender,
                symptoms=symptoms,
                headers=headers,
                bounce_text=bounce_text,
                settings=settings,
                authoritative_port=settings.authoritative_port,
            ),
            settings,
        )

    _add(server, diagnose_missing_mail, "Diagnose missing mail", ONLINE)
