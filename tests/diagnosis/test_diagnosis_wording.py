"""A text with no recognised error still gets the path its wording points to, never the text itself
as our words; a text about nothing mail-related gets no route."""

from __future__ import annotations

import pytest

from alimail_mcp.diagnosis.engine import diagnose_offline


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("网页版打不开，提示服务暂时不可用", ("resolve-failure", "webmail-service")),
        ("您发送的邮件被对方服务器拒收了", ("resolve-failure", "dns-authorization")),
        ("Our messages get refused by their mail server", ("resolve-failure", "dns-authorization")),
    ],
)
def test_unrecognised_text_is_routed_by_its_wording(text: str, route: tuple[str, str]) -> None:
    result = diagnose_offline(text)
    assert result.kind == "unrecognized"
    assert (result.intent, result.path) == route
    assert result.skill and result.next_steps
    assert text not in result.summary and all(text not in step for step in result.next_steps)


def test_text_about_nothing_mail_related_gets_no_route() -> None:
    result = diagnose_offline("How long should I boil an egg?")
    assert result.kind == "unrecognized"
    assert (result.intent, result.path, result.skill) == (None, None, None)


def test_recognised_errors_keep_their_own_route() -> None:
    result = diagnose_offline("535 Error: authentication failed")
    assert (result.intent, result.path) == ("resolve-failure", "client-config")
    assert "By its wording" not in result.summary
