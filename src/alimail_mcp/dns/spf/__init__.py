"""SPF (RFC 7208): record parsing, macros, check_host() evaluation and the audit's SPF check.

Nothing here loads dnspython (DNS goes through a `DnsClient`), and the names below are imported on
first use, so `alimail_mcp.dns.spf.models` stays as cheap as the result models it holds.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alimail_mcp.dns.spf.check import check_spf, recommend
    from alimail_mcp.dns.spf.evaluate import check_host, check_mail_from
    from alimail_mcp.dns.spf.models import SpfCheck, SpfInclude, SpfResult, SpfStep
    from alimail_mcp.dns.spf.record import SpfRecord, SpfSyntaxError, is_spf, parse_lenient, parse_record

_HOMES = {
    "check_spf": "check",
    "recommend": "check",
    "check_host": "evaluate",
    "check_mail_from": "evaluate",
    "SpfCheck": "models",
    "SpfInclude": "models",
    "SpfResult": "models",
    "SpfStep": "models",
    "SpfRecord": "record",
    "SpfSyntaxError": "record",
    "is_spf": "record",
    "parse_lenient": "record",
    "parse_record": "record",
}
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


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
