"""Zones of issue #11's fan-out attacks, for the tests and bench/hostile.py: a layered SPF include graph
and a domain with 1,500 MX and 800 NS records."""

from __future__ import annotations

from alimail_mcp.knowledge.loader import load_provider

LAYERS, WIDTH = 11, 4
"""The layered graph of the issue: 44 names, each layer including every name of the next."""
MX_COUNT, NS_COUNT = 1500, 800


def layered(origin: str = "graph.test", layers: int = LAYERS, width: int = WIDTH) -> str:
    alibaba = load_provider().spf.recommended_include

    def layer(i: int) -> str:
        return " ".join(f"include:l{i}n{j}.{origin}" for j in range(width))

    lines = [
        f"$ORIGIN {origin}.",
        "@ MX 5 mx1.qiye.aliyun.com.",
        f'@ TXT "v=spf1 {layer(0)} include:{alibaba} -all"',
    ]
    for i in range(layers):
        below = layer(i + 1) if i + 1 < layers else "ip4:192.0.2.1"
        lines += [f'l{i}n{j} TXT "v=spf1 {below} ~all"' for j in range(width)]
    return "\n".join(lines) + "\n"


def fan_out(origin: str = "fan.test") -> str:
    """1,500 MX hosts of another provider, each with an address, and 800 nameservers."""
    lines = [f"$ORIGIN {origin}.", "ns1 A 127.0.0.1", '@ TXT "v=spf1 include:spf.qiye.aliyun.com -all"']
    lines += [f"@ NS ns{i}.{origin}." for i in range(1, NS_COUNT + 1)]
    lines += [f"ns{i} A 127.0.0.1" for i in range(2, NS_COUNT + 1)]
    lines += [f"@ MX {i % 60} mx{i}.{origin}." for i in range(MX_COUNT)]
    lines += [f"mx{i} A 192.0.2.{i % 250 + 1}" for i in range(MX_COUNT)]
    return "\n".join(lines) + "\n"
