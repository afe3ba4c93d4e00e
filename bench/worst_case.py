"""Worst-case inputs for every engine entry point, at the largest size its arguments allow.

    python bench/worst_case.py                  # every entry point, every case; the slowest case of each
    python bench/worst_case.py --all            # every case's time
    python bench/worst_case.py -k headers       # entry points (or cases) whose names contain the word
    python bench/worst_case.py --scale 0.1      # a tenth of the maximum size: a quick look

Each case is hostile text of the kind that makes parsers slow: runs of spaces and tabs, repeated
separators and words, nested structures, one long line, millions of short lines, many messages. It
runs in-process, in a forked child so that a case still running after `--limit` seconds is stopped
and shown as `> limit`; the time is the engine call alone, measured inside the child. The aim is
every entry point within 2 s at its maximum input on this 2-core machine.

A case's outcome is `ok` (a result), `input error` (a clean InputError naming the field: over a
limit, nested too deep) or the exception's type (a bug).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from alimail_mcp.diagnosis.args import ERROR_TEXT_CHARS  # noqa: E402
from alimail_mcp.dmarc_reports.args import REPORT_CHARS  # noqa: E402
from alimail_mcp.errors import InputError  # noqa: E402
from alimail_mcp.inputs import ADDRESS_CHARS, LINE_CHARS, QUESTION_CHARS  # noqa: E402
from alimail_mcp.missing_mail.args import HEADERS_CHARS  # noqa: E402
from alimail_mcp.secure_setup.args import CERTIFICATE_CHARS  # noqa: E402

TXT_CHARS = 65_000
"""A TXT record as long as a DNS message over TCP can carry."""
DIAGNOSE_CHARS = min(ERROR_TEXT_CHARS, 10 * 1024 * 1024 - 64)
"""The error_text limit in characters, within the parser's 10 MB (bytes) limit for ASCII text."""

Generator = Callable[[int], str]


def fill(unit: str, size: int, head: str = "", tail: str = "") -> str:
    """`head`, `unit` repeated, `tail`: `size` characters in all."""
    room = max(0, size - len(head) - len(tail))
    return head + (unit * (room // max(1, len(unit)) + 1))[:room] + tail


# --- the hostile texts ---------------------------------------------------------------------------------

RUNS = {
    "spaces": " ",
    "tabs": "\t",
    "spaces-tabs": " \t",
    "short-lines": "a\n",
    "blank-lines": "\n",
    "crlf-lines": "a\r\n",
    "long-line": "a",
    "digits": "0",
    "dots": ".",
    "dashes": "-",
    "equals": "=",
    "colons": ":",
    "semicolons": ";",
    "commas": ",",
    "ats": "@",
    "angles-open": "<",
    "angles-close": ">",
    "parens-open": "(",
    "parens-close": ")",
    "brackets": "[",
    "quotes": '"',
    "apostrophes": "'",
    "backslashes": "\\",
    "stars": "*",
    "encoded-word-starts": "=?",
    "cjk": "退信",
    "spaced-lines": " \n",
    "indented-lines": "\n ",
    "quoted-lines": "> a\n",
    "boundary-lines": "--a\n",
}
WORDS = {
    "from": "from ",
    "by": "by ",
    "with": "with ",
    "host": "host ",
    "reply-codes": "550 ",
    "reply-dashes": "550-",
    "statuses": "5.1.1 ",
    "user": "user ",
    "commands": "RCPT ",
    "command-words": "FROM ",
    "addresses": "a@b.cd ",
    "bracketed": "<a@b.cd> ",
    "host-ip": "mx.example.com [192.0.2.1] ",
    "ip-words": "ip address ",
    "domains": "a.b.",
    "spf": "is not allowed to send from ",
    "rcpt": "rcpt attempts ",
    "webmail": "webmail 503 ",
    "passwords": "password ",
    "connections": "connection ",
    "said": "said: ",
    "in-reply": "(in reply to RCPT TO command) ",
    "tags": "<p>",
    "script": "<script>",
    "stars-title": "*** a ",
    "qmail": "qmail ",
    "v-equals": "v=",
}


def text_cases(size: int) -> Iterator[tuple[str, str]]:
    """Runs and repeated words on their own, after a reply code, and as the body of a message."""
    for name, unit in RUNS.items():
        yield name, fill(unit, size, "550", "x")
    for name, unit in WORDS.items():
        yield f"words:{name}", fill(unit, size, "", "x")
    yield "reply+spaces", fill(" ", size, "550", "x")


BOUNCE_FRAMES = {
    "postfix": (
        "From: MAILER-DAEMON@example.com (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\nTo: a@example.com\n\n"
        "This is the mail system at host mx.example.com.\n\n"
    ),
    "exim": (
        "From: Mail Delivery System <Mailer-Daemon@example.com>\nSubject: Mail delivery failed: returning "
        "message to sender\nMessage-Id: <E1abcde-abcdef-ab@example.com>\n\n"
        "This message was created automatically by mail delivery software.\n\n  a@example.com\n"
    ),
    "sendmail": (
        "From: Mail Delivery Subsystem <MAILER-DAEMON@example.com>\nSubject: Returned mail: see transcript "
        "for details\n\n   ----- Transcript of session follows -----\n"
    ),
    "qmail": (
        "From: MAILER-DAEMON@example.com\nSubject: failure notice\n\nHi. This is the qmail-send program at "
        "example.com.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        "<a@example.com>:\n"
    ),
    "office365": (
        "From: postmaster@outlook.com\nSubject: Undeliverable: x\nX-MS-Exchange-Message-Is-Ndr: \n"
        "Received: from a.prod.outlook.com\n\nDelivery has failed to these recipients or groups:\n\n"
        "a@example.com<mailto:a@example.com>\nDiagnostic information for administrators:\n"
    ),
    "dsn-field": (
        "From: MAILER-DAEMON@example.com\nSubject: Delivery Status Notification\nContent-Type: "
        'multipart/report; report-type=delivery-status; boundary="b"\n\n--b\nContent-Type: '
        "message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; "
        "a@example.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 "
    ),
    "plain-daemon": "From: MAILER-DAEMON@example.com\nSubject: Returned mail\n\n",
}


def bounce_cases(size: int) -> Iterator[tuple[str, str]]:
    """Each common bounce's opening, then a hostile body: what the readers loop over line by line."""
    bodies = {
        "short-lines": "a\n",
        "indented": " a\n",
        "spaces": " ",
        "angles": "<",
        "recipients": "a@example.com\n",
        "reply-lines": "550 5.1.1 user unknown\n",
        "dsn-fields": "Final-Recipient: rfc822; a@example.com\nStatus: 5.1.1\n",
        "continuations": "Diagnostic-Code: smtp; 550\n  a\n",
    }
    for frame, head in BOUNCE_FRAMES.items():
        for body, unit in bodies.items():
            yield f"bounce:{frame}:{body}", fill(unit, size, head)


def mime_cases(size: int) -> Iterator[tuple[str, str]]:
    head = "From: MAILER-DAEMON@example.com\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
    yield "mime:nested-40", _nested(head, 40)
    yield "mime:nested-1000", _nested(head, 1000)
    part = "--b\nContent-Type: text/plain\n\n550 5.1.1 <a@example.com> user unknown\n"
    yield "mime:many-parts", fill(part, size, head + 'Content-Type: multipart/mixed; boundary="b"\n\n')
    rfc822 = "--b\nContent-Type: message/rfc822\n\nFrom: a@example.com\nSubject: x\n\nx\n"
    yield "mime:many-attached", fill(rfc822, size, head + 'Content-Type: multipart/mixed; boundary="b"\n\n')
    status = "Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.1.1\n\n"
    report = (
        head
        + 'Content-Type: multipart/report; boundary="b"\n\n--b\nContent-Type: message/delivery-status\n\n'
    )
    yield "mime:many-status-blocks", fill(status, size, report)
    for name, words in (("503", "503 "), ("angles", "<"), ("parens", "("), ("spf", " spf" + " " * 40)):
        hostile = fill(words, 4000)
        block = (
            "Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.0.0\n"
            f"Diagnostic-Code: smtp; {hostile}\n\n"
        )
        yield f"mime:status-blocks-{name}", fill(block, size, report)
    html = head + "Content-Type: text/html\n\n"
    yield "mime:html-angles", fill("<", size, html)
    yield "mime:html-scripts", fill("<script>", size, html)
    yield "mime:base64-junk", fill("YWJj\n", size, head + "Content-Transfer-Encoding: base64\n\n")
    yield "mime:qp-soft-breaks", fill("=\n", size, head + "Content-Transfer-Encoding: quoted-printable\n\n")
    yield "mime:long-subject-words", fill("=?utf-8?b?YQ==?= ", size, "From: a@b.cd\nSubject: ", "\n\nx")
    yield "mime:folded-subject", fill(" a\n", size, "From: a@b.cd\nSubject: x\n", "\nx")
    yield "mime:many-fields", fill("X-A: b\n", size, "From: a@b.cd\nSubject: x\n", "\nx")
    yield (
        "mime:boundary-params",
        fill('Content-Type: multipart/mixed; boundary="bbbbbbbbbbbbbbbb"\n', size, head),
    )


def _nested(head: str, depth: int) -> str:
    opening = "".join(f'Content-Type: multipart/mixed; boundary="n{i}"\n\n--n{i}\n' for i in range(depth))
    closing = "".join(f"\n--n{i}--\n" for i in reversed(range(depth)))
    return head + opening + "Content-Type: text/plain\n\n550 5.1.1 <a@example.com> user unknown\n" + closing


def mbox_cases(size: int) -> Iterator[tuple[str, str]]:
    bounce = (
        "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nFrom: MAILER-DAEMON@example.com\nSubject: Undelivered "
        "Mail Returned to Sender\n\n550 5.1.1 <a@example.com>: user unknown\n"
    )
    yield "mbox:tiny-bounces", fill(bounce, size)
    text = "From a Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: x\n\n550 x\n"
    yield "mbox:tiny-texts", fill(text, size)
    yield "mbox:separators", fill("From a\n", size, "From: a@b.cd\nSubject: x\n\n")


def diagnosis_cases(size: int) -> Iterator[tuple[str, str]]:
    yield from text_cases(size)
    yield "header+spaces", fill(" ", size, "From: a@b.cd\nSubject: x\n\n550", "x")
    yield from bounce_cases(size)
    yield from mime_cases(size)
    yield from mbox_cases(size)


def header_cases(size: int) -> Iterator[tuple[str, str]]:
    for name, unit in {**RUNS, **WORDS}.items():
        yield f"received:{name}", fill(unit, size, "Received: from ", "\n")
    for field in ("Authentication-Results: mx.example.com; ", "Received-SPF: ", "From: ", "Date: ",
                  "X-Spam-Status: ", "ARC-Authentication-Results: i=1; "):  # fmt: skip
        for name, unit in (("spaces", " "), ("semicolons", ";"), ("parens", "("), ("quotes", '"'),
                           ("props", "a.b=c "), ("words", "spf=pass "), ("angles", "<")):  # fmt: skip
            yield f"{field.split(':')[0].lower()}:{name}", fill(unit, size, field, "\n")
    hop = (
        "Received: from a.example.com (a.example.com [192.0.2.1]) by b.example.com with ESMTP;"
        " Mon, 1 Jan 2024 00:00:00 +0000\n"
    )
    yield "many-received", fill(hop, size)
    yield "many-fields", fill("X-A: b\n", size)
    yield "folded-lines", fill(" a\n", size, "Received: x\n")
    yield "unfolded-lines", fill("a\n", size, "Received: x\n")
    yield "long-line", fill("a", size, "Subject: ")
    yield "encoded-words", fill("=?utf-8?b?YQ==?= ", size, "Subject: ")


# --- the entry points ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    cases: Callable[[int], Iterator[tuple[str, str]]]
    call: Callable[[str], object]


def _diagnose(text: str) -> object:
    from alimail_mcp.diagnosis.engine import diagnose_offline

    return diagnose_offline(text)


def _analyze(text: str) -> object:
    from alimail_mcp.diagnosis.classify import analyze

    return analyze(text)


def _headers(text: str) -> object:
    from alimail_mcp.headers.analyze import analyze_headers

    return analyze_headers(text, mx_hosts=["mx1.qiye.aliyun.com"], foreign_mx=["mx.other.test"])


def _bounce_reading(text: str) -> object:
    from alimail_mcp.diagnosis.classify import analyze
    from alimail_mcp.missing_mail.bounce import reading_of
    from alimail_mcp.missing_mail.knowledge import load_missing_mail

    return reading_of(text, load_missing_mail(), "example.com", analyze)


def _missing_mail(text: str) -> object:
    from tests.support.fuzzing import FuzzClient

    from alimail_mcp.missing_mail.diagnose import diagnose_missing_mail

    headers = text if ":" in text[:200] else "Received: " + text[: HEADERS_CHARS - 10]
    call = diagnose_missing_mail(
        "example.com", headers=headers[:HEADERS_CHARS], bounce_text=text, client=FuzzClient({})
    )
    return asyncio.run(call)


def _certificate(text: str) -> object:
    from alimail_mcp.secure_setup.certificate import check_certificate, read_certificate_input

    return check_certificate(read_certificate_input(text, allow_paths=False))


def _route(text: str) -> object:
    from alimail_mcp.router.route import route

    return route(text)


def _recover(text: str) -> object:
    from alimail_mcp.recovery.plan import recover_access

    call = recover_access(description=text, lock_message=text[:LINE_CHARS])
    return asyncio.run(call)


def _client_settings(text: str) -> object:
    from tests.support.fuzzing import FuzzClient

    from alimail_mcp.clients.check import check_client_settings

    value = text[:ADDRESS_CHARS]
    call = check_client_settings(
        email=value, protocol="imap", incoming_server=value[:255], username=value, dns=FuzzClient({})
    )
    return asyncio.run(call)


def _spf_strict(text: str) -> object:
    from alimail_mcp.dns.spf import parse_record
    from alimail_mcp.dns.spf.record import SpfSyntaxError

    try:
        return parse_record(text)
    except SpfSyntaxError as exc:  # the strict parser's answer to a broken record
        return exc


def _spf_lenient(text: str) -> object:
    from alimail_mcp.dns.spf import parse_lenient

    return parse_lenient(text)


def _tags(text: str) -> object:
    from alimail_mcp.dns.taglist import parse_tags

    return parse_tags(text)


def _txt_check(check: str) -> Callable[[str], object]:
    def call(text: str) -> object:
        from tests.support.fuzzing import FuzzClient

        from alimail_mcp.dns.client import Outcome

        name = "default._domainkey.example.test" if check == "dkim" else "_dmarc.example.test"
        client = FuzzClient({(name, "TXT"): (Outcome.OK, (text,))})
        if check == "dkim":
            from alimail_mcp.dns.dkim import check_dkim

            return asyncio.run(check_dkim(client, "example.test", ["default"]))
        from alimail_mcp.dns.dmarc import check_dmarc

        return asyncio.run(check_dmarc(client, "example.test"))

    return call


def certificate_cases(size: int) -> Iterator[tuple[str, str]]:
    begin = "-----BEGIN CERTIFICATE-----\n"
    yield "begin-lines", fill(begin, size)
    yield "begin-then-junk", fill("a", size, begin)
    yield "begin-end-pairs", fill(begin + "YWJj\n-----END CERTIFICATE-----\n", size)
    yield "valid-certificates", fill(_certificate_pem(), size)
    yield "base64-lines", fill("QUFB\n", size)
    yield "base64-run", fill("QUFB", size)
    yield "dashes", fill("-", size)
    yield "spaces", fill(" ", size, "MII")
    yield "private-key-lines", fill("-----BEGIN PRIVATE KEY-----\n", size)


def _certificate_pem() -> str:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def question_cases(size: int) -> Iterator[tuple[str, str]]:
    yield from text_cases(size)
    yield "cjk-run", fill("密码错误", size)
    yield "mixed-words", fill("password 密码 locked 锁定 ", size)


def txt_cases(head: str) -> Callable[[int], Iterator[tuple[str, str]]]:
    def cases(size: int) -> Iterator[tuple[str, str]]:
        for name, unit in {**RUNS, **WORDS}.items():
            yield name, fill(unit, size, head)
        for name, unit in (("terms", "a "), ("includes", "include:a.b "), ("ip4", "ip4:1.2.3.4/24 "),
                           ("macros", "%{d}"), ("tags", "a=b;"), ("empty-tags", ";"), ("slashes", "/"),
                           ("key", "QUFB"), ("spaced-key", "QU FB ")):  # fmt: skip
            yield name, fill(unit, size, head)

    return cases


def report_cases(size: int) -> Iterator[tuple[str, str]]:
    """Aggregate reports built to be slow: deep nesting, one huge text node, a line of broken fields
    that sends the reader to its markup repair, the most tiny records, a gzip bomb, generic runs."""
    import base64
    import gzip

    yield "xml-nested", fill("<a>", size, "<feedback>")
    yield "xml-one-text-node", fill("x", size, "<feedback><report_metadata><org_name>")
    yield "xml-field-repairs", fill("<email>x</y>", size, "<feedback><report_metadata>", "</feedback>")
    head = "<feedback><report_metadata><org_name>o</org_name><report_id>1</report_id><date_range><begin>1"
    head += "</begin><end>2</end></date_range></report_metadata><policy_published><domain>example.com"
    head += "</domain><p>none</p></policy_published>"
    record = "<record><row><source_ip>10.0.0.1</source_ip><count>1</count></row></record>"
    yield "xml-tiny-records", fill(record, size - 12, head, "</feedback>")
    bomb = gzip.compress(b"<feedback>" + b" " * 100_000_000, compresslevel=9)
    yield "base64-gzip-bomb", base64.b64encode(bomb).decode()
    for name, text in text_cases(min(size, 2_000_000)):
        if name in ("spaces", "short-lines", "long-line", "angles-open"):
            yield name, text


def _reports(text: str) -> object:
    from alimail_mcp.dmarc_reports.analyze import analyze_dmarc_reports

    return asyncio.run(analyze_dmarc_reports([text], live=False))


ENTRIES = (
    Entry("diagnose", DIAGNOSE_CHARS, diagnosis_cases, _diagnose),
    Entry("classify.analyze", DIAGNOSE_CHARS, lambda n: mime_cases(n), _analyze),
    Entry("headers", HEADERS_CHARS, header_cases, _headers),
    Entry("missing_mail.bounce", HEADERS_CHARS, diagnosis_cases, _bounce_reading),
    Entry("missing_mail", HEADERS_CHARS, lambda n: bounce_cases(n), _missing_mail),
    Entry("certificate", CERTIFICATE_CHARS, certificate_cases, _certificate),
    Entry("route", QUESTION_CHARS, question_cases, _route),
    Entry("recover_access", QUESTION_CHARS, question_cases, _recover),
    Entry("client_settings", ADDRESS_CHARS, question_cases, _client_settings),
    Entry("spf.parse_record", TXT_CHARS, txt_cases("v=spf1 "), _spf_strict),
    Entry("spf.parse_lenient", TXT_CHARS, txt_cases("v=spf1 "), _spf_lenient),
    Entry("taglist.parse_tags", TXT_CHARS, txt_cases("v=DKIM1; p="), _tags),
    Entry("dkim.key", TXT_CHARS, txt_cases("v=DKIM1; k=rsa; p="), _txt_check("dkim")),
    Entry("dmarc.record", TXT_CHARS, txt_cases("v=DMARC1; p=reject; rua="), _txt_check("dmarc")),
    Entry("dmarc_reports", REPORT_CHARS, report_cases, _reports),
)


# --- running --------------------------------------------------------------------------------------------


def _run_case(entry: Entry, text: str, out: multiprocessing.connection.Connection) -> None:
    started = time.perf_counter()
    try:
        entry.call(text)
        outcome = "ok"
    except InputError:
        outcome = "input error"
    except Exception as exc:  # a bug: shown as its type
        outcome = type(exc).__name__
    out.send((time.perf_counter() - started, outcome))


def measure(entry: Entry, text: str, limit: float) -> tuple[float | None, str]:
    """(seconds, outcome) of one call in a forked child; (None, ...) when it ran past `limit`."""
    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_run_case, args=(entry, text, send))
    child.start()
    send.close()
    if receive.poll(limit):
        seconds, outcome = receive.recv()
        child.join()
        return seconds, outcome
    child.kill()
    child.join()
    return None, "stopped"


def warm_up() -> None:
    """Load the knowledge tables and import every engine once, so that no case pays for it."""
    for entry in ENTRIES:
        with contextlib.suppress(InputError, ValueError):
            entry.call("550 5.1.1 <a@example.com> user unknown")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "-k", dest="keyword", default="", help="only entry points or cases whose names contain this"
    )
    parser.add_argument(
        "--all", action="store_true", help="print every case, not only the slowest per entry point"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the maximum input size (default 1)"
    )
    parser.add_argument("--limit", type=float, default=60.0, help="seconds after which a case is stopped")
    args = parser.parse_args(argv)

    warm_up()
    rows: list[tuple[str, int, str, float | None, str]] = []
    for entry in ENTRIES:
        size = max(1, int(entry.size * args.scale))
        slowest: tuple[str, float | None, str] | None = None
        for case, text in entry.cases(size):
            if args.keyword and args.keyword not in entry.name and args.keyword not in case:
                continue
            seconds, outcome = measure(entry, text, args.limit)
            if args.all:
                shown = f"{seconds:.3f}" if seconds is not None else f"> {args.limit:g}"
                print(f"{entry.name:22} {case:36} {len(text):>10,} {shown:>8} s  {outcome}", flush=True)
            if slowest is None or _slower(seconds, slowest[1]):
                slowest = (case, seconds, outcome)
        if slowest is not None:
            rows.append((entry.name, size, *slowest))

    print(f"\n{'entry point':22} {'max input':>10}  {'slowest case':36} {'time':>9}  outcome")
    for name, size, case, seconds, outcome in rows:
        shown = f"{seconds:.3f} s" if seconds is not None else f"> {args.limit:g} s"
        print(f"{name:22} {size:>10,}  {case:36} {shown:>9}  {outcome}")
    return 0


def _slower(seconds: float | None, than: float | None) -> bool:
    """Whether a case's time is worse than `than`; a stopped case (None) is the worst."""
    if than is None:
        return False
    return seconds is None or seconds > than


if __name__ == "__main__":
    raise SystemExit(main())
