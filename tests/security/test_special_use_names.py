"""Special-use names (RFC 6761 and kin) are never a public mail domain: every domain a tool takes
refuses them naming the field, whatever the operator's opt-in, before any DNS question is sent. The
reserved names tests and documentation use (.test, .example, .invalid) keep working."""

from __future__ import annotations

from typing import Any

import pytest
from mcp.client import Client

from alimail_mcp.errors import InputError
from alimail_mcp.inputs import SPECIAL_USE, normalize_address, normalize_domain
from alimail_mcp.server.app import build_server
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer

REFUSED = [
    "x.localhost",
    "svc.cluster.local",
    "printer.local",
    "corp.internal",
    "router.home.arpa",
    "1.0.0.127.in-addr.arpa",
    "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
    "name.alt",
    "nas.lan",
    "box.home",
    "mail.corp",
    "host.localdomain",
    "EXAMPLE.Local.",
    "bücher.local",
]
ACCEPTED = [
    "example.test",
    "mail.example",
    "nothing.invalid",
    "example.com",
    "local.test",
    "internal.example.test",
]

# tool, arguments with one domain argument left to fill
DOMAIN_CALLS: list[tuple[str, dict[str, Any], str]] = [
    ("check_dns", {}, "domain"),
    ("check_webmail", {}, "domain"),
    ("plan_secure_setup", {}, "domain"),
    ("diagnose_missing_mail", {}, "domain"),
    ("diagnose_send_error", {"error_text": "550 5.1.1 User unknown"}, "domain"),
]


@pytest.mark.parametrize("name", REFUSED)
def test_special_use_names_are_refused(name: str) -> None:
    with pytest.raises(InputError) as err:
        normalize_domain(name)
    assert err.value.field == "domain" and "special-use" in str(err.value)
    with pytest.raises(InputError) as err:
        normalize_address(f"bob@{name}")
    assert err.value.field == "email"


@pytest.mark.parametrize("name", ACCEPTED)
def test_reserved_test_names_and_public_ones_stay_accepted(name: str) -> None:
    assert normalize_domain(name) == name.lower()


def test_every_special_use_label_is_explained() -> None:
    for label, why in SPECIAL_USE.items():
        assert why and label == label.lower()
        with pytest.raises(InputError, match=why.split(",")[0]):
            normalize_domain(f"x.{label}")


def test_a_mail_client_may_still_name_a_local_host() -> None:
    assert normalize_domain("exchange.corp.local", "incoming_server", public=False) == "exchange.corp.local"


async def test_every_domain_tool_refuses_them_without_asking_dns(dns_server: DnsTestServer) -> None:
    settings = settings_for(dns_server, timeout=0.5, budget=2.0)  # the opt-in is on: names stay refused
    async with Client(build_server(settings)) as client:
        for tool, base, argument in DOMAIN_CALLS:
            for name in ("svc.cluster.local", "corp.internal", "x.localhost"):
                result = await client.call_tool(tool, {**base, argument: name})
                assert result.is_error, (tool, name)
                text = " ".join(getattr(c, "text", "") for c in result.content)
                assert argument in text and "special-use" in text, (tool, text[:200])
        client_check = await client.call_tool(
            "check_client_settings",
            {"email": "bob@example.test", "incoming_server": "exchange.corp.local", "incoming_port": 993},
        )
        assert not client_check.is_error
        assert "client.wrong-host" in str(client_check.structured_content)
    assert dns_server.count() == 0
