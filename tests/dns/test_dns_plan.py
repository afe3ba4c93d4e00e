"""The change plan: which records, in which order, and their Alibaba Cloud DNS form and commands."""

from __future__ import annotations

import shlex

from alimail_mcp.dns.mx import check_mx
from alimail_mcp.dns.plan import build_plan, planned
from alimail_mcp.dns.resolver import ResolverClient
from alimail_mcp.dns.webmail_cname import check_webmail_cname
from alimail_mcp.knowledge.loader import load_provider
from alimail_mcp.models import DnsChange
from tests.support.dns_server import DnsTestServer
from tests.support.dns_zones import serve_world, variant

NO_MX = ["@ MX"]


def rows(plan: list) -> list[tuple[str, str, str, str, int | None]]:  # type: ignore[type-arg]
    return [(c.action, c.type, c.host, c.value, c.priority) for c in plan]


def test_add_mx_as_alidns_command() -> None:
    change = DnsChange(action="add", type="MX", host="@", value="mx1.qiye.aliyun.com", priority=5)
    step = planned(change, "mx.missing", "example.test", "example.test")
    assert step.alidns.model_dump() == {
        "DomainName": "example.test",
        "RR": "@",
        "Type": "MX",
        "Value": "mx1.qiye.aliyun.com",
        "Priority": 5,
        "TTL": None,
    }
    assert step.command == (
        "aliyun alidns AddDomainRecord --DomainName example.test --RR @ --Type MX "
        "--Value mx1.qiye.aliyun.com --Priority 5"
    )
    assert step.find_command is None


def test_replace_quotes_the_value_and_says_how_to_find_the_record() -> None:
    value = "v=spf1 include:spf.qiye.aliyun.com -all"
    change = DnsChange(action="replace", type="TXT", host="@", value=value, old_value="v=spf1 ~all")
    step = planned(change, "spf.missing-alimail-include", "example.test", "example.test")
    assert step.command.startswith("aliyun alidns UpdateDomainRecord --RecordId <RecordId> --RR @ --Type TXT")
    assert shlex.split(step.command.replace("<RecordId>", "ID"))[-1] == value
    assert step.find_command == (
        "aliyun alidns DescribeSubDomainRecords --DomainName example.test --SubDomain example.test --Type TXT"
    )


def test_delete_needs_only_the_record_id() -> None:
    change = DnsChange(action="delete", type="MX", host="@", value="mx.other.test", priority=1)
    step = planned(change, "mx.conflict", "example.test", "example.test")
    assert step.command == "aliyun alidns DeleteDomainRecord --RecordId <RecordId>"
    assert step.find_command is not None and "--Type MX" in step.find_command


def test_hosts_of_a_subdomain_are_relative_to_the_zone() -> None:
    change = DnsChange(action="add", type="TXT", host="_dmarc", value="v=DMARC1; p=none")
    step = planned(change, "dmarc.missing", "shop.example.test", "example.test")
    assert (step.host, step.alidns.RR, step.alidns.DomainName) == (
        "_dmarc.shop",
        "_dmarc.shop",
        "example.test",
    )
    apex = planned(
        DnsChange(action="add", type="MX", host="@", value="mx"), "x", "shop.example.test", "example.test"
    )
    assert apex.host == "shop"


def test_absolute_hosts_are_kept() -> None:
    change = DnsChange(
        action="replace", type="TXT", host="_dmarc.example.test.", value="v=DMARC1; p=quarantine"
    )
    step = planned(change, "dmarc.policy-none", "shop.example.test", "example.test")
    assert step.host == "_dmarc"


async def test_wrong_provider_adds_the_recommended_set_before_deleting(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    extra = "@ MX 10 mx1.otherprovider.test.\n@ MX 20 mx2.otherprovider.test."
    serve_world(dns_server, variant("moved.test", without=NO_MX, extra=extra))
    plan = build_plan("moved.test", "moved.test", mx=await check_mx(dns_client, "moved.test"))
    recommended = [("add", "MX", "@", r.host, r.priority) for r in load_provider().recommended_mx.records]
    assert rows(plan) == [
        *recommended,
        ("delete", "MX", "@", "mx1.otherprovider.test", 10),
        ("delete", "MX", "@", "mx2.otherprovider.test", 20),
    ]
    assert {c.reason for c in plan} == {"mx.wrong-provider"}


async def test_conflict_deletes_only_the_foreign_host(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, variant("mixed.test", extra="@ MX 1 mx1.otherprovider.test."))
    plan = build_plan("mixed.test", "mixed.test", mx=await check_mx(dns_client, "mixed.test"))
    assert rows(plan) == [("delete", "MX", "@", "mx1.otherprovider.test", 1)]


async def test_null_mx_is_replaced_by_the_set(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    serve_world(dns_server, variant("null.test", without=NO_MX, extra="@ MX 0 ."))
    plan = build_plan("null.test", "null.test", mx=await check_mx(dns_client, "null.test"))
    assert [r[0] for r in rows(plan)] == ["add", "add", "add", "delete"]
    assert rows(plan)[-1] == ("delete", "MX", "@", ".", 0)


async def test_inverted_priorities_are_updated(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 15 mx1.qiye.aliyun.com.\n@ MX 10 mx2.qiye.aliyun.com.\n@ MX 5 mx3.qiye.aliyun.com."
    serve_world(dns_server, variant("inverted.test", without=NO_MX, extra=extra))
    plan = build_plan("inverted.test", "inverted.test", mx=await check_mx(dns_client, "inverted.test"))
    assert sorted(rows(plan)) == [
        ("replace", "MX", "@", "mx1.qiye.aliyun.com", 5),
        ("replace", "MX", "@", "mx3.qiye.aliyun.com", 15),
    ]


async def test_legacy_set_is_left_alone(dns_server: DnsTestServer, dns_client: ResolverClient) -> None:
    extra = "@ MX 5 mxn.mxhichina.com.\n@ MX 10 mxw.mxhichina.com."
    serve_world(dns_server, variant("legacy.test", without=NO_MX, extra=extra))
    assert build_plan("legacy.test", "legacy.test", mx=await check_mx(dns_client, "legacy.test")) == []


async def test_a_record_webmail_becomes_a_cname(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, variant("pinned.test", without=["mail CNAME"], extra="mail A 203.0.113.10"))
    plan = build_plan(
        "pinned.test", "pinned.test", webmail=await check_webmail_cname(dns_client, "pinned.test")
    )
    assert rows(plan) == [
        ("add", "CNAME", "mail", "qiye.aliyun.com", None),
        ("delete", "A", "mail", "203.0.113.10", None),
    ]


async def test_mx_plan_fixes_an_alias_and_deletes_dead_and_literal_hosts(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    extra = (
        "@ MX 5 mx1.fix.test.\n@ MX 10 mx2.qiye.aliyun.com.\n@ MX 15 mx3.qiye.aliyun.com.\n"
        "@ MX 20 mx9.otherprovider.test.\n@ MX 30 203.0.113.1.\nmx1 CNAME mx1.qiye.aliyun.com."
    )
    serve_world(dns_server, variant("fix.test", without=NO_MX, extra=extra))
    plan = build_plan("fix.test", "fix.test", mx=await check_mx(dns_client, "fix.test"))
    assert rows(plan) == [
        ("replace", "MX", "@", "mx1.qiye.aliyun.com", 5),
        ("delete", "MX", "@", "mx9.otherprovider.test", 20),
        ("delete", "MX", "@", "203.0.113.1", 30),
    ]
    assert plan[0].old_value == "mx1.fix.test"


async def test_only_a_literal_mx_gets_the_alibaba_set_added(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    serve_world(dns_server, variant("lit.test", without=NO_MX, extra="@ MX 10 203.0.113.1."))
    plan = build_plan("lit.test", "lit.test", mx=await check_mx(dns_client, "lit.test"))
    assert [(c.action, c.value) for c in plan] == [
        ("add", "mx1.qiye.aliyun.com"),
        ("add", "mx2.qiye.aliyun.com"),
        ("add", "mx3.qiye.aliyun.com"),
        ("delete", "203.0.113.1"),
    ]
    assert {c.reason for c in plan} == {"mx.host-unresolvable"}


async def test_an_alias_in_reversed_order_is_replaced_once_with_its_right_priority(
    dns_server: DnsTestServer, dns_client: ResolverClient
) -> None:
    extra = (
        "@ MX 15 mx1.inv.test.\n@ MX 10 mx2.qiye.aliyun.com.\n@ MX 5 mx3.qiye.aliyun.com.\n"
        "mx1 CNAME mx1.qiye.aliyun.com."
    )
    serve_world(dns_server, variant("inv.test", without=NO_MX, extra=extra))
    mx = await check_mx(dns_client, "inv.test")
    assert {f.code for f in mx.findings} == {"mx.host-cname", "mx.priority-odd"}
    plan = build_plan("inv.test", "inv.test", mx=mx)
    assert sorted((c.action, c.value, c.priority, c.old_value) for c in plan) == [
        ("replace", "mx1.qiye.aliyun.com", 5, "mx1.inv.test"),
        ("replace", "mx3.qiye.aliyun.com", 15, "mx3.qiye.aliyun.com"),
    ]
