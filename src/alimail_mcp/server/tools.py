"""The tool table: every tool the server offers, one row each, in the order clients list them.

A tool is a row here plus an arguments model beside its engine (`<engine>/args.py`): the model holds
the argument names, descriptions, limits and defaults and, as its docstring, the tool's description;
the CLI builds its flags from the same model. Imported only when a request needs the tools (see
lazy.py): building the result models' schemas is the costly part of start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from alimail_mcp.clients.args import CheckClientSettingsArgs
from alimail_mcp.clients.models import ClientSettingsResult
from alimail_mcp.diagnosis.args import DiagnoseSendErrorArgs
from alimail_mcp.diagnosis.models import DiagnosisResult
from alimail_mcp.dmarc_reports.args import AnalyzeDmarcReportsArgs
from alimail_mcp.dmarc_reports.models import DmarcReportsResult
from alimail_mcp.dns.args import CheckDnsArgs
from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.missing_mail.args import DiagnoseMissingMailArgs
from alimail_mcp.missing_mail.models import MissingMailDiagnosis
from alimail_mcp.models import ToolArgs
from alimail_mcp.recovery.args import RecoverAccessArgs
from alimail_mcp.recovery.models import RecoveryPlan
from alimail_mcp.router.args import RouteQueryArgs
from alimail_mcp.router.models import RouteResult
from alimail_mcp.secure_setup.args import PlanSecureSetupArgs
from alimail_mcp.secure_setup.models import SecureSetupPlan
from alimail_mcp.webmail.args import CheckWebmailArgs
from alimail_mcp.webmail.models import WebmailResult


@dataclass(frozen=True)
class ToolRow:
    name: str
    title: str
    args: type[ToolArgs]
    result: type[BaseModel]
    engine: str
    """`module:function`, imported on the tool's first call; called with the arguments as keywords
    (and `settings=` when `takes_settings`)."""
    online: bool
    """Reaches the network (DNS, HTTP, a mail server): the tool's openWorldHint."""
    takes_settings: bool = True
    network_loop: bool = False
    """Run the whole engine call on the DNS network loop (a DNS audit: many answers to parse)."""


TOOLS: tuple[ToolRow, ...] = (
    ToolRow(
        "route_query",
        "Route a mail question",
        RouteQueryArgs,
        RouteResult,
        "alimail_mcp.router.route:route_async",
        online=False,
        takes_settings=False,
    ),
    ToolRow(
        "check_dns",
        "Audit a mail domain's DNS",
        CheckDnsArgs,
        DnsAuditResult,
        "alimail_mcp.dns.audit:audit_domain",
        online=True,
        network_loop=True,
    ),
    ToolRow(
        "diagnose_send_error",
        "Diagnose a bounce or send error",
        DiagnoseSendErrorArgs,
        DiagnosisResult,
        "alimail_mcp.diagnosis.engine:diagnose",
        online=True,
    ),
    ToolRow(
        "recover_access",
        "Plan access recovery",
        RecoverAccessArgs,
        RecoveryPlan,
        "alimail_mcp.recovery.plan:recover_access",
        online=False,
        takes_settings=False,
    ),
    ToolRow(
        "check_client_settings",
        "Check mail client settings",
        CheckClientSettingsArgs,
        ClientSettingsResult,
        "alimail_mcp.clients.check:check_client_settings",
        online=True,
    ),
    ToolRow(
        "check_webmail",
        "Check webmail access",
        CheckWebmailArgs,
        WebmailResult,
        "alimail_mcp.webmail.check:check_webmail",
        online=True,
    ),
    ToolRow(
        "plan_secure_setup",
        "Plan secure mail setup",
        PlanSecureSetupArgs,
        SecureSetupPlan,
        "alimail_mcp.secure_setup.plan:plan_secure_setup",
        online=True,
    ),
    ToolRow(
        "diagnose_missing_mail",
        "Diagnose missing mail",
        DiagnoseMissingMailArgs,
        MissingMailDiagnosis,
        "alimail_mcp.missing_mail.diagnose:diagnose_missing_mail",
        online=True,
    ),
    ToolRow(
        "analyze_dmarc_reports",
        "Analyze DMARC aggregate reports",
        AnalyzeDmarcReportsArgs,
        DmarcReportsResult,
        "alimail_mcp.dmarc_reports.analyze:analyze_dmarc_reports",
        online=True,
    ),
)
