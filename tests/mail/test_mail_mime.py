"""mail.mime: messages parsed and walked into their parts; payloads and attachments read."""

from __future__ import annotations

import base64
import gzip
import io
import zipfile
from collections.abc import Iterable
from email.message import Message
from pathlib import Path

import pytest

from alimail_mcp.mail.mime import attachments, decode_text, parse_message, payload_bytes, walk


def message(body: str) -> Message:
    return parse_message(body.encode())


def types(walked: Iterable[tuple[str, Message]]) -> list[str]:
    pairs = list(walked)
    assert all(ctype == part.get_content_type() for ctype, part in pairs)
    return [ctype for ctype, _ in pairs]


NESTED = """\
From: a@example.org
Content-Type: multipart/mixed; boundary="outer-boundary-0001"

--outer-boundary-0001
Content-Type: multipart/alternative; boundary="inner-boundary-0002"

--inner-boundary-0002
Content-Type: text/plain

plain
--inner-boundary-0002
Content-Type: text/html

<p>html</p>
--inner-boundary-0002--
--outer-boundary-0001
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; b@example.org
Action: failed
--outer-boundary-0001
Content-Type: message/rfc822

From: b@example.org
Content-Type: text/plain

returned
--outer-boundary-0001--
"""


def test_walk_yields_the_parts_depth_first() -> None:
    parts = walk(message(NESTED))
    # message/delivery-status holds one part per block, message/rfc822 the returned message.
    assert types(parts) == ["text/plain", "text/html", "text/plain", "text/plain", "text/plain"]


def test_walk_keeps_whole_parts_whole_and_can_prefer_plain_text() -> None:
    whole = {"message/delivery-status", "message/rfc822"}
    parts = walk(message(NESTED), whole=whole, plain_over_html=True)
    assert types(parts) == ["text/plain", "message/delivery-status", "message/rfc822"]


def test_walk_repairs_a_multipart_whose_boundary_was_lost() -> None:
    text = (
        "Content-Type: multipart/mixed\n\n"
        "--lost-boundary\nContent-Type: text/plain\n\nfound\n--lost-boundary--\n"
    )
    [(ctype, part)] = walk(message(text))
    assert ctype == "text/plain" and payload_bytes(part) == b"found"


def test_walk_yields_a_multipart_it_cannot_split_as_one_part() -> None:
    unsplit = message('Content-Type: multipart/mixed; boundary="b"\n\n--b--\n')
    assert list(walk(unsplit)) == [("multipart/mixed", unsplit)]
    empty = Message()
    empty.set_type("multipart/mixed")
    empty.set_payload([])
    assert list(walk(empty)) == []
    single = message("Content-Type: text/plain\n\nhi\n")
    assert list(walk(single)) == [("text/plain", single)]


def test_payload_bytes_undoes_the_transfer_encoding_or_keeps_the_body() -> None:
    b64 = message("Content-Transfer-Encoding: base64\n\n" + base64.b64encode(b"\x00\x01data").decode() + "\n")
    assert payload_bytes(b64) == b"\x00\x01data"
    qp = message("Content-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n")
    assert payload_bytes(qp).decode() == "café\n"


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("發送".encode("gbk"), "gb2312", "發送"),  # gb2312 declared, GBK written: read as GB18030
        ("été".encode(), None, "été"),
        ("été".encode("latin-1"), '"no-such-charset"', "été"),  # unknown charset, not UTF-8: Latin-1
        ("シ".encode("shift_jis"), "x-sjis", "シ"),
    ],
)
def test_decode_text(data: bytes, charset: str | None, expected: str) -> None:
    assert decode_text(data, charset) == expected


def test_equal_length_boundaries_parse_the_same_whatever_their_order() -> None:
    first, second = "a" * 16, "b" * 16
    text = (
        f'Content-Type: multipart/mixed; boundary="{first}"\n\n--{first}\n'
        f'Content-Type: multipart/mixed; boundary="{second}"\n\n--{second}\nContent-Type: text/plain\n\n'
        f"x\n--{second}--\n--{first}--\n"
    )
    assert types(walk(message(text))) == ["text/plain"]


def report_email(xml: bytes) -> bytes:
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("google.com!example.org!1!2.xml", xml)
    zip_b64 = base64.encodebytes(zipped.getvalue()).decode()
    gz_b64 = base64.encodebytes(gzip.compress(xml)).decode()
    return f"""\
From: noreply-dmarc-support@google.com
Subject: Report domain: example.org
Content-Type: multipart/mixed; boundary="report-boundary-0001"

--report-boundary-0001
Content-Type: text/plain

This is an aggregate report.
--report-boundary-0001
Content-Type: application/zip; name="google.com!example.org!1!2.zip"
Content-Disposition: attachment; filename="google.com!example.org!1!2.zip"
Content-Transfer-Encoding: base64

{zip_b64}
--report-boundary-0001
Content-Type: application/gzip
Content-Disposition: attachment; filename="=?utf-8?B?cmVwb3J0LnhtbC5neg==?="
Content-Transfer-Encoding: base64

{gz_b64}
--report-boundary-0001--
""".encode()


def test_attachments_are_the_named_parts_decoded() -> None:
    xml = b"<?xml version='1.0'?><feedback></feedback>"
    found = attachments(parse_message(report_email(xml)))
    assert [(a.filename, a.content_type) for a in found] == [
        ("google.com!example.org!1!2.zip", "application/zip"),
        ("report.xml.gz", "application/gzip"),
    ]
    with zipfile.ZipFile(io.BytesIO(found[0].data)) as z:
        assert z.read(z.namelist()[0]) == xml
    assert gzip.decompress(found[1].data) == xml


def test_attachments_of_the_report_emails_in_the_dmarc_corpus(shared_dir: Path) -> None:
    folder = shared_dir / "corpora" / "dmarc" / "aggregate"
    emails = sorted(folder.glob("*.eml"))
    if not emails:
        pytest.skip(f"no report emails in {folder}")
    magic = {"application/zip": b"PK\x03\x04", "application/gzip": b"\x1f\x8b"}
    for path in emails:
        found = attachments(parse_message(path.read_bytes().replace(b"\r\n", b"\n")))
        assert len(found) == 1, path.name
        assert found[0].data.startswith(magic[found[0].content_type]), path.name
