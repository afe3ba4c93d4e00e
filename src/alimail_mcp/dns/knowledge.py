"""Typed model of skills/dns.yaml: the words of every DNS finding, provider values filled in."""

from __future__ import annotations

import re

from pydantic import field_validator

from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.facts import fill_tree, provider_facts
from alimail_mcp.knowledge.finding_text import FindingText
from alimail_mcp.knowledge.loader import load_provider, read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel

FILE = "dns.yaml"
_CODE = re.compile(
    r"^(?:mx|spf|dkim|dmarc|webmail_cname|dns|blocklist|mta_sts|tls_rpt|bimi|dnssec)\.[a-z0-9-]+$"
)


class DnsFindingText(FindingText):
    code: str | None = None
    """The finding's code when it is not the text's key (texts that share a code are keyed by situation)."""


class DnsKnowledge(StrictModel):
    subjects: dict[str, str]
    problems: dict[str, str]
    steps: dict[str, str]
    findings: dict[str, DnsFindingText]

    @field_validator("findings")
    @classmethod
    def _codes(cls, texts: dict[str, DnsFindingText]) -> dict[str, DnsFindingText]:
        for key, text in texts.items():
            code = text.code or key
            if not _CODE.match(code):
                raise ValueError(f"{key}: {code!r} is not a DNS finding code; name the code of a variant")
            if text.severity == "ok":
                raise ValueError(f"{key}: a DNS finding is an error, a warning or info")
        return texts

    def code_of(self, key: str) -> str:
        return self.findings[key].code or key


@compiled("dns")
def load_dns() -> DnsKnowledge:
    path = skills_dir() / FILE
    data = fill_tree(read_yaml(path), provider_facts(load_provider()), FILE)
    return validate(DnsKnowledge, data, path)
