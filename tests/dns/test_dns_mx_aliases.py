"""MX sets with aliases, dead hosts, literals and other providers' hosts, generated: the MX check and the
plan never crash, and the plan touches only published records, each at most once."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from alimail_mcp.dns.client import Answer, Outcome
from alimail_mcp.dns.mx import check_mx
from alimail_mcp.dns.plan import build_plan

DOMAIN = "gen.test"
TARGETS = {
    "mx1.qiye.aliyun.com": "203.0.113.1",
    "mx2.qiye.aliyun.com": "203.0.113.2",
    "mx3.qiye.aliyun.com": "203.0.113.3",
    "mxn.mxhichina.com": "203.0.113.31",
    "mx1.otherprovider.test": "192.0.2.1",
    "mx4.qiye.aliyun.com": None,
    "gone.otherprovider.test": None,
}
HOSTS = [*TARGETS, "a1.gen.test", "a2.gen.test", "203.0.113.9", f"mx2.qiye.aliyun.com.{DOMAIN}"]


@dataclass
class AliasClient:
    mx: tuple[str, ...]
    aliases: dict[str, str]
    outcome: Outcome
    """What names outside the served data get (NXDOMAIN, or REFUSED from an authoritative-only server)."""

    queries = 0

    async def query(self, name: str, rdtype: str) -> Answer:
        if name == DOMAIN and rdtype == "MX":
            return Answer(name, rdtype, Outcome.OK, self.mx)
        chain: list[str] = []
        current = name
        while current in self.aliases and len(chain) < 3:
            current = self.aliases[current]
            chain.append(current)
        address = TARGETS.get(current)
        if rdtype == "A" and address:
            return Answer(name, rdtype, Outcome.OK, (address,), cname_chain=tuple(chain))
        known = current in TARGETS or current.endswith(DOMAIN)
        return Answer(name, rdtype, Outcome.NXDOMAIN if known else self.outcome, cname_chain=tuple(chain))


@settings(max_examples=300, deadline=None)
@given(
    records=st.lists(st.tuples(st.integers(0, 30), st.sampled_from(HOSTS)), min_size=1, max_size=6),
    aliases=st.dictionaries(st.sampled_from(["a1.gen.test", "a2.gen.test"]), st.sampled_from(HOSTS)),
    outcome=st.sampled_from([Outcome.NXDOMAIN, Outcome.REFUSED]),
)
async def test_mx_and_plan_over_generated_sets(
    records: list[tuple[int, str]], aliases: dict[str, str], outcome: Outcome
) -> None:
    published = tuple(dict.fromkeys(f"{p} {h}" for p, h in records))
    mx = await check_mx(AliasClient(published, aliases, outcome), DOMAIN)
    plan = build_plan(DOMAIN, DOMAIN, mx=mx)
    hosts = [line.split()[1] for line in published]
    touched = [c.old_value or c.value for c in plan if c.action in ("replace", "delete")]
    assert all(touched.count(h) <= hosts.count(h) for h in touched), plan  # each record changed once
    if outcome is Outcome.REFUSED:  # no host is called dead on the word of a refusal
        for host in (h for h in mx.hosts if h.resolves is False):
            end = aliases.get(host.host, host.host)
            assert TARGETS.get(end, "") is None or end.endswith(DOMAIN) or end[0].isdigit()
