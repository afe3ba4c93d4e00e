"""SPF record syntax (RFC 7208 4.5, 4.6, 5, 6) and macros (7): what parses, what is an error, and why."""

from __future__ import annotations

import ipaddress
import re

import pytest

from alimail_mcp.dns.spf import macros
from alimail_mcp.dns.spf.macros import MacroSyntaxError
from alimail_mcp.dns.spf.record import (
    Mechanism,
    Modifier,
    SpfSyntaxError,
    intended_spf,
    is_spf,
    near_spf,
    parse_lenient,
    parse_record,
    parse_term,
    spf_records,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v=spf1", True),
        ("v=spf1 -all", True),
        ("V=SpF1 ~all", True),
        ("v=spf10", False),
        ("v=spf1-all", False),
        ("v=spf1\n-all", False),
        ("spf1 -all", False),
        (" v=spf1 -all", False),
    ],
)
def test_which_txt_records_are_spf(text: str, expected: bool) -> None:
    assert is_spf(text) is expected


def test_selection_keeps_only_spf_records() -> None:
    assert spf_records(["google-site-verification=x", "v=spf1 -all", "v=spf1mx"]) == ["v=spf1 -all"]


def test_terms_and_their_parts() -> None:
    record = parse_record(
        "v=spf1 +a mx:mail.example.test/24//64 ~ip4:192.0.2.0/24 ip6:2001:db8::/32 "
        "?include:spf.qiye.aliyun.com exists:%{i}.bl.example.test ptr -all "
        "redirect=other.example.test exp=why.example.test x-note=hi"
    )
    a, mx, ip4, ip6, include, exists, ptr, all_ = record.mechanisms
    assert (a.qualifier, a.name, a.domain_text) == ("+", "a", None)
    assert (mx.domain_text, mx.cidr4, mx.cidr6) == ("mail.example.test", 24, 64)
    assert ip4.qualifier == "~" and ip4.network == ipaddress.ip_network("192.0.2.0/24")
    assert ip6.network == ipaddress.ip_network("2001:db8::/32")
    assert (include.qualifier, include.domain_text) == ("?", "spf.qiye.aliyun.com")
    assert exists.domain is not None and isinstance(exists.domain[0], macros.Macro)
    assert ptr.domain is None and all_.qualifier == "-"
    assert record.redirect is not None and record.redirect.value == "other.example.test"
    assert record.exp is not None and record.exp.value == "why.example.test"
    assert record.modifier("x-note") == Modifier("x-note", "hi", "x-note=hi")
    assert record.all is all_ and record.effective_redirect is None


def test_terms_after_all_are_unreachable_and_redirect_needs_no_all() -> None:
    record = parse_record("v=spf1 a -all include:never.example.test")
    assert [m.name for m in record.reachable] == ["a", "all"]
    redirecting = parse_record("v=spf1 a redirect=b.example.test")
    assert redirecting.effective_redirect is not None


def test_multiple_spaces_and_trailing_space_are_fine() -> None:
    assert [t.text for t in parse_record("v=spf1  a   -all ").terms] == ["a", "-all"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("v=spf1 -all moo", "unknown mechanism"),
        ("v=spf1 -all.", "takes no argument"),
        ("v=spf1 all/8", "takes no argument"),
        ("v=spf1 include", "needs ':' and a domain"),
        ("v=spf1 include:", "the domain is empty"),
        ("v=spf1 include:a.example.test/24", "not a valid top-level label"),
        ("v=spf1 exists:mail.example.test/24", "not a valid top-level label"),
        ("v=spf1 a:museum", "does not end in a dot and a top-level label"),
        ("v=spf1 a:abc.123", "not a valid top-level label"),
        ("v=spf1 a:example.-com", "not a valid top-level label"),
        ("v=spf1 a/33", "prefix length from 0 to 32"),
        ("v=spf1 a//129", "prefix length from 0 to 128"),
        ("v=spf1 a/24/64", "'/ip4-prefix', '//ip6-prefix'"),
        ("v=spf1 ip4:1.2.3.4/032", "prefix length"),
        ("v=spf1 ip4:1.2.3", "not an IPv4 address"),
        ("v=spf1 ip4:1.2.3.4:8080", "not an IPv4 address"),
        ("v=spf1 ip4:01.2.3.4", "not an IPv4 address"),
        ("v=spf1 ip4", "needs ':'"),
        ("v=spf1 ip6::CAFE::BABE", "not an IPv6 address"),
        ("v=spf1 ip6:::1//33", "prefix length"),
        ("v=spf1 ptr/0", "takes only ':domain'"),
        ("v=spf1 redirect:a.example.test", "unknown mechanism"),
        ("v=spf1 1up=foo", "unknown mechanism"),
        ("v=spf1 =all", "unknown mechanism"),
        ("v=spf1 foo=%abc", "does not start a macro"),
        ("v=spf1 exp=", "the domain is empty"),
        ("v=spf1 redirect=-all", "does not end in a dot"),
        ("v=spf1 exp=%{r}.example.test", "not allowed here"),
        ("v=spf1 a:%{a}.example.test", "not allowed here"),
        ("v=spf1 a:%{d0}.example.test", "keeps zero labels"),
        ("v=spf1 a:ctrl.example.test\rptr", "not allowed"),
        ("v=spf1 exp=a.example.test exp=b.example.test", "appears more than once"),
        ("v=spf1 a:\ufeffgarbage.example.test", "7-bit ASCII"),
    ],
)
def test_syntax_errors_are_precise(record: str, message: str) -> None:
    with pytest.raises(SpfSyntaxError, match=re.escape(message)) as error:
        parse_record(record)
    assert error.value.message


def test_error_names_the_term() -> None:
    with pytest.raises(SpfSyntaxError) as error:
        parse_record("v=spf1 ip4:192.0.2.1 a:foo.123 -all")
    assert error.value.term == "a:foo.123"


def test_lenient_parse_keeps_valid_terms_and_every_error() -> None:
    record, errors = parse_lenient("v=spf1 include:spf.qiye.aliyun.com ip4:1.2.3 moo ~all")
    assert [t.text for t in record.terms] == ["include:spf.qiye.aliyun.com", "~all"]
    assert [e.term for e in errors] == ["ip4:1.2.3", "moo"]


@pytest.mark.parametrize(
    "term",
    [
        "a:foo:bar/baz.example.test",
        "a:foo.example.xn--zckzah",
        "a:mail.example...test",
        "a:%{H}.bar",
        "mx:example.test.",
        "include:%{d2}",
        "moo.cow-far_out=man:dog/cat",
        "default=+",
        "a:macro%%percent%_%_space%-url-space.example.test",
        "exists:%{l2r+-}.user.%{d2}",
    ],
)
def test_valid_terms(term: str) -> None:
    assert isinstance(parse_term(term), Mechanism | Modifier)


# -- macros (RFC 7208 7.4 examples) ----------------------------------------------------------

VALUES = {
    "s": "strong-bad@email.example.com",
    "l": "strong-bad",
    "o": "email.example.com",
    "d": "email.example.com",
    "i": "192.0.2.3",
    "v": "in-addr",
    "h": "mx.example.org",
    "c": "192.0.2.3",
    "r": "unknown",
    "t": "0",
    "p": "unknown",
}


@pytest.mark.parametrize(
    ("macro", "expanded"),
    [
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ("%{S}", "strong-bad%40email.example.com"),
        ("%%%_%-", "% %20"),
    ],
)
def test_macro_expansion_rfc_examples(macro: str, expanded: str) -> None:
    tokens = macros.parse(macro, letters=macros.EXPLANATION_LETTERS)
    assert macros.expand(tokens, VALUES) == expanded


def test_explanation_text_allows_spaces_and_crt() -> None:
    tokens = macros.parse(
        "%{c} is not one of %{d}'s servers", letters=macros.EXPLANATION_LETTERS, explanation=True
    )
    assert macros.expand(tokens, VALUES) == "192.0.2.3 is not one of email.example.com's servers"
    with pytest.raises(MacroSyntaxError):
        macros.parse("no spaces here", letters=macros.DOMAIN_LETTERS)


def test_query_names_drop_the_trailing_dot_and_truncate_from_the_left() -> None:
    assert macros.query_name("example.test.") == "example.test"
    long = ".".join(["label"] * 60) + ".example.test"
    truncated = macros.query_name(long)
    assert truncated is not None and len(truncated) <= 253 and truncated.endswith(".example.test")
    assert macros.query_name("a..example.test") is None
    assert macros.query_name("a" * 64 + ".example.test") is None


@pytest.mark.parametrize("prefix", ["¹", "٣", "3\u0662"])
def test_non_ascii_digits_in_a_prefix_are_a_syntax_error(prefix: str) -> None:
    """str.isdigit() accepts superscripts that int() rejects: the parser must report, not crash."""
    with pytest.raises(SpfSyntaxError):
        parse_record(f"v=spf1 ip4:192.0.2.1/{prefix} -all")


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("v=spf1include:a.test -all", "v=spf1 include:a.test -all"),
        ('"v=spf1 -all"', "v=spf1 -all"),
        (" v=spf1 mx -all", "v=spf1 mx -all"),
        ("v = spf1 a", "v=spf1 a"),
    ],
)
def test_mistyped_version_is_recognised_with_the_record_meant(text: str, meant: str) -> None:
    assert not is_spf(text) and near_spf([text]) == [text]
    assert intended_spf(text) == meant


def test_other_txt_records_are_not_near_spf() -> None:
    assert (
        near_spf(["v=spf1 -all", "spf2.0/pra include:x.test", "google-site-verification=x", "v=DMARC1"]) == []
    )
