"""A resolver that does not answer (the loopback harness, silent) and a machine with no network route are
named as such by every live command: the resolver is blamed, never the domain, its nameservers or the
client's settings, and the command exits 3. The control question that tells them apart is checked too:
a resolver that answers other names but not the domain's leaves the blame with the domain."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from alimail_mcp.cli import main
from alimail_mcp.dns.audit import audit_domain
from tests.conftest import settings_for
from tests.support.dns_server import DnsTestServer

BLAMED = {"dns.resolver-not-answering", "dns.no-route"}
CLIENT = [
    "check-client",
    "--email",
    "ann@example.test",
    "--protocol",
    "imap",
    "--incoming-server",
    "imap.qiye.aliyun.com",
    "--incoming-port",
    "993",
    "--probe",
]
COMMANDS = [
    ["check-dns", "example.test"],
    ["check-webmail", "example.test"],
    ["missing-mail", "example.test"],
    ["secure-plan", "example.test", "--goal", "anti-spoofing"],
    CLIENT,
]


@pytest.fixture(scope="module")
def silent() -> DnsTestServer:
    with DnsTestServer(silent=True) as server:
        yield server


def codes(data: dict[str, object]) -> set[str]:
    return {str(f["code"]) for f in data["findings"]}  # type: ignore[attr-defined,index]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_a_silent_resolver_is_blamed_and_exits_3(
    silent: DnsTestServer, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, *flags_for(silent), "--json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert "dns.resolver-not-answering" in codes(data)
    assert data["resolver"] == {"servers": [silent.address], "configured": True, "state": "not-answering"}
    # nothing is blamed on the domain, its nameservers or the client's settings
    wrong = {"dns.timeout", "dns.servfail", "client.probe-unresolved", "webmail.dns-unreachable"}
    assert not codes(data) & wrong
    assert "nameservers do not answer" not in json.dumps(data)


def flags_for(server: DnsTestServer) -> list[str]:
    return ["--resolvers", server.address, "--dns-timeout", "0.2", "--dns-budget", "0.5"]


def test_the_terminal_output_names_the_resolver(
    silent: DnsTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-dns", "example.test", *flags_for(silent)]) == 3
    out = capsys.readouterr().out
    assert f"DNS resolver: {silent.address} (configured): NOT ANSWERING" in out
    assert "Your DNS resolver is not answering" in out and "dns.timeout" not in out


def test_the_control_question_reaches_the_resolver(silent: DnsTestServer) -> None:
    silent.reset_counts()
    assert main(["check-webmail", "example.test", *flags_for(silent)]) == 3
    assert silent.count(".", "NS") == 1


async def test_a_domain_whose_servers_are_silent_is_still_the_domain(dns_server: DnsTestServer) -> None:
    """The resolver answers the control question: the timeouts stay the domain's (dns.timeout)."""
    dns_server.add_origin("example.test")
    dns_server.set_fault("example.test", drop=True)
    settings = settings_for(dns_server, timeout=0.3, budget=1.0)
    result = await audit_domain("example.test", settings=settings)
    assert result.resolver is not None and result.resolver.state == "answering"
    assert "dns.timeout" in {f.code for f in result.findings}
    assert not {f.code for f in result.findings} & BLAMED


@pytest.mark.skipif(
    shutil.which("unshare") is None, reason="needs unshare (util-linux) for a network namespace"
)
def test_no_network_route_is_named() -> None:
    """In a network namespace with no interface up, nothing can be sent: dns.no-route, exit 3."""
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("unprivileged network namespaces are not allowed here")
    env = {**os.environ, "ALIMAIL_MCP_RESOLVERS": "192.0.2.53"}
    for argv in (COMMANDS[0], CLIENT):
        run = subprocess.run(
            ["unshare", "-rn", sys.executable, "-m", "alimail_mcp", *argv, "--json", "--dns-budget", "2"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert run.returncode == 3, (argv, run.stderr)
        data = json.loads(run.stdout)
        assert "dns.no-route" in codes(data), argv
        assert data["resolver"]["state"] == "no-route"
