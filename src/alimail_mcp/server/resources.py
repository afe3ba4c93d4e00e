"""Every skill as a readable markdown document (the data behind the server's skill:// resources)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from pydantic import BaseModel

from alimail_mcp.errors import InputError
from alimail_mcp.server.skill_index import (
    MIME_TYPE,
    PROVIDER_DESCRIPTION,
    PROVIDER_ID,
    one_line,
    provider_title,
    skill_uri,
)

if TYPE_CHECKING:
    from alimail_mcp.knowledge.knowledge_base import KnowledgeBase
    from alimail_mcp.knowledge.provider import Provider
    from alimail_mcp.knowledge.skill_models import DetailSkill, IntentSkill, PathSpec


class SkillDocument(BaseModel):
    """One resource: `uri` is skill://<skill id>, `name` the skill id, `text` the markdown."""

    uri: str
    name: str
    title: str
    description: str
    mime_type: str = MIME_TYPE
    text: str


def resource_documents(kb: KnowledgeBase) -> list[SkillDocument]:
    """Intent skills, then detail skills (guides, troubleshooting), then the provider profile."""
    docs = [
        SkillDocument(
            uri=skill_uri(i.id),
            name=i.id,
            title=i.title,
            description=one_line(i.description),
            text=render_intent(kb, i),
        )
        for i in kb.intents
    ]
    docs += [
        SkillDocument(
            uri=skill_uri(d.id),
            name=d.id,
            title=d.title,
            description=one_line(d.description),
            text=render_detail(kb, d),
        )
        for d in kb.details
    ]
    docs.append(
        SkillDocument(
            uri=skill_uri(PROVIDER_ID),
            name=PROVIDER_ID,
            title=provider_title(kb.provider.name),
            description=PROVIDER_DESCRIPTION,
            text=render_provider(kb.provider),
        )
    )
    return docs


def resource_text(uri: str) -> str:
    """The markdown of one skill:// resource, from the validated knowledge base (rendered once)."""
    texts = _texts()
    if uri not in texts:
        raise InputError("uri", f"no skill resource {uri[:200]!r}")
    return texts[uri]


@cache
def _texts() -> dict[str, str]:
    from alimail_mcp.knowledge.loader import load_knowledge

    return {doc.uri: doc.text for doc in resource_documents(load_knowledge())}


def render_intent(kb: KnowledgeBase, intent: IntentSkill) -> str:
    """The intent's decision tree and each path in full, as markdown."""
    out = [
        f"# {intent.title}",
        "",
        intent.description,
        "",
        f"Skill id: `{intent.id}`",
        "",
        "## Typical questions",
        "",
    ]
    out += [f"- {q}" for q in intent.typical_questions]
    out += ["", "## Decision tree", ""]
    for path in intent.paths:
        if path.id != intent.default_path:
            out.append(
                f"- **If** {_lower_first(path.when_to_use[0].rstrip('.'))} -> **{path.title}** (`{path.id}`)"
            )
    default = intent.path(intent.default_path)
    out += [f"- **Otherwise (default)** -> **{default.title}** (`{default.id}`): {intent.default_reason}", ""]
    for number, path in enumerate(intent.paths, 1):
        tag = " (default)" if path.id == intent.default_path else ""
        out += _path_section(kb, path, f"## Path {number}: {path.title}{tag}")
    out += ["## Notes", "", _demote(intent.body)]
    return "\n".join(out).rstrip() + "\n"


PATH_TEMPLATE = "skill://alimail/path/{path}"
"""One troubleshooting path on its own (a resource template: the argument completes to the path ids)."""


def render_path(kb: KnowledgeBase, path_id: str) -> str:
    """One path's document: when to use it, its steps and pitfalls (InputError for an unknown path)."""
    try:
        ref = kb.path(path_id)
    except KeyError:
        known = ", ".join(r.id for r in kb.paths)
        raise InputError("path", f"must be one of {known}") from None
    heading = f"# {ref.spec.title} ({ref.intent.intent}/{ref.id})"
    return "\n".join(_path_section(kb, ref.spec, heading)).rstrip() + "\n"


def _path_section(kb: KnowledgeBase, path: PathSpec, heading: str) -> list[str]:
    out = [
        heading,
        "",
        f"Path id: `{path.id}`; detail skill: [{path.skill}]({skill_uri(path.skill)})",
        "",
        path.summary,
        "",
        f"**Key fact:** {path.key_fact}",
        "",
    ]
    out += _section("When to use", path.when_to_use)
    out += _section("When not to use", path.when_not_to_use)
    out += _section("Known limitations", path.limitations)
    out += ["### Steps", ""] + [f"{n}. {step}" for n, step in enumerate(path.steps, 1)] + [""]
    out += _section(
        "If you pick the wrong path",
        [f"**{kb.path(p.wrong_path).spec.title}** instead: {p.consequence}" for p in path.pitfalls],
    )
    if path.tools:
        out += _section("Tools", [f"`{tool}`" for tool in path.tools])
    return out


def render_detail(kb: KnowledgeBase, detail: DetailSkill) -> str:
    """The detail skill's own markdown, with the paths that lead to it."""
    users = [
        f"- {ref.intent.title} -> [{ref.spec.title}]({skill_uri(ref.intent.id)}) "
        f"(`{ref.intent.intent}/{ref.id}`)"
        for ref in kb.paths_using(detail.id)
    ]
    text = detail.body.rstrip() + "\n"
    if users:
        text += "\n## Reached from\n\n" + "\n".join(users) + "\n"
    return text


def render_provider(p: Provider) -> str:
    """provider.yaml as tables a person can read."""
    out = [
        f"# {p.name} provider profile",
        "",
        f"Also known as: {', '.join(p.aliases)}.",
        "",
        "## MX record sets",
        "",
        "| set | recommended | records |",
        "|---|---|---|",
    ]
    for s in p.mx_sets:
        records = ", ".join(f"`{r.host}` ({r.priority})" for r in s.records)
        out.append(f"| {s.label} | {'yes' if s.recommended else 'no'} | {records} |")
    out += [
        "",
        "## SPF",
        "",
        f"- Record to publish: `{p.spf.recommended_record}`",
        f"- Includes accepted as authorising {p.name}: "
        f"{', '.join(f'`{i}`' for i in p.spf.accepted_includes)}",
        f"- With DirectMail: `{p.spf.directmail_record}`",
        "",
        "## Webmail and optional CNAME records",
        "",
        f"- `{p.webmail_cname.host}` -> `{p.webmail_cname.recommended_target}` (also accepted: "
        f"{', '.join(f'`{t}`' for t in p.webmail_cname.accepted_targets)})",
    ]
    out += [f"- `{c.host}` -> `{c.target}` (optional)" for c in p.optional_cnames]
    out += [
        "",
        "## DKIM",
        "",
        f"Selectors tried when none is given: {', '.join(p.dkim.common_selectors)}.",
        "",
        "## DMARC rollout",
        "",
        f"1. `{p.dmarc.starter_record}` for {p.dmarc.days_at_none} days",
        f"2. `{p.dmarc.next_record}` for {p.dmarc.days_at_quarantine} days",
        f"3. `{p.dmarc.final_record}`",
        "",
        "## Client servers",
        "",
        "| protocol | server | SSL port | plain port | older names |",
        "|---|---|---|---|---|",
    ]
    for srv in p.servers:
        older = ", ".join(srv.legacy_hosts + srv.outdated_hosts) or "-"
        out.append(f"| {srv.protocol.upper()} | `{srv.host}` | {srv.ssl_port} | {srv.plain_port} | {older} |")
    out += ["", "## Sites", "", "| site | webmail |", "|---|---|"]
    out += [f"| {s.label} | `{s.webmail}` |" for s in p.sites]
    lim = p.limits
    out += [
        "",
        "## Limits",
        "",
        f"- S/MIME: {lim.smime_edition}, at most {lim.smime_certificates_per_mailbox} certificates a mailbox",
        f"- Mailbox capacity: {lim.mailbox_capacity_gb} GB",
        f"- Automatic unlock after a password lock: {lim.lock_auto_unlock_minutes} minutes",
        f"- Login QR code valid for: {lim.qr_code_valid_minutes} minutes",
        f"- DNS propagation: up to {lim.propagation.official_max_hours} hours (official); older notes quote "
        f"{lim.propagation.seed_auth_records_hours} hours for DKIM/DMARC/CNAME and "
        f"{lim.propagation.seed_spf_mx_minutes[0]}-{lim.propagation.seed_spf_mx_minutes[1]} minutes for "
        "SPF/MX",
        "",
        "## Console",
        "",
        f"- Admin console: {p.console.admin_url}",
        f"- Anti-spam feedback (appeals with the .eml): {p.console.antispam_feedback}",
    ]
    return "\n".join(out) + "\n"


def _section(title: str, items: tuple[str, ...] | list[str]) -> list[str]:
    return [f"### {title}", ""] + [f"- {item}" for item in items] + [""]


def _demote(body: str) -> str:
    """The intent body starts with its own '# title'; drop it (the document already has one)."""
    lines = body.strip().split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _lower_first(text: str) -> str:
    """'The login page says' -> 'the login page says'; 'S/MIME', 'POP' or 'AccountFrozen' stay as they are."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or not first[1:].islower()):
        return text
    return text[:1].lower() + text[1:]
