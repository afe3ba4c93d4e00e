"""DMARC aggregate reports written for the tests and the bench: the XML of a report from rows, and the
containers reporters send it in (gzip, zip, a report email, base64 text)."""

from __future__ import annotations

import base64
import gzip
import io
import random
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class Row:
    """One <record>: the reporter's verdicts and what it saw."""

    ip: str
    count: int = 1
    dkim: str = "pass"
    spf: str = "pass"
    header_from: str = ""
    spf_domain: str | None = None
    """auth_results/spf/domain (default: the report's domain); '' leaves the element out."""
    spf_result: str | None = None
    """auth_results/spf/result (default: the verdict `spf`)."""
    dkim_domain: str | None = None
    """auth_results/dkim/domain (default: the report's domain when `dkim` is pass); '' leaves it out."""
    dkim_result: str | None = None
    selector: str = "s1"
    reason: str | None = None


def report_xml(
    domain: str,
    rows: Iterable[Row],
    *,
    org: str = "receiver.test",
    report_id: str = "r-1",
    begin: int = 1717200000,
    end: int = 1717286399,
    p: str = "none",
    pct: int | None = None,
    prefix: str = "",
) -> str:
    """The report's XML; `prefix` ('dmarc:') writes every element with a namespace prefix (RFC 9990)."""
    t = prefix
    pct_tag = f"<{t}pct>{pct}</{t}pct>" if pct is not None else ""
    ns = f' xmlns:{prefix[:-1]}="urn:ietf:params:xml:ns:dmarc-2.0"' if prefix else ""
    out = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{t}feedback{ns}>',
        f"<{t}report_metadata><{t}org_name>{org}</{t}org_name><{t}email>dmarc@{org}</{t}email>"
        f"<{t}report_id>{report_id}</{t}report_id><{t}date_range><{t}begin>{begin}</{t}begin>"
        f"<{t}end>{end}</{t}end></{t}date_range></{t}report_metadata>",
        f"<{t}policy_published><{t}domain>{domain}</{t}domain><{t}adkim>r</{t}adkim><{t}aspf>r</{t}aspf>"
        f"<{t}p>{p}</{t}p><{t}sp>{p}</{t}sp>{pct_tag}</{t}policy_published>",
    ]
    out += [_record(domain, row, t) for row in rows]
    out.append(f"</{t}feedback>\n")
    return "\n".join(out)


def _record(domain: str, row: Row, t: str) -> str:
    reason = f"<{t}reason><{t}type>{row.reason}</{t}type></{t}reason>" if row.reason else ""
    auth = []
    dkim_domain = row.dkim_domain if row.dkim_domain is not None else (domain if row.dkim == "pass" else "")
    if dkim_domain:
        auth.append(
            f"<{t}dkim><{t}domain>{dkim_domain}</{t}domain><{t}selector>{row.selector}</{t}selector>"
            f"<{t}result>{row.dkim_result or row.dkim}</{t}result></{t}dkim>"
        )
    spf_domain = row.spf_domain if row.spf_domain is not None else domain
    if spf_domain:
        result = row.spf_result or row.spf
        auth.append(f"<{t}spf><{t}domain>{spf_domain}</{t}domain><{t}result>{result}</{t}result></{t}spf>")
    return (
        f"<{t}record><{t}row><{t}source_ip>{row.ip}</{t}source_ip><{t}count>{row.count}</{t}count>"
        f"<{t}policy_evaluated><{t}disposition>none</{t}disposition><{t}dkim>{row.dkim}</{t}dkim>"
        f"<{t}spf>{row.spf}</{t}spf>{reason}</{t}policy_evaluated></{t}row>"
        f"<{t}identifiers><{t}header_from>{row.header_from or domain}</{t}header_from></{t}identifiers>"
        f"<{t}auth_results>{''.join(auth)}</{t}auth_results></{t}record>"
    )


def gz(text: str | bytes) -> bytes:
    return gzip.compress(text.encode() if isinstance(text, str) else text)


def zipped(files: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.encodebytes(raw).decode("ascii")


def report_email(attachments: dict[str, bytes], *, subject: str = "Report domain: example.test") -> bytes:
    """A report email as Google and others send it: a short text and the report file(s) attached."""
    message = EmailMessage()
    message["From"] = "noreply-dmarc-support@receiver.test"
    message["To"] = "dmarc@example.test"
    message["Subject"] = subject
    message.set_content("This is an aggregate report.\n")
    for name, data in attachments.items():
        kind = ("application", "zip") if name.endswith(".zip") else ("application", "gzip")
        if name.endswith(".xml"):
            kind = ("text", "xml")
        message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=name)
    return message.as_bytes()


def forwarded_email(original: bytes) -> bytes:
    """Someone forwarding the report email as an attachment (message/rfc822)."""
    from email import message_from_bytes

    message = EmailMessage()
    message["From"] = "admin@example.test"
    message["To"] = "it@example.test"
    message["Subject"] = "Fwd: Report domain: example.test"
    message.set_content("See the attached report.\n")
    message.add_attachment(message_from_bytes(original))
    return message.as_bytes()


def large_report(domain: str, records: int, *, seed: int = 15, alibaba_share: float = 0.1) -> str:
    """A report of `records` records, each from its own address: Alibaba Mail's (203.0.113.0/25 in the
    test zones, all 126 of them in a large report), the rest from all over the IPv4 space, half passing."""
    rng = random.Random(seed)
    rows = []
    used: set[str] = set()
    while len(rows) < records:
        alibaba = rng.random() < alibaba_share
        ip = f"203.0.113.{rng.randint(1, 126)}" if alibaba else _random_ip(rng)
        if ip in used:
            continue
        used.add(ip)
        ok = rng.random() < 0.5
        verdict = "pass" if ok else "fail"
        rows.append(Row(ip, count=rng.randint(1, 40), dkim=verdict, spf=verdict))
    return report_xml(domain, rows, org="google.com", report_id="large-1")


def _random_ip(rng: random.Random) -> str:
    return f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
