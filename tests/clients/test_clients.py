"""check_client_settings offline: a table of client configurations with the finding codes expected,
the correct settings table per client and site, reminders, and input validation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alimail_mcp.clients.check import check_client_settings
from alimail_mcp.clients.models import ClientSettingsResult
from alimail_mcp.errors import InputError

GOOD_IMAP: dict[str, Any] = {
    "email": "bob@example.test",
    "protocol": "imap",
    "incoming_server": "imap.qiye.aliyun.com",
    "incoming_port": 993,
    "incoming_security": "ssl",
    "outgoing_server": "smtp.qiye.aliyun.com",
    "outgoing_port": 465,
    "outgoing_security": "ssl",
    "username": "bob@example.test",
}
REMINDERS_IMAP = {
    "client.protocol-not-enabled-reminder",
    "client.save-sent-reminder",
    "client.security-password-reminder",
}


def codes(result: ClientSettingsResult) -> set[str]:
    return {f.code for f in result.findings} - REMINDERS_IMAP - {"client.pop-leave-copy-reminder"}


CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("all-correct", {}, {"client.settings-ok"}),
    ("username-local-part", {"username": "bob"}, {"client.username-not-full-address"}),
    ("username-other-address", {"username": "alice@example.test"}, {"client.username-mismatch"}),
    ("username-case-differs-is-fine", {"username": "Bob@Example.test"}, {"client.settings-ok"}),
    ("gmail-host", {"incoming_server": "imap.gmail.com"}, {"client.wrong-host"}),
    ("ip-host", {"outgoing_server": "203.0.113.7"}, {"client.wrong-host"}),
    (
        "seed-outdated-pop-host",
        {"protocol": "pop3", "incoming_server": "pop.mail.aliyun.com", "incoming_port": 995},
        {"client.outdated-host"},
    ),
    (
        "legacy-smtp-host",
        {"outgoing_server": "smtp.mxhichina.com"},
        {"client.legacy-host", "client.settings-ok"},
    ),
    ("imap-host-for-pop", {"protocol": "pop3", "incoming_port": 995}, {"client.host-protocol-mismatch"}),
    ("imap-host-for-smtp", {"outgoing_server": "imap.qiye.aliyun.com"}, {"client.host-protocol-mismatch"}),
    ("custom-domain-smtp", {"outgoing_server": "smtp.example.test"}, {"client.custom-domain-host"}),
    (
        "custom-domain-pop",
        {"protocol": "pop3", "incoming_server": "pop.example.test", "incoming_port": 995},
        {"client.custom-domain-host"},
    ),
    ("webmail-name-as-imap", {"incoming_server": "mail.example.test"}, {"client.wrong-host"}),
    ("ssl-port-without-ssl", {"incoming_security": "none"}, {"client.port-security-mismatch"}),
    ("ssl-port-with-starttls", {"outgoing_security": "starttls"}, {"client.port-security-mismatch"}),
    ("plain-port-with-ssl", {"incoming_port": 143}, {"client.port-security-mismatch"}),
    ("plain-port-plain", {"incoming_port": 143, "incoming_security": "none"}, {"client.plaintext"}),
    (
        "plain-port-starttls",
        {"incoming_port": 143, "incoming_security": "starttls"},
        {"client.starttls-plain-port", "client.settings-ok"},
    ),
    (
        "smtp-25-plain",
        {"outgoing_port": 25, "outgoing_security": "none"},
        {"client.port-25-blocked", "client.plaintext"},
    ),
    ("smtp-25-ssl", {"outgoing_port": 25}, {"client.port-25-blocked", "client.port-security-mismatch"}),
    ("smtp-587", {"outgoing_port": 587, "outgoing_security": "starttls"}, {"client.wrong-port"}),
    ("imap-on-pop-port", {"incoming_port": 995}, {"client.wrong-port"}),
    ("wrong-site", {"site": "Singapore"}, {"client.wrong-site"}),
    (
        "right-international-site",
        {"site": "sg", "incoming_server": "imap.sg.aliyun.com", "outgoing_server": "smtp.sg.aliyun.com"},
        {"client.settings-ok"},
    ),
    (
        "germany-host-for-us-site",
        {
            "site": "US",
            "incoming_server": "imap.de.alibabacloud.com",
            "outgoing_server": "smtp.us.alibabacloud.com",
        },
        {"client.wrong-site"},
    ),
    ("mixed-sites", {"outgoing_server": "smtp.hk.aliyun.com"}, {"client.mixed-sites"}),
    (
        "everything-wrong",
        {
            "protocol": "pop3",
            "incoming_server": "pop.mail.aliyun.com",
            "incoming_port": 110,
            "incoming_security": "ssl",
            "outgoing_port": 25,
            "outgoing_security": "none",
            "username": "bob",
        },
        {
            "client.outdated-host",
            "client.port-security-mismatch",
            "client.port-25-blocked",
            "client.plaintext",
            "client.username-not-full-address",
        },
    ),
]


@pytest.mark.parametrize(("args", "expected"), [(a, e) for _, a, e in CASES], ids=[c[0] for c in CASES])
async def test_configuration(args: dict[str, Any], expected: set[str]) -> None:
    result = await check_client_settings(**{**GOOD_IMAP, **args})
    assert codes(result) == expected
    assert (result.intent, result.path) == ("resolve-failure", "client-config")
    assert result.skill == "alimail/guide/alimail-configuration"


async def test_fixes_name_the_right_server_for_the_site() -> None:
    result = await check_client_settings(**{**GOOD_IMAP, "site": "Hong Kong"})
    wrong = [f for f in result.findings if f.code == "client.wrong-site"]
    assert {f.fix[0] for f in wrong} == {
        "Set the incoming server to imap.hk.aliyun.com.",
        "Set the outgoing server to smtp.hk.aliyun.com.",
    }
    assert result.site == "hong-kong" and result.site_webmail == "mail.hk.aliyun.com"


async def test_table_uses_provider_values_and_client_labels() -> None:
    result = await check_client_settings(
        email="bob@example.test", protocol="pop3", client="Thunderbird", incoming_port=110
    )
    table = {row.setting: row for row in result.settings}
    assert table["incoming_server"].value == "pop.qiye.aliyun.com"
    assert table["incoming_port"].value == "995" and table["incoming_port"].configured == "110"
    assert table["incoming_port"].matches is False
    assert table["outgoing_port"].value == "465"
    assert table["incoming_security"].label == "Incoming server: Connection security"
    assert table["username"].value == "bob@example.test"
    assert result.client == "thunderbird" and "Configure manually" in result.where


async def test_site_is_inferred_from_the_hosts() -> None:
    result = await check_client_settings(email="a@example.test", incoming_server="imap.us.alibabacloud.com")
    assert result.site == "us"
    assert {row.setting: row.value for row in result.settings}[
        "outgoing_server"
    ] == "smtp.us.alibabacloud.com"
    assert any("site not given" in a for a in result.assumed)


async def test_protocol_inferred_from_port_else_assumed() -> None:
    pop = await check_client_settings(email="a@example.test", incoming_port=995)
    assert pop.protocol == "pop3" and not any("protocol" in a for a in pop.assumed)
    unknown = await check_client_settings(email="a@example.test", username="a@example.test")
    assert unknown.protocol == "imap" and any("IMAP assumed" in a for a in unknown.assumed)


async def test_pop_reminds_to_leave_a_copy_in_the_clients_own_words() -> None:
    result = await check_client_settings(email="a@example.test", protocol="pop", client="iPhone")
    assert "client.pop-leave-copy-reminder" in {f.code for f in result.findings}
    assert any("Delete from server: Never" in r for r in result.reminders)
    imap = await check_client_settings(email="a@example.test", protocol="imap", client="iPhone")
    assert "client.pop-leave-copy-reminder" not in {f.code for f in imap.findings}
    assert any("Enable IMAP" in r or "IMAP in webmail" in r for r in imap.reminders)


async def test_unknown_client_falls_back_to_generic_labels() -> None:
    result = await check_client_settings(email="a@example.test", client="Mutt 2.2")
    assert result.client == "other" and any("client not recognised" in a for a in result.assumed)


async def test_user_text_stays_in_evidence() -> None:
    result = await check_client_settings(email="bob@example.test", incoming_server="evil.example.org")
    finding = next(f for f in result.findings if f.code == "client.wrong-host")
    assert finding.evidence["incoming_server"] == "evil.example.org"
    assert "evil" not in finding.title + finding.detail + " ".join(finding.fix) + result.summary


async def test_finding_texts_fill_every_placeholder() -> None:
    for _, args, _ in CASES:
        result = await check_client_settings(**{**GOOD_IMAP, **args})
        for f in result.findings:
            text = f.title + f.detail + " ".join(f.fix)
            assert "{" not in text and "}" not in text, f.code
        assert "{" not in result.summary


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@example.test", "incoming_port": 0}, "incoming_port"),
        ({"email": "a@example.test", "outgoing_port": "465x"}, "outgoing_port"),
        ({"email": "a@example.test", "incoming_port": True}, "incoming_port"),
        ({"email": "a@example.test", "incoming_security": "maybe"}, "incoming_security"),
        ({"email": "a@example.test", "protocol": "exchange"}, "protocol"),
        ({"email": "a@example.test", "site": "Mars"}, "site"),
        ({"email": "a@example.test", "incoming_server": "imap.qiye.aliyun.com:993"}, "incoming_server"),
        ({"email": "a@example.test", "outgoing_server": "bob@example.test"}, "outgoing_server"),
        ({"email": "a@example.test", "username": "u" * 400}, "username"),
    ],
)
async def test_bad_input_names_the_field(args: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as err:
        await check_client_settings(**args)
    assert err.value.field == field


async def test_aliases_for_security_and_site() -> None:
    result = await check_client_settings(**{**GOOD_IMAP, "incoming_security": "SSL/TLS", "site": "中国"})
    assert codes(result) == {"client.settings-ok"} and result.site == "china"


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from alimail_mcp.cli import main

    bad = ["check-client", "--email", "bob@example.test", "--username", "bob", "--incoming-port", "995"]
    assert main(bad) == 1
    out = capsys.readouterr().out
    assert "client.username-not-full-address" in out and "pop.qiye.aliyun.com" in out
    assert main(["check-client", "--email", "bob@example.test", "--client", "outlook", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["client"] == "outlook"
    assert main(["check-client", "--email", "bob@example.test", "--site", "Mars"]) == 2
    assert "site" in capsys.readouterr().err


@given(
    email=st.one_of(st.none(), st.text(max_size=60)),
    server=st.one_of(st.none(), st.text(max_size=60)),
    port=st.one_of(st.none(), st.integers(-5, 70000), st.text(max_size=8)),
    security=st.one_of(st.none(), st.text(max_size=12)),
    username=st.one_of(st.none(), st.text(max_size=60)),
)
@settings(max_examples=150, deadline=None)
def test_any_input_gives_a_result_or_an_input_error(
    email: str | None, server: str | None, port: int | str | None, security: str | None, username: str | None
) -> None:
    import asyncio

    try:
        result = asyncio.run(
            check_client_settings(
                email=email,
                incoming_server=server,
                incoming_port=port,
                outgoing_security=security,
                username=username,
            )
        )
    except InputError:
        return
    assert result.settings and result.summary
