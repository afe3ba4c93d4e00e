"""SPF (RFC 7208): record parsing, macros, check_host() evaluation and the audit's SPF check.

Importing this package never loads dnspython: DNS goes through a `DnsClient`.
"""

from alimail_mcp.dns.spf.check import check_spf, recommend
from alimail_mcp.dns.spf.evaluate import check_host, check_mail_from
from alimail_mcp.dns.spf.models import SpfCheck, SpfInclude, SpfResult, SpfStep
from alimail_mcp.dns.spf.record import SpfRecord, SpfSyntaxError, is_spf, parse_lenient, parse_record

__all__ = [
    "SpfCheck",
    "SpfInclude",
    "SpfRecord",
    "SpfResult",
    "SpfStep",
    "SpfSyntaxError",
    "check_host",
    "check_mail_from",
    "check_spf",
    "is_spf",
    "parse_lenient",
    "parse_record",
    "recommend",
]
