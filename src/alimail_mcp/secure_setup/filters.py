"""Sender-filter advice: what Strict mode and permanent spam deletion cost, and the whitelist to build
first, with the domain's own other sending services (from its SPF record) when DNS was read."""

from __future__ import annotations

from alimail_mcp.dns.report import DnsAuditResult
from alimail_mcp.knowledge.facts import render
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.secure_setup.knowledge import SecureSetupKnowledge
from alimail_mcp.secure_setup.models import FilterOption, SenderFilterAdvice


def sender_filter_advice(
    kb: SecureSetupKnowledge, provider: Provider, audit: DnsAuditResult | None
) -> SenderFilterAdvice:
    text = kb.sender_filters
    own = _other_senders(audit, provider)
    whitelist = list(text.whitelist_first)
    if own:
        whitelist.insert(0, render(text.own_senders, {"count": len(own)}))
    return SenderFilterAdvice(
        strict_mode=FilterOption(**text.strict_mode.model_dump()),
        permanently_delete_spam=FilterOption(**text.permanently_delete_spam.model_dump()),
        whitelist_first=whitelist,
        own_senders=own,
        order=list(text.order),
        entry_rules=list(text.entry_rules),
    )


def _other_senders(audit: DnsAuditResult | None, provider: Provider) -> list[str]:
    """Top-level SPF includes that are not Alibaba Mail's or DirectMail's (evidence from DNS, truncated)."""
    if audit is None:
        return []
    ours = {*provider.spf.accepted_includes, provider.spf.directmail_include}
    return [i.domain[:120] for i in audit.checks.spf.includes if i.domain.lower().rstrip(".") not in ours][
        :10
    ]
