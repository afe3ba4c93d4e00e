"""S/MIME eligibility: the edition, the administrator's switch, the file format and the per-mailbox limit,
with the certificate's own checks when one was given."""

from __future__ import annotations

from alimail_mcp.knowledge.provider import Provider
from alimail_mcp.models import Finding
from alimail_mcp.secure_setup.knowledge import SecureSetupKnowledge
from alimail_mcp.secure_setup.models import CertificateCheck, EditionId, Requirement, SmimeEligibility


def smime_eligibility(
    edition: EditionId | None,
    certificate: CertificateCheck | None,
    kb: SecureSetupKnowledge,
    provider: Provider,
) -> tuple[SmimeEligibility, list[Finding]]:
    entry = next((e for e in kb.editions if e.id == edition), None)
    eligible = None if entry is None else entry.smime
    findings: list[Finding] = []
    if entry is None:
        findings.append(kb.smime_finding("smime.edition-unknown"))
    elif not entry.smime:
        findings.append(
            kb.smime_finding("smime.edition-unsupported", {"edition": entry.id}, edition=entry.label)
        )
    met: dict[str, bool | None] = {
        "edition": eligible,
        "admin-enabled": None,
        "pkcs12": None
        if certificate is None
        else certificate.source == "pkcs12" and bool(certificate.has_private_key),
        "certificate-limit": None,
        "certificate": None if certificate is None else certificate.fit,
    }
    requirements = [Requirement(id=r.id, text=r.text, met=met[r.id]) for r in kb.smime.requirements]
    if certificate is not None:
        findings += certificate.findings
    return (
        SmimeEligibility(
            edition=edition,
            eligible=eligible,
            requirements=requirements,
            max_certificates_per_mailbox=provider.limits.smime_certificates_per_mailbox,
            steps=list(kb.smime.steps),
            certificate=certificate,
        ),
        findings,
    )
