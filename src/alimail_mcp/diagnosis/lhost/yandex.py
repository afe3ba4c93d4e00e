"""Yandex.Mail: "This is the mail system at host yandex.ru." (Postfix underneath)."""

from __future__ import annotations

from alimail_mcp.diagnosis.delivery import Mail, Report
from alimail_mcp.diagnosis.lhost._common import fillet, read_fields_and_session
from alimail_mcp.diagnosis.smtp import sweep


def read(mail: Mail) -> Report | None:
    if not mail.header("x-yandex-uniq") or mail.header("from") != "mailer-daemon@yandex.ru":
        return None
    head, original = fillet(mail.body)
    deliveries, session = read_fields_and_session(
        head, lambda line: line.startswith("This is the mail system at host yandex.ru.")
    )
    for d in deliveries:
        d.command = session.commands.pop(0) if session.commands else ""
        d.diagnosis = sweep(d.diagnosis)
    return Report(deliveries, original, "yandex") if deliveries else None
