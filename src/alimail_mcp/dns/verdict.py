"""The audit's verdict in the engine's own words: overall state, the route, summary and next steps.

Route: a domain whose mail cannot flow right (MX, SPF, unanswered questions, a blocklist listing, broken
DNSSEC or an MTA-STS policy senders cannot apply) belongs to resolve-failure / dns-authorization; one
whose only issue is the webmail name to resolve-failure / webmail-service; one that works but is not
(fully) protected (DKIM, DMARC, TLS-RPT, BIMI), or is fine, to configure-communication / dns-auth.
Summaries use fixed phrases per finding code, never text read from DNS.
"""

from __future__ import annotations

from alimail_mcp.dns.finding import FAULT_CODES, SKILL_CONFIGURATION, SKILL_DELIVERY, SKILL_SERVICE
from alimail_mcp.dns.health import RESOLVER_CODES
from alimail_mcp.dns.models import CheckResult, PlannedChange, PropagationCheck
from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding, Route

PHRASES = {
    "mx.missing": "no MX records point to Alibaba Mail",
    "mx.wrong-provider": "MX points to another mail provider",
    "mx.conflict": "another provider's MX records are mixed in",
    "mx.host-unresolvable": "an MX host does not resolve",
    "mx.priority-odd": "MX priorities are out of order",
    "mx.incomplete": "the MX set is incomplete",
    "mx.mixed-sets": "two Alibaba Mail MX sets are mixed",
    "mx.too-many-records": "there are more MX records than the check examines",
    "spf.missing": "there is no SPF record",
    "spf.multiple": "there are several SPF records",
    "spf.missing-alimail-include": "SPF does not authorise Alibaba Mail",
    "spf.too-many-lookups": "SPF needs more than 10 DNS lookups",
    "spf.loop": "SPF includes loop",
    "spf.plus-all": "SPF ends in +all, which lets anyone send",
    "spf.soft-all": "SPF ends in ~all or ?all",
    "spf.void-lookups": "SPF has too many void lookups",
    "spf.syntax": "the SPF record has a syntax error",
    "spf.walk-truncated": "the SPF include tree is too large to check in full",
    "dkim.missing": "no DKIM key was found",
    "dkim.weak-key": "the DKIM key is too weak",
    "dkim.invalid": "a DKIM key record is invalid",
    "dkim.revoked": "a DKIM key is revoked",
    "dmarc.missing": "there is no DMARC record",
    "dmarc.policy-none": "DMARC is at p=none",
    "dmarc.invalid": "the DMARC record is invalid",
    "dmarc.rua-unauthorized": "a DMARC report address has not authorised the reports",
    "dmarc.removed-tag": "DMARC uses tags RFC 9989 removed",
    "webmail_cname.missing": "the webmail CNAME is missing",
    "webmail_cname.wrong-target": "the webmail name does not point to Alibaba Mail",
    "dns.propagation-pending": "a change is still propagating",
    "dns.nameservers-disagree": "the domain's nameservers disagree",
    "dns.refused": "names outside the domain could not be verified with this resolver",
    "blocklist.listed": "a sending IP or the domain is on a blocklist",
    "blocklist.policy-listed": "a sending IP is in an end-user range that receivers refuse (policy listing)",
    "mta_sts.record-invalid": "the MTA-STS record is invalid",
    "mta_sts.policy-unavailable": "the MTA-STS policy cannot be fetched",
    "mta_sts.policy-certificate": "the MTA-STS policy host's certificate does not verify",
    "mta_sts.policy-invalid": "the MTA-STS policy is invalid",
    "mta_sts.policy-content-type": "the MTA-STS policy is not served as text/plain",
    "mta_sts.mx-not-covered": "the MTA-STS policy leaves MX hosts out",
    "mta_sts.max-age-short": "the MTA-STS max_age is short",
    "tls_rpt.invalid": "the TLS-RPT record is invalid",
    "bimi.invalid": "the BIMI record is invalid",
    "bimi.dmarc-not-enforced": "BIMI needs DMARC at quarantine or reject for all mail",
    "bimi.subdomain-policy-none": "BIMI does not accept sp=none",
    "dnssec.ds-mismatch": "the DS record matches no DNSSEC key, so validating resolvers fail",
    "dnssec.chain-broken": "the DNSSEC chain of trust is broken",
    "dnssec.ds-stale": "a stale DS record is left at the parent",
    "dnssec.signature-expired": "DNSSEC signatures have expired",
    "dnssec.signature-not-yet-valid": "DNSSEC signatures are not valid yet",
    "dnssec.signature-expiring": "DNSSEC signatures are about to expire",
    "dnssec.signature-unknown-key": "DNSSEC signatures name an unpublished key",
    "dnssec.signature-invalid": "DNSSEC signatures do not verify",
    "dnssec.records-unsigned": "records of the signed zone are unsigned",
    "dnssec.algorithm-deprecated": "the zone is signed with a deprecated algorithm",
    "dnssec.digest-deprecated": "the DS record uses a deprecated digest",
}
DELIVERY_FAMILIES = frozenset({"mx", "spf", "dns", "blocklist", "dnssec", "mta_sts"})
"""Findings whose defects keep mail from flowing: the audit routes to resolve-failure / dns-authorization."""
_ACTIONABLE = ("error", "warning")


def overall_of(findings: list[Finding], checks: dict[str, CheckResult]) -> str:
    """problem: something to fix; unreachable: a question that mattered got no usable answer (info
    findings, such as a provider's name this resolver would not answer for, never count)."""
    if any(f.code in RESOLVER_CODES for f in findings):
        return "unreachable"
    actionable = [f for f in findings if f.severity.value in _ACTIONABLE]
    if any(f.code not in FAULT_CODES for f in actionable):
        return "problem"
    if any(c.status == "unreachable" for c in checks.values()) or actionable:
        return "unreachable"
    return "ok"


def route_of(overall: str, findings: list[Finding]) -> Route:
    actionable = [f for f in findings if f.severity.value in _ACTIONABLE]
    families = {f.code.split(".", 1)[0] for f in actionable}
    if overall == "unreachable" or families & DELIVERY_FAMILIES:
        return Route(intent="resolve-failure", path="dns-authorization", skill=SKILL_DELIVERY)
    if families == {"webmail_cname"}:
        return Route(intent="resolve-failure", path="webmail-service", skill=SKILL_SERVICE)
    return Route(intent="configure-communication", path="dns-auth", skill=SKILL_CONFIGURATION)


def summary_of(
    domain: str,
    overall: str,
    findings: list[Finding],
    plan: list[PlannedChange],
    *,
    dkim_found: bool,
    named: str | None = None,
) -> str:
    """`named`: how to refer to the domain instead of its name (`the sender domain`) when the name
    came from outside text (a bounce) rather than from the caller."""
    lead = named[:1].upper() + named[1:] if named else domain
    domain = named or domain
    blamed = next((f for f in findings if f.code in RESOLVER_CODES), None)
    if blamed is not None:
        return f"{blamed.title}. {blamed.detail}"
    if overall == "unreachable":
        lost = sum(1 for f in findings if f.code in FAULT_CODES and f.severity.value in _ACTIONABLE)
        return (
            f"The DNS audit of {domain} could not complete: {lost} DNS question(s) got no usable answer "
            "(timeout, SERVFAIL or refused), so nothing is reported missing on that basis. Run it again; if "
            "it keeps failing, the domain's nameservers or the resolver are not answering."
        )
    if overall == "ok":
        notes = [PHRASES[f.code] for f in findings if f.code in PHRASES and f.severity.value == "info"]
        parts = "MX, SPF, DKIM, DMARC" if dkim_found else "MX, SPF, DMARC"
        head = f"{lead} is set up for Alibaba Mail: {parts} and the webmail record check out."
        return head + (f" To consider: {'; '.join(dict.fromkeys(notes))}." if notes else "")
    actionable = [f for f in findings if f.severity.value in _ACTIONABLE]
    ranked = sorted(actionable, key=lambda f: f.severity.value != "error")
    phrases = list(
        dict.fromkeys(PHRASES.get(f.code, f"{f.code.split('.')[0]} needs attention") for f in ranked)
    )
    count = len(phrases)
    head = f"{lead} has {count} issue{'s' if count != 1 else ''} for Alibaba Mail: {'; '.join(phrases[:4])}"
    head += "; and more." if count > 4 else "."
    if plan:
        actions = ", ".join(f"{n} {a}" for a, n in _count_actions(plan))
        return f"{head} The change plan lists {len(plan)} DNS record change(s) ({actions}) to make."
    return f"{head} Each finding says what to change."


def _count_actions(plan: list[PlannedChange]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for change in plan:
        counts[change.action] = counts.get(change.action, 0) + 1
    return [(a, counts[a]) for a in ("add", "replace", "delete") if a in counts]


def next_steps_of(
    overall: str,
    findings: list[Finding],
    plan: list[PlannedChange],
    propagation: PropagationCheck | None,
    provider: Provider,
) -> list[str]:
    codes = {f.code for f in findings}
    blamed = next((f for f in findings if f.code in RESOLVER_CODES), None)
    if blamed is not None:
        return list(blamed.fix)
    steps: list[str] = []
    hours = provider.limits.propagation.official_max_hours
    if overall == "unreachable":
        steps.append(
            "Run the audit again in a few minutes; if it still fails, check the domain's nameservers."
        )
    if plan:
        steps.append(
            f"Make the {len(plan)} change(s) of the change plan at the domain's DNS host, in the order given "
            "(Alibaba Cloud DNS: the console fields or the aliyun alidns command shown with each change)."
        )
    if "dkim.missing" in codes:
        steps.append(
            f"Turn on DKIM in the Alibaba Mail admin console ({provider.console.admin_url}), publish the "
            "TXT record it shows, then run the audit again with that selector."
        )
    if "dmarc.rua-unauthorized" in codes:
        steps.append(
            "Have the external report domain authorise your reports, or use a report mailbox of your own."
        )
    if "blocklist.listed" in codes:
        steps.append(
            "For each blocklist listing, stop what caused it (a compromised mailbox or host, mail sent "
            "without consent), then ask for removal at the list's page named in the finding."
        )
    if "dmarc.policy-none" in codes:
        steps.append(
            f"After about {provider.dmarc.days_at_none} days of clean DMARC reports, move to p=quarantine."
        )
    if propagation is not None and propagation.max_wait_s is not None:
        steps.append(
            f"Some changes are still propagating: run the audit again after {propagation.max_wait_s} s."
        )
    if plan or overall == "problem":
        steps.append(
            f"Run the audit again after the changes; resolvers may keep old records until their TTL runs out "
            f"(Alibaba Cloud quotes up to {hours} hours)."
        )
    return steps
