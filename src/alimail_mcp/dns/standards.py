"""Typed model of skills/mail_standards.yaml: the tables and limits of MTA-STS, TLS-RPT, BIMI and DNSSEC."""

from __future__ import annotations

from alimail_mcp.knowledge.compiled import compiled
from alimail_mcp.knowledge.loader import read_yaml, skills_dir, validate
from alimail_mcp.knowledge.strict import StrictModel

FILE = "mail_standards.yaml"


class MtaStsStandard(StrictModel):
    port: int
    path: str
    max_age_limit_s: int
    max_age_short_s: int
    policy_max_bytes: int
    fetch_timeout_s: float
    modes: tuple[str, ...]


class TlsRptStandard(StrictModel):
    rua_schemes: tuple[str, ...]


class BimiStandard(StrictModel):
    dmarc_policies: tuple[str, ...]
    selector: str


class DnssecStandard(StrictModel):
    expiring_within_days: float
    deprecated_algorithms: dict[int, str]
    deprecated_digests: dict[int, str]
    digest_names: dict[int, str]


class MailStandards(StrictModel):
    mta_sts: MtaStsStandard
    tls_rpt: TlsRptStandard
    bimi: BimiStandard
    dnssec: DnssecStandard


@compiled("mail_standards")
def load_standards() -> MailStandards:
    path = skills_dir() / FILE
    return validate(MailStandards, read_yaml(path), path)
