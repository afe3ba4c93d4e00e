"""check_client_settings on a reviewer's table of client configurations (tests/data/clients_fresh.yaml,
written before the checker was run on them), and the longer labels clients give their choices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from alimail_mcp.clients.check import check_client_settings

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "clients_fresh.yaml").read_text(encoding="utf-8")
)["cases"]
REMINDERS = {
    "client.protocol-not-enabled-reminder",
    "client.pop-leave-copy-reminder",
    "client.save-sent-reminder",
    "client.security-password-reminder",
}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_fresh_configuration(case: dict[str, Any]) -> None:
    result = await check_client_settings(**case["args"])
    assert {f.code for f in result.findings} - REMINDERS == set(case["codes"])


@pytest.mark.parametrize(
    ("security", "expected"),
    [
        ("SSL/TLS (Accept all certificates)", "SSL/TLS"),
        ("STARTTLS (accept all certificates)", "STARTTLS"),
        ("on", "SSL/TLS"),
        ("Off", "None"),
        ("SSL加密", "SSL/TLS"),
    ],
)
async def test_a_clients_longer_security_label_names_one_choice(security: str, expected: str) -> None:
    result = await check_client_settings(
        email="a@example.test", incoming_server="imap.qiye.aliyun.com", incoming_security=security
    )
    row = {r.setting: r for r in result.settings}["incoming_security"]
    assert row.configured == expected and row.matches is (expected == "SSL/TLS")


async def test_a_label_naming_two_choices_is_refused() -> None:
    from alimail_mcp.errors import InputError

    with pytest.raises(InputError) as err:
        await check_client_settings(email="a@example.test", incoming_security="SSL or STARTTLS")
    assert err.value.field == "incoming_security"


@pytest.mark.parametrize(
    ("client", "expected"),
    [("Outlook for Mac", "outlook"), ("Foxmail 7.2", "foxmail"), ("Thunderbird 115", "thunderbird")],
)
async def test_a_client_with_a_version_or_platform_is_recognised(client: str, expected: str) -> None:
    result = await check_client_settings(email="a@example.test", client=client)
    assert result.client == expected and not any("client not recognised" in a for a in result.assumed)


async def test_a_wrong_port_without_encryption_is_one_finding() -> None:
    result = await check_client_settings(
        email="a@example.test",
        outgoing_server="smtp.qiye.aliyun.com",
        outgoing_port=587,
        outgoing_security="none",
    )
    codes = [f.code for f in result.findings if f.code not in REMINDERS]
    assert codes == ["client.wrong-port"]
    assert result.findings[0].fix == ["Set the outgoing port to 465 with SSL/TLS."]
