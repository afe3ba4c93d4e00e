"""Arbitrary text never crashes the SPF code: syntax errors are SpfSyntaxError, evaluation a result."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from alimail_mcp.dns.client import Answer, Outcome
from alimail_mcp.dns.spf import check_host, parse_lenient, parse_record
from alimail_mcp.dns.spf.record import SpfSyntaxError

TERMS = st.sampled_from(
    [
        "a", "mx", "ptr", "-all", "~all", "?all", "+all", "a/24", "mx//64", "a:%{d}", "exists:%{i}.%{d}",
        "include:inc.example.test", "redirect=inc.example.test", "exp=exp.example.test", "ip4:192.0.2.0/24",
        "ip6:2001:db8::/32", "include:%{l}.example.test", "a:%{p}.example.test", "mx:nowhere.example.test",
        "%", "a:", "ip4:1.2.3", "all:x", "x=%{z}", "include:loop.example.test", "a//129",
    ]
)  # fmt: skip
RECORDS = st.one_of(
    st.text(max_size=80),
    st.lists(TERMS, max_size=12).map(lambda terms: " ".join(["v=spf1", *terms])),
)


@given(st.text(max_size=200))
def test_parsing_any_text_raises_nothing_but_syntax_errors(text: str) -> None:
    record, errors = parse_lenient("v=spf1 " + text)
    assert all(isinstance(e, SpfSyntaxError) for e in errors)
    try:
        parse_record("v=spf1 " + text)
    except SpfSyntaxError:
        assert errors
    else:
        assert not errors and record.text == "v=spf1 " + text


@dataclass
class MemoryClient:
    """A DnsClient answering from a dict: name -> {type: records}."""

    zone: dict[str, dict[str, tuple[str, ...]]]
    asked: list[tuple[str, str]] = field(default_factory=list)

    async def query(self, name: str, rdtype: str) -> Answer:
        self.asked.append((name.lower(), rdtype))
        node = self.zone.get(name.lower())
        if node is None:
            return Answer(name, rdtype, Outcome.NXDOMAIN)
        records = node.get(rdtype, ())
        return Answer(name, rdtype, Outcome.OK if records else Outcome.NODATA, records)

    @property
    def queries(self) -> int:
        return len(set(self.asked))


@settings(max_examples=150, deadline=None)
@given(RECORDS, RECORDS, st.sampled_from(["192.0.2.1", "2001:db8::1", "::ffff:192.0.2.9"]))
async def test_evaluating_any_record_gives_a_result(top: str, included: str, ip: str) -> None:
    client = MemoryClient(
        {
            "example.test": {"TXT": (top,), "A": ("192.0.2.1",), "MX": ("10 mx.example.test",)},
            "mx.example.test": {"A": ("192.0.2.2",), "AAAA": ("2001:db8::1",)},
            "inc.example.test": {"TXT": (included,)},
            "loop.example.test": {"TXT": ("v=spf1 include:loop.example.test",)},
            "exp.example.test": {"TXT": ("%{i} is not allowed",)},
            "1.2.0.192.in-addr.arpa": {"PTR": ("mx.example.test",)},
        }
    )
    result = await check_host(client, ip, "example.test", "user@example.test", helo="mail.example.test")
    assert result.result in ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror")
    assert result.lookups <= 11 and result.void_lookups <= 3
