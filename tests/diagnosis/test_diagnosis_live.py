"""The live part: an authentication failure makes diagnose() audit the sender's DNS (on the test
nameserver) and evaluate SPF for the sending IP the bounce names; other failures do not."""

from __future__ import annotations

from alimail_mcp.config import Settings
from alimail_mcp.diagnosis.engine import diagnose
from alimail_mcp.dns.resolver import ResolverClient
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, zone_file

GMAIL_AUTH = (
    "550-5.7.26 This mail has been blocked because the sender is unauthenticated. The sending IP "
    "address [198.51.100.77] is not authorized. 550 5.7.26 Authentication results: spf=fail - gsmtp"
)


async def test_authentication_failure_runs_the_dns_check(
    dns_server: DnsTestServer, dns_settings: Settings, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, zone_file("broken.test"))
    result = await diagnose(GMAIL_AUTH, domain="broken.test", settings=dns_settings, client=dns_client)
    assert result.live is not None
    live = result.live
    assert live.domain == "broken.test" and live.status == "problem"
    assert "spf.multiple" in {f.code for f in live.findings}
    assert live.sending_ip == "198.51.100.77"
    assert live.spf is not None and live.spf.ip == "198.51.100.77"
    assert {f.code for f in result.findings} >= {"google.authentication-required", "spf.multiple"}
    assert "spf" in live.failing and live.still_present is True
    assert "still there" in result.summary


async def test_spf_says_which_term_decided(
    dns_server: DnsTestServer, dns_settings: Settings, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, zone_file("good.test"))
    result = await diagnose(GMAIL_AUTH, domain="good.test", settings=dns_settings, client=dns_client)
    assert result.live is not None and result.live.spf is not None
    assert result.live.spf.result == "fail"
    assert result.live.spf.decided_by == "-all"


async def test_sender_domain_from_the_bounce(
    dns_server: DnsTestServer, dns_settings: Settings, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, zone_file("good.test"))
    bounce = (
        "From: MAILER-DAEMON@mx.good.test\nTo: sales@good.test\n"
        "Subject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b-1234567890"\n\n'
        "--b-1234567890\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.good.test\n\n"
        "Final-Recipient: rfc822; friend@partner.test\nAction: failed\nStatus: 5.7.1\n"
        "Diagnostic-Code: smtp; 550 5.7.1 SPF check failed for good.test\n\n"
        "--b-1234567890\nContent-Type: message/rfc822\n\nFrom: sales@good.test\nTo: friend@partner.test\n"
        "Subject: hello\n\nhi\n--b-1234567890--\n"
    )
    result = await diagnose(bounce, settings=dns_settings, client=dns_client)
    assert result.sender_domain == "good.test"
    assert result.live is not None and result.live.domain == "good.test" and result.live.status == "ok"


async def test_no_dns_check_for_other_failures_or_when_off(
    dns_server: DnsTestServer, dns_settings: Settings, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, zone_file("good.test"))
    unknown = await diagnose(
        "550 5.1.1 user unknown", domain="good.test", settings=dns_settings, client=dns_client
    )
    assert unknown.live is None
    off = await diagnose(GMAIL_AUTH, domain="good.test", settings=dns_settings, client=dns_client, live=False)
    assert off.live is None
    assert dns_server.count() == 0
