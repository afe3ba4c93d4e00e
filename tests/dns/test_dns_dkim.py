"""DKIM check: key records, RSA sizes from DER, revoked and invalid keys, missing selectors, faults."""

from __future__ import annotations

import base64

import pytest

from alimail_mcp.dns.dkim import check_dkim, rsa_key_bits
from alimail_mcp.dns.resolver import ResolverClient
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant, zone_file

RSA_1024_SPKI = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCnkFf1cPsPYjO+wb90o4donYms8ifuloNgkIPS42DSfO8uCkL1yoNlVphd"
    "z4zbpO4T15Ib7J/0y7FMxLgSVmt6G4BT2GQ/lJZkUkU0K0RTfE95D3TeG6kybnADpWk9tXfYvk4KjQV+uhb4ehdqQLhgBCij"
    "l4+Tx/1Vp1tIdXk0UwIDAQAB"
)
RSA_1024_PKCS1 = (
    "MIGJAoGBAKeQV/Vw+w9iM77Bv3Sjh2idiazyJ+6Wg2CQg9LjYNJ87y4KQvXKg2VWmF3PjNuk7hPXkhvsn/TLsUzEuBJWa3ob"
    "gFPYZD+UlmRSRTQrRFN8T3kPdN4bqTJucAOlaT21d9i+TgqNBX66Fvh6F2pAuGAEKKOXj5PH/VWnW0h1eTRTAgMBAAE="
)
RSA_512_SPKI = (
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANzK99Phgvd282RVeKeJp6dO3G4G+AEdRomXREuaAuZVrcJEJkZdZ2nW4eYrL/iy"
    "z+AgrMB5M9kb5Ge88t7/NvkCAwEAAQ=="
)
ED25519_RAW = "NoJMAolTERO5Aa7Lbu/DVrwqaZG2uxLD+8vENnDphBA="
NO_KEY = ["default._domainkey TXT"]


def codes(result: object) -> set[str]:
    return {f.code for f in result.findings}  # type: ignore[attr-defined]


def key_zone(origin: str, record: str, selector: str = "sel") -> str:
    return variant(origin, without=NO_KEY, extra=f"{selector}._domainkey TXT {record}")


@pytest.mark.parametrize(
    ("b64", "bits"),
    [(RSA_1024_SPKI, 1024), (RSA_1024_PKCS1, 1024), (RSA_512_SPKI, 512)],
)
def test_rsa_key_bits_from_der(b64: str, bits: int) -> None:
    assert rsa_key_bits(base64.b64decode(b64)) == bits


@pytest.mark.parametrize(
    "junk", [b"", b"\x30", b"\x30\x82\xff\xff", b"\x02\x01\x01", base64.b64decode(ED25519_RAW)]
)
def test_rsa_key_bits_rejects_junk(junk: bytes) -> None:
    assert rsa_key_bits(junk) is None


async def test_good_key_with_common_selectors(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, zone_file("good.test"))
    result = await check_dkim(dns_client, "good.test")
    assert result.status == "ok" and codes(result) == set()
    found = [k for k in result.keys if k.found]
    assert [(k.selector, k.key_type, k.key_bits, k.valid) for k in found] == [("default", "rsa", 2048, True)]
    assert not result.selectors_given
    assert len(result.keys) > 5  # every common selector was asked


async def test_given_selector_only(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, key_zone("given.test", f'"v=DKIM1; p={RSA_1024_SPKI}"', "s2024"))
    result = await check_dkim(dns_client, "given.test", ["s2024"])
    assert [k.selector for k in result.keys] == ["s2024"]
    assert result.keys[0].key_bits == 1024 and result.status == "ok"
    assert dns_server.count("default._domainkey.given.test") == 0


async def test_ed25519_key(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, key_zone("ed.test", f'"v=DKIM1; k=ed25519; p={ED25519_RAW}"'))
    result = await check_dkim(dns_client, "ed.test", ["sel"])
    assert (result.keys[0].key_type, result.keys[0].key_bits, result.status) == ("ed25519", 256, "ok")


async def test_weak_key(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, key_zone("weak.test", f'"v=DKIM1; k=rsa; p={RSA_512_SPKI}"'))
    result = await check_dkim(dns_client, "weak.test", ["sel"])
    assert codes(result) == {"dkim.weak-key"}
    assert result.status == "error" and result.keys[0].key_bits == 512


async def test_sha1_only_is_weak_warning(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, key_zone("sha1.test", f'"v=DKIM1; h=sha1; p={RSA_1024_SPKI}"'))
    result = await check_dkim(dns_client, "sha1.test", ["sel"])
    assert codes(result) == {"dkim.weak-key"}
    assert result.findings[0].severity.value == "warning"


async def test_revoked_key(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, key_zone("revoked.test", '"v=DKIM1; k=rsa; p="'))
    result = await check_dkim(dns_client, "revoked.test", ["sel"])
    assert codes(result) == {"dkim.revoked"}
    assert result.keys[0].revoked and result.status == "warning"


@pytest.mark.parametrize(
    "record",
    [
        '"v=DKIM1; k=rsa; p=not*base64"',
        '"v=DKIM1; k=dsa; p=AAAA"',
        '"k=rsa; v=DKIM1; p=AAAA"',
        '"v=DKIM1; k=rsa"',
        '"v=DKIM1; k=ed25519; p={RSA_1024_SPKI}"',
        '"hello world"',
    ],
)
async def test_invalid_key(dns_server: DnsTestServer, dns_client: ResolverClient, record: str) -> None:
    serve_world(dns_server, key_zone("invalid.test", record.replace("{RSA_1024_SPKI}", RSA_1024_SPKI)))
    result = await check_dkim(dns_client, "invalid.test", ["sel"])
    assert codes(result) == {"dkim.invalid"}
    assert result.status == "error"


async def test_testing_flag_is_info(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, key_zone("testing.test", f'"v=DKIM1; t=y; p={RSA_1024_SPKI}"'))
    result = await check_dkim(dns_client, "testing.test", ["sel"])
    assert codes(result) == {"dkim.testing"} and result.status == "ok"


async def test_missing_with_common_selectors_is_info(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, variant("nokey.test", without=NO_KEY))
    result = await check_dkim(dns_client, "nokey.test")
    assert codes(result) == {"dkim.missing"}
    finding = result.findings[0]
    assert finding.severity.value == "info"
    assert any("admin console" in step for step in finding.fix)
    assert result.status == "warning"


async def test_missing_given_selector_is_warning(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, zone_file("good.test"))
    result = await check_dkim(dns_client, "good.test", ["nosuch"])
    assert codes(result) == {"dkim.missing"}
    assert result.findings[0].severity.value == "warning"


async def test_timeout_is_not_missing(dns_server: DnsTestServer, make_dns_client: object) -> None:
    serve_world(dns_server, variant("slowkey.test", without=NO_KEY))
    dns_server.set_fault("sel._domainkey.slowkey.test", drop=True)
    client = make_dns_client(timeout=0.2, budget=1.0)  # type: ignore[operator]
    result = await check_dkim(client, "slowkey.test", ["sel"])
    assert codes(result) == {"dns.timeout"}
    assert result.status == "unreachable"
    assert result.keys[0].found is None
