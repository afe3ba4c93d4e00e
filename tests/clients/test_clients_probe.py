"""The probe of check_client_settings against loopback servers: implicit TLS, STARTTLS, plain, a
wrong certificate name, an untrusted chain, a server that never answers, a refused port, and the
hosts it must not dial. Names resolve through the in-process test nameserver; the allowed-host list,
the port map and the trust store are replaced for the test through probe_policy()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from alimail_mcp.clients.check import check_client_settings
from alimail_mcp.clients.models import ClientSettingsResult, ProbeResult
from alimail_mcp.clients.probe import ProbePolicy, probe_policy
from alimail_mcp.dns.resolver import ResolverClient
from tests.support.dns_server import DnsTestServer
from tests.support.local_servers import LOOPBACK, CertAuthority, MailServer

IMAP, SMTP, POP = "imap.qiye.aliyun.com", "smtp.qiye.aliyun.com", "pop.qiye.aliyun.com"


@pytest.fixture
def authority(tmp_path: Path) -> CertAuthority:
    return CertAuthority(tmp_path)


@pytest.fixture
def names(dns_server: DnsTestServer) -> DnsTestServer:
    """Provider names (and a customer domain) pointing at loopback."""
    dns_server.add_origin("aliyun.com.")
    dns_server.add_origin("example.test.")
    for host in (IMAP, SMTP, POP):
        dns_server.add(f"{host}.", "A", LOOPBACK)
    dns_server.add("imap.example.test.", "CNAME", f"{IMAP}.")
    dns_server.add("pop.example.test.", "A", LOOPBACK)
    return dns_server


async def run(
    dns: ResolverClient, policy: dict[str, Any] | None = None, **settings: Any
) -> ClientSettingsResult:
    base = {"email": "bob@example.test", "username": "bob@example.test", "probe": True}
    with probe_policy(ProbePolicy(**(policy or {}))):
        return await check_client_settings(**{**base, **settings}, dns=dns)


def probe_of(result: ClientSettingsResult, role: str) -> ProbeResult:
    return next(p for p in result.probes if p.role == role)


def finding_codes(result: ClientSettingsResult) -> set[str]:
    return {f.code for f in result.findings if f.code.startswith("client.probe")}


async def test_implicit_tls_with_a_matching_trusted_certificate(
    names: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with MailServer("imap", tls=authority.server_context(IMAP)) as imap:
        result = await run(
            dns_client,
            dict(port_map={993: imap.port}, ca_pem=authority.pem),
            protocol="imap",
            incoming_server=IMAP,
            incoming_port=993,
            incoming_security="ssl",
        )
    probe = probe_of(result, "incoming")
    assert probe.status == "ok" and probe.mode == "ssl"
    assert probe.address == LOOPBACK
    assert probe.certificate_trusted is True and probe.certificate_matches is True
    assert probe.certificate_names == [IMAP]
    assert "IMAP4rev1" in probe.capabilities and probe.greeting and probe.greeting.startswith("* OK")
    assert probe.tls_version and probe.tls_version.startswith("TLS")
    assert finding_codes(result) == {"client.probe-ok"}
    assert imap.lines[0] == "C1 CAPABILITY"


async def test_wrong_certificate_name_is_reported_with_the_names(
    names: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with MailServer("imap", tls=authority.server_context("other.example.test")) as imap:
        result = await run(
            dns_client,
            dict(port_map={993: imap.port}, ca_pem=authority.pem),
            protocol="imap",
            incoming_server=IMAP,
            incoming_port=993,
        )
    probe = probe_of(result, "incoming")
    assert probe.certificate_matches is False and probe.certificate_names == ["other.example.test"]
    finding = next(f for f in result.findings if f.code == "client.probe-cert-name-mismatch")
    assert finding.evidence["certificate_names"] == ["other.example.test"]


async def test_untrusted_chain_still_shows_the_greeting(
    names: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with MailServer("pop3", tls=authority.server_context(POP)) as pop:
        # the system trust store does not know the test CA
        result = await run(
            dns_client,
            dict(port_map={995: pop.port}),
            protocol="pop3",
            incoming_server=POP,
            incoming_port=995,
        )
    probe = probe_of(result, "incoming")
    assert probe.status == "ok" and probe.certificate_trusted is False
    assert probe.greeting == "+OK test POP3" and "UIDL" in probe.capabilities
    assert probe.error and probe.error.startswith("certificate:")
    assert finding_codes(result) == {"client.probe-cert-untrusted"}
    assert pop.connections == 1  # the verified handshake failed before the server saw a connection


async def test_starttls_on_the_plain_smtp_port(
    names: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with MailServer("smtp", starttls=authority.server_context(SMTP)) as smtp:
        result = await run(
            dns_client,
            dict(port_map={25: smtp.port}, ca_pem=authority.pem),
            outgoing_server=SMTP,
            outgoing_port=25,
            outgoing_security="starttls",
        )
    probe = probe_of(result, "outgoing")
    assert probe.status == "ok" and probe.mode == "starttls" and probe.starttls_offered is True
    assert probe.tls_version and probe.certificate_matches is True
    assert "STARTTLS" not in probe.capabilities  # the capabilities read after the upgrade
    assert [line.split(" ")[0] for line in smtp.lines] == ["EHLO", "STARTTLS", "EHLO", "QUIT"]
    assert "client.port-25-blocked" in {f.code for f in result.findings}


async def test_plain_port_without_starttls(names: DnsTestServer, dns_client: ResolverClient) -> None:
    async with MailServer("pop3") as pop:
        result = await run(
            dns_client,
            dict(port_map={110: pop.port}),
            protocol="pop3",
            incoming_server=POP,
            incoming_port=110,
            incoming_security="none",
        )
    probe = probe_of(result, "incoming")
    assert probe.mode == "plain" and probe.starttls_offered is False and probe.tls_version is None
    assert finding_codes(result) == {"client.probe-no-starttls"}


async def test_imap_starttls_upgrade(
    names: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with MailServer("imap", starttls=authority.server_context(IMAP)) as imap:
        result = await run(
            dns_client,
            dict(port_map={143: imap.port}, ca_pem=authority.pem),
            protocol="imap",
            incoming_server=IMAP,
            incoming_port=143,
            incoming_security="starttls",
        )
    probe = probe_of(result, "incoming")
    assert probe.mode == "starttls" and probe.certificate_matches is True
    assert [line.split(" ")[1] for line in imap.lines] == ["CAPABILITY", "STARTTLS", "CAPABILITY", "LOGOUT"]


async def test_a_server_that_never_answers_times_out_with_a_clear_result(
    names: DnsTestServer, dns_client: ResolverClient
) -> None:
    async with MailServer("imap", silent=True) as imap:
        result = await run(
            dns_client,
            dict(port_map={143: imap.port}, timeout=0.3),
            protocol="imap",
            incoming_server=IMAP,
            incoming_port=143,
            incoming_security="starttls",
        )
    probe = probe_of(result, "incoming")
    assert probe.status == "timeout"
    finding = next(f for f in result.findings if f.code == "client.probe-timeout")
    assert "0.3 seconds" in finding.title


async def test_refused_port_is_unreachable(names: DnsTestServer, dns_client: ResolverClient) -> None:
    async with MailServer("smtp") as closed:
        port = closed.port
    result = await run(dns_client, dict(port_map={465: port}), outgoing_server=SMTP, outgoing_port=465)
    assert probe_of(result, "outgoing").status == "unreachable"
    assert "client.probe-unreachable" in finding_codes(result)


async def test_wrong_protocol_on_the_port(names: DnsTestServer, dns_client: ResolverClient) -> None:
    async with MailServer("imap", speaks="smtp") as imap:
        result = await run(
            dns_client,
            dict(port_map={143: imap.port}),
            protocol="imap",
            incoming_server=IMAP,
            incoming_port=143,
        )
    probe = probe_of(result, "incoming")
    assert probe.status == "unexpected-greeting" and probe.greeting == "220 test ESMTP ready"


async def test_customer_cname_to_the_provider_is_probed_and_fails_the_name_check(
    names: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    async with MailServer("imap", tls=authority.server_context(IMAP)) as imap:
        result = await run(
            dns_client,
            dict(port_map={993: imap.port}, ca_pem=authority.pem),
            protocol="imap",
            incoming_server="imap.example.test",
            incoming_port=993,
        )
    probe = probe_of(result, "incoming")
    assert probe.cname_chain == [IMAP] and probe.certificate_matches is False
    assert {"client.custom-domain-host", "client.probe-cert-name-mismatch"} <= {
        f.code for f in result.findings
    }


async def test_hosts_that_are_not_the_providers_are_never_dialled(
    names: DnsTestServer, dns_client: ResolverClient
) -> None:
    async with MailServer("pop3") as pop:
        # pop.example.test is an A record of the customer's (not a CNAME to Alibaba Mail);
        # smtp.gmail.com is another provider: neither is probed, whatever it resolves to.
        result = await run(
            dns_client,
            dict(port_map={995: pop.port, 465: pop.port}),
            protocol="pop3",
            incoming_server="pop.example.test",
            incoming_port=995,
            outgoing_server="smtp.gmail.com",
            outgoing_port=465,
        )
    assert pop.connections == 0
    assert {p.status for p in result.probes} == {"not-allowed"}
    assert finding_codes(result) == {"client.probe-not-allowed"}


async def test_ports_that_are_not_the_providers_are_never_dialled(
    names: DnsTestServer, dns_client: ResolverClient
) -> None:
    async with MailServer("smtp") as smtp:
        result = await run(
            dns_client, dict(port_map={587: smtp.port}), outgoing_server=SMTP, outgoing_port=587
        )
    assert smtp.connections == 0 and probe_of(result, "outgoing").status == "port-not-probed"


async def test_allowed_hosts_can_be_extended_for_tests(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    dns_server.add_origin("local.test.")
    dns_server.add("mail.local.test.", "A", LOOPBACK)
    async with MailServer("smtp") as smtp:
        result = await run(
            dns_client,
            dict(port_map={25: smtp.port}, allowed_hosts=frozenset({"mail.local.test"})),
            outgoing_server="mail.local.test",
            outgoing_port=25,
        )
    assert probe_of(result, "outgoing").status == "ok" and smtp.connections == 1


async def test_unresolvable_provider_name(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    dns_server.add_origin("aliyun.com.")
    result = await run(dns_client, outgoing_server=SMTP, outgoing_port=465)
    assert probe_of(result, "outgoing").status == "unresolved"


async def test_no_credential_is_ever_sent(
    names: DnsTestServer, dns_client: ResolverClient, authority: CertAuthority
) -> None:
    servers = [MailServer("smtp", starttls=authority.server_context(SMTP)), MailServer("pop3")]
    async with servers[0] as smtp, servers[1] as pop:
        await run(
            dns_client,
            dict(port_map={25: smtp.port, 110: pop.port}, ca_pem=authority.pem),
            protocol="pop3",
            incoming_server=POP,
            incoming_port=110,
            outgoing_server=SMTP,
            outgoing_port=25,
        )
    sent = [line.split(" ")[0].upper() for line in smtp.lines + pop.lines]
    assert sent and not {"AUTH", "LOGIN", "USER", "PASS", "APOP"} & set(sent)


async def test_without_probe_no_dns_is_needed() -> None:
    result = await check_client_settings(email="bob@example.test", incoming_server=IMAP, incoming_port=993)
    assert result.probes == []
