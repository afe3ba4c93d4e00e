"""Fuzzing the DNS engine: record parsers and every check, over generated records and DNS outcomes.

Each property: any input gives a result of the documented shape, or the documented error
(InputError for a caller's bad input; SpfSyntaxError/MacroSyntaxError from the SPF parsers);
nothing else escapes. Example counts come from the hypothesis profile (tests/support/fuzzing.py).
"""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from alimail_mcp.dns.audit import audit_domain, normalize_ip, normalize_selectors
from alimail_mcp.dns.client import Outcome
from alimail_mcp.dns.dkim import check_dkim, rsa_key_bits
from alimail_mcp.dns.dmarc import check_dmarc
from alimail_mcp.dns.knowledge import load_dns
from alimail_mcp.dns.models import CheckResult
from alimail_mcp.dns.mx import check_mx
from alimail_mcp.dns.spf import check_host, check_spf, parse_lenient, parse_record
from alimail_mcp.dns.spf.macros import MacroSyntaxError, parse_domain_spec
from alimail_mcp.dns.spf.record import SpfSyntaxError, parse_term
from alimail_mcp.dns.taglist import parse_tags
from alimail_mcp.dns.webmail_cname import check_webmail_cname
from alimail_mcp.errors import InputError
from alimail_mcp.inputs import normalize_address, normalize_domain
from tests.support.fuzzing import DOMAIN, SPF_RECORDS, SPF_TERMS, TAG_LISTS, FuzzClient, tried, zones

STATUSES = {"ok", "warning", "error", "unreachable", "info"}
SPF_RESULTS = {"pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"}
IPS = st.one_of(
    st.sampled_from(["192.0.2.1", "2001:db8::1", "::ffff:192.0.2.9", "127.0.0.1", "0.0.0.0", "::"]),
    st.ip_addresses().map(str),
)
DOMAIN_TEXT = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["example.test", "例子.测试", "faß.de", "a..b", "-x.test", "192.0.2.1", "x" * 300]),
    st.from_regex(r"[a-zA-Z0-9.\-@ 。]{1,40}", fullmatch=True),
)


def check_shape(result: CheckResult) -> None:
    assert result.status in STATUSES, result.status
    for finding in result.findings:
        assert finding.code and finding.title


# --- parsers -------------------------------------------------------------------------------------------


@given(st.one_of(SPF_RECORDS, st.text(max_size=300)))
def test_spf_record_parser(text: str) -> None:
    tried("spf.parse_record")
    _, errors = parse_lenient(text)
    assert all(isinstance(e, SpfSyntaxError) for e in errors)
    try:
        parse_record(text)
    except SpfSyntaxError:
        assert errors or not text.lower().startswith("v=spf1")


@given(st.one_of(SPF_TERMS, st.text(max_size=60)))
def test_spf_term_and_macro_parsers(text: str) -> None:
    tried("spf.parse_term")
    with contextlib.suppress(SpfSyntaxError):
        parse_term(text)
    with contextlib.suppress(MacroSyntaxError):
        parse_domain_spec(text)


@given(TAG_LISTS)
def test_dmarc_and_dkim_tag_parser(text: str) -> None:
    tried("taglist.parse_tags")
    parsed = parse_tags(text)
    assert set(parsed.order) == set(parsed.tags)
    # Problems never quote the record; a short text may still occur in our own wording (" fo" in "form").
    own_words = " ".join(load_dns().problems.values())
    assert all(text not in p or len(text) < 3 or text in own_words for p in parsed.problems)


@given(st.binary(max_size=600))
def test_dkim_key_size_reader(data: bytes) -> None:
    tried("dkim.rsa_key_bits")
    bits = rsa_key_bits(data)
    assert bits is None or bits >= 0


@given(DOMAIN_TEXT)
def test_domain_and_address_validation(text: str) -> None:
    tried("inputs.normalize")
    try:
        name = normalize_domain(text)
    except InputError as exc:
        assert exc.field == "domain"
    else:
        assert name.isascii() and name == name.lower() and len(name) <= 253
        assert normalize_domain(name) == name
    try:
        address = normalize_address(text)
    except InputError as exc:
        assert exc.field == "email"
    else:
        assert "@" in address and normalize_address(address) == address


@given(
    st.one_of(st.none(), st.lists(st.text(max_size=30), max_size=25)),
    st.one_of(st.none(), st.text(max_size=40)),
)
def test_selector_and_ip_validation(selectors: list[str] | None, ip: str | None) -> None:
    tried("audit.normalize_inputs")
    try:
        normalize_selectors(selectors)
    except InputError as exc:
        assert exc.field == "dkim_selectors"
    try:
        normalize_ip(ip)
    except InputError as exc:
        assert exc.field == "sending_ip"


# --- checks over generated DNS answers --------------------------------------------------------------------


@given(zones(), IPS)
async def test_spf_check_host(zone: dict, ip: str) -> None:  # type: ignore[type-arg]
    tried("spf.check_host")
    result = await check_host(FuzzClient(zone), ip, DOMAIN, f"user@{DOMAIN}", helo=f"mail.{DOMAIN}")
    assert result.result in SPF_RESULTS
    assert result.lookups <= 11 and result.void_lookups <= 3


@given(zones(), st.one_of(st.none(), IPS, st.text(max_size=20)))
async def test_spf_check(zone: dict, ip: str | None) -> None:  # type: ignore[type-arg]
    tried("spf.check_spf")
    try:
        result = await check_spf(FuzzClient(zone), DOMAIN, sending_ip=ip)
    except InputError as exc:
        assert exc.field == "sending_ip"
        return
    check_shape(result)


@given(zones())
async def test_dmarc_check(zone: dict) -> None:  # type: ignore[type-arg]
    tried("dmarc.check")
    result = await check_dmarc(FuzzClient(zone), DOMAIN)
    check_shape(result)
    assert result.policy in (None, "none", "quarantine", "reject")


@given(zones(), st.one_of(st.none(), st.lists(st.sampled_from(["default", "s1", "x"]), max_size=3)))
async def test_dkim_check(zone: dict, selectors: list[str] | None) -> None:  # type: ignore[type-arg]
    tried("dkim.check")
    check_shape(await check_dkim(FuzzClient(zone), DOMAIN, selectors))


@given(zones())
async def test_mx_check(zone: dict) -> None:  # type: ignore[type-arg]
    tried("mx.check")
    check_shape(await check_mx(FuzzClient(zone), DOMAIN))


@given(zones())
async def test_webmail_cname_check(zone: dict) -> None:  # type: ignore[type-arg]
    tried("webmail_cname.check")
    check_shape(await check_webmail_cname(FuzzClient(zone), DOMAIN))


@given(
    zones(),
    st.one_of(st.just(DOMAIN), DOMAIN_TEXT),
    st.one_of(st.none(), st.lists(st.sampled_from(["default", "s1", "bad selector", ""]), max_size=3)),
    st.one_of(st.none(), IPS, st.text(max_size=10)),
)
async def test_whole_audit(zone: dict, domain: str, selectors: list[str] | None, ip: str | None) -> None:  # type: ignore[type-arg]
    tried("audit.audit_domain")
    try:
        result = await audit_domain(domain, dkim_selectors=selectors, sending_ip=ip, client=FuzzClient(zone))
    except InputError as exc:
        assert exc.field in ("domain", "dkim_selectors", "sending_ip")
        return
    assert result.overall in ("ok", "problem", "unreachable")
    assert result.summary and result.next_steps is not None
    if any(outcome in (Outcome.TIMEOUT, Outcome.SERVFAIL) for outcome, _ in zone.values()):
        return
    assert all(f.code not in ("dns.timeout", "dns.servfail") for f in result.findings)
