"""The outbound address policy (outbound.py) as a table: which addresses a caller-steered connection
may go to, with and without the operator's opt-in, the redirect rule, and the setting it reads."""

from __future__ import annotations

import ipaddress

import pytest

from alimail_mcp.config import ENV_ALLOW_PRIVATE_TARGETS, load_settings
from alimail_mcp.errors import InputError
from alimail_mcp.outbound import OutboundPolicy, RefusedTarget, Target, open_connection, same_origin

GUARD = OutboundPolicy()
OPTED_IN = OutboundPolicy(allow_private=True)

# address, the kind it is refused as (None: public), the IPv4 address inside it that decided
TABLE: list[tuple[str, str | None, str | None]] = [
    # public
    ("8.8.8.8", None, None),
    ("203.119.206.1", None, None),
    ("2001:4860:4860::8888", None, None),
    ("2400:3200::1", None, None),
    ("::ffff:8.8.8.8", None, "8.8.8.8"),
    ("2002:808:808::1", None, "8.8.8.8"),
    ("64:ff9b::808:808", None, "8.8.8.8"),
    # IPv4
    ("0.0.0.0", "unspecified", None),
    ("0.1.2.3", "unspecified", None),
    ("127.0.0.1", "loopback", None),
    ("127.255.255.254", "loopback", None),
    ("10.0.0.1", "private", None),
    ("172.16.0.1", "private", None),
    ("172.31.255.255", "private", None),
    ("192.168.1.1", "private", None),
    ("100.64.0.1", "shared (carrier-grade NAT)", None),
    ("100.127.255.254", "shared (carrier-grade NAT)", None),
    ("169.254.169.254", "link-local", None),
    ("192.0.0.9", "reserved", None),
    ("192.0.2.1", "documentation", None),
    ("198.51.100.7", "documentation", None),
    ("203.0.113.7", "documentation", None),
    ("192.88.99.1", "reserved", None),
    ("198.18.0.1", "benchmarking", None),
    ("224.0.0.1", "multicast", None),
    ("239.255.255.250", "multicast", None),
    ("240.0.0.1", "reserved", None),
    ("255.255.255.255", "broadcast", None),
    # IPv6
    ("::", "unspecified", None),
    ("::1", "loopback", None),
    ("fe80::1", "link-local", None),
    ("fe80::1%eth0", "link-local", None),
    ("fec0::1", "site-local", None),
    ("fc00::1", "private", None),
    ("fd12:3456::1", "private", None),
    ("ff02::1", "multicast", None),
    ("ff0e::1", "multicast", None),
    ("2001:db8::1", "documentation", None),
    ("3fff::1", "documentation", None),
    ("2001::1", "reserved", None),  # Teredo
    ("2001:2::1", "benchmarking", None),
    ("100::1", "reserved", None),  # discard-only
    ("5f00::1", "reserved", None),
    ("4000::1", "reserved", None),  # outside 2000::/3: not allocated
    ("::127.0.0.1", "reserved", None),  # IPv4-compatible, deprecated
    ("64:ff9b:1::a00:1", "private", None),  # local-use NAT64
    ("2606:4700::1%eth0", "reserved", None),  # a zone index: not an internet address
    # IPv4 inside IPv6: mapped, 6to4, NAT64
    ("::ffff:127.0.0.1", "loopback", "127.0.0.1"),
    ("::ffff:10.1.2.3", "private", "10.1.2.3"),
    ("::ffff:169.254.169.254", "link-local", "169.254.169.254"),
    ("::ffff:100.64.0.1", "shared (carrier-grade NAT)", "100.64.0.1"),
    ("::ffff:0.0.0.0", "unspecified", "0.0.0.0"),
    ("2002:7f00:1::", "loopback", "127.0.0.1"),
    ("2002:a00:1::1", "private", "10.0.0.1"),
    ("2002:a9fe:a9fe::", "link-local", "169.254.169.254"),
    ("64:ff9b::7f00:1", "loopback", "127.0.0.1"),
    ("64:ff9b::a00:1", "private", "10.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "link-local", "169.254.169.254"),
    ("64:ff9b::e000:1", "multicast", "224.0.0.1"),
    # not an address at all
    ("mail.example.test", "not an IP address", None),
    ("", "not an IP address", None),
]


@pytest.mark.parametrize(("address", "kind", "embedded"), TABLE)
def test_address_table(address: str, kind: str | None, embedded: str | None) -> None:
    target = GUARD.check(address)
    assert (target.refused, target.embedded) == (kind, embedded)
    assert target.allowed is (kind is None)


NEVER = {"unspecified", "multicast", "broadcast", "not an IP address"}


@pytest.mark.parametrize(("address", "kind", "embedded"), TABLE)
def test_opt_in_lifts_all_but_what_is_never_a_server(
    address: str, kind: str | None, embedded: str | None
) -> None:
    assert OPTED_IN.check(address).allowed is (kind not in NEVER)


def test_choose_takes_the_first_allowed_and_lists_the_refused() -> None:
    chosen, refused = GUARD.choose(["10.0.0.1", "8.8.8.8", "127.0.0.1", "1.1.1.1"])
    assert chosen is not None and chosen.address == "8.8.8.8"
    assert [t.address for t in refused] == ["10.0.0.1", "127.0.0.1"]
    assert GUARD.choose(["127.0.0.1"])[0] is None


async def test_a_refused_target_is_never_dialled() -> None:
    target = GUARD.check("127.0.0.1")
    with pytest.raises(RefusedTarget):
        target.require()
    with pytest.raises(RefusedTarget):
        await open_connection(target, 9)


async def test_connection_is_numeric_only() -> None:
    # a name smuggled into a target is never looked up: AI_NUMERICHOST refuses it
    with pytest.raises(OSError):
        await open_connection(Target("localhost"), 9)


def test_evidence() -> None:
    assert GUARD.check("::ffff:127.0.0.1").evidence() == {
        "address": str(ipaddress.ip_address("::ffff:127.0.0.1")),  # its text form depends on Python's version
        "kind": "loopback",
        "embedded": "127.0.0.1",
    }
    assert GUARD.check("8.8.8.8").evidence() == {"address": "8.8.8.8", "kind": "public"}


@pytest.mark.parametrize(
    ("start", "location", "follow"),
    [
        ("http://mail.example.test/", "http://mail.example.test/login", True),
        ("http://mail.example.test/", "http://MAIL.example.test:80/x", True),
        ("https://mail.example.test/", "https://mail.example.test:443/", True),
        ("http://mail.example.test/", "https://mail.example.test/", False),  # scheme
        ("http://mail.example.test/", "http://mail.example.test:8080/", False),  # port
        ("https://mail.example.test/", "https://mail.example.test:22/", False),
        ("http://mail.example.test/", "http://other.example.test/", False),  # host
        ("http://mail.example.test/", "http://127.0.0.1/", False),
        ("http://mail.example.test/", "http://mail.example.test@127.0.0.1/", False),
        ("http://mail.example.test/", "ftp://mail.example.test/", False),
        ("http://mail.example.test/", "http://mail.example.test:port/", False),  # malformed
    ],
)
def test_redirects_stay_on_scheme_host_and_port(start: str, location: str, follow: bool) -> None:
    assert same_origin(start, location) is follow


def test_setting_is_read_from_the_operator_environment() -> None:
    assert load_settings({}).allow_private_targets is False
    assert load_settings({ENV_ALLOW_PRIVATE_TARGETS: "1"}).allow_private_targets is True
    assert load_settings({ENV_ALLOW_PRIVATE_TARGETS: "0"}).allow_private_targets is False
    with pytest.raises(InputError) as err:
        load_settings({ENV_ALLOW_PRIVATE_TARGETS: "yes"})
    assert err.value.field == ENV_ALLOW_PRIVATE_TARGETS


def test_policy_from_settings_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_ALLOW_PRIVATE_TARGETS, raising=False)
    assert OutboundPolicy.from_settings() == GUARD
    monkeypatch.setenv(ENV_ALLOW_PRIVATE_TARGETS, "1")
    assert OutboundPolicy.from_settings() == OPTED_IN
    assert OutboundPolicy.from_settings(load_settings({})) == GUARD
