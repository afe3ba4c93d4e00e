"""What the fuzz tests (tests/fuzz/test_fuzz_*.py) share: hypothesis profiles, a tally of the inputs
each target was given, a DnsClient that answers from generated data, and text strategies.

Profiles: `ci` (the default; 100 examples per test, no deadline) and `long` (HYPOTHESIS_MAX_EXAMPLES
examples per test, default 5000), chosen by HYPOTHESIS_PROFILE; bench/fuzz.py runs `long` and, with
ALIMAIL_FUZZ_COUNTS naming a folder, adds up the tallies each test process (one per xdist worker)
writes there when it ends.
"""

from __future__ import annotations

import atexit
import json
import os
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from alimail_mcp.dns.client import Answer, Outcome

settings.register_profile(
    "ci", max_examples=100, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "5000")),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TALLY: Counter[str] = Counter()


def tried(target: str) -> None:
    """Count one input given to `target` (an engine entry point)."""
    TALLY[target] += 1


def _write_tally() -> None:
    folder = os.environ.get("ALIMAIL_FUZZ_COUNTS")
    if folder and TALLY:
        with open(os.path.join(folder, f"tally-{os.getpid()}.json"), "w", encoding="utf-8") as out:
            json.dump(dict(TALLY), out)


atexit.register(_write_tally)


# --- a DnsClient over generated data ---------------------------------------------------------------------

DOMAIN = "example.test"
NAMES = (
    DOMAIN,
    f"_dmarc.{DOMAIN}",
    f"default._domainkey.{DOMAIN}",
    f"s1._domainkey.{DOMAIN}",
    f"mail.{DOMAIN}",
    f"mx.{DOMAIN}",
    f"inc.{DOMAIN}",
    "other.test",
    "_dmarc.other.test",
    f"{DOMAIN}._report._dmarc.other.test",
)
TYPES = ("TXT", "MX", "A", "AAAA", "CNAME", "NS", "PTR")


@dataclass
class FuzzClient:
    """Answers from `zone` ((name, type) -> outcome and records); anything else does not exist."""

    zone: dict[tuple[str, str], tuple[Outcome, tuple[str, ...]]]
    asked: set[tuple[str, str]] = field(default_factory=set)

    async def query(self, name: str, rdtype: str) -> Answer:
        key = (name.lower().rstrip("."), rdtype.upper())
        self.asked.add(key)
        outcome, records = self.zone.get(key, (Outcome.NXDOMAIN, ()))
        if outcome is not Outcome.OK:
            records = ()
        elif not records:
            outcome = Outcome.NODATA
        return Answer(name=key[0], rdtype=key[1], outcome=outcome, records=records)

    async def query_at(self, server: str, port: int, name: str, rdtype: str) -> Answer:
        return await self.query(name, rdtype)

    @property
    def queries(self) -> int:
        return len(self.asked)


# --- text strategies -------------------------------------------------------------------------------------

HOSTS = st.sampled_from(
    [
        "mx1.qiye.aliyun.com",
        "mx2.qiye.aliyun.com",
        "mxn.mxhichina.com",
        "qiye.aliyun.com",
        "spf.qiye.aliyun.com",
        f"inc.{DOMAIN}",
        f"mx.{DOMAIN}",
        "other.test",
        ".",
        "",
        "a..b",
        "x" * 70 + ".test",
    ]
)
SPF_TERMS = st.sampled_from(
    [
        "a", "mx", "ptr", "-all", "~all", "?all", "+all", "all", "a/24", "mx//64", "a:%{d}",
        "exists:%{i}.%{d}", "include:spf.qiye.aliyun.com", f"include:inc.{DOMAIN}", "include:other.test",
        f"redirect=inc.{DOMAIN}", f"exp=inc.{DOMAIN}", "ip4:192.0.2.0/24", "ip6:2001:db8::/32",
        "ip4:1.2.3", "ip4:999.1.1.1", "ip6:zz", "a//129", "%", "%{", "%{z}", "a:", "include:",
        "x=%{l}", "v=spf1", "include:%{ir}.%{v}._spf.%{d2}", "mx:nowhere.test", "?include:.",
        "redirect=", "exp=%{", "-ptr:%{p}", "a:%{h}.%{o}.%{s}", "ip4:0.0.0.0/0", "ip4:192.0.2.1/33",
    ]
)  # fmt: skip
SPF_RECORDS = st.one_of(
    st.text(max_size=120),
    st.lists(SPF_TERMS, max_size=12).map(lambda terms: " ".join(["v=spf1", *terms])),
)
TAG_VALUES = st.one_of(
    st.sampled_from(
        [
            "DMARC1", "DKIM1", "none", "quarantine", "reject", "r", "s", "y", "n", "u", "100", "50", "-1",
            "rsa", "ed25519", "sha256", "mailto:dmarc@example.test", "mailto:a@other.test!10m",
            "mailto:", "mailto:x@", "https://x.test/", "", "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC",
            "MCowBQYDK2VwAyEA" + "A" * 43 + "=", "!!!", "=",
        ]
    ),
    st.text(max_size=40),
)  # fmt: skip
TAG_NAMES = st.sampled_from(
    ["v", "p", "sp", "np", "rua", "ruf", "adkim", "aspf", "pct", "fo", "rf", "ri", "t", "psd",
     "k", "h", "s", "n", "x", "V", "P", "1bad", "a b", ""]
)  # fmt: skip
TAG_LISTS = st.one_of(
    st.text(max_size=120),
    st.lists(st.tuples(TAG_NAMES, TAG_VALUES), max_size=10).map(
        lambda pairs: "; ".join(f"{k}={v}" for k, v in pairs)
    ),
    st.lists(st.tuples(TAG_NAMES, TAG_VALUES), max_size=10).map(
        lambda pairs: "v=DMARC1; " + ";".join(f"{k}={v}" for k, v in pairs)
    ),
    st.lists(st.tuples(TAG_NAMES, TAG_VALUES), max_size=6).map(
        lambda pairs: "v=DKIM1; " + "; ".join(f"{k}={v}" for k, v in pairs)
    ),
)
TXT = st.one_of(SPF_RECORDS, TAG_LISTS)
MX = st.one_of(
    st.text(max_size=40),
    st.tuples(st.integers(-5, 70000), HOSTS).map(lambda pair: f"{pair[0]} {pair[1]}"),
)
ADDRESSES = st.one_of(
    st.sampled_from(["127.0.0.1", "192.0.2.1", "2001:db8::1", "0.0.0.0", "not-an-ip"]), st.text(max_size=20)
)
RECORDS_BY_TYPE = {
    "TXT": TXT,
    "MX": MX,
    "A": ADDRESSES,
    "AAAA": ADDRESSES,
    "CNAME": HOSTS,
    "NS": HOSTS,
    "PTR": HOSTS,
}


@st.composite
def zones(draw: st.DrawFn) -> dict[tuple[str, str], tuple[Outcome, tuple[str, ...]]]:
    """Some of NAMES x TYPES, each with an outcome and (for OK) a few records of the type's shape."""
    zone: dict[tuple[str, str], tuple[Outcome, tuple[str, ...]]] = {}
    keys = draw(st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(TYPES)), max_size=14, unique=True))
    for name, rdtype in keys:
        outcome = draw(st.sampled_from(list(Outcome)))
        records = tuple(draw(st.lists(RECORDS_BY_TYPE[rdtype], max_size=3)))
        zone[(name, rdtype)] = (outcome, records)
    return zone
