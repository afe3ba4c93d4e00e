"""Domain-name arithmetic the checks share: zone-relative hosts, the organisational domain, and the
classic DNS-panel mistake of a value with the zone appended (`mx1.qiye.aliyun.com.example.com`)."""

from __future__ import annotations

from typing import Any

from alimail_mcp.knowledge.compiled import compiled


def relative_host(name: str, zone: str) -> str:
    """`name` as a host record of `zone`: `@` for the apex, `mail` for mail.<zone>."""
    name, zone = name.lower().rstrip("."), zone.lower().rstrip(".")
    if name == zone:
        return "@"
    if name.endswith("." + zone):
        return name[: -len(zone) - 1]
    return name


def fqdn(host: str, zone: str) -> str:
    """The full name of host record `host` in `zone` (inverse of relative_host)."""
    return zone if host in ("@", "") else f"{host}.{zone}"


def _psl_version() -> tuple[str, ...]:
    import publicsuffixlist

    return (str(getattr(publicsuffixlist, "__version__", "")), publicsuffixlist.__file__ or "")


@compiled("public-suffix-list", also=_psl_version)
def _psl() -> Any:
    """The parsed list (parsing its data file takes a quarter of a second, reading it back 8 ms)."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """The registrable domain of `domain` by the public suffix list (RFC 7489 3.2).

    Unknown TLDs (`.test`) follow the list's default rule `*`: one label is the public suffix.
    """
    return str(_psl().privatesuffix(domain) or domain)


def known_public_suffix(name: str) -> bool:
    """True when `name` ends in a suffix the public suffix list knows (not only its default rule)."""
    return _psl().publicsuffix(name, accept_unknown=False) is not None


def zone_appended(value: str, domain: str, known_names: frozenset[str] = frozenset()) -> str | None:
    """The name that was meant when a DNS panel appended the zone to a full name, else None.

    `mx1.qiye.aliyun.com.example.com` in zone example.com was meant as `mx1.qiye.aliyun.com`.
    Only flagged when the part before the zone is clearly a complete name of its own: a name we
    know (provider hosts), the zone itself doubled, or three or more labels ending in a real
    public suffix; `mx1.eu.example.com` stays a legitimate host of the zone.
    """
    value, domain = value.lower().rstrip("."), domain.lower().rstrip(".")
    if not value.endswith("." + domain):
        return None
    prefix = value[: -len(domain) - 1]
    if prefix in known_names or prefix == domain or prefix.endswith("." + domain):
        return prefix
    if prefix.count(".") >= 2 and known_public_suffix(prefix):
        return prefix
    return None
